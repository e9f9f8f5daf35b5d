"""One conversation: header, item list, and the paging engine behind them."""

from __future__ import annotations

from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer

from convoscope.api import APIError, ConversationsClient
from convoscope.paging.engine import PagingEngine
from convoscope.storage.history import History
from convoscope.tui.widgets.conversation_header import ConversationHeader
from convoscope.tui.widgets.item_list import ItemList


class ConversationScreen(Screen[None]):
    """Browse one conversation.

    | Key | Action |
    | :- | :- |
    | `r` | Retry loading where it failed. |
    | `L` | Load all items (from both ends at once). |
    | `F` | Follow: poll for new items and refresh in-progress ones. |
    | `escape` | Back to the conversation picker. |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "retry", "Retry", id="conversation.retry"),
        Binding("L", "load_all", "Load all", id="conversation.load_all"),
        Binding("F", "toggle_follow", "Follow", id="conversation.follow"),
        Binding("escape", "back", "Conversations", id="conversation.back"),
    ]

    def __init__(
        self, client: ConversationsClient, conversation_id: str, history: History | None = None
    ) -> None:
        super().__init__()
        self.client = client
        self.history = history
        self.engine = PagingEngine(client, conversation_id, on_change=self._engine_changed)

    def compose(self) -> ComposeResult:
        yield ConversationHeader(self.engine, id="header")
        yield ItemList(self.engine, id="items")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(ConversationHeader).show()
        self.query_one(ItemList).focus()
        self.engine.start()
        self.load_conversation()

    async def on_unmount(self) -> None:
        await self.engine.close()

    @work(group="conversation", exclusive=True, name="load-conversation")
    async def load_conversation(self) -> None:
        header = self.query_one(ConversationHeader)
        try:
            conversation = await self.client.retrieve_conversation(self.engine.conversation_id)
        except APIError as error:
            header.problem = str(error)
            header.show()
            return
        self.engine.conversation = conversation
        header.show()
        if self.history is not None:
            self.history.remember(
                self.client.profile.base_url,
                conversation.id,
                metadata=conversation.metadata or {},
                created_at=conversation.created_at if isinstance(conversation.created_at, int) else None,
            )

    def _engine_changed(self) -> None:
        if not self.is_mounted:
            return
        self.query_one(ItemList).engine_changed()
        self.query_one(ConversationHeader).show()

    def action_retry(self) -> None:
        self.engine.retry()

    @work(group="load-all", exclusive=True, name="load-all")
    async def action_load_all(self) -> None:
        self.notify("Loading every item from both ends…")
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
        self.query_one(ConversationHeader).show()

    def action_back(self) -> None:
        self.dismiss()
