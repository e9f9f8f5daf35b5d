"""Search at N loaded: `n` to the next match, until the list's visible lines are drawn (search_ms)."""

from __future__ import annotations

import asyncio
import statistics
import time
from typing import Any

from convoscope.paging.rows import Row
from convoscope.tui.screens.conversation import ConversationScreen
from convoscope.tui.widgets.item_list import ItemList

PRESSES = 10


async def measure_search(screen: ConversationScreen, n: int) -> dict[str, Any]:
    """Median CPU ms of `n` for a term found every few rows and for one found far apart.

    The far term is the summary of a row near the end, so the first press from the top scans
    most of the index: the worst case a user meets.
    """
    item_list = screen.item_list
    common = await _presses_ms(screen, item_list, "user")
    far = await _presses_ms(screen, item_list, _far_term(item_list, n))
    return {"search_ms": statistics.median(common + far), "search_ms_common": statistics.median(common),
            "search_ms_far": statistics.median(far), "search_ms_max": max(common + far)}


def _far_term(item_list: ItemList, n: int) -> str:
    line = item_list.view.line(int(n * 0.95))
    assert isinstance(line, Row)
    return line.text[:24]


async def _presses_ms(screen: ConversationScreen, item_list: ItemList, term: str) -> list[float]:
    screen.search_term = term
    item_list.set_search(term)
    item_list.move_cursor(0)
    await asyncio.sleep(0.05)
    samples = []
    for _ in range(PRESSES):
        started = time.process_time()
        screen.action_search_next()
        for y in range(item_list.size.height):
            item_list.render_line(y)
        samples.append((time.process_time() - started) * 1000)
        await asyncio.sleep(0.01)  # let the detail pane's settle timer and frames run, untimed
    screen.search_term = ""
    item_list.set_search("")
    return samples
