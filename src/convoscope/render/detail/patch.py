"""apply_patch_call (operation, path, coloured diff) and apply_patch_call_output."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text

from convoscope.api.models import ApplyPatchCall, ApplyPatchCallOutput, Item
from convoscope.api.models.shell_items import (
    CreateFileOperation,
    DeleteFileOperation,
    UpdateFileOperation,
)
from convoscope.render.detail.blocks import caller_text, dim
from convoscope.render.detail.core import DocBuilder, Document, RenderContext, renders
from convoscope.render.detail.messages import generic_part
from convoscope.render.detail.partners import add_call_partner, add_output_partner
from convoscope.api.models.shell_items import diff_counts
from convoscope.render.text import Block, cut, marker_text, text_block, visible_block



def diff_line_style(line: str) -> str:
    if line.startswith(("+++", "---")):
        return "bold"
    if line.startswith("+"):
        return "green"
    if line.startswith("-"):
        return "red"
    if line.startswith("@@"):
        return "cyan"
    return ""


def diff_block(diff: str, ctx: RenderContext) -> Block:
    """A unified-diff-like body: green additions, red removals, cyan hunk headers."""
    head, marker = cut(diff, ctx)
    text = Text(tab_size=4)
    for position, line in enumerate(visible_block(head).split("\n")):
        if position:
            text.append("\n")
        text.append(line, diff_line_style(line) or None)
    if marker is None:
        return Block(text)
    return Block(Group(text, marker_text(marker)), truncated=True)


@renders("apply_patch_call")
def render_apply_patch_call(item: Item, ctx: RenderContext) -> Document:
    assert isinstance(item, ApplyPatchCall)
    operation = item.operation
    builder = DocBuilder(item, ctx)
    if isinstance(operation, (CreateFileOperation, UpdateFileOperation, DeleteFileOperation)):
        kind = operation.type
        path = operation.path
        diff = getattr(operation, "diff", None)
        builder.fields(
            "Operation",
            [
                ("operation", kind),
                ("path", path if path is not None else "(none)"),
                ("changes", diff_counts(diff) if isinstance(diff, str) else None),
            ],
        )
        if isinstance(operation, DeleteFileOperation):
            pass
        elif isinstance(diff, str):
            builder.block(f"Diff · {path or '?'}", diff_block(diff, ctx))
        else:
            builder.section(f"Diff · {path or '?'}", dim("(no diff)"))
    elif operation is None:
        builder.section("Operation", dim("(none)"))
    else:
        generic_part(builder, operation, "Operation")
    builder.fields("Details", [("call id", item.call_id), ("caller", caller_text(item.caller))])
    add_output_partner(builder)
    return builder.document()


@renders("apply_patch_call_output")
def render_apply_patch_call_output(item: Item, ctx: RenderContext) -> Document:
    assert isinstance(item, ApplyPatchCallOutput)
    builder = DocBuilder(item, ctx)
    add_call_partner(builder)
    failed = item.status == "failed"
    if item.output is None:
        builder.section("Output", dim("(no output)"))
    else:
        builder.block("Output", text_block(item.output, ctx, style="red" if failed else None))
    builder.fields(
        "Details",
        [("status", item.status), ("call id", item.call_id), ("caller", caller_text(item.caller))],
    )
    return builder.document()
