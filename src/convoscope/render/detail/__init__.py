"""The detail view of one item: `render_item(item, ctx) -> Document`.

A Document is a one-line title, sections (plain title + a Rich renderable built only from safe
text) and plain one-line notes. Renderers are registered per item type with `@renders(...)` in
the family modules imported below; anything unknown falls back to a JSON tree (generic.py).
This package never imports Textual.
"""

from convoscope.render.detail.core import (
    REGISTRY,
    Document,
    RenderContext,
    Section,
    render_item,
    render_raw,
    renders,
    searchable_text,
)

# Importing the family modules registers their renderers.
from convoscope.render.detail import (  # noqa: E402,F401  (registration side effects)
    azure,
    computer,
    generic,
    hosted,
    mcp,
    messages,
    misc,
    outputs,
    patch,
    reasoning,
    shell,
    tools,
)
from convoscope.render.detail.hosted import image_payload
from convoscope.render.detail.images import image_payloads

__all__ = [
    "REGISTRY",
    "Document",
    "RenderContext",
    "Section",
    "image_payload",
    "image_payloads",
    "render_item",
    "render_raw",
    "renders",
    "searchable_text",
]
