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
    ConversationList > .conversation-list--dim { color: $list-muted; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "conversation-list--id",
        "conversation-list--recent",
        "conversation-list--dim",
    }

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.entries: list[PickerEntry] = []
        self.id_width = 24  # the id column's natural width (the longest id, 24 to 60)
        self.title_width = 0  # the longest title

    def show_entries(self, entries: list[PickerEntry]) -> None:
        self.entries = entries
        longest = max((len(e.conversation_id) for e in entries), default=24)
        self.id_width = min(max(longest, 24), 60)
        self.title_width = max((len(e.title) for e in entries), default=0)
        self.lines_changed()

    def columns(self, width: int) -> tuple[int, int]:
        """(id width, date width) on a list `width` cells wide.

        The title keeps up to a third of the width; the id column gives way first (shortened
        in the middle), and the date goes before the id gets shorter than MIN_ID.
        """
        title = min(self.title_width, width // 3)
        for when in (WHEN_WIDTH, 0):
            id_width = min(self.id_width, width - LEAD - 2 - when - title)
            if id_width >= MIN_ID_WITH_DATE or when == 0:
                return max(id_width, MIN_ID), when
        raise AssertionError("unreachable")

    @property
    def highlighted(self) -> PickerEntry | None:
        return self.entries[self.cursor] if self.cursor < len(self.entries) else None

    def line_count(self) -> int:
        return len(self.entries)

    def line_key(self, index: int) -> object:
        return (self.entries[index], self.id_width, self.title_width)

    def render_line_at(self, index: int, width: int, cursor: bool) -> Strip:
        entry = self.entries[index]
        dim = self.get_component_rich_style("conversation-list--dim")
        id_width, when_width = self.columns(width)
        marker = "★ " if entry.last_opened else "  "
        pieces = [
            (f" {marker}", self.get_component_rich_style("conversation-list--recent")),
            (shorten(visible(entry.conversation_id), id_width).ljust(id_width) + "  ",
             self.get_component_rich_style("conversation-list--id")),
        ]
        if when_width:
            pieces.append((f"{_when(entry):<{when_width - 1}} ", dim))
        pieces.append((visible(entry.title), self.rich_style))
        return text_strip(pieces)

    class ForgetRequested(Message):
        """The user asked to remove `entry` from the recent history."""

        def __init__(self, entry: PickerEntry) -> None:
            super().__init__()
            self.entry = entry

    def action_forget(self) -> None:
        if self.highlighted is not None:
            self.post_message(self.ForgetRequested(self.highlighted))


LEAD = 3  # " ★ "
WHEN_WIDTH = 19
MIN_ID = 14
MIN_ID_WITH_DATE = 20


def shorten(text: str, width: int) -> str:
    """`text` in `width` cells: its start and, when there is room, its end, around an ellipsis."""
    if len(text) <= width:
        return text
    tail = 6 if width >= 20 else 0
    return text[: width - 1 - tail] + "…" + (text[-tail:] if tail else "")


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
