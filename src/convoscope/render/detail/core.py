"""The detail document model, the renderer registry and the entry points.

A renderer turns one item into a `Document`: a one-line title, sections (a plain title and a
Rich renderable built only from safe text) and plain one-line notes. `render_item` never raises:
a failing renderer falls back to the generic tree view with a "renderer failed" note.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console, Group, RenderableType

from convoscope.api.models import GenericItem, Item
from convoscope.api.models.text import one_line
from convoscope.render.detail.blocks import fields_table, json_tree
from convoscope.render.images import ImagePicture, image_sources
from convoscope.render.text import Block, json_text, marker_text, pretty_json, text_block, visible, visible_block


@dataclass(frozen=True)
class RenderContext:
    include: frozenset[str] = frozenset()  # include values the item was fetched with
    partner: Item | None = None  # the paired item when loaded (a call's output, an output's call)
    char_limit: int = 100_000  # per text field; longer is cut with a visible marker
    line_limit: int = 2_000  # per text field


@dataclass
class Section:
    title: str  # plain text, never markup
    body: RenderableType  # built only from safe text
    truncated: bool = False  # some field was cut


@dataclass
class Document:
    title: str  # one plain line
    sections: list[Section]
    notes: list[str] = field(default_factory=list)  # plain one-line notes (problems, warnings)


Renderer = Callable[[Item, RenderContext], Document]
REGISTRY: dict[str, Renderer] = {}
_FALLBACK: list[Renderer] = []

NOTE_LIMIT = 300


def renders(*types: str) -> Callable[[Renderer], Renderer]:
    """Register a renderer `def f(item, ctx) -> Document` for the given item types."""

    def register(renderer: Renderer) -> Renderer:
        for item_type in types:
            REGISTRY[item_type] = renderer
        return renderer

    return register


def fallback(renderer: Renderer) -> Renderer:
    """Register the renderer for unknown types and for items whose renderer failed."""
    _FALLBACK[:] = [renderer]
    return renderer


# ---------------------------------------------------------------------------------------------
# Building a document
# ---------------------------------------------------------------------------------------------


def item_title(item: Item, *extra: str | None) -> str:
    """ "function_call · get_order_status · completed" (type, label, extras, status)."""
    item_type = item.type if isinstance(item.type, str) and item.type else "item"
    parts = [item_type]
    try:
        label = item.label
    except Exception:
        label = ""
    if label and label != item_type:
        parts.append(label)
    parts.extend(part for part in extra if part)
    status = item.status if isinstance(item.status, str) else None
    if status:
        parts.append(status)
    return clean_line(" · ".join(parts))


def clean_line(text: str, limit: int = NOTE_LIMIT) -> str:
    """One visible line of at most `limit` characters."""
    return visible(one_line(str(text), limit))


class DocBuilder:
    """Collects sections and notes for one item."""

    def __init__(self, item: Item, ctx: RenderContext, title: str | None = None) -> None:
        self.item = item
        self.ctx = ctx
        self.title = title if title is not None else item_title(item)
        self.sections: list[Section] = []
        self.notes: list[str] = []

    def section(self, title: str, body: RenderableType, truncated: bool = False) -> None:
        self.sections.append(Section(clean_line(title, 200), body, truncated))

    def block(self, title: str, block: Block) -> None:
        self.section(title, block.body, block.truncated)
        self.notes.extend(block.notes)

    def fields(self, title: str, rows: Iterable[tuple[str, Any]]) -> None:
        table = fields_table(rows, self.ctx)
        if table is not None:
            self.section(title, table)

    def note(self, text: str) -> None:
        self.notes.append(text)

    def document(self) -> Document:
        return Document(self.title, self.sections, self.notes)


# ---------------------------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------------------------


def renderer_for(item: Item) -> Renderer | None:
    if isinstance(item, GenericItem):
        return None  # a typed renderer would expect the typed model
    item_type = item.type
    return REGISTRY.get(item_type) if isinstance(item_type, str) else None


def render_item(item: Item, ctx: RenderContext = RenderContext()) -> Document:
    """The detail view of one item. Never raises."""
    notes: list[str] = []
    document: Document | None = None
    renderer = renderer_for(item)
    if renderer is not None:
        try:
            document = renderer(item, ctx)
        except Exception as error:  # a renderer bug or data it did not foresee
            notes.append(f"renderer failed: {type(error).__name__}: {error}")
    if document is None:
        document = _fallback_document(item, ctx, notes)
    document.sections.extend(_picture_sections(item))
    return _finish(document, item, notes)


def _picture_sections(item: Item) -> list[Section]:
    """Each image the item carries, drawn (decoded when the document is drawn, off the loop)."""
    try:
        sources = image_sources(item)
    except Exception:  # a picture is a nicety: never lose the document over one
        return []
    return [Section(f"Image · {source.where}", ImagePicture(source)) for source in sources]


def _fallback_document(item: Item, ctx: RenderContext, notes: list[str]) -> Document:
    for renderer in _FALLBACK:
        try:
            return renderer(item, ctx)
        except Exception as error:
            notes.append(f"renderer failed: {type(error).__name__}: {error}")
    return _last_resort(item, ctx)


def _last_resort(item: Item, ctx: RenderContext) -> Document:
    try:
        text = repr(item.raw)
    except Exception:
        text = "(unreadable item)"
    block = text_block(text, ctx)
    title = clean_line(str(getattr(item, "type", "") or "item"))
    return Document(title, [Section("Item", block.body, block.truncated)], [])


def _finish(document: Document, item: Item, notes: list[str]) -> Document:
    """Add what every document carries: the Foundry section, spec warnings and other notes."""
    try:
        foundry = foundry_section(item)
    except Exception:
        foundry = None
    if foundry is not None and not any(section.title == "Foundry" for section in document.sections):
        document.sections.append(foundry)
    if not isinstance(item, GenericItem):
        try:
            other = other_fields_section(item)
        except Exception:
            other = None
        if other is not None:
            document.sections.append(other)
    all_notes = [*notes, *document.notes, *spec_notes(item)]
    document.notes = list(dict.fromkeys(clean_line(note) for note in all_notes if note))
    document.title = clean_line(document.title)
    return document


def spec_notes(item: Item) -> list[str]:
    notes: list[str] = []
    try:
        error = item.validation_error
        if error:
            notes.append(error)
    except Exception:
        pass
    try:
        notes.extend(item.spec_warnings())
    except Exception as error:
        notes.append(f"spec check failed: {type(error).__name__}")
    return notes


def foundry_section(item: Item) -> Section | None:
    """agent_reference / response_id, which any Foundry item may carry."""
    raw = item.raw
    if not isinstance(raw, dict):
        return None
    reference = raw.get("agent_reference")
    response_id = raw.get("response_id")
    if reference is None and response_id is None:
        return None
    rows: list[tuple[str, Any]] = []
    if isinstance(reference, dict):
        name = reference.get("name")
        version = reference.get("version")
        agent = str(name) if name is not None else "?"
        if version is not None:
            agent += f" (version {version})"
        rows.append(("agent", agent))
        extra = {key: value for key, value in reference.items() if key not in ("type", "name", "version")}
        if extra:
            rows.append(("agent details", extra))
    elif reference is not None:
        rows.append(("agent", reference))
    if response_id is not None:
        rows.append(("response", response_id))
    table = fields_table(rows, RenderContext())
    return Section("Foundry", table) if table is not None else None


def other_fields_section(item: Item) -> Section | None:
    """Fields the typed model does not know (kept as pydantic extras), so no data goes unseen."""
    extra = dict(item.model_extra or {})
    if item.created_by is not None:
        extra = {"created_by": item.created_by, **extra}
    if not extra:
        return None
    block = json_tree(extra, RenderContext())
    return Section("Other fields", block.body, block.truncated)


def render_raw(item: Item, ctx: RenderContext = RenderContext()) -> Document:
    """The item's raw JSON: pretty-printed, highlighted, cut to the limits. Never raises."""
    try:
        title = item_title(item) + " · raw JSON"
    except Exception:
        title = "raw JSON"
    try:
        body, marker = pretty_json(item.raw, ctx)
        code = json_text(visible_block(body))
        if marker is None:
            section = Section("Raw JSON", code)
        else:
            section = Section("Raw JSON", Group(code, marker_text(marker)), truncated=True)
    except Exception as error:
        document = _last_resort(item, ctx)
        document.notes.append(f"raw view failed: {type(error).__name__}: {error}")
        return _finish(Document(title, document.sections, document.notes), item, [])
    # The server's JSON and nothing else: no Foundry or "Other fields" sections (they are in
    # the JSON already), no notes between the title and the JSON.
    return Document(clean_line(title), [section], [])


def searchable_text(doc: Document, width: int = 120) -> str:
    """The plain text of a document (title, notes, section titles and bodies), for search."""
    console = Console(
        width=width,
        file=io.StringIO(),
        force_terminal=False,
        color_system=None,
        markup=False,
        highlight=False,
        emoji=False,
        legacy_windows=False,
    )
    parts = [doc.title, *doc.notes]
    for section in doc.sections:
        parts.append(section.title)
        try:
            with console.capture() as capture:
                console.print(section.body)
            parts.append(capture.get())
        except Exception:
            continue
    return "\n".join(part.rstrip() for part in parts)
