"""Tool calls the model makes: function_call, custom_tool_call, tool_search_call, program.

Each shows its arguments (or input, or code) and, beneath, its output when the partner is
loaded ("Output: not loaded" otherwise).
"""

from __future__ import annotations

from convoscope.api.models import CustomToolCall, FunctionCall, Item, Program, ToolSearchCall
from convoscope.render.detail.blocks import caller_text, dim
from convoscope.render.detail.core import DocBuilder, Document, RenderContext, renders
from convoscope.render.detail.partners import add_output_partner
from convoscope.render.text import code_block, json_block, text_block


def _tool_call_fields(item: FunctionCall | CustomToolCall) -> list[tuple[str, object]]:
    """What function calls and custom tool calls share: who is called, how, by whom."""
    return [
        ("name", item.name),
        ("namespace", item.namespace),
        ("call id", item.call_id),
        ("caller", caller_text(item.caller)),
        ("async", item.async_),
    ]


@renders("function_call")
def render_function_call(item: Item, ctx: RenderContext) -> Document:
    assert isinstance(item, FunctionCall)
    builder = DocBuilder(item, ctx)
    builder.fields("Details", _tool_call_fields(item))
    if item.arguments is None:
        builder.section("Arguments", dim("(none)"))
    else:
        builder.block("Arguments", json_block(item.arguments, ctx, what="arguments"))
    add_output_partner(builder)
    return builder.document()


@renders("custom_tool_call")
def render_custom_tool_call(item: Item, ctx: RenderContext) -> Document:
    assert isinstance(item, CustomToolCall)
    builder = DocBuilder(item, ctx)
    builder.fields("Details", _tool_call_fields(item))
    if item.input is None:
        builder.section("Input", dim("(none)"))
    else:
        builder.block("Input", text_block(item.input, ctx))
    add_output_partner(builder)
    return builder.document()


@renders("tool_search_call")
def render_tool_search_call(item: Item, ctx: RenderContext) -> Document:
    assert isinstance(item, ToolSearchCall)
    builder = DocBuilder(item, ctx)
    builder.fields("Details", [("execution", item.execution), ("call id", item.call_id)])
    if item.arguments is None:
        builder.section("Arguments", dim("(none)"))
    else:
        builder.block("Arguments", json_block(item.arguments, ctx, what="arguments"))
    add_output_partner(builder)
    return builder.document()


@renders("program")
def render_program(item: Item, ctx: RenderContext) -> Document:
    assert isinstance(item, Program)
    builder = DocBuilder(item, ctx)
    builder.fields("Details", [("call id", item.call_id), ("fingerprint", item.fingerprint)])
    if item.code is None:
        builder.section("Code", dim("(none)"))
    else:
        builder.block("Code", code_block(item.code, "javascript", ctx, line_numbers=True))
    add_output_partner(builder)
    return builder.document()
