"""The ordered index of loaded rows, filled from both ends of a conversation.

Rows loaded from the start (the head walk, oldest first) and from the end (the tail walk, newest
first) sit on either side of a gap of unknown size. When a walk brings an id the other walk has
already loaded, the two ends have met: the gap closes, and the rows merge with no duplicate and
nothing missing. Every lookup is O(1), so the list can draw any line of a million instantly.

Rows are stored packed, not as one object each: a million loaded rows must fit in a few hundred
megabytes. Each segment is a list of chunks of up to CHUNK rows; a chunk keeps its texts as one
UTF-8 blob with end offsets, and types, labels and statuses as small integer codes. A `Row` is
built only when someone asks for one (the few dozen lines on screen). Type filters and text
search run over the packed columns chunk by chunk, at C speed.
"""

from __future__ import annotations

import bisect
import enum
import itertools
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from convoscope.api.models import Link
from convoscope.paging.rows import NO_LINKS, Row

CHUNK = 256
_OVERFLOW = 255  # a byte code meaning "kept in the chunk's odd_types or odd_statuses" (over 254 kinds)


class Segment(enum.IntEnum):
    HEAD = 0  # oldest first, grows at its end
    TAIL_OLDER = 1  # newest first, grows at its end (older and older items)
    TAIL_NEWER = 2  # oldest first: items that arrived after the tail walk started (follow)


@dataclass
class AddResult:
    added: int = 0
    duplicates: int = 0
    met: bool = False  # this page reached rows of the other walk: the gap closed


class _Codes:
    """Small integer codes for strings that repeat across rows (types, labels, statuses)."""

    def __init__(self, limit: int | None = None) -> None:
        self.values: list[str | None] = [None]
        self._codes: dict[str | None, int] = {None: 0}
        self.limit = limit  # codes at or above it do not fit the column

    def code(self, value: str | None) -> int | None:
        """The code of `value`, or None when the column is full (the row keeps it aside)."""
        found = self._codes.get(value)
        if found is not None:
            return found
        if self.limit is not None and len(self.values) >= self.limit:
            return None
        self._codes[value] = len(self.values)
        self.values.append(value)
        return len(self.values) - 1


class _Chunk:
    """Up to CHUNK rows in load order, as packed columns.

    What few rows have sits in sparse dicts keyed by offset (small ints, which Python shares):
    pairing links, a validation problem, a type or status beyond the code tables.
    """

    __slots__ = ("segment", "number", "ids", "blob", "ends", "types", "labels", "statuses",
                 "roles", "links", "problems", "odd_types", "odd_statuses")

    def __init__(self, segment: Segment, number: int) -> None:
        self.segment, self.number = segment, number
        self.ids: list[str | None] = []
        self.blob = bytearray()
        self.ends = array("I")
        self.types = bytearray()
        self.labels = array("I")
        self.statuses = bytearray()
        # One link (almost always): its key, shared with the index's pairing table, and its role
        # as a code in `roles`. Several links: the tuple, with role code 0.
        self.roles = bytearray()
        self.links: dict[int, str | tuple[Link, ...]] = {}
        self.problems: dict[int, str] = {}
        self.odd_types: dict[int, str] = {}
        self.odd_statuses: dict[int, str | None] = {}

    def position(self, item_id: str) -> int:
        """The row's position in its segment (the id must be in this chunk)."""
        return self.number * CHUNK + self.ids.index(item_id)

    def __len__(self) -> int:
        return len(self.ids)

    def text(self, offset: int) -> str:
        start = self.ends[offset - 1] if offset else 0
        return self.blob[start : self.ends[offset]].decode("utf-8", "surrogatepass")

    def set_text(self, offset: int, text: bytes) -> None:
        start = self.ends[offset - 1] if offset else 0
        delta = len(text) - (self.ends[offset] - start)
        self.blob[start : self.ends[offset]] = text
        for later in range(offset, len(self.ends)):
            self.ends[later] += delta


