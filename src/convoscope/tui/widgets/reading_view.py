"""The reading view: the conversation as a transcript, drawn with the Line API.

Items have different heights (a message of forty lines, a folded call of one), and at 100,000
items their heights cannot all be known without building them all. So the view does not scroll
a virtual canvas: it keeps an anchor (the item at the top and how many of its lines are scrolled
past) and builds only the items that reach the screen, each once per width and fold state (an
LRU of strips). It pages through the same line view as the item list (so the type filter and
the paging engine are shared), tells the engine what is visible so it loads ahead, and builds
items that carry images in a thread, since decoding a large image takes a while.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable
from typing import ClassVar

from rich.segment import Segment
from textual import events, work
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.worker import get_current_worker

from convoscope.api import APIError
from convoscope.api.models import Item
from convoscope.paging.engine import EdgeState, GapLine, PagingEngine
from convoscope.paging.items import ItemCache
from convoscope.paging.rows import Row
from convoscope.paging.view import FullView, LineView
from convoscope.render.detail import RenderContext
from convoscope.render.images import image_sources
from convoscope.render.reading import is_foldable, opens_by_default, transcript_lines
from convoscope.render.text import visible
from convoscope.tui.widgets.scrolling import set_virtual_size

GUTTER = 2  # the cursor bar and a space
MARGIN = 2  # a space and the position mark on the right
PAGE_ITEMS_KEPT = 1_000  # full items kept from loaded pages (about 3 MB), the latest pages win
FETCH_CONCURRENCY = 6  # items fetched at once when no page copy of them is left


class LoadedItems:
    """Full items as pages bring them, bounded; the rest come from the detail pane's cache."""

    def __init__(self, cache: ItemCache, capacity: int = PAGE_ITEMS_KEPT) -> None:
        self.cache = cache
        self.capacity = capacity
        self._items: OrderedDict[str, Item] = OrderedDict()

    def page_arrived(self, items: list[Item]) -> None:
        for item in items:
            if item.id:
                self._items[item.id] = item
                self._items.move_to_end(item.id)
        while len(self._items) > self.capacity:
            self._items.popitem(last=False)

    def get(self, item_id: str, include: frozenset[str] = frozenset()) -> Item | None:
        """The item, as fetched with `include` if it was, else as its page brought it."""
        fetched = self.cache.cached(item_id, include)
        return fetched if fetched is not None else self._items.get(item_id)

    def has_all_fields(self, item_id: str, include: frozenset[str]) -> bool:
        """Pages are loaded without `include`: with it, an item must be fetched again."""
        return not include or self.cache.cached(item_id, include) is not None

    def fetched(self) -> list[Item]:
        return list(self._items.values())


