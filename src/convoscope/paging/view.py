"""Views over the engine's lines: all of them, or only the items of some types.

A view is what the list draws. The filtered view keeps the gap line, so scrolling towards it
still loads more, and since prefetch works in the engine's lines, a sparse filter keeps paging
until the screen is full of matches or the conversation ends.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable

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
        self._lines: list[int] = []  # engine line numbers shown, ascending
        self._version = -1

    def _refresh(self) -> None:
        # Rows and the gap only change with the engine's version.
        if self._version == self.engine.version:
            return
        self._version = self.engine.version
        gap = self.engine.gap_line_index
        verdicts = self._verdicts
        for item_type in {row.type for row in self.engine.index.rows()} - verdicts.keys():
            verdicts[item_type] = self.accepts(item_type)
        lines = [n for n, row in enumerate(self.engine.index.rows()) if verdicts[row.type]]
        if gap is not None:
            split = bisect.bisect_left(lines, gap)
            lines = lines[:split] + [gap] + [n + 1 for n in lines[split:]]
        self._lines = lines

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
        if engine_line is None:
            return None
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
