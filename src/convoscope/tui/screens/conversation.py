"""One conversation: header, item list, detail pane, and the paging engine behind them."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Input

from convoscope.api import APIError, ConversationsClient
from convoscope.api.include import INCLUDE_VALUES
from convoscope.api.models import Item
from convoscope.paging.engine import Edge, EdgeState, PagingEngine
from convoscope.paging.items import ItemCache
from convoscope.paging.prefetch import Prefetcher
from convoscope.paging.rows import Row
from convoscope.render.export import ExportResult
from convoscope.render.detail import Document, RenderContext, Section, image_payloads, render_item, render_raw
from convoscope.render.groups import ALL_ITEMS, FILTER_CYCLE, TypeFilter
from convoscope.render.images import remote_urls
from convoscope.render.text import human_size, visible
from convoscope.storage.history import History
from convoscope.tui import export
from convoscope.tui.commands import PaletteCommand, ScreenActions
from convoscope.tui.screens.export_dialog import ExportDialog, describe_result
from convoscope.tui.remote_images import RemoteImageError, fetch_image
from convoscope.tui.transfer_commands import TransferCommands
from convoscope.tui.screens.login import KeyAware
from convoscope.tui.screens.menus import FilterMenu, IncludeMenu
from convoscope.tui.screens.save import SaveImagesScreen
from convoscope.tui.widgets.conversation_header import ConversationHeader
from convoscope.tui.widgets.detail_pane import DetailPane
from convoscope.tui.widgets.item_list import ItemList
from convoscope.tui.widgets.reading_view import LoadedItems, ReadingView

log = logging.getLogger(__name__)

# The include values without which the server leaves an item's images out.
IMAGE_INCLUDES = {
    "code_interpreter_call": "code_interpreter_call.outputs",
    "computer_call_output": "computer_call_output.output.image_url",
    "message": "message.input_image.image_url",
}
SELECTION_SETTLE_S = 0.05
PREFETCH_AHEAD, PREFETCH_BEHIND = 3, 1  # items fetched around the cursor: at most 5 in flight  # holding j should not fire a get-item per line passed
MORE_FACTOR = 4
HEADER_REFRESH_S = 0.1
WALK_REDRAW_S = 0.1


class ConversationScreen(Screen[None], KeyAware):
    """Browse one conversation.

    | Key | Action |
    | :- | :- |
    | `p` | Jump between a call and its output. |
    | `t` / `T` | Cycle common filters / choose types to show. |
    | `/`, `n`, `N` | Search; next and previous match. |
    | `v` | Raw JSON of the item. |
    | `i` | Choose `include` fields; refetches the item. |
    | `+` | Show more of a truncated field. |
    | `y` | Copy the item's JSON (OSC 52). |
    | `o` | Open the item's JSON in `$PAGER`. |
    | `s` | Save every image the item holds (asks where). |
    | `e` | Export the conversation or the current view (JSONL, JSON, Markdown, HTML). |
    | `tab` | Move between the list and the detail pane. |
    | `z` | Zoom the detail pane. |
    | `r` | Retry loading where it failed. |
    | `L` | Load all items (from both ends at once). |
    | `F` | Follow: poll for new items, refresh in-progress ones. |
    | `f` | Fetch the item's images that are behind a URL. |
    | `R` | Switch between the list and the reading view. |
    | `?` | Every key. |
    | `escape` | Back to the conversation picker. |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("p", "pair", "Pair", id="conversation.pair",
                tooltip="Jump between a call and its output"),
        Binding("t", "cycle_filter", "Filter", id="conversation.cycle_filter",
                tooltip="Cycle views: all, messages only, tool traffic only"),
        Binding("T", "filter_menu", "Types", show=False, id="conversation.filter_menu",
                tooltip="Choose the item groups and types to show"),
        Binding("slash", "search", "Search", id="conversation.search",
                tooltip="Search loaded items (summaries and fetched items)"),
        Binding("n", "search_next", "Next match", show=False, id="conversation.search_next",
                tooltip="Next search match"),
        Binding("N", "search_previous", "Previous match", show=False, id="conversation.search_previous",
                tooltip="Previous search match"),
        Binding("v", "toggle_raw", "Raw", id="conversation.raw",
                tooltip="Toggle the raw JSON view of the item"),
        Binding("i", "include_menu", "Include", id="conversation.include",
                tooltip="Choose include fields; refetches the shown item"),
        Binding("plus", "more", "More", show=False, id="conversation.more",
                tooltip="Show more of truncated fields"),
        Binding("y", "copy", "Copy", show=False, id="conversation.copy",
                tooltip="Copy the item's JSON to the clipboard (OSC 52)"),
        Binding("o", "pager", "Pager", show=False, id="conversation.pager",
                tooltip="Open the item's JSON in $PAGER"),
        Binding("s", "save_image", "Save image", show=False, id="conversation.save_image",
                tooltip="Save every image the item holds to a file"),
        Binding("e", "export", "Export", show=False, id="conversation.export",
                tooltip="Export the conversation or the current view to a file (JSONL, JSON, Markdown, HTML)"),
        Binding("tab", "switch_focus", "Focus", show=False, id="conversation.focus",
                tooltip="Move between the list and the detail pane"),
        Binding("z", "zoom", "Zoom", show=False, id="conversation.zoom",
                tooltip="Zoom the detail pane"),
        Binding("r", "retry", "Retry", show=False, id="conversation.retry",
                tooltip="Retry loading where it failed"),
        Binding("L", "load_all", "Load all", show=False, id="conversation.load_all",
                tooltip="Load every item (from both ends at once)"),
        Binding("F", "toggle_follow", "Follow", show=False, id="conversation.follow",
                tooltip="Follow: poll for new items, refresh in-progress ones"),
        Binding("f", "fetch_images", "Fetch images", show=False, id="conversation.fetch_images",
                tooltip="Fetch the item's images that are behind a URL (never done unasked)"),
        Binding("R", "toggle_reading", "Read", show=False, id="conversation.reading",
                tooltip="Switch between the item list and the reading view (a transcript)"),
        Binding("question_mark", "keys", "Keys", id="conversation.keys",
                tooltip="List every key"),
        Binding("escape", "back", "Back", id="conversation.back",
                tooltip="Back (close search or zoom, then the conversation)"),
    ]
    COMMANDS = {ScreenActions, TransferCommands}
    DEFAULT_CSS = """
    ConversationScreen #panes { height: 1fr; }
    ConversationScreen ItemList { width: 1fr; }
    ConversationScreen.zoomed ItemList { display: none; }
    ConversationScreen ReadingView { display: none; }
    ConversationScreen.reading ReadingView { display: block; }
    ConversationScreen.reading #panes { display: none; }
    ConversationScreen #search { dock: bottom; display: none; }
    ConversationScreen #search.open { display: block; }
    """

    def __init__(
        self,
        client: ConversationsClient,
        conversation_id: str,
        history: History | None = None,
        *,
        honours_after: bool | None = None,
        start_at: str | None = None,
    ) -> None:
        """`start_at`: an item to put the cursor on once loaded (a response's first item)."""
        super().__init__()
        self.client = client
        self.start_at = start_at
        self.history = history
        self.engine = PagingEngine(
            client, conversation_id, on_change=self._engine_changed, honours_after=honours_after
        )
        self.items = ItemCache(client, conversation_id)
        self.loaded = LoadedItems(self.items)  # full items from pages, for the reading view
        self.engine.page_listeners.append(self.loaded.page_arrived)
        self.prefetcher = Prefetcher(self.items, on_fetched=lambda _item: self._prerender_window())
        self._typed_engine: PagingEngine | None = None  # pages one type, when the server filters
        self.include: frozenset[str] = frozenset()
        self.raw = False
        self.limit_factor = 1
        self.type_filter: TypeFilter = ALL_ITEMS
        self.search_term = ""
        self._search_in_detail = False
        self._header_pending = False
        self._walk_redraw_pending = False
        self.shown_item: Item | None = None
        self._failures_told: list[APIError] = []
        self._stops_told: list[tuple[object, str]] = []

    def compose(self) -> ComposeResult:
        yield ConversationHeader(self.engine, id="header")
        with Horizontal(id="panes"):
            yield ItemList(self.engine, id="items")
            yield DetailPane(id="detail")
        yield ReadingView(self.engine, self.loaded, id="reading")
        yield Input(placeholder="Search loaded items (enter: find, escape: close)", id="search")
        yield Footer()

    # Looked up on every page and every cursor move: cached after the first query.
    @functools.cached_property
    def item_list(self) -> ItemList:
        return self.query_one(ItemList)

    @functools.cached_property
    def detail(self) -> DetailPane:
        return self.query_one(DetailPane)

    @functools.cached_property
    def reading(self) -> ReadingView:
        return self.query_one(ReadingView)

    @property
    def in_reading_view(self) -> bool:
        return self.has_class("reading")

    @functools.cached_property
    def header(self) -> ConversationHeader:
        return self.query_one(ConversationHeader)

    def on_mount(self) -> None:
        self.reading.context_for = self._reading_context
        self.watch(self.item_list, "moved_to", self.cursor_moved, init=False)
        self.header.show()
        self.item_list.focus()
        self.engine.start()
        self.load_conversation()

    async def on_unmount(self) -> None:
        self.prefetcher.close()
        await self.engine.close()
        if self._typed_engine is not None:
            await self._typed_engine.close()

    # --- conversation and engine -----------------------------------------------------------------

    @work(group="conversation", exclusive=True, name="load-conversation")
    async def load_conversation(self) -> None:
        try:
            conversation = await self.client.retrieve_conversation(self.engine.conversation_id)
        except APIError as error:
            if self.is_attached:
                self.header.problem = f"{error} · {error.advice()}"
                self.header.show()
                self.app.auth_failed(error)  # type: ignore[attr-defined]
            return
        if not self.is_attached:
            return
        self.engine.conversation = conversation
        self.header.show()
        if self.history is not None:
            self.history.remember(
                self.client.profile.base_url,
                conversation.id,
                metadata=conversation.metadata or {},
                created_at=conversation.created_at if isinstance(conversation.created_at, int) else None,
            )
            if problem := self.history.new_problem():
                self.notify(problem, severity="warning", timeout=15, markup=False)

    def _engine_changed(self) -> None:
        if not self.is_mounted:
            # A page can land while the screen is still mounting (a fast server, a slow
            # machine): applied once mounted, or the rows would wait for a change that may never come.
            self.call_later(self._engine_changed)
            return
        if self.engine.loading_all and self.engine.index.head_count > 0:
            # A walk of the whole conversation changes the rows hundreds of times a second;
            # drawing each would take half its CPU. Ten redraws a second keep it visibly alive.
            if not self._walk_redraw_pending:
                self._walk_redraw_pending = True
                self.set_timer(WALK_REDRAW_S, self._walk_redraw)
            return
        self._apply_engine_change()

    def _walk_redraw(self) -> None:
        self._walk_redraw_pending = False
        if self.is_attached:
            self._apply_engine_change()

    def _apply_engine_change(self) -> None:
        first_rows = self.shown_item is None and self.detail.document is None
        self.item_list.engine_changed()
        if self.in_reading_view:
            self.reading.engine_changed()
        self._show_header_soon()
        for edge, status in self.engine.status.items():
            if status.error is not None:
                self.app.auth_failed(status.error)  # type: ignore[attr-defined]
                self._tell_failure(edge.value, status.error, status.advice)
            elif status.state is EdgeState.STOPPED and (edge, status.message) not in self._stops_told:
                self._stops_told.append((edge, status.message))
                self.notify(f"Loading from the {edge.value} stopped: {status.message}.",
                            severity="warning", timeout=20, markup=False)
        if self.start_at is not None:
            self._seek_start_item()
        if first_rows and self.item_list.current_row is not None:
            self.show_selected()
        self._show_search_count()

    def _tell_failure(self, where: str, error: APIError, advice: str) -> None:
        """Once per failure, the whole message (the gap line cuts it at the list's width)."""
        if error in self._failures_told:
            return
        self._failures_told.append(error)
        self.notify(
            f"Loading from the {where} failed: {error}. {advice[:1].upper()}{advice[1:]}.",
            severity="error", timeout=20, markup=False,
        )

    def _seek_start_item(self) -> None:
        """Page from the start until the item to open at is loaded, then put the cursor on it."""
        assert self.start_at is not None
        if self.start_at in self.engine.index:
            target, self.start_at = self.start_at, None
            self.item_list.go_to_item(target)
            self.show_selected()
        elif self.engine.complete:
            self.notify("The response's items are not in this conversation any more.", severity="warning")
            self.start_at = None
        elif self.engine.status[Edge.HEAD].state is EdgeState.IDLE:
            self.engine.request(Edge.HEAD)

    def _show_header_soon(self) -> None:
        """Redraw the header at most ten times a second: a fast walk changes it per page."""
        if not self._header_pending:
            self._header_pending = True
            self.set_timer(HEADER_REFRESH_S, self._show_header_now)

    def _show_header_now(self) -> None:
        self._header_pending = False
        if self.is_attached:
            self.header.show()

    # --- detail pane -----------------------------------------------------------------------------

    def cursor_moved(self, _line: int) -> None:
        """The list's cursor moved (watched, not a message: the item is drawn in the same frame
        as the cursor when it is ready)."""
        self.show_selected()
        self._show_search_count()

    @on(ReadingView.CursorMoved, "#reading")
    def reading_cursor_moved(self, event: ReadingView.CursorMoved) -> None:
        # The list follows, so y, o, s, v and + act on the item the reader is on.
        self.item_list.move_cursor(event.index)

    def show_selected(self, *, keep_scroll: bool = False) -> None:
        """Show the row at once from what the list holds, then the full item when fetched.

        `keep_scroll`: the same item drawn again (more of it, other include fields): the reader
        stays where they were.
        """
        row = self.item_list.current_row
        if row is None:
            return
        # Nothing may act on the previous item from here on: not a late fetch, not `y`.
        self.workers.cancel_group(self, "detail-fetch")
        self.shown_item = None
        if row.id is not None and (item := self.items.cached(row.id, self.include)) is not None:
            self._show_item(item, self._cached_partner(row), keep_scroll=keep_scroll)
            self.prefetch_around(row)
            return
        self.detail.show(_row_document(row))
        if row.id is None:
            return
        self.fetch_selected(row)

    @work(group="detail-fetch", exclusive=True, name="fetch-item")
    async def fetch_selected(self, row: Row) -> None:
        await asyncio.sleep(SELECTION_SETTLE_S)  # a newer selection cancels this worker first
        assert row.id is not None
        self._prefetch_window(start=False)  # drop what the cursor left; this item goes first
        try:
            item = await self.prefetcher.get(row.id, self.include)
        except APIError as error:
            item = None
            problem = _error_document(row, error)
        if self._still_showing():
            self._prefetch_window()
        partner = await self._partner(row) if item is not None else None
        current = self.item_list.current_row if self._still_showing() else None
        if current is None or current.id != row.id:
            return  # the screen closed, or the cursor moved on, while the request was out
        if item is None:
            self.detail.show(problem)
        else:
            self._show_item(item, partner)

    @work(group="detail-fetch", exclusive=True, name="prefetch")
    async def prefetch_around(self, row: Row) -> None:
        await asyncio.sleep(SELECTION_SETTLE_S)  # holding j: only where the cursor stops
        self._prefetch_window()
        self._prerender_window()

    def _prefetch_window(self, *, start: bool = True) -> None:
        """Fetch the items just ahead of and behind the cursor; drop fetches it has left."""
        cursor, view = self.item_list.cursor, self.item_list.view
        first, last = max(cursor - PREFETCH_BEHIND, 0), min(cursor + PREFETCH_AHEAD, view.line_count() - 1)
        # The selected item first: it is the one the user waits for.
        order = [cursor, *range(cursor + 1, last + 1), *range(cursor - 1, first - 1, -1)]
        ids = [line.id for n in order if isinstance(line := view.line(n), Row) and line.id]
        self.prefetcher.keep_only(ids, self.include, start=start)

    def _prerender_window(self) -> None:
        """Render the fetched items next to the cursor to lines in the background, nearest
        first, so that the next key press draws its item at once, in the same frame as the
        cursor."""
        if not self._still_showing():
            return
        cursor, view = self.item_list.cursor, self.item_list.view
        documents = []
        for n in (cursor + 1, cursor - 1, *range(cursor + 2, cursor + PREFETCH_AHEAD + 1)):
            line = view.line(n) if 0 <= n < view.line_count() else None
            if isinstance(line, Row) and line.id and (item := self.items.cached(line.id, self.include)):
                partner = self._cached_partner(line)
                if (key := self._document_key(item, partner)) is not None:
                    documents.append((key, self._document_factory(item, partner)))
        self.detail.prerender(documents)

    def _still_showing(self) -> bool:
        """False once the screen or its panes are being taken down (quit, escape)."""
        return self.is_attached and self.detail.is_attached

    async def _partner(self, row: Row) -> Item | None:
        for partner_id in self.engine.index.partners(row):
            try:
                return await self.items.get(partner_id, self.include)
            except APIError:
                return None  # the partner is a nicety; the item itself is shown anyway
        return None

    def _reading_context(self, row: Row) -> RenderContext:
        partner = next((self.loaded.get(i, self.include) for i in self.engine.index.partners(row)), None)
        return RenderContext(include=self.include, partner=partner)

    def _cached_partner(self, row: Row) -> Item | None:
        for partner_id in self.engine.index.partners(row):
            return self.items.cached(partner_id, self.include)
        return None

    def _show_item(self, item: Item, partner: Item | None, *, keep_scroll: bool = False) -> None:
        same_item = keep_scroll or (self.shown_item is not None and self.shown_item.id == item.id)
        self.shown_item = item
        self.detail.show(
            self._document_factory(item, partner),
            key=self._document_key(item, partner),
            keep_scroll=same_item,
        )

    def _document_factory(self, item: Item, partner: Item | None) -> Callable[[], Document]:
        """What the detail pane draws for `item` as things stand (raw or not, how much of it)."""
        context = RenderContext(
            include=self.include,
            partner=partner,
            char_limit=RenderContext.char_limit * self.limit_factor,
            line_limit=RenderContext.line_limit * self.limit_factor,
        )
        render = render_raw if self.raw else render_item
        return lambda: render(item, context)

    def _document_key(self, item: Item, partner: Item | None) -> Hashable | None:
        """Everything `_document_factory`'s document depends on: lines rendered for an equal key
        may be drawn again. None when the item has no id to tell it by (a server's fault)."""
        if not item.id:
            return None
        return (item.id, self.include, self.raw, self.limit_factor, partner.id if partner else None)

    def _refresh_detail(self, *, keep_scroll: bool = False) -> None:
        self.shown_item = None
        self.show_selected(keep_scroll=keep_scroll)

    # --- actions: navigation ---------------------------------------------------------------------

    def action_pair(self) -> None:
        row = self.reading.current_row if self.in_reading_view else self.item_list.current_row
        if row is None or not row.links:
            self.notify("This item has no call or output to pair with.", severity="warning")
            return
        partners = self.engine.index.partners(row)
        if not partners:
            self.notify("Its pair is not loaded yet.", severity="warning")
            return
        if self.in_reading_view and (line := self.reading.view.line_of(partners[0])) is not None:
            self.reading.move_cursor(line)
        elif self.in_reading_view or not self.item_list.go_to_item(partners[0]):
            self.notify("Its pair is hidden by the type filter.", severity="warning")

    def action_cycle_filter(self) -> None:
        names = [f.name for f in FILTER_CYCLE]
        position = names.index(self.type_filter.name) if self.type_filter.name in names else -1
        self._apply_filter(FILTER_CYCLE[(position + 1) % len(FILTER_CYCLE)])

    def palette_commands(self) -> list[PaletteCommand]:
        """One palette command per view, beyond `t` cycling through them."""
        return [
            PaletteCommand(
                f"View: {'all items' if view.shows_all else view.name}",
                "key: t cycles the views",
                functools.partial(self._apply_filter, view),
            )
            for view in FILTER_CYCLE
        ]

    def action_filter_menu(self) -> None:
        seen = self.engine.index.types_present()
        self.app.push_screen(FilterMenu(self.type_filter, seen), self._filter_chosen)

    def _filter_chosen(self, chosen: TypeFilter | None) -> None:
        if chosen is not None:
            self._apply_filter(chosen)

    def _apply_filter(self, type_filter: TypeFilter) -> None:
        self.type_filter = type_filter
        self.header.filter_name = None if type_filter.shows_all else type_filter.name
        server_type = self._server_side_type(type_filter)
        if server_type is not None:
            self.item_list.use_engine(self._engine_for_type(server_type))
            self.item_list.set_filter(None)
            self.header.filter_name += " (by the server)"
        else:
            self.item_list.use_engine(self.engine)
            self.item_list.set_filter(None if type_filter.shows_all else type_filter.accepts)
        if self.in_reading_view:
            self.reading.show(self.item_list.view, self.item_list.engine, self.item_list.cursor)
        self.header.show()

    def _server_side_type(self, type_filter: TypeFilter) -> str | None:
        """The one type to ask the server for, when it can filter (item_type) and one suffices."""
        caps = getattr(self.app, "capabilities", None)
        if caps is None or not caps.item_type_filter or type_filter.groups or len(type_filter.types) != 1:
            return None
        return next(iter(type_filter.types))

    def _engine_for_type(self, item_type: str) -> PagingEngine:
        """An engine paging only `item_type` items; the previous one is closed."""
        if self._typed_engine is not None and self._typed_engine.item_type == item_type:
            return self._typed_engine
        if self._typed_engine is not None:
            self.run_worker(self._typed_engine.close(), group="typed-engine-close")
        self._typed_engine = PagingEngine(
            self.client,
            self.engine.conversation_id,
            item_type=item_type,
            on_change=self._engine_changed,
            honours_after=self.engine.honours_after,
        )
        self._typed_engine.conversation = self.engine.conversation
        self._typed_engine.page_listeners.append(self.loaded.page_arrived)
        self._typed_engine.start()
        return self._typed_engine

    def action_toggle_reading(self) -> None:
        """List ⇄ reading view, with the same item under the cursor both ways."""
        if self.in_reading_view:
            self.remove_class("reading")
            self.item_list.focus()
            self.item_list.move_cursor(self.reading.cursor)
        else:
            self.add_class("reading")
            self.reading.show(self.item_list.view, self.item_list.engine, self.item_list.cursor)
            self.reading.focus()

    def action_switch_focus(self) -> None:
        if self.in_reading_view:
            return
        if self.item_list.has_focus and not self.has_class("zoomed"):
            self.detail.focus()
        else:
            self.item_list.focus()

    def action_zoom(self) -> None:
        if self.in_reading_view:
            return
        self.toggle_class("zoomed")
        if self.has_class("zoomed"):
            self.detail.focus()

    # --- actions: search -------------------------------------------------------------------------

    def action_search(self) -> None:
        # Decided now: once the search box has focus, neither pane does.
        self._search_in_detail = self._searching_detail
        search = self.query_one("#search", Input)
        search.add_class("open")
        search.focus()

    @on(Input.Submitted, "#search")
    def search_submitted(self, event: Input.Submitted) -> None:
        self.search_term = event.value.strip()
        self._close_search()
        also = frozenset(self._fetched_matches(self.search_term)) if self.search_term else frozenset()
        self.item_list.set_search(self.search_term, also)
        self.detail.set_search(self.search_term)
        self.reading.set_search(self.search_term)
        if self.search_term:
            self._find(backwards=False)
        self._show_search_count()

    def _show_search_count(self) -> None:
        """'match 3 of 12' in the header while a search is on (counted over loaded rows)."""
        search = None
        if self.search_term:
            search = (self.search_term, *self.item_list.match_position())
        if search != self.header.search:
            self.header.search = search
            self.header.show()

    def _close_search(self) -> None:
        search = self.query_one("#search", Input)
        search.remove_class("open")
        if self.in_reading_view:
            self.reading.focus()
            return
        (self.detail if self._searching_detail else self.item_list).focus()

    @property
    def _searching_detail(self) -> bool:
        if self.query_one("#search", Input).has_focus:
            return self._search_in_detail
        return self.has_class("zoomed") or self.detail.has_focus

    def action_search_next(self) -> None:
        self._find(backwards=False)

    def action_search_previous(self) -> None:
        self._find(backwards=True)

    def _find(self, *, backwards: bool) -> None:
        term = self.search_term
        if not term:
            self.action_search()
            return
        if self.in_reading_view:
            found = self.reading.find(term, backwards=backwards, also=self._fetched_matches(term))
        elif self._searching_detail:
            found = self.detail.find(term, backwards=backwards)
        else:
            found = self.item_list.find(term, backwards=backwards, also=self._fetched_matches(term))
        if not found:
            self.notify(f"No match for {visible(term)!r} in what is loaded.", severity="warning", markup=False)

    def _fetched_matches(self, term: str) -> set[str]:
        """Ids of fetched items whose full JSON contains `term` (beyond the one-line summary)."""
        needle = term.casefold()
        fetched = self.items.fetched()
        if self.in_reading_view:
            fetched = [*fetched, *self.loaded.fetched()]
        return {item.id for item in fetched if item.id and needle in export.item_json(item).casefold()}

    # --- actions: the item -----------------------------------------------------------------------

    def action_toggle_raw(self) -> None:
        self.raw = not self.raw
        self._refresh_detail()

    def action_more(self) -> None:
        self.limit_factor *= MORE_FACTOR
        self._refresh_detail(keep_scroll=True)  # more below the marker; the reader stays put
        self.notify(f"Showing up to {self.limit_factor}× more of long fields.")

    def action_include_menu(self) -> None:
        self.app.push_screen(IncludeMenu(INCLUDE_VALUES, self.include), self._include_chosen)

    def _include_chosen(self, chosen: frozenset[str] | None) -> None:
        if chosen is None or chosen == self.include:
            return
        self.include = chosen
        self.header.include = chosen
        self.header.show()
        self._refresh_detail()
        self.reading.include_changed(chosen)

    def action_copy(self) -> None:
        if self.shown_item is None:
            self.notify("Nothing fetched to copy yet.", severity="warning")
            return
        text = export.item_json(self.shown_item)
        self.app.copy_to_clipboard(text)
        self.notify(f"Copied the item's JSON ({len(text.encode()):,} bytes) to the clipboard (OSC 52).")

    def action_pager(self) -> None:
        if self.shown_item is None:
            self.notify("Nothing fetched to show yet.", severity="warning")
            return
        problem = export.open_in_pager(self.app, export.item_json(self.shown_item, indent=2))
        if problem:
            self.notify(problem, severity="error", markup=False)

    def action_save_image(self) -> None:
        """Save every image the shown item holds, into a folder the user confirms."""
        if self.shown_item is None:
            self.notify("Nothing fetched to save yet.", severity="warning")
            return
        images = image_payloads(self.shown_item)
        if not images:
            self.notify(self._no_image_reason(self.shown_item), severity="warning", markup=False)
            return
        names = [name for name, _ in images]
        self.app.push_screen(
            SaveImagesScreen(names, export.images_folder()), functools.partial(self._save_images, images)
        )

    def _no_image_reason(self, item: Item) -> str:
        """Why `s` found nothing; where the server left images out, how to ask for them."""
        gated = IMAGE_INCLUDES.get(item.type or "")
        might_hold = item.type != "message" or any(
            isinstance(part, dict) and part.get("type") == "input_image" for part in item.raw.get("content") or []
        )
        left_out = [gated] if gated and might_hold and gated not in self.include else []
        if not left_out:
            return "This item holds no image to save."
        return (
            "This item holds no image to save. The server leaves some fields out unless asked:"
            f" press i and tick {', '.join(left_out)}."
        )

    def _save_images(self, images: list[tuple[str, bytes]], folder: Path | None) -> None:
        if folder is None:
            return
        try:
            paths = export.save_images(images, folder)
        except OSError as error:
            reason = error.strerror or type(error).__name__
            self.notify(f"Could not save into {visible(str(folder))}: {reason}", severity="error", markup=False)
            return
        what = "1 image" if len(paths) == 1 else f"{len(paths):,} images"
        names = ", ".join(visible(path.name) for path in paths)
        self.notify(f"Saved {what} to {visible(str(folder))}: {names}", markup=False, timeout=10)

    def action_export(self) -> None:
        dialog = ExportDialog(
            self.client, self.engine.conversation_id, view=self.type_filter, include=self.include
        )
        self.app.push_screen(dialog, self._exported)

    def _exported(self, result: ExportResult | None) -> None:
        if result is not None:
            self.notify(describe_result(result), markup=False,
                        severity="information" if result.complete else "warning")

    def action_fetch_images(self) -> None:
        item = self._item_under_cursor()
        urls = remote_urls(item) if item is not None else []
        if not urls:
            self.notify("This item has no image behind a URL to fetch.", severity="warning")
            return
        self.fetch_images(urls)

    def _item_under_cursor(self) -> Item | None:
        if not self.in_reading_view:
            return self.shown_item
        row = self.reading.current_row
        return self.loaded.get(row.id, self.include) if row is not None and row.id is not None else None

    @work(group="fetch-images", exclusive=True, name="fetch-images")
    async def fetch_images(self, urls: list[str]) -> None:
        for url in urls:
            try:
                size = await fetch_image(url)
            except RemoteImageError as error:
                log.warning("could not fetch an image: %s", error)
                self.notify(f"Could not fetch the image: {error}", severity="error", markup=False)
                continue
            self.notify(f"Fetched an image ({human_size(size)}).")
        if self.is_attached:
            self.detail.forget_rendered()  # documents drawn before the images came
            self._refresh_detail()
            self.reading.rebuild()

    # --- actions: loading ------------------------------------------------------------------------

    def key_changed(self) -> None:
        self.action_retry()

    def action_retry(self) -> None:
        if self.header.problem:
            self.header.problem = None
            self.load_conversation()
        if self.engine.resume_load_all:
            self.action_load_all()  # `L` stopped at a failure: carry on with it, not just a page
        else:
            self.engine.retry()

    @work(group="load-all", exclusive=True, name="load-all")
    async def action_load_all(self) -> None:
        self.notify("Loading every item from both ends…")
        self.engine.retry(restart_stalled=False)  # edges that failed before start again too
        await self.engine.load_all()
        if self.engine.complete:
            self.notify(f"All {len(self.engine.index):,} items loaded.")

    def action_toggle_follow(self) -> None:
        if self.engine.following:
            self.engine.stop_following()
            self.notify("Stopped following.")
        else:
            self.engine.follow()
            self.notify("Following: new items appear as they arrive.")
        self.header.show()

    def action_copy_to(self) -> None:
        """From the palette: copy this conversation to another server (asks where first)."""
        from convoscope.tui.screens.copy import CopyScreen

        self.app.push_screen(CopyScreen(self.client, self.engine.conversation_id))

    def action_keys(self) -> None:
        self.app.action_keys()  # type: ignore[attr-defined]

    def action_back(self) -> None:
        """Escape closes what is open, innermost first: search, zoom, then the conversation."""
        if self.query_one("#search", Input).has_class("open"):
            self._close_search()
        elif self.has_class("zoomed"):
            self.action_zoom()
        elif self.in_reading_view:
            self.action_toggle_reading()
        else:
            self.dismiss()


def _row_document(row: Row) -> Document:
    title = f"{row.type} · {row.label}" + (f" · {row.status}" if row.status else "")
    notes = [row.problem] if row.problem else []
    body = Text(visible(row.text))
    sections = [Section("Summary", body)]
    if row.id is None:
        notes.append("This item has no id, so the server cannot return it alone.")
    return Document(title=title, sections=sections, notes=notes)


def _error_document(row: Row, error: APIError) -> Document:
    document = _row_document(row)
    document.notes.append(f"Could not fetch the full item: {error}")
    return document
