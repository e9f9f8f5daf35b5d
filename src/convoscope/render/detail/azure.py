"""Azure OpenAI / Foundry items: the <tool>_call / <tool>_call_output pairs, memory search,
workflow actions, structured outputs and OAuth consent requests.

The "Foundry" section (agent_reference, response_id) is added to every document by render_item.
"""

from __future__ import annotations

import datetime
from typing import Any

from rich.console import Group, RenderableType
from rich.text import Text

from convoscope.api.models import (
    AzureToolCall,
    AzureToolCallOutput,
    Item,
    MemorySearchCall,
    OAuthConsentRequest,
    StructuredOutputs,
    WorkflowAction,
)
from convoscope.api.models.registry import ITEM_TYPES
from convoscope.render.detail.blocks import dim, fields_table, url_summary
from convoscope.render.detail.core import DocBuilder, Document, RenderContext, renders
from convoscope.render.detail.outputs import add_output_content
from convoscope.render.detail.partners import add_call_partner, add_output_partner
from convoscope.render.text import Block, json_block, marker_text, text_block, visible

MEMORIES_SHOWN = 200

AZURE_CALL_TYPES = tuple(name for name, model in ITEM_TYPES.items() if issubclass(model, AzureToolCall))
AZURE_OUTPUT_TYPES = tuple(
    name for name, model in ITEM_TYPES.items() if issubclass(model, AzureToolCallOutput)
)


def render_tool_call(item: Item, ctx: RenderContext, arguments: Any) -> Document:
    """Any <tool>_call: name, call id, arguments as JSON, and the output beneath."""
    builder = DocBuilder(item, ctx)
    raw = item.raw if isinstance(item.raw, dict) else {}
    builder.fields("Details", [("name", raw.get("name")), ("call id", raw.get("call_id"))])
    if arguments is None:
        builder.section("Arguments", dim("(none)"))
    else:
        builder.block("Arguments", json_block(arguments, ctx, what="arguments"))
    add_output_partner(builder)
    return builder.document()


def render_tool_output(item: Item, ctx: RenderContext, output: Any) -> Document:
    """Any <tool>_call_output: the call's summary, then the output (any JSON)."""
    builder = DocBuilder(item, ctx)
    add_call_partner(builder)
    add_output_content(builder, output)
    raw = item.raw if isinstance(item.raw, dict) else {}
    builder.fields("Details", [("name", raw.get("name")), ("call id", raw.get("call_id"))])
    return builder.document()


@renders(*AZURE_CALL_TYPES)
def render_azure_tool_call(item: Item, ctx: RenderContext) -> Document:
    assert isinstance(item, AzureToolCall)
    return render_tool_call(item, ctx, item.arguments)


@renders(*AZURE_OUTPUT_TYPES)
def render_azure_tool_output(item: Item, ctx: RenderContext) -> Document:
    assert isinstance(item, AzureToolCallOutput)
    return render_tool_output(item, ctx, item.output)


def _timestamp(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None if value is None else str(value)
    try:
        moment = datetime.datetime.fromtimestamp(value, tz=datetime.timezone.utc)
    except (OverflowError, OSError, ValueError):
        return str(value)
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


@renders("memory_search_call", "memory_search_preview_call")
def render_memory_search_call(item: Item, ctx: RenderContext) -> Document:
    assert isinstance(item, MemorySearchCall)
    builder = DocBuilder(item, ctx)
    results = item.results
    if results is None:
        builder.section("Memories", dim("(none)"))
        return builder.document()
    if not results:
        builder.section("Memories", dim("(no memories found)"))
        return builder.document()
    parts: list[RenderableType] = []
    truncated = False
    for position, result in enumerate(results):
        if position >= MEMORIES_SHOWN:
            parts.append(marker_text(f"… {len(results) - position:,} more memories"))
            truncated = True
            break
        memory = result.memory_item
        if memory is None:
            parts.append(dim(f"[{position + 1}] (no memory item)"))
            continue
        heading = Text(f"[{position + 1}] ", style="dim")
        heading.append(visible(memory.kind or "memory"), style="bold")
        parts.append(heading)
        rows = [("id", memory.memory_id), ("updated", _timestamp(memory.updated_at)), ("scope", memory.scope)]
        table = fields_table(rows, ctx)
        if table is not None:
            parts.append(table)
        content = memory.content
        if isinstance(content, str):
            block = text_block(content, ctx)
        elif content is not None:
            block = json_block(content, ctx)
        else:
            block = Block(dim("(no content)"))
        parts.append(block.body)
        truncated = truncated or block.truncated
    builder.section(f"Memories ({len(results)})", Group(*parts), truncated)
    return builder.document()


@renders("workflow_action", "workflow_preview_action")
def render_workflow_action(item: Item, ctx: RenderContext) -> Document:
    assert isinstance(item, WorkflowAction)
    builder = DocBuilder(item, ctx, None)
    builder.fields(
        "Workflow step",
        [
            ("kind", item.kind),
            ("action", item.action_id),
            ("status", item.status),
            ("parent action", item.parent_action_id),
            ("previous action", item.previous_action_id),
        ],
    )
    return builder.document()


@renders("structured_outputs")
def render_structured_outputs(item: Item, ctx: RenderContext) -> Document:
    assert isinstance(item, StructuredOutputs)
    builder = DocBuilder(item, ctx)
    if item.output is None:
        builder.section("Output", dim("(none)"))
    else:
        builder.block("Output", json_block(item.output, ctx, strict=False))
    return builder.document()


@renders("oauth_consent_request")
def render_oauth_consent_request(item: Item, ctx: RenderContext) -> Document:
    assert isinstance(item, OAuthConsentRequest)
    builder = DocBuilder(item, ctx)
    link = item.consent_link
    body = Text()
    body.append("Consent needed for ", style="bold yellow")
    body.append(visible(item.server_label or "?"), style="bold")
    body.append("\nOpen this link to grant access:\n", style="dim")
    if isinstance(link, str) and link:
        body.append(url_summary(link), style="underline")
    else:
        body.append("(no link)", style="dim")
    builder.section("OAuth consent", body)
    return builder.document()


__all__ = ["render_tool_call", "render_tool_output"]
