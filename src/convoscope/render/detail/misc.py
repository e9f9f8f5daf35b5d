"""Conversation bookkeeping items: configuration_update, additional_tools, item_reference."""

from __future__ import annotations

from convoscope.api.models import AdditionalTools, ConfigurationUpdate, Item, ItemReference
from convoscope.api.models.openai_items import JsonSchemaFormat, PlainTextFormat
from convoscope.render.detail.blocks import dim, part_fields, tools_block
from convoscope.render.detail.core import DocBuilder, Document, RenderContext, renders
from convoscope.render.text import json_block


@renders("configuration_update")
def render_configuration_update(item: Item, ctx: RenderContext) -> Document:
    assert isinstance(item, ConfigurationUpdate)
    builder = DocBuilder(item, ctx)
    rows: list[tuple[str, object]] = []
    if item.reasoning is not None:
        rows.append(("reasoning effort", item.reasoning.effort or "(unset)"))
        extra = item.reasoning.model_extra or {}
        rows.extend((f"reasoning {key}", value) for key, value in extra.items())
    text_format = item.text.format if item.text is not None else None
    schema = None
    if isinstance(text_format, PlainTextFormat):
        rows.append(("text format", "text"))
    elif isinstance(text_format, JsonSchemaFormat):
        rows.append(("text format", "json_schema"))
        rows.append(("schema name", text_format.name))
        rows.append(("strict", text_format.strict))
        rows.append(("description", text_format.description))
        schema = text_format.schema_
    elif text_format is not None:
        rows.append(("text format", part_fields(text_format)))
    if item.text is not None:
        extra = item.text.model_extra or {}
        rows.extend((f"text {key}", value) for key, value in extra.items())
    if rows:
        builder.fields("Settings", rows)
    else:
        builder.section("Settings", dim("(no settings)"))
    if schema is not None:
        builder.block("Schema", json_block(schema, ctx, what="schema"))
    return builder.document()


@renders("additional_tools")
def render_additional_tools(item: Item, ctx: RenderContext) -> Document:
    assert isinstance(item, AdditionalTools)
    builder = DocBuilder(item, ctx)
    builder.fields("Details", [("role", item.role)])
    count = f" ({len(item.tools)})" if item.tools is not None else ""
    builder.block(f"Tools{count}", tools_block(item.tools, ctx))
    return builder.document()


@renders("item_reference")
def render_item_reference(item: Item, ctx: RenderContext) -> Document:
    assert isinstance(item, ItemReference)
    builder = DocBuilder(item, ctx)
    builder.fields("Reference", [("refers to item", item.id or "(no id)")])
    extra = item.model_extra or {}
    if extra:
        builder.block("Other fields", json_block(extra, ctx))
    return builder.document()
