"""A saved conversation in a file, behind the same interface the client offers the paging engine.

Three shapes are read, all read-only:

- JSONL, one item per line (what `convoscope items --jsonl` writes); a first line holding a
  conversation object (`"object": "conversation"`) gives the conversation's id and metadata;
- a JSON export: one document with a conversation (`{"conversation": {...}, "items": [...]}`,
  or a conversation object with `items` or `data` inside it), or a bare array of items;
- a saved list-items page, `{"object": "list", "data": [...]}`.

A JSONL file is never read whole: its line offsets are indexed over a memory map (in a worker
thread), and a line is parsed only when a page or get-item needs it, so a 100,000-item file opens
at its first screen and its end at once. A line that is not a JSON object becomes a flagged item
(type `unreadable_line`, its line number and the parser's complaint), never an exception.

Every item gets an id: one without (or a broken line) is called `line_<n>` (`item_<n>` in a JSON
document) so the list, get-item and the engine's duplicate checks work; `item.raw` stays exactly
what the file holds. Paging cursors are positions (`@<n>`), and an item id works as a cursor too.
"""

from __future__ import annotations

import asyncio
import json
import mmap
import os
from array import array
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from convoscope.api.capabilities import Capabilities
from convoscope.api.client import MAX_PAGE_LIMIT, IncludeForm, Order
from convoscope.api.errors import APIError, NotFoundError, one_line
from convoscope.api import models  # models.parse_item loads every item model: on first use
from convoscope.api.models import Conversation, ConversationPage, GenericItem, Item, ItemPage
from convoscope.api.profile import Profile
from convoscope.api.retry import RetryEvent

FILE_SERVER = "file"
"""The `server` every saved file is remembered under in the history (its id is its path)."""
UNREADABLE_TYPE = "unreadable_line"
CURSOR_PREFIX = "@"
SNIPPET_CHARS = 200
_WHITESPACE = b" \t\r\n\xef\xbb\xbf"  # and a UTF-8 byte-order mark


class FileSourceError(APIError):
    """The file cannot be read (gone, unreadable, or not a conversation at all)."""


def looks_like_file(text: str) -> bool:
    """Whether `text` names an existing file (what `convoscope FILE` and the picker accept)."""
    text = text.strip()
    if not text or "\n" in text or text.startswith(("http://", "https://")):
        return False
    try:
        return Path(text).expanduser().is_file()
    except (OSError, ValueError):
        return False


def meant_as_file(text: str) -> bool:
    """A path-looking argument (a slash, or a .json/.jsonl name) that names no file: say so,
    rather than ask a server for it as an id."""
    text = text.strip()
    if text.startswith(("http://", "https://")) or looks_like_file(text):
        return False
    return "/" in text or os.sep in text or text.endswith((".json", ".jsonl"))


def file_conversation_id(path: str | os.PathLike[str]) -> str:
    """The conversation id a file is opened and remembered under: its absolute path."""
    return str(Path(path).expanduser().resolve())


