"""message and output_message: every content part, annotations, refusals and logprobs."""

from __future__ import annotations

import math

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from convoscope.api.models import (
    ComputerScreenshot,
    InputFile,
    InputImage,
    InputText,
    Item,
    Message,
    OutputText,
    Part,
    Refusal,
)
from convoscope.api.models.content import ContainerFileCitation, FileCitation, FilePath, TextPart, UrlCitation
from convoscope.api.models.text import one_line
from convoscope.render.detail.blocks import (
    NOT_INCLUDED,
    cache_breakpoint,
    dim,
    fields_table,
    file_rows,
    image_rows,
    json_tree,
    markdown_block,
    part_fields,
)
from convoscope.render.detail.core import DocBuilder, Document, RenderContext, item_title, renders
from convoscope.render.text import json_block, marker_text, parse_json_text, text_block, visible

LOGPROBS_INCLUDE = "message.output_text.logprobs"
IMAGE_URL_INCLUDE = "message.input_image.image_url"
LOGPROB_ROWS = 500


@renders("message", "output_message")
def render_message(item: Item, ctx: RenderContext) -> Document:
    assert isinstance(item, Message)
    builder = DocBuilder(item, ctx, item_title(item, item.phase))
    parts = item.content
    if parts is None:
        builder.section("Content", dim("(no content)"))
    elif not parts:
        builder.section("Content", dim("(empty)"))
    for position, part in enumerate(parts or ()):
        add_part(builder, part, item, position, len(parts or ()))
    return builder.document()


def _numbered(title: str, position: int, count: int) -> str:
    return f"{title} {position + 1}" if count > 1 else title


def add_part(builder: DocBuilder, part: Part, message: Message, position: int, count: int) -> None:
    ctx = builder.ctx
    if isinstance(part, OutputText):
        _output_text(builder, part, message, _numbered("Text", position, count))
    elif isinstance(part, Refusal):
        block = text_block(part.refusal or "", ctx, style="bold red")
        builder.block(_numbered("Refusal", position, count), block)
    elif isinstance(part, TextPart):
        # input_text, text, summary_text, reasoning_text: shown as typed, not as markdown.
        block = text_block(part.text or "", ctx)
        title = "Text" if isinstance(part, InputText) else part.type or "Text"
        breakpoint_ = cache_breakpoint(part)
        if breakpoint_:
            block.body = Group(block.body, dim(f"prompt cache breakpoint: {visible(breakpoint_)}"))
        builder.block(_numbered(str(title).replace("_", " ").capitalize(), position, count), block)
    elif isinstance(part, InputImage):
        rows = image_rows(part, include=ctx.include, include_key=IMAGE_URL_INCLUDE)
        rows.append(("cache breakpoint", cache_breakpoint(part)))
        builder.section(_numbered("Image", position, count), fields_table(rows, ctx) or dim("(no reference)"))
    elif isinstance(part, ComputerScreenshot):
        rows = image_rows(part)
        rows.append(("cache breakpoint", cache_breakpoint(part)))
        body = fields_table(rows, ctx) or dim("(no reference)")
        builder.section(_numbered("Screenshot", position, count), body)
    elif isinstance(part, InputFile):
        rows = file_rows(part)
        rows.append(("cache breakpoint", cache_breakpoint(part)))
        builder.section(_numbered("File", position, count), fields_table(rows, ctx) or dim("(no reference)"))
    else:
        generic_part(builder, part, _numbered("Part", position, count))


def generic_part(builder: DocBuilder, part: Part, title: str) -> None:
    """An unknown or invalid part: its fields as a tree, and why it did not validate."""
    kind = part.type if isinstance(part.type, str) else None
    data = part_fields(part)
    block = json_tree(data, builder.ctx, kind or "")
    builder.block(f"{title} · {kind}" if kind else title, block)
    error = getattr(part, "validation_error", None)
    if error:
        builder.note(error)


