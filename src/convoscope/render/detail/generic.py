"""The fallback: unknown item types, items that failed validation, and failed renderers.

The raw JSON as a key/value tree (depth-, breadth- and string-limited). Unknown `*_call` and
`*_call_output` types (new Foundry tools) also get their arguments / output and partner shown.
"""

from __future__ import annotations

from typing import Any

from convoscope.api.models import GenericItem, Item
from convoscope.render.detail.blocks import json_tree
from convoscope.render.detail.core import DocBuilder, Document, RenderContext, fallback
from convoscope.render.detail.outputs import add_output_content
from convoscope.render.detail.partners import add_call_partner, add_output_partner
from convoscope.render.text import json_block


@fallback
def render_generic(item: Item, ctx: RenderContext) -> Document:
    raw: Any = item.raw
    builder = DocBuilder(item, ctx)
    item_type = raw.get("type") if isinstance(raw, dict) else None
    guessed = isinstance(item, GenericItem) and not item.validation_error and isinstance(item_type, str)
    if guessed and isinstance(raw, dict):
        # A tool we do not know yet, shaped like the Foundry ones (reference §6.4).
        if item_type.endswith("_call_output") and "output" in raw:
            add_call_partner(builder)
            add_output_content(builder, raw["output"])
        elif item_type.endswith("_call") and "arguments" in raw:
            builder.block("Arguments", json_block(raw["arguments"], ctx, what="arguments"))
            if isinstance(raw.get("call_id"), str):
                add_output_partner(builder)
    label = item_type if isinstance(item_type, str) else ""
    builder.block("Fields", json_tree(raw, ctx, label))
    return builder.document()