class FileSource:
    """One saved conversation, read like a server that holds only it.

    Offers what `ConversationsClient` offers the layers above: `profile`, `retrieve_conversation`,
    `list_conversations`, `list_items` (cursors, both orders), `retrieve_item`, retry listeners
    (never called: a file does not retry) and `known_capabilities`.
    """

    read_only = True

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(file_conversation_id(path))
        self.conversation_id = str(self.path)
        self.profile = Profile(
            name="file", base_url=FILE_SERVER, api_key=None, auth_style="none", kind="compatible"
        )
        self.include_form: IncludeForm = "brackets"
        self.known_capabilities = Capabilities(
            lists_conversations=True,
            item_type_filter=False,  # filtering would parse the whole file: the view filters instead
            before_cursor=True,
            include_form=None,
            honours_after=True,
        )
        self.original: dict[str, Any] = {}  # the conversation object the file holds, if any
        self._loaded = False
        self._load_lock: asyncio.Lock | None = None
        self._map: mmap.mmap | None = None
        self._starts = array("q")  # JSONL: byte offset of each item's line
        self._ends = array("q")
        self._line_numbers = array("q")  # JSONL: 1-based line number of each item
        self._documents: list[Any] = []  # a JSON document: its items, parsed
        self._id_positions: dict[str, int] = {}
        self._fully_scanned = False
        self.format = ""  # "jsonl", "json" or "page", once loaded

    def __repr__(self) -> str:
        return f"FileSource({str(self.path)!r})"

    # --- what the client offers too --------------------------------------------------------------

    async def __aenter__(self) -> FileSource:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._map is not None:
            self._map.close()
            self._map = None
            self._loaded = False

    def add_retry_listener(self, listener: Callable[[RetryEvent], None]) -> None:
        """A file never retries; accepted so the engine can treat it as a client."""

    def remove_retry_listener(self, listener: Callable[[RetryEvent], None]) -> None:
        pass

    async def retrieve_conversation(self, conversation_id: str) -> Conversation:
        await self._ready()
        return self._conversation()

    async def list_conversations(self, *, limit: int = 20, **_: object) -> ConversationPage:
        await self._ready()
        return ConversationPage.model_construct(
            object="list", data=[self._conversation()], first_id=self.conversation_id,
            last_id=self.conversation_id, has_more=False,
        )

    async def list_items(
        self,
        conversation_id: str,
        *,
        limit: int = MAX_PAGE_LIMIT,
        order: Order = "asc",
        after: str | None = None,
        before: str | None = None,
        include: Iterable[str] = (),
        item_type: str | None = None,
        include_form: IncludeForm | None = None,
    ) -> ItemPage:
        """One page, like the server's: `include` is ignored (a file holds what it holds)."""
        if not 1 <= limit <= MAX_PAGE_LIMIT:
            raise ValueError(f"limit must be between 1 and {MAX_PAGE_LIMIT}, got {limit}")
        await self._ready()
        step = 1 if order == "asc" else -1
        count = self.item_count
        start = (0 if step > 0 else count - 1) if after is None else await self._position(after) + step
        stop = (count if step > 0 else -1) if before is None else await self._position(before)
        if (step > 0 and stop < start) or (step < 0 and stop > start):
            stop = start
        items: list[Item] = []
        position = start
        while position != stop and len(items) < limit:
            item = self.item_at(position)
            if item_type is None or item.type == item_type:
                items.append(item)
            position += step
        has_more = position != stop
        return ItemPage.model_construct(
            object="list",
            data=items,
            first_id=items[0].id if items else None,
            last_id=f"{CURSOR_PREFIX}{position - step}" if items else None,
            has_more=has_more and bool(items),
        )

    async def retrieve_item(
        self, conversation_id: str, item_id: str, *, include: Iterable[str] = (), **_: object
    ) -> Item:
        await self._ready()
        return self.item_at(await self._position(item_id))

    async def retrieve_response(self, response_id: str) -> Any:
        raise FileSourceError(f"{self.path.name} is a saved file: it holds no responses to look up")

    async def create_items(self, *args: object, **kwargs: object) -> ItemPage:
        raise FileSourceError(f"{self.path.name} is a saved file: it cannot be written to")

    # --- reading the file ------------------------------------------------------------------------

    @property
    def item_count(self) -> int:
        return len(self._starts) if self.format == "jsonl" else len(self._documents)

    def item_at(self, position: int) -> Item:
        """The item at `position` (0 = oldest), parsed now; a broken line is a flagged item."""
        if self.format == "jsonl":
            number = self._line_numbers[position]
            raw_bytes = self._map[self._starts[position]:self._ends[position]]  # type: ignore[index]
            raw, problem = _decode_line(raw_bytes)
            item = _flagged(number, raw_bytes, problem) if problem else models.parse_item(raw)
            fallback_id = f"line_{number}"
        else:
            raw = self._documents[position]
            item = models.parse_item(raw)
            fallback_id = f"item_{position + 1}"
        if not isinstance(item.id, str) or not item.id:
            object.__setattr__(item, "id", fallback_id)
        self._id_positions.setdefault(item.id, position)
        return item

    async def _ready(self) -> None:
        if self._loaded:
            return
        if self._load_lock is None:
            self._load_lock = asyncio.Lock()
        async with self._load_lock:
            if not self._loaded:
                await asyncio.to_thread(self.load)

    def load(self) -> None:
        """Index the file (blocking: call from a worker thread, or from a command line)."""
        if self._loaded:
            return
        try:
            with open(self.path, "rb") as file:
                size = os.fstat(file.fileno()).st_size
                self._map = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) if size else None
        except OSError as error:
            raise FileSourceError(f"cannot read {self.path}: {error.strerror or error}") from None
        data = self._map if self._map is not None else b""
        first = _first_significant(data)
        if first == ord("[") or (first == ord("{") and not self._first_line_is_complete(data)):
            if self._load_document(data):
                self._loaded = True
                return
        self._index_lines(data)
        self._loaded = True

    def _first_line_is_complete(self, data: bytes | mmap.mmap) -> bool:
        """A JSONL file's first line is a whole JSON value; a pretty-printed document's is not."""
        end = data.find(b"\n")
        line = data[: end if end >= 0 else len(data)]
        raw, problem = _decode_line(line)
        if problem:
            return False
        if end < 0 or not data[end:].strip(_WHITESPACE):
            # One line only: a document saved without newlines, or a one-item JSONL file.
            return not _is_document(raw)
        return True

    def _load_document(self, data: bytes | mmap.mmap) -> bool:
        """A JSON export, a saved page, or an array of items. False if it is not one."""
        try:
            document = json.loads(bytes(data).decode("utf-8-sig"))
        except (ValueError, UnicodeDecodeError):
            return False  # perhaps JSONL whose first line is broken: index it line by line
        if isinstance(document, list):
            self.format, self._documents = "json", document
            return True
        if not isinstance(document, dict):
            raise FileSourceError(f"{self.path.name}: not a conversation (a JSON {type(document).__name__})")
        if document.get("object") == "list" and isinstance(document.get("data"), list):
            self.format, self._documents = "page", document["data"]
            return True
        conversation = document.get("conversation")
        if isinstance(conversation, dict):
            self.original = conversation
        elif document.get("object") == "conversation" or str(document.get("id", "")).startswith("conv_"):
            self.original = {k: v for k, v in document.items() if k not in ("items", "data")}
        items = document.get("items", document.get("data"))
        if isinstance(items, dict) and isinstance(items.get("data"), list):
            items = items["data"]  # {"conversation": ..., "items": <a list page>}
        if not isinstance(items, list):
            raise FileSourceError(
                f"{self.path.name}: a JSON document without an `items` or `data` list of items"
            )
        self.format, self._documents = "json", items
        return True

    def _index_lines(self, data: bytes | mmap.mmap) -> None:
        """Remember where each non-blank line starts and ends; parse only a conversation header."""
        self.format = "jsonl"
        starts, ends, numbers = self._starts, self._ends, self._line_numbers
        find, size = data.find, len(data)
        position, number = 0, 0
        while position < size:
            end = find(b"\n", position)
            if end < 0:
                end = size
            number += 1
            # A blank line is no item; checking two bytes is enough for the common case.
            if end - position > 2 or data[position:end].strip(_WHITESPACE):
                starts.append(position)
                ends.append(end)
                numbers.append(number)
            position = end + 1
        if starts:
            raw, problem = _decode_line(data[starts[0]:ends[0]])
            if not problem and isinstance(raw, dict) and raw.get("object") == "conversation":
                self.original = raw
                del starts[0], ends[0], numbers[0]

    async def _position(self, cursor: str) -> int:
        """Where a cursor (`@<n>`, or an item id) points; NotFoundError if nowhere."""
        if cursor.startswith(CURSOR_PREFIX) and cursor[1:].isdigit():
            position = int(cursor[1:])
            if position < self.item_count:
                return position
        elif cursor in self._id_positions:
            return self._id_positions[cursor]
        elif not self._fully_scanned:
            await asyncio.to_thread(self._scan_ids)
            if cursor in self._id_positions:
                return self._id_positions[cursor]
        raise NotFoundError(
            status_code=404,
            server_message=f"no item {one_line(cursor, 80)} in {self.path.name}",
        )

    def _scan_ids(self) -> None:
        """Parse every item once to learn every id (only for an id never shown yet)."""
        for position in range(self.item_count):
            self.item_at(position)
        self._fully_scanned = True

    def _conversation(self) -> Conversation:
        raw = {k: v for k, v in self.original.items() if k in ("created_at", "metadata")}
        raw.update(id=self.conversation_id, object="conversation")
        return Conversation.from_json(raw)

    @property
    def original_id(self) -> str | None:
        """The id the conversation had where it was saved from, when the file says."""
        value = self.original.get("id")
        return value if isinstance(value, str) else None


