"""Tool outputs: function_call_output, custom_tool_call_output, program_output, tool_search_output.

An output shows a one-line summary of its call when the partner is loaded, then its content: a
string (pretty JSON when it is JSON) or a list of content parts.
"""

from __future__ import annotations

from typing import Any

from convoscope.api.models import (
    CustomToolCallOutput,
    FunctionCallOutput,
    InputFile,
    InputImage,
    Item,
    Part,
    ProgramOutput,
    ToolSearchOutput,
)
from convoscope.api.models.content import TextPart
from convoscope.render.detail.blocks import (
    caller_text,
    dim,
    fields_table,
    file_rows,
    image_rows,
    tools_block,
)
from convoscope.render.detail.core import DocBuilder, Document, RenderContext, renders
from convoscope.render.detail.messages import generic_part
from convoscope.render.detail.partners import add_call_partner
from convoscope.render.text import json_block


def add_output_content(builder: DocBuilder, output: Any, title: str = "Output") -> None:
    """A tool output: a string (JSON pretty-printed), a list of content parts, or any JSON."""
    ctx = builder.ctx
    if output is None:
        builder.section(title, dim("(none)"))
    elif isinstance(output, str):
        if output == "":
            builder.section(title, dim("(empty string)"))
        else:
            builder.block(title, json_block(output, ctx, strict=False))
    elif isinstance(output, list) and all(isinstance(part, Part) for part in output):
        if not output:
            builder.section(title, dim("(no parts)"))
        for position, part in enumerate(output):
            add_output_part(builder, part, f"{title} {position + 1}" if len(output) > 1 else title)
    else:
        builder.block(title, json_block(output, ctx))


def add_output_part(builder: DocBuilder, part: Part, title: str) -> None:
    ctx = builder.ctx
    if isinstance(part, TextPart):
        builder.block(f"{title} · text", json_block(part.text or "", ctx, strict=False))
    elif isinstance(part, InputImage):
        builder.section(f"{title} · image", fields_table(image_rows(part), ctx) or dim("(no reference)"))
    elif isinstance(part, InputFile):
        builder.section(f"{title} · file", fields_table(file_rows(part), ctx) or dim("(no reference)"))
    else:
        generic_part(builder, part, title)


@renders("function_call_output")
def render_function_call_output(item: Item, ctx: RenderContext) -> Document:
    assert isinstance(item, FunctionCallOutput)
    builder = DocBuilder(item, ctx)
    add_call_partner(builder)
    add_output_content(builder, item.output)
    builder.fields(
        "Details",
        [
            ("name", item.name),
            ("namespace", item.namespace),
            ("call id", item.call_id),
            ("caller", caller_text(item.caller)),
        ],
    )
    return builder.document()


@renders("custom_tool_call_output")
def render_custom_tool_call_output(item: Item, ctx: RenderContext) -> Document:
    assert isinstance(item, CustomToolCallOutput)
    builder = DocBuilder(item, ctx)
    add_call_partner(builder)
    add_output_content(builder, item.output)
    builder.fields("Details", [("call id", item.call_id), ("caller", caller_text(item.caller))])
    return builder.document()


@renders("program_output")
def render_program_output(item: Item, ctx: RenderContext) -> Document:
    assert isinstance(item, ProgramOutput)
    builder = DocBuilder(item, ctx)
    add_call_partner(builder, "Program")
    if item.result is None:
        builder.section("Result", dim("(none)"))
    elif item.result == "":
        builder.section("Result", dim("(empty string)"))
    else:
        builder.block("Result", json_block(item.result, ctx, strict=False))
    builder.fields("Details", [("call id", item.call_id)])
    return builder.document()


@renders("tool_search_output")
def render_tool_search_output(item: Item, ctx: RenderContext) -> Document:
    assert isinstance(item, ToolSearchOutput)
    builder = DocBuilder(item, ctx)
    add_call_partner(builder)
    count = f" ({len(item.tools)})" if item.tools is not None else ""
    builder.block(f"Tools{count}", tools_block(item.tools, ctx))
    builder.fields("Details", [("execution", item.execution), ("call id", item.call_id)])
    return builder.document()


__all__ = ["add_output_content", "add_output_part"]
