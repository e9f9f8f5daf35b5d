"""Cursor paging shared by the item list and the conversation list.

Positions are indexes in oldest-first order. `order` decides which way a page reads; `after`
and `before` are positions of cursor items, and a page holds only items strictly after
`after` and strictly before `before` *in the chosen order*:

* `after` (or nothing): the page starts right after the cursor (or at the start) and reads on;
  `has_more` says whether more items follow the page.
* `before` alone: the page is the `limit` items right before the cursor, still in the chosen
  order; `has_more` says whether more items precede the page. This is how a client pages
  backwards (Foundry's `before`).
* both: items between the two cursors, starting right after `after`.
"""

from __future__ import annotations

from typing import Callable, Iterator

Walk = Callable[[int, int, int], Iterator[int]]
"""walk(start, stop, step) yields the visible positions of range(start, stop, step), in order."""


def select_page(
    walk: Walk, size: int, *, order: str, after: int | None, before: int | None, limit: int
) -> tuple[list[int], bool]:
    """Positions of one page, in response order, and whether there are more beyond it."""
    step = 1 if order == "asc" else -1
    start_of_list = 0 if step == 1 else size - 1
    end_of_list = size if step == 1 else -1
    if before is not None and after is None:
        # Walk from the cursor back towards the start, then turn the page around.
        found = _take(walk(before - step, start_of_list - step, -step), limit + 1)
        return list(reversed(found[:limit])), len(found) > limit
    start = after + step if after is not None else start_of_list
    stop = before if before is not None else end_of_list
    found = _take(walk(start, stop, step), limit + 1)
    return found[:limit], len(found) > limit


def _take(positions: Iterator[int], count: int) -> list[int]:
    taken: list[int] = []
    for position in positions:
        taken.append(position)
        if len(taken) == count:
            break
    return taken


def walk_all(start: int, stop: int, step: int) -> Iterator[int]:
    """A Walk for plain lists where every position is visible."""
    return iter(range(start, stop, step))
