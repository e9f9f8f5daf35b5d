"""The Textual application: the picker first, a conversation screen on top of it."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import App
from textual.binding import Binding, BindingType

from convoscope.api import ConversationsClient
from convoscope.storage.history import History
from convoscope.storage.paths import data_dir
from convoscope.tui.screens.conversation import ConversationScreen
from convoscope.tui.screens.picker import PickerScreen


class ConvoscopeApp(App[None]):
    """convoscope's viewer.

    | Key | Action |
    | :- | :- |
    | `q`, `ctrl+c` | Quit. |
    """

    TITLE = "convoscope"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q,ctrl+c", "quit", "Quit", priority=True, id="app.quit"),
        Binding("q", "quit", "Quit", id="app.quit_q"),
    ]

    def __init__(
        self,
        client: ConversationsClient,
        conversation_id: str | None = None,
        *,
        history: History | None = None,
    ) -> None:
        super().__init__()
        self.client = client
        self.initial_conversation = conversation_id
        self.history = history or History(data_dir() / "history.json")

    def on_mount(self) -> None:
        self.push_screen(PickerScreen(self.client, self.history))
        if self.initial_conversation:
            self.open_conversation(self.initial_conversation)

    def open_conversation(self, conversation_id: str) -> None:
        self.push_screen(ConversationScreen(self.client, conversation_id, self.history))

    @on(PickerScreen.Open)
    def picker_open(self, event: PickerScreen.Open) -> None:
        self.open_conversation(event.conversation_id)

    async def on_unmount(self) -> None:
        await self.client.aclose()
