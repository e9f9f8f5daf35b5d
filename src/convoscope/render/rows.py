"""The one-line form of a list row: glyph, group, label, text and status, all terminal-safe."""

from __future__ import annotations

from dataclasses import dataclass

from convoscope.paging.rows import Row
from convoscope.render.groups import GLYPHS, Group, group_of
from convoscope.render.text import visible

QUIET_STATUSES = frozenset({"completed", None})

# A row's status, first thing on the line: (kind, mark). The kind names the colour.
FAILED = ("failed", "✗")
INCOMPLETE = ("incomplete", "!")
IN_PROGRESS = ("in_progress", "⟳")
_STATUS_KINDS: dict[str, tuple[str, str]] = {
    "failed": FAILED,
    "incomplete": INCOMPLETE,
    "cancelled": INCOMPLETE,
    "in_progress": IN_PROGRESS,
    "queued": IN_PROGRESS,
    "searching": IN_PROGRESS,
    "generating": IN_PROGRESS,
    "interpreting": IN_PROGRESS,
    "calling": IN_PROGRESS,
}
UNKNOWN_STATUS = ("incomplete", "?")


@dataclass(frozen=True, slots=True)
class RowLine:
    glyph: str
    group: Group
    label: str
    text: str
    status: str  # empty when there is nothing worth saying ("completed")
    pair_mark: str  # "┬" a call, "└" its output, "├" a call made from a program, or " "
    problem: bool  # the item did not validate or lacks required fields
    status_kind: str  # "failed", "incomplete", "in_progress", or "" when all is well
    status_mark: str  # one character for the first column: ✗, !, ⟳, ? or a space


_PAIR_MARKS = {"call": "┬", "output": "└", "child": "├"}


def row_line(row: Row) -> RowLine:
    group = group_of(row.type)
    kind, mark = ("", " ") if row.status in QUIET_STATUSES else _STATUS_KINDS.get(row.status or "", UNKNOWN_STATUS)
    return RowLine(
        glyph=GLYPHS[group],
        group=group,
        label=visible(row.label),
        text=visible(row.text),
        status="" if row.status in QUIET_STATUSES else visible(row.status or ""),
        pair_mark=_PAIR_MARKS.get(row.pair_role or "", " "),
        problem=row.problem is not None,
        status_kind=kind,
        status_mark=mark,
    )
