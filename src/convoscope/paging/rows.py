"""Compact rows: what the list keeps per item instead of the full payload.

At 100,000 items the full JSON would cost hundreds of megabytes; a row costs a few hundred bytes.
The detail pane fetches the full item again with get-item when it needs it.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from convoscope.api.models import GenericItem, Item, Link

ROW_TEXT_LIMIT = 240
NO_LINKS: tuple = ()


@dataclass(slots=True)
class Row:
    id: str | None
    type: str
    label: str
    text: str  # one line, raw server text: the widget makes it terminal-safe when it draws
    status: str | None
    links: tuple[Link, ...]
    problem: str | None  # why the item did not validate, or which required fields it lacks

    @property
    def in_progress(self) -> bool:
        return self.status == "in_progress"

    @property
    def pair_role(self) -> str | None:
        return self.links[0].role if self.links else None


def row_from_item(item: Item) -> Row:
    text = item.summary()
    if len(text) > ROW_TEXT_LIMIT:
        text = text[: ROW_TEXT_LIMIT - 1] + "…"
    # Types, labels and statuses repeat across thousands of rows, but JSON decoding makes a new
    # string for each; interning them saves ~15 MB at 100,000 rows.
    return Row(
        id=item.id,
        type=sys.intern(item.type) if isinstance(item.type, str) else "item",
        label=sys.intern(item.label),
        text=text,
        status=sys.intern(item.status) if isinstance(item.status, str) else None,
        links=tuple(item.links()) or NO_LINKS,
        problem=_problem(item),
    )


def _problem(item: Item) -> str | None:
    if isinstance(item, GenericItem) and item.validation_error:
        return "; ".join(p for p in (item.repair, item.validation_error) if p)
    warnings = item.spec_warnings()
    return "; ".join(warnings) if warnings else None
