"""A cursor list drawn with the Line API: only visible lines are rendered, each from a cache.

Subclasses say how many lines there are and how one line looks; this class does the cursor,
scrolling, keys, mouse and caching. It never creates a widget per line, so 100,000 lines cost
what 40 do.
"""

from __future__ import annotations

from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import var
from textual.scroll_view import ScrollView
from textual.strip import Strip

from convoscope.tui.widgets.scrolling import quiet_scrollbar, set_virtual_size


class LineList(ScrollView, can_focus=True):
    """A scrolling list of one-line rows with a cursor.

    | Key | Action |
    | :- | :- |
    | `up`, `k` | Move the cursor up. |
    | `down`, `j` | Move the cursor down. |
    | `pageup`, `ctrl+b` | Up one page. |
    | `pagedown`, `ctrl+f` | Down one page. |
    | `ctrl+u` / `ctrl+d` | Up / down half a page. |
    | `home`, `g` | First line. |
    | `end`, `G` | Last line. |
    | `enter` | Select the line under the cursor. |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor_up", "Up", show=False, id="list.up"),
        Binding("down,j", "cursor_down", "Down", show=False, id="list.down"),
        Binding("pageup,ctrl+b", "page_up", "Page up", show=False, id="list.page_up"),
        Binding("pagedown,ctrl+f", "page_down", "Page down", show=False, id="list.page_down"),
        Binding("ctrl+u", "half_page_up", "Half page up", show=False, id="list.half_up"),
        Binding("ctrl+d", "half_page_down", "Half page down", show=False, id="list.half_down"),
        Binding("home,g", "first", "First", show=False, id="list.first"),
        Binding("end,G", "last", "Last", id="list.last"),
        Binding("enter", "select", "Open", show=False, id="list.select"),
    ]

    # The cursor is a background laid OVER each line's own styles (which carry their own
    # background), so it shows whatever the line draws; its colours are theme variables.
    DEFAULT_CSS = """
    LineList {
        height: 1fr;
        overflow-x: hidden;
        background: $surface;
    }
    LineList > .line-list--cursor {
        background: $cursor-background;
    }
    LineList:blur > .line-list--cursor {
        background: $cursor-blurred-background;
    }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {"line-list--cursor"}

    class CursorMoved(Message):
        """The cursor moved to `index`."""

        def __init__(self, list_widget: LineList, index: int) -> None:
            super().__init__()
            self.list_widget = list_widget
            self.index = index

        @property
        def control(self) -> LineList:
            return self.list_widget

    class Selected(Message):
        """Enter (or a click on the cursor line) on line `index`."""

        def __init__(self, list_widget: LineList, index: int) -> None:
            super().__init__()
            self.list_widget = list_widget
            self.index = index

        @property
        def control(self) -> LineList:
            return self.list_widget

    moved_to: var[int] = var(0, always_update=True, init=False)
    """The line the cursor was last moved to. Watch it (`self.watch(list, "moved_to", ...)`) to
    act in the same frame as the move: `CursorMoved` arrives a few message hops later, after the
    list's repaint may already have been drawn on its own."""

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        # Not reactive: moving repaints two lines, not the whole widget.
        self._cursor = 0
        self._strips: LRUCache[tuple, tuple[object, Strip]] = LRUCache(1024)
        # What each screen row (y) shows now, as painted: (index, width, cursor, line key).
        # Repaints compare with this, never with the strip cache, which also holds lines that
        # are not on screen (a filter shown before, entries from before the list was emptied).
        self._drawn: dict[int, tuple] = {}
        self._painting = False

    @property
    def cursor(self) -> int:
        return self._cursor

    @cursor.setter
    def cursor(self, index: int) -> None:
        """Setting the cursor repaints the line it leaves and the line it lands on."""
        previous, self._cursor = self._cursor, index
        if previous != index:
            self.refresh_index(previous)
            self.refresh_index(index)

    # --- for subclasses --------------------------------------------------------------------------

    def line_count(self) -> int:
        raise NotImplementedError

    def line_key(self, index: int) -> object:
        """An object that changes whenever line `index` would draw differently."""
        raise NotImplementedError

    def render_line_at(self, index: int, width: int, cursor: bool) -> Strip:
        raise NotImplementedError

    def line_background(self, index: int) -> Style | None:
        """A background laid over line `index` when it is not the cursor (a highlight), or None."""
        return None

    def viewport_changed(self, first: int, last: int) -> None:
        """Called when the visible lines change (a hook for prefetch)."""

    # --- data changes ----------------------------------------------------------------------------

    def lines_changed(self, *, report_viewport: bool = True) -> None:
        """The lines changed: resize the scroll area, keep the cursor in range, redraw."""
        count = self.line_count()
        set_virtual_size(self, Size(self.scrollable_content_region.width, count))
        self.cursor = min(self.cursor, max(count - 1, 0))
        self.refresh_changed_lines()
        if report_viewport:
            self._report_viewport()

    def refresh_changed_lines(self) -> None:
        """Repaint only the visible lines that would now draw differently.

        A page that lands below the view changes nothing visible; the strip cache checks each
        entry's line key, so it needs no clearing either.
        """
        top, width = self.scroll_offset.y, self.scrollable_content_region.width
        count = self.line_count()
        for y in range(self.size.height):
            if self._drawn.get(y) != self._line_state(top + y, width, count):
                self.refresh_line(top + y)

    def _line_state(self, index: int, width: int, count: int) -> tuple:
        """What line `index` should look like now, comparable with what was painted."""
        if index >= count:
            return ("blank", width)
        return (index, width, index == self.cursor, self.line_key(index))

    def refresh_index(self, index: int) -> None:
        if self.scroll_offset.y <= index < self.scroll_offset.y + self.size.height:
            self.refresh_line(index)

    # --- drawing ---------------------------------------------------------------------------------

    def render_lines(self, crop: Region) -> list[Strip]:
        # Lines rendered from here are painted on the screen; `_drawn` records them.
        self._painting = True
        try:
            return super().render_lines(crop)
        finally:
            self._painting = False

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        if index >= self.line_count():
            if self._painting:
                self._drawn[y] = ("blank", width)
            return Strip.blank(width, self.rich_style)
        cursor = index == self.cursor
        key = (index, width, cursor)
        line_key = self.line_key(index)
        if self._painting:
            self._drawn[y] = (index, width, cursor, line_key)  # as _line_state() says
        cached = self._strips.get(key)
        if cached is not None and cached[0] == line_key:
            return cached[1]
        strip = self.render_line_at(index, width, cursor)
        strip = strip.adjust_cell_length(width, self.rich_style)
        overlay = self.get_component_rich_style("line-list--cursor") if cursor else self.line_background(index)
        if overlay is not None:
            strip = overlay_background(strip, overlay)
        self._strips[key] = (line_key, strip)
        return strip

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()
        self._drawn.clear()

    def on_focus(self) -> None:
        self._restyle_cursor()

    def on_blur(self) -> None:
        self._restyle_cursor()

    def _restyle_cursor(self) -> None:
        """Focus changes the cursor's colour: drop its cached strips and repaint it."""
        self._strips.clear()
        self.refresh_index(self.cursor)

    def on_resize(self) -> None:
        self._strips.clear()
        self._drawn.clear()
        set_virtual_size(self, Size(self.scrollable_content_region.width, self.line_count()))
        self._report_viewport()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        quiet_scrollbar(self, new_value)
        super().watch_scroll_y(old_value, new_value)
        self._report_viewport()

    def _report_viewport(self) -> None:
        first = self.scroll_offset.y
        self.viewport_changed(first, first + max(self.size.height, 1) - 1)

    # --- cursor ----------------------------------------------------------------------------------

    def move_cursor(self, index: int, *, scroll: bool = True) -> None:
        count = self.line_count()
        if count == 0:
            return
        index = max(0, min(index, count - 1))
        previous, self.cursor = self.cursor, index  # repaints both lines
        if scroll:
            self.scroll_to_cursor()
        if previous != index:
            self.announce_cursor()

    def announce_cursor(self) -> None:
        """Tell watchers of `moved_to` now, and the parents by `CursorMoved`."""
        self.moved_to = self.cursor
        self.post_message(self.CursorMoved(self, self.cursor))

    def scroll_to_cursor(self) -> None:
        top, height = self.scroll_offset.y, max(self.scrollable_content_region.height, 1)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False)

    @property
    def page_height(self) -> int:
        return max(self.scrollable_content_region.height, 1)

    def action_cursor_up(self) -> None:
        self.move_cursor(self.cursor - 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(self.cursor + 1)

    def action_page_up(self) -> None:
        self.move_cursor(self.cursor - self.page_height)

    def action_page_down(self) -> None:
        self.move_cursor(self.cursor + self.page_height)

    def action_half_page_up(self) -> None:
        self.move_cursor(self.cursor - self.page_height // 2)

    def action_half_page_down(self) -> None:
        self.move_cursor(self.cursor + self.page_height // 2)

    def action_first(self) -> None:
        self.move_cursor(0)

    def action_last(self) -> None:
        self.move_cursor(self.line_count() - 1)

    def action_select(self) -> None:
        if self.line_count():
            self.post_message(self.Selected(self, self.cursor))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        index = self.scroll_offset.y + offset.y
        if index >= self.line_count():
            return
        if index == self.cursor and event.chain >= 2:
            self.action_select()
        self.move_cursor(index, scroll=False)


def overlay_background(strip: Strip, overlay: Style) -> Strip:
    """`strip` with `overlay`'s background (and text style) laid over every segment's own.

    `Strip.apply_style` puts a style UNDER the segments', so a segment's background would win;
    highlights must win instead, while each segment keeps its own foreground colour.
    """
    # Attributes only when the overlay turns them on: False would switch off the segments' own.
    over = Style(
        bgcolor=overlay.bgcolor,
        bold=overlay.bold or None,
        italic=overlay.italic or None,
        underline=overlay.underline or None,
    )
    return Strip(Segment.apply_style(strip, post_style=over), strip.cell_length)


def text_strip(parts: list[tuple[str, Style]]) -> Strip:
    """A strip from (text, style) pieces; the text must already be terminal-safe."""
    return Strip([Segment(text, style) for text, style in parts if text])
