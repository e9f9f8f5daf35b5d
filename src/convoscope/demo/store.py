"""Per-app state: conversations, and each one's items as a base source plus an overlay.

A conversation's base items come from a read-only *source* (a bundled JSON file, a
synthetic generator, or nothing for conversations created through the API). Every change
made through the API lives in one generic overlay per conversation (items appended, ids
deleted), so bundled data is never mutated and a synthetic conversation never has to be
built in memory.
"""

from __future__ import annotations

import copy
import secrets
import time
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, Protocol

from convoscope.demo.bundled import BundledConversation, BundledItems
from convoscope.demo.errors import conversation_not_found
from convoscope.demo.pages import Walk
from convoscope.demo.synthetic import (
    DISCOVERABLE_SIZES,
    SyntheticItems,
    synthetic_conversation,
    synthetic_conversation_id,
    synthetic_size,
)


class ItemSource(Protocol):
    """Read-only, indexable items, oldest first."""

    def __len__(self) -> int: ...
    def item_at(self, index: int) -> dict[str, Any]: ...
    def type_at(self, index: int) -> str: ...
    def id_at(self, index: int) -> str: ...
    def index_of(self, item_id: str) -> int | None: ...
    def may_contain(self, item_type: str) -> bool: ...
    def positions_of_type(self, item_type: str, positions: range) -> Iterator[int]:
        """The positions in `positions` (in its order) whose item has `item_type`."""
        ...


class NoItems:
    """The base of a conversation created through the API."""

    def __len__(self) -> int:
        return 0

    def item_at(self, index: int) -> dict[str, Any]:
        raise IndexError(index)

    type_at = id_at = item_at  # type: ignore[assignment]

    def index_of(self, item_id: str) -> int | None:
        return None

    def may_contain(self, item_type: str) -> bool:
        return False

    def positions_of_type(self, item_type: str, positions: range) -> Iterator[int]:
        return iter(())


class Timeline:
    """A conversation's items: positions 0..len(base)-1 are the base, then appended items.

    Deleted items keep their positions, so a cursor naming one still says where to resume,
    but they are never returned.
    """

    def __init__(self, base: ItemSource) -> None:
        self.base = base
        self._appended: list[dict[str, Any]] = []
        self._appended_index: dict[str, int] = {}
        self._deleted: set[str] = set()

    def __len__(self) -> int:
        return len(self.base) + len(self._appended)

    def item_at(self, position: int) -> dict[str, Any]:
        base_len = len(self.base)
        return self.base.item_at(position) if position < base_len else self._appended[position - base_len]

    def position_of(self, item_id: str) -> int | None:
        """Where `item_id` is or was (deleted items included), or None if it never was here."""
        if item_id in self._appended_index:
            return len(self.base) + self._appended_index[item_id]
        return self.base.index_of(item_id)

    def live_position_of(self, item_id: str) -> int | None:
        return None if item_id in self._deleted else self.position_of(item_id)

    def append(self, items: list[dict[str, Any]]) -> None:
        for item in items:
            self._appended_index[item["id"]] = len(self._appended)
            self._appended.append(item)

    def delete(self, item_id: str) -> bool:
        if self.live_position_of(item_id) is None:
            return False
        self._deleted.add(item_id)
        return True

    def walker(self, item_type: str | None = None) -> Walk:
        """A Walk over live items, optionally only those of `item_type`."""

        def walk(start: int, stop: int, step: int) -> Iterator[int]:
            base_len = len(self.base)
            segments = [(0, base_len, self.base), (base_len, len(self), None)]
            for lo, hi, source in segments if step > 0 else reversed(segments):
                positions = _clip(start, stop, step, lo, hi)
                if source is None:
                    yield from self._visible_appended(positions, item_type)
                elif item_type is None:
                    yield from self._visible_base(positions)
                elif source.may_contain(item_type):  # else skip, e.g. a million synthetic items at once
                    yield from self._visible_base(source.positions_of_type(item_type, positions))

        return walk

    def _visible_base(self, positions: Iterable[int]) -> Iterator[int]:
        if not self._deleted:
            return iter(positions)
        return (p for p in positions if self.base.id_at(p) not in self._deleted)

    def _visible_appended(self, positions: range, item_type: str | None) -> Iterator[int]:
        base_len = len(self.base)
        for position in positions:
            item = self._appended[position - base_len]
            if item["id"] not in self._deleted and (item_type is None or item.get("type") == item_type):
                yield position


def _clip(start: int, stop: int, step: int, lo: int, hi: int) -> range:
    """The part of range(start, stop, step) (step is +1 or -1) inside [lo, hi)."""
    if step > 0:
        return range(max(start, lo), min(stop, hi))
    return range(min(start, hi - 1), max(stop, lo - 1), -1)


@dataclass
class ConversationRecord:
    conversation: dict[str, Any]
    timeline: Timeline
    listed: bool
    """Whether the (Foundry-style) conversation list shows it."""


@dataclass
class Store:
    _records: dict[str, ConversationRecord] = field(default_factory=dict)
    _deleted: set[str] = field(default_factory=set)

    @classmethod
    def with_data(cls, bundled: dict[str, BundledConversation]) -> "Store":
        store = cls()
        for conversation_id, entry in bundled.items():
            # Deep-copy the small conversation object so metadata updates stay per app.
            store._records[conversation_id] = ConversationRecord(
                copy.deepcopy(entry.conversation), Timeline(entry.items), listed=True
            )
        for n in DISCOVERABLE_SIZES:
            store._records[synthetic_conversation_id(n)] = _synthetic_record(n, listed=True)
        return store

    def add_unlisted(self, conversation: dict[str, Any], items: list[dict[str, Any]]) -> None:
        """A read-mostly conversation served by id only (e.g. the prompt-change variants)."""
        self._records[conversation["id"]] = ConversationRecord(
            copy.deepcopy(conversation), Timeline(BundledItems.of(items)), listed=False
        )

    def get(self, conversation_id: str) -> ConversationRecord:
        if conversation_id in self._deleted:
            raise conversation_not_found(conversation_id)
        record = self._records.get(conversation_id)
        if record is None:
            n = synthetic_size(conversation_id)
            if n is None:
                raise conversation_not_found(conversation_id)
            # Any conv_synth_<N> exists on demand; remember it so changes to it persist.
            record = self._records[conversation_id] = _synthetic_record(n, listed=False)
        return record

    def create(self, metadata: dict[str, str], items: list[dict[str, Any]]) -> ConversationRecord:
        conversation_id = "conv_" + secrets.token_hex(24)
        conversation = {"id": conversation_id, "object": "conversation", "created_at": int(time.time()), "metadata": metadata}
        record = ConversationRecord(conversation, Timeline(NoItems()), listed=True)
        record.timeline.append(items)
        self._records[conversation_id] = record
        return record

    def delete(self, conversation_id: str) -> None:
        self.get(conversation_id)  # 404 if unknown or already deleted
        self._deleted.add(conversation_id)

    def listed_conversations(self) -> list[dict[str, Any]]:
        """Listed, live conversations, oldest first (ties broken by id so cursors are stable)."""
        live = [r.conversation for cid, r in self._records.items() if r.listed and cid not in self._deleted]
        return sorted(live, key=lambda c: (c.get("created_at", 0), c["id"]))


def _synthetic_record(n: int, *, listed: bool) -> ConversationRecord:
    return ConversationRecord(synthetic_conversation(n), Timeline(SyntheticItems(n)), listed=listed)
