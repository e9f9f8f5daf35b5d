"""Views over the engine's lines: all of them, or only the items of some types.

A view is what the list draws. The filtered view keeps the gap line, so scrolling towards it
still loads more, and since prefetch works in the engine's lines, a sparse filter keeps paging
until the screen is full of matches or the conversation ends.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
from array import array
from collections.abc import Callable, Collection, Iterator

from convoscope.paging.engine import Line, PagingEngine


class FullView:
    """Every line of the engine."""

    def __init__(self, engine: PagingEngine) -> None:
        self.engine = engine

    def line_count(self) -> int:
        return self.engine.line_count()

    def line(self, number: int) -> Line:
        return self.engine.line(number)

    @property
    def gap_line_index(self) -> int | None:
        return self.engine.gap_line_index

    def line_of(self, item_id: str) -> int | None:
        return self.engine.line_of(item_id)

    def nearest(self, engine_line: int) -> int:
        return engine_line

    def line_of_engine_line(self, engine_line: int) -> int | None:
        return engine_line

    def engine_line(self, number: int) -> int:
        return number

    def viewport(self, first: int, last: int) -> None:
        self.engine.viewport(first, last)


class FilteredView:
    """The engine's lines whose row type `accepts` (plus the gap line)."""

    def __init__(self, engine: PagingEngine, accepts: Callable[[str], bool]) -> None:
        self.engine = engine
        self.accepts = accepts
        self._verdicts: dict[str, bool] = {}  # per type string: a few dozen, asked 100,000 times
        self._lines: array[int] = array("I")  # engine line numbers shown, ascending
        self._version = -1

    def _refresh(self) -> None:
        # Rows and the gap only change with the engine's version.
        if self._version == self.engine.version:
            return
        self._version = self.engine.version
        gap = self.engine.gap_line_index
        # An array of ints, not a list: a filter over a million rows holds one 4-byte int a line.
        lines = array("I", self.engine.index.positions_of_types(self._accepts_cached))
        if gap is not None:
            split = bisect.bisect_left(lines, gap)
            lines = lines[:split] + array("I", [gap]) + array("I", (n + 1 for n in lines[split:]))
        self._lines = lines

    def _accepts_cached(self, item_type: str) -> bool:
        verdict = self._verdicts.get(item_type)
        if verdict is None:
            verdict = self._verdicts[item_type] = self.accepts(item_type)
        return verdict

    def line_count(self) -> int:
        self._refresh()
        return len(self._lines)

    def line(self, number: int) -> Line:
        self._refresh()
        return self.engine.line(self._lines[number])

    @property
    def gap_line_index(self) -> int | None:
        self._refresh()
        gap = self.engine.gap_line_index
        if gap is None:
            return None
        position = bisect.bisect_left(self._lines, gap)
        return position if position < len(self._lines) and self._lines[position] == gap else None

    def line_of(self, item_id: str) -> int | None:
        self._refresh()
        engine_line = self.engine.line_of(item_id)
        return None if engine_line is None else self.line_of_engine_line(engine_line)

    def line_of_engine_line(self, engine_line: int) -> int | None:
        """The shown line that is engine line `engine_line`, or None when the filter hides it."""
        self._refresh()
        position = bisect.bisect_left(self._lines, engine_line)
        if position < len(self._lines) and self._lines[position] == engine_line:
            return position
        return None

    def nearest(self, engine_line: int) -> int:
        """The shown line at or after `engine_line` (for keeping the cursor when filtering)."""
        self._refresh()
        return min(bisect.bisect_left(self._lines, engine_line), max(len(self._lines) - 1, 0))

    def engine_line(self, number: int) -> int:
        self._refresh()
        return self._lines[number]

    def viewport(self, first: int, last: int) -> None:
        count = self.line_count()
        if not count:
            self.engine.viewport(0, 0)
            return
        self.engine.viewport(self._lines[min(first, count - 1)], self._lines[min(last, count - 1)])


LineView = FullView | FilteredView


def find_line(view: LineView, term: str, from_line: int, *, backwards: bool = False,
              also: Collection[str] = ()) -> int | None:
    """The next line of `view` after `from_line` (wrapping around) whose row matches `term`.

    A row matches when its text or label contains `term` (case-insensitive) or its id is in
    `also` (items whose full, fetched JSON matched). The index searches its packed texts, so
    this never builds the rows it passes over.
    """
    engine = view.engine
    index = engine.index
    if not len(index) or not term:
        return None
    gap = engine.gap_line_index
    at = view.engine_line(from_line) if view.line_count() else 0
    if gap is not None and at == gap:
        after, before = gap, gap - 1
    else:
        position = at - 1 if gap is not None and at > gap else at
        after, before = position + 1, position - 1
    extra = sorted(p for item_id in also if (p := index.index_of(item_id)) is not None)
    if backwards:
        near = heapq.merge(index.text_matches(term, before, backwards=True),
                           (p for p in reversed(extra) if p <= before), reverse=True)
        far = heapq.merge(index.text_matches(term, len(index) - 1, backwards=True),
                          reversed(extra), reverse=True)
    else:
        near = heapq.merge(index.text_matches(term, after), (p for p in extra if p >= after))
        far = heapq.merge(index.text_matches(term, 0), extra)
    for position in itertools.chain(near, far):
        engine_line = position + 1 if gap is not None and position >= gap else position
        line = view.line_of_engine_line(engine_line)
        if line is not None:
            return line
    return None