class ReadingView(ScrollView, can_focus=True):
    """The conversation as a transcript: messages under role headings, tool traffic folded.

    | Key | Action |
    | :- | :- |
    | `j`/`k`, arrows | Next / previous item. |
    | `PgUp`/`PgDn`, `ctrl+u`/`ctrl+d` | Scroll a page / half a page. |
    | `g`/`Home`, `G`/`End` | Oldest / newest item. |
    | `enter`, `space` | Open or close the item under the cursor. |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor_up", "Previous item", show=False, id="reading.up"),
        Binding("down,j", "cursor_down", "Next item", show=False, id="reading.down"),
        Binding("pageup,ctrl+b", "page_up", "Page up", show=False, id="reading.page_up"),
        Binding("pagedown,ctrl+f", "page_down", "Page down", show=False, id="reading.page_down"),
        Binding("ctrl+u", "half_page_up", "Half page up", show=False, id="reading.half_up"),
        Binding("ctrl+d", "half_page_down", "Half page down", show=False, id="reading.half_down"),
        Binding("home,g", "first", "First", show=False, id="reading.first"),
        Binding("end,G", "last", "Last", show=False, id="reading.last"),
        Binding("enter,space", "toggle_open", "Open/close", id="reading.toggle",
                tooltip="Open or close the item under the cursor"),
    ]
    DEFAULT_CSS = """
    ReadingView { height: 1fr; background: $surface; overflow: hidden hidden; }
    ReadingView > .reading-view--cursor { color: $accent; text-style: bold; }
    ReadingView > .reading-view--match { background: $warning 30%; }
    ReadingView > .reading-view--gap { color: $text-muted; }
    ReadingView > .reading-view--problem { color: $error; }
    ReadingView > .reading-view--position { color: $text-muted; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "reading-view--cursor",
        "reading-view--match",
        "reading-view--gap",
        "reading-view--problem",
        "reading-view--position",
    }

    class CursorMoved(Message):
        """The cursor moved to view line `index`."""

        def __init__(self, reading: ReadingView, index: int) -> None:
            super().__init__()
            self.reading = reading
            self.index = index

        @property
        def control(self) -> ReadingView:
            return self.reading

    def __init__(self, engine: PagingEngine, items: LoadedItems, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.engine = engine
        self.view: LineView = FullView(engine)
        self.items = items
        # The render context for a row (include fields, its loaded partner): set by the screen.
        self.context_for: Callable[[Row], RenderContext] = lambda row: RenderContext()
        self.cursor = 0  # a line of the view (an item, or the gap line)
        self.top = 0  # the view line drawn at the top
        self.top_offset = 0  # how many of its lines are scrolled past
        self.opened: dict[str, bool] = {}  # per item id, where the reader changed the default
        self.search_term = ""
        self.include: frozenset[str] = frozenset()  # what items missing from pages are fetched with
        self._stick_to_end = False
        self._anchor_ids: tuple[str | None, str | None] = (None, None)  # (top item, cursor item)
        self._entries: LRUCache[tuple, list[Strip]] = LRUCache(512)
        self._building: set[tuple] = set()  # entries being built in a thread
        self._drawn_before: LRUCache[tuple, list[Strip]] = LRUCache(32)  # pictured items, last built
        self._wanted: set[str] = set()  # item ids to fetch (no page copy left, or include changed)
        self._unfetchable: set[str] = set()  # fetching failed: drawn from the row
        self._in_flight: set[str] = set()  # being fetched
        self._layout: list[tuple[int, int]] | None = None  # per screen row: (view line, line in it)

    # --- what is shown --------------------------------------------------------------------------

    def show(self, view: LineView, engine: PagingEngine, cursor: int) -> None:
        """Show `view` with the cursor on line `cursor`, scrolled so it is in view."""
        self.view, self.engine = view, engine
        self._stick_to_end = False
        count = self.view.line_count()
        self.cursor = max(0, min(cursor, count - 1))
        self.top, self.top_offset = self.cursor, 0
        self._changed()
        # Just shown, the view has no height yet: place the cursor once it has one.
        self.call_after_refresh(self._place_cursor)

    def _place_cursor(self) -> None:
        self._center_cursor()
        self._changed()

    def engine_changed(self) -> None:
        """Rows were loaded or changed: keep the same items at the top and under the cursor."""
        top_id, cursor_id = self._anchor_ids
        if self._stick_to_end:
            self.cursor = max(self.view.line_count() - 1, 0)
            self._scroll_to_cursor()
        else:
            if top_id is not None and (line := self.view.line_of(top_id)) is not None:
                self.top = line
            if cursor_id is not None and (line := self.view.line_of(cursor_id)) is not None:
                self.cursor = line
        count = self.view.line_count()
        self.cursor = max(0, min(self.cursor, count - 1))
        self.top = max(0, min(self.top, count - 1))
        # No need to empty the strip cache: an entry's key changes with its row's status and
        # with its full item's arrival, so only items that changed are built again.
        self._changed()

    def items_changed(self) -> None:
        """Full items arrived: draw them (an entry's key says whether its item was there)."""
        self._changed()

    def rebuild(self) -> None:
        """Build every drawn item again (images were fetched, or the render context changed)."""
        self._entries.clear()
        self._changed()

    def include_changed(self, include: frozenset[str]) -> None:
        """Items are now fetched with `include`: what is drawn is fetched again."""
        self.include = include
        self._unfetchable.clear()
        self.rebuild()

    @property
    def busy(self) -> bool:
        """Pictures being drawn or items being fetched: what is on screen may still change."""
        return bool(self._building or self._wanted - self._unfetchable or self._in_flight)

    @property
    def current_row(self) -> Row | None:
        if not self.view.line_count():
            return None
        line = self.view.line(self.cursor)
        return line if isinstance(line, Row) else None

    def is_open(self, row: Row) -> bool:
        if not is_foldable(row.type):
            return True
        if row.id is not None and row.id in self.opened:
            return self.opened[row.id]
        return opens_by_default(row.type)

    # --- building items -------------------------------------------------------------------------

    @property
    def text_width(self) -> int:
        return max(self.scrollable_content_region.width - GUTTER - MARGIN, 10)

    def _entry(self, index: int) -> list[Strip]:
        """The strips of view line `index` (built now, or a stand-in while a thread builds it)."""
        line = self.view.line(index)
        if isinstance(line, GapLine):
            return [self._gap_strip(line)]
        width = self.text_width
        item = self.items.get(line.id, self.include) if line.id is not None else None
        complete = item is not None and self.items.has_all_fields(line.id, self.include)
        opened = self.is_open(line)
        # An opened call shows its output (and an output its call) once that is loaded too.
        ctx = self.context_for(line) if opened and item is not None else None
        key = (line.id if line.id is not None else ("row", index), width, opened, item is not None, complete,
               line.status, ctx is not None and ctx.partner is not None)
        if line.id is not None and not complete:
            # No full item (or not with the include fields): drawn from what there is, fetched.
            self._wanted.add(line.id)
        cached = self._entries.get(key)
        if cached is not None:
            return cached
        if item is None:
            strips = _strips(transcript_lines(line, width))
            self._entries[key] = strips
            return strips
        if opened and (_has_images(item) or _is_heavy(item)):
            # Decoding a big image, or laying out a long text, takes a while: a stand-in now, the
            # real lines from a thread.
            if key not in self._building:
                self._building.add(key)
                self._build_in_thread(key, item, width, opened, ctx or self.context_for(line))
            # Until then, what was drawn for it before, so a redraw does not make the view jump.
            strips = self._drawn_before.get((line.id, width, opened))
            if strips is None:
                stand_in = line if not is_foldable(line.type) else item
                strips = _strips(transcript_lines(stand_in, width, opened=False, ctx=self.context_for(line)))
            self._entries[key] = strips
            return strips
        strips = _strips(transcript_lines(item, width, opened=opened, ctx=ctx or self.context_for(line)))
        self._entries[key] = strips
        return strips

    @property
    def image_rows(self) -> int:
        """A picture fits on screen with its caption and the item's first line."""
        return max(self.size.height - 3, 6)

    @work(thread=True, group="reading-build", name="reading-build-images")
    def _build_in_thread(self, key: tuple, item: Item, width: int, opened: bool, ctx: RenderContext) -> None:
        strips = _strips(transcript_lines(item, width, opened=opened, ctx=ctx, image_rows=self.image_rows))
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._built, key, strips)

    def _built(self, key: tuple, strips: list[Strip]) -> None:
        self._building.discard(key)
        # Textual's LRUCache never replaces a value it holds: discard first.
        self._entries.discard(key)
        self._entries[key] = strips
        item_id, width, opened = key[0], key[1], key[2]
        self._drawn_before.discard((item_id, width, opened))
        self._drawn_before[(item_id, width, opened)] = strips
        self._changed()

    def _gap_strip(self, gap: GapLine) -> Strip:
        for status in (gap.head, gap.tail):
            if status.state is EdgeState.FAILED:
                style = self.get_component_rich_style("reading-view--problem")
                return Strip([Segment(f"⚠ press r to retry · {visible(status.message)}", style)])
            if status.state is EdgeState.STOPPED:
                style = self.get_component_rich_style("reading-view--problem")
                return Strip([Segment(f"⚠ stopped: {visible(status.message)}", style)])
        style = self.get_component_rich_style("reading-view--gap")
        busy = gap.head.busy or gap.tail.busy
        text = "⋯ loading…" if busy else "⋯ more items: scroll here to load them"
        return Strip([Segment(text, style)])

    # --- layout and drawing ---------------------------------------------------------------------

    def _changed(self) -> None:
        """Something moved or changed: lay out the screen again and redraw it."""
        self._layout = None
        self.refresh()
        self._remember_anchor()
        self.call_after_refresh(self._after_layout)

    def _screen_layout(self) -> list[tuple[int, int]]:
        """(view line, line within its strips) for each screen row, from the anchor down."""
        if self._layout is not None:
            return self._layout
        height = max(self.size.height, 1)
        count = self.view.line_count()
        layout: list[tuple[int, int]] = []
        index, offset = self.top, self.top_offset
        while len(layout) < height and index < count:
            strips = self._entry(index)
            for number in range(min(offset, len(strips) - 1), len(strips)):
                layout.append((index, number))
                if len(layout) >= height:
                    break
            index, offset = index + 1, 0
        self._layout = layout
        return layout

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        layout = self._screen_layout()
        if y >= len(layout):
            return self._with_position_mark(Strip.blank(width - MARGIN, self.rich_style), y, width)
        index, number = layout[y]
        strips = self._entry(index)
        strip = strips[number] if number < len(strips) else Strip.blank(self.text_width)
        if self.search_term and self.search_term in strip.text.casefold():
            strip = strip.apply_style(self.get_component_rich_style("reading-view--match"))
        if index == self.cursor:
            gutter = Segment("▌ ", self.get_component_rich_style("reading-view--cursor"))
        else:
            gutter = Segment(" " * GUTTER, self.rich_style)
        # The transcript's segments carry only their own colours: the widget's are underneath.
        line = Strip([gutter, *strip]).apply_style(self.rich_style).adjust_cell_length(width - MARGIN, self.rich_style)
        return self._with_position_mark(line, y, width)

    def _with_position_mark(self, line: Strip, y: int, width: int) -> Strip:
        """A mark on the right at the cursor's place in what is loaded (no scrollbar: items'
        heights are unknown until built, so the place is counted in items)."""
        count = self.view.line_count()
        height = max(self.size.height, 1)
        row = round(self.cursor / max(count - 1, 1) * (height - 1)) if count > 1 else 0
        mark = Segment(" ┃" if y == row else " │", self.get_component_rich_style("reading-view--position"))
        return Strip([*line, mark]).adjust_cell_length(width, self.rich_style)

    def _after_layout(self) -> None:
        """Tell the engine what is visible (it loads ahead) and fetch items pages did not keep."""
        if not self.is_attached:
            return
        layout = self._screen_layout()
        if layout:
            self.view.viewport(layout[0][0], layout[-1][0])
        else:
            self.view.viewport(self.top, self.top)
        wanted, self._wanted = self._wanted - self._unfetchable - self._in_flight, set()
        if wanted:
            self._fetch(sorted(wanted))

    @work(group="reading-fetch", name="reading-fetch-items")
    async def _fetch(self, item_ids: list[str]) -> None:
        """Fetch items no page copy is left of (or not with the include fields), a few at once."""
        self._in_flight.update(item_ids)
        limit = asyncio.Semaphore(FETCH_CONCURRENCY)

        async def fetch_one(item_id: str) -> None:
            async with limit:
                try:
                    await self.items.cache.get(item_id, self.include)
                except APIError:
                    self._unfetchable.add(item_id)  # not asked again: the detail pane says why
                finally:
                    self._in_flight.discard(item_id)
            self.items_changed()

        try:
            await asyncio.gather(*(fetch_one(item_id) for item_id in item_ids))
        finally:
            self._in_flight.difference_update(item_ids)

    def on_resize(self) -> None:
        set_virtual_size(self, Size(self.scrollable_content_region.width, self.size.height))
        self._entries.clear()
        self._changed()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._entries.clear()
        self._layout = None

    @property
    def drawn_items(self) -> list[int]:
        """The view lines that have at least one row on screen, top to bottom."""
        return sorted({index for index, _ in self._screen_layout()})

    # --- moving ---------------------------------------------------------------------------------

    def _remember_anchor(self) -> None:
        self._anchor_ids = (self._id_at(self.top), self._id_at(self.cursor))

    def _id_at(self, index: int) -> str | None:
        if index >= self.view.line_count():
            return None
        line = self.view.line(index)
        return line.id if isinstance(line, Row) else None

    def move_cursor(self, index: int) -> None:
        count = self.view.line_count()
        if not count:
            return
        index = max(0, min(index, count - 1))
        moved = index != self.cursor
        self.cursor = index
        self._scroll_to_cursor()
        self._changed()
        if moved:
            self.post_message(self.CursorMoved(self, index))

    def _scroll_to_cursor(self) -> None:
        """Scroll the least that shows the cursor item (all of it, when it fits)."""
        if self.cursor < self.top or (self.cursor == self.top and self.top_offset > 0):
            self.top, self.top_offset = self.cursor, 0
            return
        height = max(self.size.height, 1)
        # Rows from the anchor to the end of the cursor item, and where the cursor item starts.
        used, index, offset = 0, self.top, self.top_offset
        while index < self.cursor:
            used += len(self._entry(index)) - offset
            index, offset = index + 1, 0
            if used >= height:
                break
        cursor_height = len(self._entry(self.cursor))
        if used + cursor_height <= height:
            return  # all of it is on screen already
        if cursor_height >= height:
            self.top, self.top_offset = self.cursor, 0
            return
        # Put the cursor item's last line at the bottom: walk back from it.
        room, index = height - cursor_height, self.cursor
        while index > 0 and room > 0:
            above = len(self._entry(index - 1))
            if above > room:
                self.top, self.top_offset = index - 1, above - room
                return
            room -= above
            index -= 1
        self.top, self.top_offset = index, 0

    def _center_cursor(self) -> None:
        """Put the cursor item a third of the way down the screen (after switching views)."""
        room, index = max(self.size.height // 3, 0), self.cursor
        self.top_offset = 0
        while index > 0 and room > 0:
            above = len(self._entry(index - 1))
            if above > room:
                self.top, self.top_offset = index - 1, above - room
                return
            room -= above
            index -= 1
        self.top = index

    def scroll_lines(self, delta: int) -> None:
        """Scroll `delta` lines (down when positive), keeping the cursor on screen."""
        count = self.view.line_count()
        if not count:
            return
        if delta > 0:
            for _ in range(delta):
                if self.top_offset + 1 < len(self._entry(self.top)):
                    self.top_offset += 1
                elif self.top + 1 < count:
                    self.top, self.top_offset = self.top + 1, 0
                else:
                    break
        else:
            for _ in range(-delta):
                if self.top_offset > 0:
                    self.top_offset -= 1
                elif self.top > 0:
                    self.top -= 1
                    self.top_offset = len(self._entry(self.top)) - 1
                else:
                    break
        self._layout = None
        visible_items = self.drawn_items
        if visible_items and not visible_items[0] <= self.cursor <= visible_items[-1]:
            previous = self.cursor
            self.cursor = visible_items[0] if self.cursor < visible_items[0] else visible_items[-1]
            if self.cursor != previous:
                self.post_message(self.CursorMoved(self, self.cursor))
        self._changed()

    def action_cursor_down(self) -> None:
        self.move_cursor(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self._stick_to_end = False
        self.move_cursor(self.cursor - 1)

    def action_page_down(self) -> None:
        self.scroll_lines(max(self.size.height - 1, 1))

    def action_page_up(self) -> None:
        self._stick_to_end = False
        self.scroll_lines(-max(self.size.height - 1, 1))

    def action_half_page_down(self) -> None:
        self.scroll_lines(max(self.size.height // 2, 1))

    def action_half_page_up(self) -> None:
        self._stick_to_end = False
        self.scroll_lines(-max(self.size.height // 2, 1))

    def action_first(self) -> None:
        self._stick_to_end = False
        self.engine.jump_to_start()
        self.move_cursor(0)

    def action_last(self) -> None:
        self._stick_to_end = True
        self.engine.jump_to_end()
        self.move_cursor(self.view.line_count() - 1)

    def action_toggle_open(self) -> None:
        row = self.current_row
        if row is None or row.id is None or not is_foldable(row.type):
            return
        self.opened[row.id] = not self.is_open(row)
        self._scroll_to_cursor()
        self._changed()

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        event.stop()
        self.scroll_lines(3)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        event.stop()
        self._stick_to_end = False
        self.scroll_lines(-3)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        layout = self._screen_layout()
        if offset is None or offset.y >= len(layout):
            return
        index = layout[offset.y][0]
        if index == self.cursor:
            self.action_toggle_open()
        else:
            self.move_cursor(index)

    # --- search ---------------------------------------------------------------------------------

    def set_search(self, term: str) -> None:
        self.search_term = term.casefold()
        self.refresh()

    def find(self, term: str, *, backwards: bool = False, also: set[str] = frozenset()) -> bool:
        """Move to the next (or previous) loaded item whose text contains `term`."""
        needle = term.casefold()
        count = self.view.line_count()
        step = -1 if backwards else 1
        for offset in range(1, count + 1):
            index = (self.cursor + step * offset) % count
            line = self.view.line(index)
            if isinstance(line, Row) and (
                needle in line.text.casefold() or needle in line.label.casefold() or line.id in also
            ):
                self.move_cursor(index)
                return True
        return False


def _strips(lines: list[list[Segment]]) -> list[Strip]:
    return [Strip(line).simplify() for line in lines] or [Strip([])]


HEAVY_CHARACTERS = 20_000  # more text than this is laid out in a thread
HEAVY_NODES = 2_000


def _is_heavy(item: Item) -> bool:
    """Whether the item holds a lot of text (counted without reading it: len() is O(1))."""
    budget, characters = HEAVY_NODES, 0
    stack: list[object] = [item.raw]
    while stack:
        value = stack.pop()
        budget -= 1
        if budget < 0:
            return True
        if isinstance(value, str):
            characters += len(value)
            if characters > HEAVY_CHARACTERS:
                return True
        elif isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return False


def _has_images(item: Item) -> bool:
    try:
        return any(source.data is not None for source in image_sources(item))
    except Exception:
        return False


__all__ = ["LoadedItems", "ReadingView"]