def _first_significant(data: bytes | mmap.mmap) -> int | None:
    for position in range(min(len(data), 4096)):
        if data[position] not in _WHITESPACE:
            return data[position]
    return None


def _is_document(raw: object) -> bool:
    return isinstance(raw, list) or (
        isinstance(raw, dict)
        and (
            (raw.get("object") == "list" and isinstance(raw.get("data"), list))
            or isinstance(raw.get("items"), list)
            or isinstance(raw.get("conversation"), dict)
        )
    )


def _decode_line(raw_bytes: bytes) -> tuple[Any, str | None]:
    """(the line's JSON, None), or (None, why it is not an item)."""
    try:
        raw = json.loads(raw_bytes.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        return None, f"not UTF-8 ({error.reason} at byte {error.start})"
    except ValueError as error:
        return None, f"not valid JSON ({error})"
    if not isinstance(raw, dict):
        return None, f"not a JSON object (a JSON {type(raw).__name__})"
    return raw, None


def _flagged(number: int, raw_bytes: bytes, problem: str) -> GenericItem:
    text = raw_bytes.decode("utf-8", errors="replace").strip()
    snippet = text[:SNIPPET_CHARS] + ("…" if len(text) > SNIPPET_CHARS else "")
    # The line and its text first: a generic item's one-line summary shows its fields in order.
    raw = {"type": UNREADABLE_TYPE, "line": number, "text": snippet, "id": f"line_{number}"}
    return GenericItem.from_raw(raw, f"line {number}: {problem}")
