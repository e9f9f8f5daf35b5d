"""Align two conversations' items and say what changed: equal, changed, added, removed.

Items are matched by content (type and fields, ids and server bookkeeping aside; see compare.py),
so the same run on two servers, or a copy against its original, compares equal. Where the
sequences differ, items of the same type facing each other are a *changed* pair (a field-level
diff says how); the rest were added or removed.
"""

from __future__ import annotations

import difflib
import enum
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from convoscope.transfer.compare import FieldChange, content_key, field_diff, item_type


class Change(enum.Enum):
    EQUAL = "="
    CHANGED = "~"
    REMOVED = "-"
    ADDED = "+"


@dataclass(frozen=True)
class DiffRow:
    change: Change
    left: dict[str, Any] | None  # the item in A (None when added)
    right: dict[str, Any] | None  # the item in B (None when removed)
    left_index: int | None  # 0-based position in A
    right_index: int | None

    def fields(self) -> list[FieldChange]:
        """The field-level differences of a changed pair (empty otherwise)."""
        if self.change is not Change.CHANGED:
            return []
        return field_diff(self.left, self.right)


@dataclass
class ConversationDiff:
    rows: list[DiffRow]
    left_count: int
    right_count: int

    def count(self, change: Change) -> int:
        return sum(1 for row in self.rows if row.change is change)

    @property
    def equal(self) -> bool:
        return all(row.change is Change.EQUAL for row in self.rows)

    def summary(self) -> str:
        if self.equal:
            return f"equal: {self.left_count:,} items match (type and content, ids aside)"
        parts = [(Change.CHANGED, "changed"), (Change.REMOVED, "removed"), (Change.ADDED, "added"), (Change.EQUAL, "equal")]
        return ", ".join(f"{self.count(c):,} {name}" for c, name in parts if self.count(c))

    def runs(self) -> Iterator[tuple[Change, list[DiffRow]]]:
        """Consecutive rows of the same change, in order (for folding equal runs)."""
        run: list[DiffRow] = []
        for row in self.rows:
            if run and row.change is not run[0].change:
                yield run[0].change, run
                run = []
            run.append(row)
        if run:
            yield run[0].change, run


def diff_items(left: list[dict[str, Any]], right: list[dict[str, Any]]) -> ConversationDiff:
    left_keys = [content_key(item) for item in left]
    right_keys = [content_key(item) for item in right]
    rows: list[DiffRow] = []
    matcher = difflib.SequenceMatcher(None, left_keys, right_keys, autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            rows += [DiffRow(Change.EQUAL, left[a0 + k], right[b0 + k], a0 + k, b0 + k) for k in range(a1 - a0)]
        else:
            rows += _pair_by_type(left, right, range(a0, a1), range(b0, b1))
    return ConversationDiff(rows, len(left), len(right))


def _pair_by_type(left: list[dict], right: list[dict], a: range, b: range) -> list[DiffRow]:
    """A differing stretch: items of the same type facing each other are changed pairs."""
    left_types = [item_type(left[i]) for i in a]
    right_types = [item_type(right[j]) for j in b]
    rows: list[DiffRow] = []
    matcher = difflib.SequenceMatcher(None, left_types, right_types, autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            for k in range(a1 - a0):
                i, j = a[a0 + k], b[b0 + k]
                rows.append(DiffRow(Change.CHANGED, left[i], right[j], i, j))
            continue
        rows += [DiffRow(Change.REMOVED, left[a[i]], None, a[i], None) for i in range(a0, a1)]
        rows += [DiffRow(Change.ADDED, None, right[b[j]], None, b[j]) for j in range(b0, b1)]
    return rows
