"""MCP items: mcp_list_tools, mcp_approval_request, mcp_approval_response and mcp_call."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.text import Text

from convoscope.api.models import Item, McpApprovalRequest, McpApprovalResponse, McpCall, McpListTools
from convoscope.api.models.mcp_items import McpHttpError, McpProtocolError, McpToolExecutionError
from convoscope.render.detail.blocks import dim, part_fields, tools_block
from convoscope.render.detail.core import DocBuilder, Document, RenderContext, renders
from convoscope.render.detail.partners import NOT_LOADED, partner_summary
from convoscope.render.text import Block, json_block, safe_text, text_block


def _partner_line(builder: DocBuilder, title: str) -> None:
    partner = builder.ctx.partner
    builder.section(title, partner_summary(partner) if partner is not None else dim(NOT_LOADED))


@renders("mcp_list_tools")
def render_mcp_list_tools(item: Item, ctx: RenderContext) -> Document:
    assert isinstance(item, McpListTools)
    builder = DocBuilder(item, ctx)
    builder.fields("Server", [("server", item.server_label)])
    if item.error:
        builder.block("Error", text_block(item.error, ctx, style="bold red"))
    count = f" ({len(item.tools)})" if item.tools is not None else ""
    builder.block(f"Tools{count}", tools_block(item.tools, ctx, schema_key="input_schema"))
    return builder.document()


@renders("mcp_approval_request")
def render_mcp_approval_request(item: Item, ctx: RenderContext) -> Document:
    assert isinstance(item, McpApprovalRequest)
    builder = DocBuilder(item, ctx)
    builder.fields("Request", [("server", item.server_label), ("tool", item.name), ("request id", item.id)])
    if item.arguments is None:
        builder.section("Arguments", dim("(none)"))
    else:
        builder.block("Arguments", json_block(item.arguments, ctx, what="arguments"))
    _partner_line(builder, "Response")
    return builder.document()


@renders("mcp_approval_response")
def render_mcp_approval_response(item: Item, ctx: RenderContext) -> Document:
    assert isinstance(item, McpApprovalResponse)
    builder = DocBuilder(item, ctx)
    if item.approve is True:
        decision = Text("✓ approved", style="bold green")
    elif item.approve is False:
        decision = Text("✗ denied", style="bold red")
    else:
        decision = dim("(no decision)")
    builder.fields(
        "Decision",
        [("decision", decision), ("reason", item.reason), ("request id", item.approval_request_id)],
    )
    _partner_line(builder, "Request")
    return builder.document()


def error_block(error: Any, ctx: RenderContext) -> Block:
    """An mcp_call error by kind: protocol error, tool execution error, HTTP error, or a string."""
    if isinstance(error, str):
        return text_block(error, ctx, style="bold red")
    if isinstance(error, McpProtocolError):
        text = Text("protocol error", style="bold red")
        if error.code is not None:
            text.append(f" {error.code}", style="bold red")
        if error.message:
            text.append("\n")
            text.append_text(safe_text(error.message))
        return Block(text)
    if isinstance(error, McpHttpError):
        text = Text(f"HTTP error {error.code if error.code is not None else ''}".rstrip(), style="bold red")
        if error.message:
            text.append("\n")
            text.append_text(safe_text(error.message))
        return Block(text)
    if isinstance(error, McpToolExecutionError):
        content = error.content
        texts = _content_texts(content)
        heading = Text("tool execution error", style="bold red")
        if texts is not None:
            block = text_block("\n".join(texts), ctx)
        else:
            block = json_block(content, ctx)
        return Block(Group(heading, block.body), block.truncated, block.notes)
    fields = part_fields(error)
    return json_block(fields, ctx)


def _is_text_part(part: Any) -> bool:
    return isinstance(part, dict) and part.get("type") == "text" and isinstance(part.get("text"), str)


def _content_texts(content: Any) -> list[str] | None:
    """The texts of an MCP content list ([{type: text, text}]), or None if it is something else."""
    if isinstance(content, str):
        return [content]
    if isinstance(content, list) and content and all(_is_text_part(part) for part in content):
        return [part["text"] for part in content]
    return None


@renders("mcp_call")
def render_mcp_call(item: Item, ctx: RenderContext) -> Document:
    assert isinstance(item, McpCall)
    builder = DocBuilder(item, ctx)
    builder.fields(
        "Tool",
        [("server", item.server_label), ("tool", item.name), ("approval request", item.approval_request_id)],
    )
    if item.arguments is None:
        builder.section("Arguments", dim("(none)"))
    else:
        builder.block("Arguments", json_block(item.arguments, ctx, what="arguments"))
    if item.error is not None:
        builder.block("Error", error_block(item.error, ctx))
    if item.output is not None:
        if item.output:
            builder.block("Output", json_block(item.output, ctx, strict=False))
        else:
            builder.section("Output", dim("(empty string)"))
    elif item.error is None:
        builder.section("Output", dim("(none)"))
    if item.approval_request_id and ctx.partner is not None:
        builder.section("Approval", partner_summary(ctx.partner))
    return builder.document()