class ItemIndex:
    """Rows in chronological order: head, [gap], reversed(tail_older), tail_newer."""

    def __init__(self) -> None:
        self._segments: tuple[list[_Chunk], list[_Chunk], list[_Chunk]] = ([], [], [])
        self._lengths = [0, 0, 0]
        # id -> the chunk that holds it. Not a position: a million int objects would cost 28 MB,
        # and finding the row in its chunk is a scan of at most CHUNK ids.
        self._where: dict[str, _Chunk] = {}
        self._types = _Codes(limit=_OVERFLOW)
        self._labels = _Codes()
        self._statuses = _Codes(limit=_OVERFLOW)
        self.in_progress_ids: set[str] = set()  # rows a live follow refreshes
        # pairing key -> (the key, ids of the rows that carry it...): a tuple, since pairs rarely
        # grow, and the key first so that rows can share that one string.
        self._linked: dict[str, tuple[str, ...]] = {}
        self.gap_open = True  # until the head reaches the end or meets the tail

    # --- reading ---------------------------------------------------------------------------------

    def __len__(self) -> int:
        return sum(self._lengths)

    @property
    def head_count(self) -> int:
        """Rows before the gap (all rows once the gap has closed)."""
        return self._lengths[Segment.HEAD]

    @property
    def tail_count(self) -> int:
        return self._lengths[Segment.TAIL_OLDER] + self._lengths[Segment.TAIL_NEWER]

    def row(self, index: int) -> Row:
        segment, position = self._locate(index)
        return self._row_at(segment, position)

    def index_of(self, item_id: str) -> int | None:
        chunk = self._where.get(item_id)
        if chunk is None:
            return None
        return self._chronological(chunk.segment, chunk.position(item_id))

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._where

    def rows(self) -> Iterator[Row]:
        """Every row in chronological order (builds each one: prefer the column readers below)."""
        return (self.row(i) for i in range(len(self)))

    def types_present(self) -> set[str]:
        """Every item type among the loaded rows."""
        found: set[str] = set()
        for chunk in itertools.chain(*self._segments):
            found.update(self._types.values[code] or "item" for code in set(chunk.types) if code != _OVERFLOW)
            found.update(chunk.odd_types.values())
        return found

    def positions_of_types(self, accepts: Callable[[str], bool]) -> list[int]:
        """Chronological positions of the rows whose type `accepts` says yes to."""
        table = bytes(
            1 if code < len(self._types.values) and accepts(self._types.values[code] or "item") else 0
            for code in range(256)
        )
        positions: list[int] = []
        start = 0
        for chunk, reverse in self._chunks_in_order():
            mask = chunk.types.translate(table)
            if reverse:
                mask = mask[::-1]
            if chunk.odd_types:
                mask = self._overflow_mask(chunk, mask, reverse, accepts)
            positions.extend(itertools.compress(range(start, start + len(chunk)), mask))
            start += len(chunk)
        return positions

    def _overflow_mask(self, chunk: _Chunk, mask: bytes, reverse: bool, accepts: Callable[[str], bool]) -> bytes:
        editable = bytearray(mask)
        for offset, item_type in chunk.odd_types.items():
            editable[len(chunk) - 1 - offset if reverse else offset] = accepts(item_type)
        return bytes(editable)

    def text_matches(self, needle: str, start: int = 0, *, backwards: bool = False) -> Iterator[int]:
        """Chronological positions whose text or label contains `needle` (case-insensitive).

        From `start` onwards (or backwards), without wrapping. Each chunk is searched as one
        lowered blob, so a search through a million rows never builds a Row.
        """
        folded = needle.casefold()
        if not folded:
            return
        labels = {code for code, label in enumerate(self._labels.values) if label and folded in label.casefold()}
        chunks = list(self._chunks_in_order())
        bases = list(itertools.accumulate((len(chunk) for chunk, _ in chunks), initial=0))
        first = max(bisect.bisect_right(bases, start) - 1, 0)
        order = range(first, -1, -1) if backwards else range(first, len(chunks))
        for number in order:
            chunk, reverse = chunks[number]
            found = self._chunk_matches(chunk, folded, labels)
            positions = sorted(bases[number] + (len(chunk) - 1 - offset if reverse else offset) for offset in found)
            if backwards:
                yield from (p for p in reversed(positions) if p <= start)
            else:
                yield from (p for p in positions if p >= start)

    def _chunk_matches(self, chunk: _Chunk, folded: str, labels: set[int]) -> set[int]:
        found: set[int] = set()
        if folded.isascii():
            blob, pattern = bytes(chunk.blob).lower(), folded.encode()
            at = blob.find(pattern)
            while at >= 0:
                offset = bisect.bisect_right(chunk.ends, at)
                if at + len(pattern) <= chunk.ends[offset]:  # not across two rows' texts
                    found.add(offset)
                at = blob.find(pattern, at + 1)
        else:
            found.update(o for o in range(len(chunk)) if folded in chunk.text(o).casefold())
        if labels:
            found.update(o for o, code in enumerate(chunk.labels) if code in labels)
        return found

    def partners(self, row: Row) -> list[str]:
        """Ids of loaded rows paired with `row` (its output, its call, …), in load order."""
        found: list[str] = []
        for link in row.links:
            found.extend(i for i in self._linked.get(link.key, ())[1:] if i != row.id and i not in found)
        return found

    def ids(self, *, backwards: bool = False) -> Iterator[str | None]:
        """Every row's id in chronological order (or newest first), without building rows."""
        chunks = list(self._chunks_in_order())
        for chunk, reverse in reversed(chunks) if backwards else chunks:
            yield from reversed(chunk.ids) if reverse != backwards else chunk.ids

    def newest_id(self) -> str | None:
        """The id of the newest loaded row that has one (the follow cursor)."""
        return next((i for i in self.ids(backwards=True) if i is not None), None)

    def oldest_id(self) -> str | None:
        return next((i for i in self.ids() if i is not None), None)

    # --- writing ---------------------------------------------------------------------------------

    def add_head(self, rows: list[Row], *, reached_end: bool) -> AddResult:
        """Rows of a head page (oldest first). `reached_end`: the server has no more after them."""
        result = self._add(Segment.HEAD, rows, other=(Segment.TAIL_OLDER, Segment.TAIL_NEWER))
        if result.met or (reached_end and self.gap_open):
            self._close_gap()
        return result

    def add_tail(self, rows: list[Row], *, reached_start: bool) -> AddResult:
        """Rows of a tail page (newest first). `reached_start`: nothing older exists."""
        result = self._add(Segment.TAIL_OLDER, rows, other=(Segment.HEAD,))
        if result.met or (reached_start and self.gap_open):
            self._close_gap()
        return result

    def add_newest(self, rows: list[Row]) -> AddResult:
        """Rows that appeared after everything loaded (oldest first), e.g. while following."""
        segment = Segment.HEAD if not self.gap_open else Segment.TAIL_NEWER
        return self._add(segment, rows, other=())

    def replace(self, row: Row) -> bool:
        """Put a fresher version of a loaded row in its place (same id)."""
        chunk = self._where.get(row.id) if row.id else None
        if chunk is None:
            return False
        offset = chunk.ids.index(row.id)
        chunk.set_text(offset, row.text.encode("utf-8", "surrogatepass"))
        self._put_columns(chunk, offset, row)
        self._track_progress(row)
        return True

    # --- inside ----------------------------------------------------------------------------------

    def _locate(self, index: int) -> tuple[Segment, int]:
        head, older, _ = self._lengths
        if index < 0 or index >= len(self):
            raise IndexError(index)
        if index < head:
            return Segment.HEAD, index
        index -= head
        if index < older:
            return Segment.TAIL_OLDER, older - 1 - index
        return Segment.TAIL_NEWER, index - older

    def _chronological(self, segment: Segment, position: int) -> int:
        head, older, _ = self._lengths
        if segment is Segment.HEAD:
            return position
        if segment is Segment.TAIL_OLDER:
            return head + older - 1 - position
        return head + older + position

    def _chunk_of(self, segment: Segment, position: int) -> tuple[_Chunk, int]:
        number, offset = divmod(position, CHUNK)
        return self._segments[segment][number], offset

    def _chunks_in_order(self) -> Iterator[tuple[_Chunk, bool]]:
        """Every chunk in chronological order, with whether its rows run newest first."""
        head, older, newer = self._segments
        yield from ((chunk, False) for chunk in head)
        yield from ((chunk, True) for chunk in reversed(older))
        yield from ((chunk, False) for chunk in newer)

    def _row_at(self, segment: Segment, position: int) -> Row:
        chunk, offset = self._chunk_of(segment, position)
        type_code, status_code = chunk.types[offset], chunk.statuses[offset]
        return Row(
            id=chunk.ids[offset],
            type=chunk.odd_types[offset] if type_code == _OVERFLOW else self._types.values[type_code] or "item",
            label=self._labels.values[chunk.labels[offset]] or "",
            text=chunk.text(offset),
            status=chunk.odd_statuses[offset] if status_code == _OVERFLOW else self._statuses.values[status_code],
            links=self._links_at(chunk, offset),
            problem=chunk.problems.get(offset),
        )

    def _links_at(self, chunk: _Chunk, offset: int) -> tuple[Link, ...]:
        links = chunk.links.get(offset)
        if links is None:
            return NO_LINKS
        if isinstance(links, tuple):
            return links
        return (Link(links, _ROLES[chunk.roles[offset]]),)

    def _put_links(self, chunk: _Chunk, offset: int, links: tuple[Link, ...]) -> None:
        if len(links) == 1 and links[0].role in _ROLES:
            link = links[0]
            pairing = self._linked.get(link.key)
            chunk.links[offset] = pairing[0] if pairing else link.key  # one key string per pair
            chunk.roles[offset] = _ROLES.index(link.role)
        else:
            _set_sparse(chunk.links, offset, links or None)
            chunk.roles[offset] = 0

    def _put_columns(self, chunk: _Chunk, offset: int, row: Row) -> None:
        """Everything but the id and the text, for a row already appended."""
        type_code, status_code = self._types.code(row.type), self._statuses.code(row.status)
        chunk.types[offset] = _OVERFLOW if type_code is None else type_code
        chunk.statuses[offset] = _OVERFLOW if status_code is None else status_code
        chunk.labels[offset] = self._labels.code(row.label) or 0
        _set_sparse(chunk.odd_types, offset, row.type if type_code is None else None)
        _set_sparse(chunk.odd_statuses, offset, row.status if status_code is None else None)
        self._put_links(chunk, offset, row.links)
        _set_sparse(chunk.problems, offset, row.problem)

    def _open_chunk(self, segment: Segment) -> _Chunk:
        """The segment's last chunk, or a new one when it is full."""
        chunks = self._segments[segment]
        if not chunks or len(chunks[-1]) == CHUNK:
            if chunks:
                chunks[-1].blob = bytearray(chunks[-1].blob)  # drop the growth slack of a full chunk
            chunks.append(_Chunk(segment, len(chunks)))
        return chunks[-1]

    def _append(self, segment: Segment, row: Row) -> None:
        chunk = self._open_chunk(segment)
        if row.id is not None:
            self._where[row.id] = chunk
        chunk.ids.append(row.id)
        chunk.blob += row.text.encode("utf-8", "surrogatepass")
        chunk.ends.append(len(chunk.blob))
        chunk.types.append(0)
        chunk.statuses.append(0)
        chunk.labels.append(0)
        chunk.roles.append(0)
        self._put_columns(chunk, len(chunk) - 1, row)
        self._lengths[segment] += 1

    def _track_progress(self, row: Row) -> None:
        if row.id is None:
            return
        if row.in_progress:
            self.in_progress_ids.add(row.id)
        else:
            self.in_progress_ids.discard(row.id)

    def _add(self, segment: Segment, rows: Iterable[Row], other: tuple[Segment, ...]) -> AddResult:
        result = AddResult()
        for row in rows:
            where = self._where.get(row.id) if row.id is not None else None
            if where is not None and where.segment in other:
                result.met = True
                break  # the rest of the page is the other walk's territory
            if where is not None:
                result.duplicates += 1
                continue
            self._append(segment, row)
            if row.id is not None:
                self._track_progress(row)
                for link in row.links:
                    pairing = self._linked.get(link.key)
                    self._linked[link.key] = (*pairing, row.id) if pairing else (link.key, row.id)
            result.added += 1
        return result

    def _close_gap(self) -> None:
        """Join the tail onto the head; drop the rows both walks loaded.

        Rows move column by column, never built as Row objects: at the end of loading a million
        items half of them move, and that must not freeze the screen.
        """
        for segment, backwards in ((Segment.TAIL_OLDER, True), (Segment.TAIL_NEWER, False)):
            chunks = self._segments[segment]
            for chunk in reversed(chunks) if backwards else chunks:
                for offset in range(len(chunk) - 1, -1, -1) if backwards else range(len(chunk)):
                    item_id = chunk.ids[offset]
                    where = self._where.get(item_id) if item_id is not None else None
                    if where is not None and where.segment is Segment.HEAD:
                        continue
                    self._move_to_head(chunk, offset)
            chunks.clear()
            self._lengths[segment] = 0
        self.gap_open = False

    def _move_to_head(self, source: _Chunk, offset: int) -> None:
        chunk = self._open_chunk(Segment.HEAD)
        item_id = source.ids[offset]
        if item_id is not None:
            self._where[item_id] = chunk
        chunk.ids.append(item_id)
        start = source.ends[offset - 1] if offset else 0
        chunk.blob += source.blob[start : source.ends[offset]]
        chunk.ends.append(len(chunk.blob))
        chunk.types.append(source.types[offset])
        chunk.statuses.append(source.statuses[offset])
        chunk.labels.append(source.labels[offset])
        chunk.roles.append(source.roles[offset])
        moved = len(chunk) - 1
        for column in ("links", "problems", "odd_types", "odd_statuses"):
            if offset in (sparse := getattr(source, column)):
                getattr(chunk, column)[moved] = sparse[offset]
        self._lengths[Segment.HEAD] += 1


_ROLES: tuple[str | None, ...] = (None, "call", "output", "child")


def _set_sparse(column: dict, offset: int, value: object) -> None:
    if value is None:
        column.pop(offset, None)
    else:
        column[offset] = value
