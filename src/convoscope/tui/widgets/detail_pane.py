"""The detail pane: one item's rendered Document, drawn with the Line API.

Rendering a large item (a long shell log, big JSON) to lines happens in a thread worker with its
own Rich console, so the event loop keeps answering keys; the widget then only draws the
visible lines of the result.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import ClassVar

from rich.console import Console, RenderableType
from rich.rule import Rule
from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import work
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from convoscope.tui.widgets.line_list import overlay_background
from convoscope.tui.widgets.scrolling import set_virtual_size
from textual.worker import get_current_worker

from convoscope.render.detail import Document
from convoscope.render.reading import line_console
from convoscope.render.text import visible

DocumentFactory = Callable[[], Document]

RENDERED_LINES_KEPT = 6_000
"""Lines of rendered documents kept for items the cursor may move to next (a strip costs about
1.5 KB with Textual's caches, so this is about 10 MB at most)."""


_consoles = threading.local()


def _console(width: int) -> Console:
    """A Rich console for rendering at `width`, one per thread: making one costs more than
    rendering a short item, and a console is not shared between threads."""
    console: Console | None = getattr(_consoles, "console", None)
    if console is None:
        console = _consoles.console = line_console(width)
    console.width = width
    return console


def render_document(document: Document, width: int) -> list[Strip]:
    """Every line of `document` at `width`, as strips (pure; safe to run in a thread)."""
    console = _console(width)
    options = console.options.update_width(width)
    parts: list[RenderableType] = [Text(visible(document.title), style="bold")]
    parts.extend(Text(f"⚠ {visible(note)}", style="bold red") for note in document.notes)
    for section in document.sections:
        parts.append(Rule(Text(visible(section.title), style="bold"), align="left", style="dim"))
        parts.append(section.body)
    strips: list[Strip] = []
    for part in parts:
        for line in console.render_lines(part, options, pad=False):
            strips.append(Strip(_on_pane_background(line)).simplify())
    return strips


def _on_pane_background(segments: list[Segment]) -> list[Segment]:
    """Drop the terminal's "default" and "black" backgrounds (Syntax and Markdown's inline code
    ask for them), so the pane's own shows evenly behind every line."""
    return [
        Segment(text, Style(color=style.color) + style.without_color, control)
        if style is not None and _is_plain_background(style.bgcolor)
        else Segment(text, style, control)
        for text, style, control in segments
    ]


def _is_plain_background(colour: Color | None) -> bool:
    if colour is None:
        return False
    return colour.is_default or colour.number in (0, 16) or colour.triplet == (0, 0, 0)


class DetailPane(ScrollView, can_focus=True):
    """The selected item, rendered for reading.

    | Key | Action |
    | :- | :- |
    | `up`, `k` / `down`, `j` | Scroll a line. |
    | `pageup` / `pagedown`, `space` | Scroll a page. |
    | `home`, `g` / `end`, `G` | Top / bottom. |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "scroll_up", "Up", show=False, id="detail.up"),
        Binding("down,j", "scroll_down", "Down", show=False, id="detail.down"),
        Binding("pageup", "page_up", "Page up", show=False, id="detail.page_up"),
        Binding("pagedown,space", "page_down", "Page down", show=False, id="detail.page_down"),
        Binding("home,g", "scroll_home", "Top", show=False, id="detail.top"),
        Binding("end,G", "scroll_end", "Bottom", show=False, id="detail.bottom"),
    ]
    DEFAULT_CSS = """
    DetailPane {
        width: 1fr;
        scrollbar-gutter: stable;  /* a long document must not change the width it was drawn at */
        height: 1fr;
        border-left: vkey $panel-lighten-2;
        padding: 0 1;
        background: $surface;
    }
    DetailPane > .detail-pane--match { background: $match-background; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {"detail-pane--match"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.document: Document | None = None  # what is drawn now
        self._source: Document | DocumentFactory | None = None  # what was asked for last
        self._drawn_source: object = None
        self._strips: list[Strip] = []
        self._rendered_width = 0
        self._base_style: Style | None = None
        self.search_term = ""
        self._rendered = RenderedDocuments(RENDERED_LINES_KEPT)
        self._to_prerender: list[tuple[Hashable, DocumentFactory]] = []
        self._prerender_lock = threading.Lock()

    # --- content ---------------------------------------------------------------------------------

    def show(
        self,
        document: Document | DocumentFactory,
        *,
        key: Hashable | None = None,
        keep_scroll: bool = False,
    ) -> None:
        """Show a document, or one a function builds (a big item's rendering runs in a thread).

        Building and drawing to lines both happen in a worker thread; what is on screen is
        replaced when they are done, unless something newer was asked for meanwhile. With a
        `key` (what the document depends on), lines rendered earlier for that key are drawn at
        once: see `prerender`.
        """
        self._source = document
        if not keep_scroll:
            self.scroll_to(y=0, animate=False)
        width = self._content_width()
        if key is not None and (rendered := self._rendered.get((key, width))) is not None:
            self.workers.cancel_group(self, "detail-render")
            self._set_strips(document, *rendered, width)
            return
        if isinstance(document, Document) and len(document.sections) <= 1:
            # A row summary shown while the item is fetched: a worker thread costs more.
            self.workers.cancel_group(self, "detail-render")
            self._set_strips(document, document, render_document(document, width), width)
            return
        self._render_in_thread(document, width, key)

    @work(thread=True, exclusive=True, group="detail-render", name="render-detail")
    def _render_in_thread(
        self, source: Document | DocumentFactory, width: int, key: Hashable | None = None
    ) -> None:
        document = source if isinstance(source, Document) else source()
        strips = render_document(document, width)
        if key is not None:
            self._rendered.put((key, width), document, strips)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._set_strips, source, document, strips, width)

    def prerender(self, documents: list[tuple[Hashable, DocumentFactory]]) -> None:
        """Render these documents to lines in the background, in order, so that showing one of
        them later (with the same key) is a copy: the items around the cursor, fetched ahead.

        Replaces what was waiting to be prerendered: only the latest neighbourhood matters.
        Nothing is done while the pane is not shown (the reading view hides it): its width is
        not known, and nothing would be drawn.
        """
        if not self.size.width:
            return
        width = self._content_width()
        wanted = [(key, factory) for key, factory in documents if (key, width) not in self._rendered]
        with self._prerender_lock:
            idle = not self._to_prerender
            self._to_prerender = wanted
        if wanted and idle:
            self._prerender_in_thread(width)

    def forget_rendered(self) -> None:
        """Something every document depends on changed (images fetched, say): render afresh."""
        self._rendered.clear()

    @work(thread=True, group="detail-prerender", name="prerender-detail")
    def _prerender_in_thread(self, width: int) -> None:
        worker = get_current_worker()
        while not worker.is_cancelled:
            with self._prerender_lock:
                if not self._to_prerender:
                    return
                key, factory = self._to_prerender[0]
            if (key, width) not in self._rendered:
                try:
                    document = factory()
                    self._rendered.put((key, width), document, render_document(document, width))
                except Exception:  # noqa: BLE001 - shown when selected, with its error then
                    pass
            with self._prerender_lock:
                if self._to_prerender and self._to_prerender[0][0] == key:
                    self._to_prerender.pop(0)

    def _set_strips(
        self, source: object, document: Document, strips: list[Strip], width: int
    ) -> None:
        if source is not self._source:
            return  # a newer document is on its way
        self.document = document
        self._drawn_source = source
        old_strips, old_width = self._strips, self._rendered_width
        self._strips, self._rendered_width = strips, width
        set_virtual_size(self, Size(width, len(strips)))
        if width != old_width:
            self.refresh()
        else:
            self._refresh_changed_lines(old_strips)

    def _refresh_changed_lines(self, old_strips: list[Strip]) -> None:
        """Repaint only the visible lines that differ: moving between short items changes a few
        lines at the top, and the blank ones below stay as they are."""
        top, new_strips = self.scroll_offset.y, self._strips
        blank = None
        changed = [
            y
            for y in range(self.size.height)
            if (old_strips[top + y] if top + y < len(old_strips) else blank)
            != (new_strips[top + y] if top + y < len(new_strips) else blank)
        ]
        for start, count in _runs(changed):
            self.refresh(Region(0, start, self.size.width, count))

    def _content_width(self) -> int:
        return max(self.scrollable_content_region.width, 20)

    def on_resize(self) -> None:
        if self.document is not None and self._content_width() != self._rendered_width:
            self._render_in_thread(self.document, self._content_width())
            self._source = self.document

    @property
    def settled(self) -> bool:
        """What was asked for last is what is drawn."""
        return self._source is not None and self._drawn_source is self._source

    @property
    def plain_lines(self) -> list[str]:
        return [strip.text for strip in self._strips]

    # --- drawing ---------------------------------------------------------------------------------

    def render_lines(self, crop: Region) -> list[Strip]:
        # The pane's style walks every ancestor's styles: once a frame, not once a line.
        self._base_style = self.rich_style
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        base = self._base_style or self.rich_style
        if index >= len(self._strips):
            return Strip.blank(width, base)
        # Under every segment: text drawn without a background of its own gets the pane's, not
        # the terminal's default (which left lighter or darker patches behind wrapped lines).
        strip = self._strips[index].apply_style(base)
        if self.search_term and self.search_term in strip.text.casefold():
            strip = overlay_background(strip, self.get_component_rich_style("detail-pane--match"))
        return strip.crop_extend(0, width, base)

    # --- search ----------------------------------------------------------------------------------

    def set_search(self, term: str) -> None:
        self.search_term = term.casefold()
        self.refresh()

    def find(self, term: str, *, backwards: bool = False) -> bool:
        """Scroll to the next (or previous) line containing `term`."""
        needle = term.casefold()
        lines = self.plain_lines
        if not lines:
            return False
        start = self.scroll_offset.y
        step = -1 if backwards else 1
        for offset in range(1, len(lines) + 1):
            index = (start + step * offset) % len(lines)
            if needle in lines[index].casefold():
                self.scroll_to(y=index, animate=False)
                return True
        return False



def _runs(lines: list[int]) -> list[tuple[int, int]]:
    """Sorted line numbers as (first, count) runs: [1, 2, 3, 7] -> [(1, 3), (7, 1)]."""
    runs: list[tuple[int, int]] = []
    for line in lines:
        if runs and runs[-1][0] + runs[-1][1] == line:
            runs[-1] = (runs[-1][0], runs[-1][1] + 1)
        else:
            runs.append((line, 1))
    return runs


class RenderedDocuments:
    """Documents rendered to lines, keyed by (what the document depends on, width), least
    recently used dropped first once more than `max_lines` lines are kept. Thread-safe: the
    prerender thread puts, the event loop gets."""

    def __init__(self, max_lines: int) -> None:
        self.max_lines = max_lines
        self._entries: OrderedDict[Hashable, tuple[Document, list[Strip]]] = OrderedDict()
        self._lines = 0
        self._lock = threading.Lock()

    def __contains__(self, key: Hashable) -> bool:
        return key in self._entries

    def get(self, key: Hashable) -> tuple[Document, list[Strip]] | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: Hashable, document: Document, strips: list[Strip]) -> None:
        if len(strips) > self.max_lines:
            return  # a document this long is rendered when shown, not kept
        with self._lock:
            if (old := self._entries.pop(key, None)) is not None:
                self._lines -= len(old[1])
            self._entries[key] = (document, strips)
            self._lines += len(strips)
            while self._lines > self.max_lines:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._lines -= len(dropped)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._lines = 0