def _output_text(builder: DocBuilder, part: OutputText, message: Message, title: str) -> None:
    ctx = builder.ctx
    text = part.text or ""
    ok, parsed = parse_json_text(text, ctx) if text.lstrip()[:1] in ("{", "[") else (False, None)
    if ok and isinstance(parsed, (dict, list)):
        # Structured output (a json_schema text format): pretty JSON, not a markdown paragraph.
        block = json_block(parsed, ctx)
        title += " (JSON)"
    else:
        block = markdown_block(text, ctx)
    extra: list[RenderableType] = []
    if part.logprobs is None and LOGPROBS_INCLUDE not in ctx.include:
        extra.append(dim(f"logprobs: {NOT_INCLUDED}"))
    if extra:
        block.body = Group(block.body, *extra)
    builder.block(title, block)
    if part.annotations:
        body = annotations_text(part.annotations, part.text or "")
        builder.section(f"Annotations ({len(part.annotations)})", body)
    if part.logprobs:
        builder.section("Logprobs", logprobs_table(part.logprobs))


def _cited(text: str, start: object, end: object) -> str:
    if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text):
        return one_line(text[start:end], 100)
    return ""


def _range(start: object, end: object) -> str:
    if isinstance(start, int) and isinstance(end, int):
        return f"chars {start}–{end}"
    return ""


def annotations_text(annotations: list[Part], text: str) -> Text:
    result = Text()
    for position, annotation in enumerate(annotations):
        if position:
            result.append("\n")
        result.append(f"[{position + 1}] ", style="dim")
        if isinstance(annotation, UrlCitation):
            result.append(visible(annotation.title or "(untitled)"), style="bold")
            result.append("\n    ")
            result.append(visible(annotation.url or "(no url)"), style="underline")
            details = [_range(annotation.start_index, annotation.end_index)]
            cited = _cited(text, annotation.start_index, annotation.end_index)
            if cited:
                details.append(f"“{cited}”")
            line = "  ".join(detail for detail in details if detail)
            if line:
                result.append("\n    " + visible(line), style="dim")
        elif isinstance(annotation, ContainerFileCitation):
            result.append("container file ", style="dim")
            result.append(visible(annotation.filename or annotation.file_id or "?"), style="bold")
            container = f"container {annotation.container_id}" if annotation.container_id else None
            details = [annotation.file_id, container, _range(annotation.start_index, annotation.end_index)]
            result.append("\n    " + visible("  ".join(detail for detail in details if detail)), style="dim")
        elif isinstance(annotation, FileCitation):
            result.append("file ", style="dim")
            result.append(visible(annotation.filename or annotation.file_id or "?"), style="bold")
            where = f"at char {annotation.index}" if annotation.index is not None else None
            details = [annotation.file_id, where]
            result.append("\n    " + visible("  ".join(detail for detail in details if detail)), style="dim")
        elif isinstance(annotation, FilePath):
            result.append("file path ", style="dim")
            result.append(visible(annotation.file_id or "?"), style="bold")
            if annotation.index is not None:
                result.append(f"  at char {annotation.index}", style="dim")
        else:
            kind = annotation.type if isinstance(annotation.type, str) else "annotation"
            result.append(visible(kind) + " ", style="dim")
            result.append(visible(one_line(str(part_fields(annotation)), 400)))
    return result


def logprobs_table(logprobs: list) -> RenderableType:
    table = Table(box=None, padding=(0, 1), show_edge=False, header_style="dim")
    table.add_column(Text("token"), overflow="fold")
    table.add_column(Text("logprob"), justify="right", no_wrap=True)
    table.add_column(Text("p"), justify="right", no_wrap=True)
    table.add_column(Text("alternatives"), overflow="fold")
    for position, entry in enumerate(logprobs):
        if position >= LOGPROB_ROWS:
            return Group(table, marker_text(f"… {len(logprobs) - position:,} more tokens"))
        alternatives = Text()
        for top in entry.top_logprobs or ():
            if top.token == entry.token:
                continue
            if alternatives:
                alternatives.append("  ")
            alternatives.append(_token(top.token))
            alternatives.append(f" {_number(top.logprob)}", style="dim")
        logprob = entry.logprob
        table.add_row(_token(entry.token), Text(_number(logprob)), Text(_probability(logprob)), alternatives)
    return table


def _token(token: str | None) -> Text:
    if token is None:
        return Text("?", style="dim")
    # Quote tokens so leading spaces show; make the quotes' contents visible.
    return Text(f"“{visible(token)}”")


def _number(value: float | None) -> str:
    return f"{value:.4f}" if isinstance(value, (int, float)) else "?"


def _probability(value: float | None) -> str:
    if not isinstance(value, (int, float)):
        return ""
    try:
        return f"{math.exp(value) * 100:.1f}%"
    except OverflowError:
        return ""


__all__ = ["add_part", "generic_part", "render_message"]
