"""The ordered index of loaded rows, filled from both ends of a conversation.

Rows loaded from the start (the head walk, oldest first) and from the end (the tail walk, newest
first) sit on either side of a gap of unknown size. When a walk brings an id the other walk has
already loaded, the two ends have met: the gap closes, and the rows merge with no duplicate and
nothing missing. Every lookup is O(1), so the list can draw any line of 100,000 instantly.
"""

from __future__ import annotations

import enum
import itertools
from collections.abc import Iterator
from dataclasses import dataclass

from convoscope.paging.rows import Row


class Segment(enum.IntEnum):
    HEAD = 0  # oldest first, grows at its end
    TAIL_OLDER = 1  # newest first, grows at its end (older and older items)
    TAIL_NEWER = 2  # oldest first: items that arrived after the tail walk started (follow)


@dataclass
class AddResult:
    added: int = 0
    duplicates: int = 0
    met: bool = False  # this page reached rows of the other walk: the gap closed


class ItemIndex:
    """Rows in chronological order: head, [gap], reversed(tail_older), tail_newer."""

    def __init__(self) -> None:
        self._segments: tuple[list[Row], list[Row], list[Row]] = ([], [], [])
        self._where: dict[str, tuple[Segment, int]] = {}
        self.in_progress_ids: set[str] = set()  # rows a live follow refreshes
        self._linked: dict[str, list[str]] = {}  # pairing key -> ids of the rows that carry it
        self.gap_open = True  # until the head reaches the end or meets the tail

    # --- reading ---------------------------------------------------------------------------------

    def __len__(self) -> int:
        return sum(len(segment) for segment in self._segments)

    @property
    def head_count(self) -> int:
        """Rows before the gap (all rows once the gap has closed)."""
        return len(self._segments[Segment.HEAD])

    @property
    def tail_count(self) -> int:
        return len(self._segments[Segment.TAIL_OLDER]) + len(self._segments[Segment.TAIL_NEWER])

    def row(self, index: int) -> Row:
        head, older, newer = self._segments
        if index < len(head):
            return head[index]
        index -= len(head)
        if index < len(older):
            return older[len(older) - 1 - index]
        return newer[index - len(older)]

    def index_of(self, item_id: str) -> int | None:
        where = self._where.get(item_id)
        if where is None:
            return None
        segment, position = where
        head, older, _ = self._segments
        if segment is Segment.HEAD:
            return position
        if segment is Segment.TAIL_OLDER:
            return len(head) + len(older) - 1 - position
        return len(head) + len(older) + position

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._where

    def rows(self) -> Iterator[Row]:
        """Every row in chronological order (faster than `row(i)` in a loop)."""
        head, older, newer = self._segments
        return itertools.chain(head, reversed(older), newer)

    def partners(self, row: Row) -> list[str]:
        """Ids of loaded rows paired with `row` (its output, its call, …), in load order."""
        found: list[str] = []
        for link in row.links:
            found.extend(i for i in self._linked.get(link.key, ()) if i != row.id and i not in found)
        return found

    def newest_id(self) -> str | None:
        """The id of the newest loaded row that has one (the follow cursor)."""
        for index in range(len(self) - 1, -1, -1):
            if (row_id := self.row(index).id) is not None:
                return row_id
        return None

    def oldest_id(self) -> str | None:
        for index in range(len(self)):
            if (row_id := self.row(index).id) is not None:
                return row_id
        return None

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
        where = self._where.get(row.id) if row.id else None
        if where is None:
            return False
        segment, position = where
        self._segments[segment][position] = row
        self._track_progress(row)
        return True

    def _track_progress(self, row: Row) -> None:
        if row.id is None:
            return
        if row.in_progress:
            self.in_progress_ids.add(row.id)
        else:
            self.in_progress_ids.discard(row.id)

    def _add(self, segment: Segment, rows: list[Row], other: tuple[Segment, ...]) -> AddResult:
        result = AddResult()
        target = self._segments[segment]
        for row in rows:
            where = self._where.get(row.id) if row.id is not None else None
            if where is not None and where[0] in other:
                result.met = True
                break  # the rest of the page is the other walk's territory
            if where is not None:
                result.duplicates += 1
                continue
            if row.id is not None:
                self._where[row.id] = (segment, len(target))
                self._track_progress(row)
                for link in row.links:
                    self._linked.setdefault(link.key, []).append(row.id)
            target.append(row)
            result.added += 1
        return result

    def _close_gap(self) -> None:
        """Join the tail onto the head; drop the rows both walks loaded."""
        head, older, newer = self._segments
        for row in [*reversed(older), *newer]:
            where = self._where.get(row.id) if row.id is not None else None
            if where is not None and where[0] is Segment.HEAD:
                continue
            if row.id is not None:
                self._where[row.id] = (Segment.HEAD, len(head))
            head.append(row)
        older.clear()
        newer.clear()
        self.gap_open = False
