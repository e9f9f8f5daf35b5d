"""The picker's list of conversations: recent ones from history, then the server's own listing."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.message import Message
from textual.strip import Strip

from convoscope.render.text import visible
from convoscope.tui.widgets.line_list import LineList, text_strip


@dataclass(frozen=True)
class PickerEntry:
    conversation_id: str
    title: str
    created_at: int | None
    last_opened: float | None  # set for entries from the local history

    def matches(self, needle: str) -> bool:
        return needle in self.conversation_id.lower() or needle in self.title.lower()


class ConversationList(LineList):
    """Conversations to open.

    | Key | Action |
    | :- | :- |
    | `enter` | Open the conversation. |
    | `d`, `delete` | Forget a conversation from the recent history. |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("d,delete", "forget", "Forget", id="picker.forget_in_list"),
    ]
    DEFAULT_CSS = """
    ConversationList > .conversation-list--id { text-style: bold; }
    ConversationList > .conversation-list--recent { color: $accent; }
    ConversationList > .conversation-list--dim { color: $text-muted; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "conversation-list--id",
        "conversation-list--recent",
        "conversation-list--dim",
    }

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.entries: list[PickerEntry] = []
        self.id_width = 24

    def show_entries(self, entries: list[PickerEntry]) -> None:
        self.entries = entries
        longest = max((len(e.conversation_id) for e in entries), default=24)
        self.id_width = min(max(longest, 24), 60)
        self.lines_changed()

    @property
    def highlighted(self) -> PickerEntry | None:
        return self.entries[self.cursor] if self.cursor < len(self.entries) else None

    def line_count(self) -> int:
        return len(self.entries)

    def line_key(self, index: int) -> object:
        return (self.entries[index], self.id_width)

    def render_line_at(self, index: int, width: int, cursor: bool) -> Strip:
        entry = self.entries[index]
        dim = self.get_component_rich_style("conversation-list--dim")
        when = _when(entry)
        marker = "★ " if entry.last_opened else "  "
        return text_strip(
            [
                (f" {marker}", self.get_component_rich_style("conversation-list--recent")),
                (visible(entry.conversation_id).ljust(self.id_width) + "  ", self.get_component_rich_style("conversation-list--id")),
                (f"{when:<18} ", dim),
                (visible(entry.title), self.rich_style),
            ]
        )

    class ForgetRequested(Message):
        """The user asked to remove `entry` from the recent history."""

        def __init__(self, entry: PickerEntry) -> None:
            super().__init__()
            self.entry = entry

    def action_forget(self) -> None:
        if self.highlighted is not None:
            self.post_message(self.ForgetRequested(self.highlighted))


def _when(entry: PickerEntry) -> str:
    if entry.last_opened:
        return f"opened {_ago(entry.last_opened)}"
    if entry.created_at:
        return datetime.fromtimestamp(entry.created_at, UTC).strftime("%Y-%m-%d %H:%M")
    return ""


def _ago(timestamp: float) -> str:
    seconds = max(time.time() - timestamp, 0)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{int(seconds // size)}{unit} ago"
    return "just now"
