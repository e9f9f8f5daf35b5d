"""The first screen: pick a conversation from history or the server's listing, or paste an id."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from convoscope.api import APIError, ConversationsClient
from convoscope.api.capabilities import detect_capabilities
from convoscope.api.files import FILE_SERVER, looks_like_file
from convoscope.api.locators import conversation_id_in, is_http_url
from convoscope.api.responses import response_id_in
from convoscope.storage import capabilities_cache
from convoscope.render.text import visible
from convoscope.storage.history import History, HistoryEntry
from convoscope.tui.commands import ScreenActions
from convoscope.tui.screens.login import KeyAware
from convoscope.tui.widgets.conversation_list import ConversationList, PickerEntry

LISTING_PAGE = 100


class PickerScreen(Screen[None], KeyAware):
    """Choose a conversation; posts `Open` with its id.

    | Key | Action |
    | :- | :- |
    | type | Filter the list; or paste a conversation id or a URL containing one. |
    | `enter` | Open the highlighted conversation (or the pasted id). |
    | `up` / `down` | Move in the list while typing. |
    | `ctrl+x` | Forget the highlighted conversation from the recent history. |
    | `ctrl+z` | Undo the last forget. |
    | `ctrl+r` | Retry a failed listing; detect again what the server offers. |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "list_up", "Up", show=False, id="picker.up"),
        Binding("down", "list_down", "Down", show=False, id="picker.down"),
        # Priority: the filter Input would otherwise take ctrl+x as "cut".
        Binding("ctrl+x", "forget", "Forget", priority=True, id="picker.forget",
                tooltip="Forget the highlighted conversation (from your history)"),
        Binding("ctrl+z", "undo_forget", "Undo forget", show=False, id="picker.undo_forget",
                tooltip="Bring back the conversation just forgotten"),
        Binding("ctrl+r", "detect", "Retry / re-check", id="picker.detect",
                tooltip="Retry a failed listing; detect again what this server offers (listing, item_type, …)"),
    ]
    COMMANDS = {ScreenActions}
    DEFAULT_CSS = """
    PickerScreen #picker-title { height: 1; padding: 0 1; background: $panel; }
    PickerScreen #picker-status { height: 1; padding: 0 1; color: $text-muted; }
    PickerScreen #picker-capabilities { height: 1; padding: 0 1; color: $text-muted; background: $panel; }
    """

    class Open(Message):
        """Open this conversation."""

        def __init__(self, conversation_id: str) -> None:
            super().__init__()
            self.conversation_id = conversation_id

    def __init__(self, client: ConversationsClient, history: History) -> None:
        super().__init__()
        self.client = client
        self.history = history
        self.server = client.profile.base_url
        self.listed: list[PickerEntry] = []  # from the server's listing, in its order
        self._listing_cursor: str | None = None
        self._listing_more = True
        self._listing_status: Text | str = ""  # what the status line says when nothing is typed
        self._forgotten: list[HistoryEntry] = []  # for ctrl+z

    def compose(self) -> ComposeResult:
        where = "the bundled demo (in-process, no network)" if self.client.profile.name == "demo" else self.server
        yield Static(Text(f"convoscope · {visible(where)}"), id="picker-title")
        yield Static("", id="picker-capabilities")
        yield Input(placeholder="Filter, or paste a conversation id or URL · Enter opens", id="filter")
        yield Static("", id="picker-status")
        yield ConversationList(id="conversations")
        yield Footer()

    def on_mount(self) -> None:
        if problem := self.history.new_problem():
            self.notify(problem, severity="warning", timeout=15, markup=False)
        self.query_one(Input).focus()
        self.refresh_entries()
        self.load_listing()
        self.check_capabilities()

    # --- what the server offers ------------------------------------------------------------------

    @work(group="capabilities", exclusive=True, name="detect-capabilities")
    async def check_capabilities(self, *, refresh: bool = False) -> None:
        """Cached per profile and server; detected (a few cheap requests) when unknown or old."""
        profile = self.client.profile
        line = self.query_one("#picker-capabilities", Static)
        caps = None if refresh else capabilities_cache.load(profile.name, profile.base_url)
        if caps is None:
            line.update("Checking what this server offers…")
            caps = await detect_capabilities(self.client)
            capabilities_cache.save(profile.name, profile.base_url, caps)
        caps.apply(self.client)
        self.app.capabilities = caps  # type: ignore[attr-defined]
        line.update(Text(f"server: {caps.describe()}"))

    def action_detect(self) -> None:
        self.check_capabilities(refresh=True)
        if self._listing_failed:
            self.load_listing()

    def key_changed(self) -> None:
        self.load_listing()

    def on_screen_resume(self) -> None:
        self.refresh_entries()
        self.query_one(ConversationList).move_cursor(0)  # the one just opened is first now

    # --- entries ---------------------------------------------------------------------------------

    def all_entries(self) -> list[PickerEntry]:
        history = self.history.entries(self.server)
        if self.server != FILE_SERVER:  # recent saved files open from any server's picker
            history = sorted(history + self.history.entries(FILE_SERVER), key=lambda e: -e.last_opened)
        recent = [PickerEntry(e.conversation_id, e.title, e.created_at, e.last_opened) for e in history]
        seen = {e.conversation_id for e in recent}
        return recent + [e for e in self.listed if e.conversation_id not in seen]

    def refresh_entries(self) -> None:
        needle = self.query_one(Input).value.strip().lower()
        entries = self.all_entries()
        total = len(entries)
        filtering = bool(needle) and not needle.startswith(("http://", "https://"))
        if filtering:
            entries = [e for e in entries if e.matches(needle)]
        self.query_one(ConversationList).show_entries(entries)
        status = self.query_one("#picker-status", Static)
        status.update(f"{len(entries):,} of {total:,} match" if filtering else self._listing_status)

    def _set_listing_status(self, text: Text | str) -> None:
        self._listing_status = text
        self.refresh_entries()

    @property
    def _listing_failed(self) -> bool:
        return isinstance(self._listing_status, Text) and self._listing_status.plain.startswith("Could not list")

    @work(group="listing", exclusive=True, name="list-conversations")
    async def load_listing(self) -> None:
        if not self._listing_more:
            return
        self._set_listing_status("Loading the server's conversations…")
        try:
            page = await self.client.list_conversations(limit=LISTING_PAGE, after=self._listing_cursor)
        except APIError as error:
            # The hint first: a long error is cut at the screen's edge.
            self._set_listing_status(
                Text(f"Could not list conversations (ctrl+r retries): {visible(str(error))}", style="red")
            )
            self.app.auth_failed(error)  # type: ignore[attr-defined]
            return
        if page is None:
            self._listing_more = False
            self._set_listing_status("This server has no conversation listing: paste an id to open one.")
            return
        self.listed.extend(
            PickerEntry(c.id, str((c.metadata or {}).get("title", "")), c.created_at, None)
            for c in page.data
        )
        self._listing_cursor = page.last_id or (page.data[-1].id if page.data else None)
        self._listing_more = bool(page.has_more and page.data and self._listing_cursor)
        more = " (more below)" if self._listing_more else ""
        self._set_listing_status(f"{len(self.listed):,} conversations on the server{more}")

    # --- events ----------------------------------------------------------------------------------

    @on(Input.Changed, "#filter")
    def filter_changed(self) -> None:
        self.refresh_entries()

    @on(Input.Submitted, "#filter")
    def submitted(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        if looks_like_file(value) or response_id_in(value):  # the app finds a response's conversation
            self.post_message(self.Open(value))
            return
        # A pasted URL names its conversation; it does not filter, so never open the highlight.
        if is_http_url(value) and (pasted := conversation_id_in(value)):
            self.post_message(self.Open(pasted))
            return
        entry = self.query_one(ConversationList).highlighted
        if entry is not None:
            self.post_message(self.Open(entry.conversation_id))
            return
        conversation_id = conversation_id_in(event.value)
        if conversation_id:
            self.post_message(self.Open(conversation_id))
        else:
            self.notify("No conversation id found in that text.", severity="warning")

    @on(ConversationList.Selected)
    def selected(self, event: ConversationList.Selected) -> None:
        entry = self.query_one(ConversationList).highlighted
        if entry is not None:
            self.post_message(self.Open(entry.conversation_id))

    @on(ConversationList.ForgetRequested)
    def forget_requested(self, event: ConversationList.ForgetRequested) -> None:
        self._forget(event.entry)

    def on_line_list_cursor_moved(self, event: ConversationList.CursorMoved) -> None:
        entries = self.query_one(ConversationList).entries
        if self._listing_more and event.index >= len(entries) - 20:
            self.load_listing()

    def action_list_up(self) -> None:
        self.query_one(ConversationList).action_cursor_up()

    def action_list_down(self) -> None:
        self.query_one(ConversationList).action_cursor_down()

    def action_forget(self) -> None:
        entry = self.query_one(ConversationList).highlighted
        if entry is not None:
            self._forget(entry)

    def _forget(self, entry: PickerEntry) -> None:
        if entry.last_opened is None:
            self.notify("That conversation is not in your history.", severity="warning")
            return
        gone = [self.history.forget(server, entry.conversation_id) for server in (self.server, FILE_SERVER)]
        self._forgotten = [entry for entry in gone if entry is not None]
        if problem := self.history.new_problem():
            self.notify(problem, severity="warning", timeout=15, markup=False)
        self.notify(f"Forgot {visible(entry.conversation_id)}. ctrl+z brings it back.", markup=False, timeout=10)
        self.refresh_entries()

    def action_undo_forget(self) -> None:
        entries, self._forgotten = self._forgotten, []
        if not entries:
            self.notify("Nothing to undo.", severity="warning")
            return
        for entry in entries:
            self.history.restore(entry)
        if problem := self.history.new_problem():
            self.notify(problem, severity="warning", timeout=15, markup=False)
        self.notify(f"{visible(entries[0].conversation_id)} is back in your history.", markup=False)
        self.refresh_entries()
