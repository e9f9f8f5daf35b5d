"""The bundled conversations in `convoscope/demo/data/*.json`, loaded lazily and once.

Each file is `{"conversation": {...}, "items": [...oldest first...]}`. The loaded data is
shared by every app instance and treated as read-only: apps layer their changes on top
(see store.py), and responses copy before stripping fields.
"""

from __future__ import annotations

import functools
import json
import logging
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, Iterator

from convoscope.demo.pictures import with_realistic_pictures

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BundledItems:
    """A bundled conversation's items; an ItemSource (see store.py)."""

    items: tuple[dict[str, Any], ...]
    _index: dict[str, int] = field(repr=False, compare=False)
    _types: frozenset[str] = field(repr=False, compare=False)

    @classmethod
    def of(cls, items: list[dict[str, Any]]) -> "BundledItems":
        index = {item["id"]: i for i, item in enumerate(items) if isinstance(item.get("id"), str)}
        return cls(tuple(items), index, frozenset(str(item.get("type")) for item in items))

    def __len__(self) -> int:
        return len(self.items)

    def item_at(self, index: int) -> dict[str, Any]:
        return self.items[index]

    def type_at(self, index: int) -> str:
        return self.items[index].get("type", "")

    def id_at(self, index: int) -> str:
        return self.items[index].get("id", "")

    def index_of(self, item_id: str) -> int | None:
        return self._index.get(item_id)

    def may_contain(self, item_type: str) -> bool:
        return item_type in self._types

    def positions_of_type(self, item_type: str, positions: range) -> Iterator[int]:
        items = self.items
        return (p for p in positions if items[p].get("type") == item_type)


@dataclass(frozen=True)
class BundledConversation:
    conversation: dict[str, Any]
    items: BundledItems


def load_bundled(data_dir: str | Path | None = None) -> dict[str, BundledConversation]:
    """Bundled conversations by id; `data_dir` overrides the package data (tests)."""
    return _load(str(data_dir) if data_dir is not None else None)


@functools.cache
def _load(data_dir: str | None) -> dict[str, BundledConversation]:
    root: Traversable = Path(data_dir) if data_dir is not None else resources.files("convoscope.demo") / "data"
    conversations: dict[str, BundledConversation] = {}
    if not root.is_dir():
        return conversations
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".json"):
            continue
        loaded = _load_file(entry, realistic_pictures=data_dir is None)
        if loaded is None:
            continue
        conversation_id = loaded.conversation["id"]
        if conversation_id in conversations:
            log.warning("demo data: %s repeats conversation id %s; keeping the first", entry.name, conversation_id)
            continue
        conversations[conversation_id] = loaded
    return conversations


def _load_file(entry: Traversable, *, realistic_pictures: bool = True) -> BundledConversation | None:
    # A broken file should not take the whole demo server down; say so and skip it.
    try:
        document = json.loads(entry.read_text(encoding="utf-8"))
        conversation = dict(document["conversation"])
        items = document["items"]
        if not isinstance(conversation.get("id"), str) or not isinstance(items, list):
            raise ValueError("conversation.id must be a string and items a list")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("demo data: skipping %s: %s", entry.name, exc)
        return None
    conversation.setdefault("object", "conversation")
    conversation.setdefault("created_at", 0)
    conversation.setdefault("metadata", {})
    if realistic_pictures:
        # The package's files hold tiny placeholder images; the demo serves realistic ones
        # stored beside them (see pictures.py). Data given by a test is served as it is.
        items = with_realistic_pictures(items)
    return BundledConversation(conversation, BundledItems.of(items))


def bundled_placeholder_items() -> Iterator[list[dict[str, Any]]]:
    """The items of each bundled file as stored, placeholders and all (for draw_pictures)."""
    root = resources.files("convoscope.demo") / "data"
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            yield json.loads(entry.read_text(encoding="utf-8"))["items"]
