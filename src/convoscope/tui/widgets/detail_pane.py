"""The detail pane: one item's rendered Document, drawn with the Line API.

Rendering a large item (a long shell log, big JSON) to lines happens in a thread worker with its
own Rich console, so the event loop keeps answering keys; the widget then only draws the
visible lines of the result.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.console import Console, RenderableType
from rich.rule import Rule
from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import work
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from convoscope.tui.widgets.line_list import overlay_background
from convoscope.tui.widgets.scrolling import set_virtual_size
from textual.worker import get_current_worker

from convoscope.render.detail import Document
from convoscope.render.text import visible

DocumentFactory = Callable[[], Document]


def render_document(document: Document, width: int) -> list[Strip]:
    """Every line of `document` at `width`, as strips (pure; safe to run in a thread)."""
    console = Console(
        width=width,
        color_system="truecolor",
        force_terminal=True,
        markup=False,
        highlight=False,
        emoji=False,
        legacy_windows=False,
    )
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
        self.search_term = ""

    # --- content ---------------------------------------------------------------------------------

    def show(self, document: Document | DocumentFactory, *, keep_scroll: bool = False) -> None:
        """Show a document, or one a function builds (a big item's rendering runs in a thread).

        Building and drawing to lines both happen in a worker thread; what is on screen is
        replaced when they are done, unless something newer was asked for meanwhile.
        """
        self._source = document
        if not keep_scroll:
            self.scroll_to(y=0, animate=False)
        if isinstance(document, Document) and len(document.sections) <= 1:
            # A row summary shown while the item is fetched: a worker thread costs more.
            self.workers.cancel_group(self, "detail-render")
            width = self._content_width()
            self._set_strips(document, document, render_document(document, width), width)
            return
        self._render_in_thread(document, self._content_width())

    @work(thread=True, exclusive=True, group="detail-render", name="render-detail")
    def _render_in_thread(self, source: Document | DocumentFactory, width: int) -> None:
        document = source if isinstance(source, Document) else source()
        strips = render_document(document, width)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._set_strips, source, document, strips, width)

    def _set_strips(
        self, source: object, document: Document, strips: list[Strip], width: int
    ) -> None:
        if source is not self._source:
            return  # a newer document is on its way
        self.document = document
        self._drawn_source = source
        self._strips, self._rendered_width = strips, width
        set_virtual_size(self, Size(width, len(strips)))
        self.refresh()

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

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        if index >= len(self._strips):
            return Strip.blank(width, self.rich_style)
        # Under every segment: text drawn without a background of its own gets the pane's, not
        # the terminal's default (which left lighter or darker patches behind wrapped lines).
        strip = self._strips[index].apply_style(self.rich_style)
        if self.search_term and self.search_term in strip.text.casefold():
            strip = overlay_background(strip, self.get_component_rich_style("detail-pane--match"))
        return strip.crop_extend(0, width, self.rich_style)

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

