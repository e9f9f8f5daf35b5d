"""reasoning and compaction: summaries, reasoning text and (the size of) encrypted content."""

from __future__ import annotations

from rich.text import Text

from convoscope.api.models import Compaction, Item, Reasoning
from convoscope.api.models.content import TextPart
from convoscope.render.detail.blocks import NOT_INCLUDED, dim
from convoscope.render.detail.core import DocBuilder, Document, RenderContext, renders
from convoscope.render.detail.messages import generic_part
from convoscope.render.detail.blocks import markdown_block
from convoscope.render.text import text_block

ENCRYPTED_INCLUDE = "reasoning.encrypted_content"


def encrypted_text(value: str | None, *, include_key: str | None, include: frozenset[str]) -> Text:
    if isinstance(value, str) and value:
        return Text(f"encrypted content present ({len(value.encode('utf-8', 'replace')):,} bytes)")
    if value == "":
        return dim("(empty)")
    if include_key is not None and include_key not in include:
        return dim(NOT_INCLUDED)
    return dim("(none)")


@renders("reasoning")
def render_reasoning(item: Item, ctx: RenderContext) -> Document:
    assert isinstance(item, Reasoning)
    builder = DocBuilder(item, ctx)
    summary = item.summary_parts
    if summary:
        for position, part in enumerate(summary):
            title = f"Summary {position + 1}" if len(summary) > 1 else "Summary"
            if isinstance(part, TextPart):
                # Summaries are markdown ("**Title**\n\nBody").
                builder.block(title, markdown_block(part.text or "", ctx))
            else:
                generic_part(builder, part, title)
    else:
        builder.section("Summary", dim("(no summary)" if summary is not None else "(none)"))
    for position, part in enumerate(item.content or ()):
        title = f"Reasoning {position + 1}" if len(item.content or ()) > 1 else "Reasoning"
        if isinstance(part, TextPart):
            builder.block(title, text_block(part.text or "", ctx))
        else:
            generic_part(builder, part, title)
    builder.section(
        "Encrypted content",
        encrypted_text(item.encrypted_content, include_key=ENCRYPTED_INCLUDE, include=ctx.include),
    )
    return builder.document()


@renders("compaction")
def render_compaction(item: Item, ctx: RenderContext) -> Document:
    assert isinstance(item, Compaction)
    builder = DocBuilder(item, ctx)
    builder.section(
        "Compacted context",
        encrypted_text(item.encrypted_content, include_key=None, include=ctx.include),
    )
    return builder.document()
