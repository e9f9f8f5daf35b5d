"""Issue 4's measurements: applying a type filter at N loaded, and selection to detail drawn."""

from __future__ import annotations

import asyncio
import statistics
import time
from typing import Any

from convoscope.render.groups import ALL_ITEMS, FILTER_CYCLE
from convoscope.tui.screens.conversation import ConversationScreen
from convoscope.tui.widgets.item_list import ItemList

FILTERS = [FILTER_CYCLE[1], ALL_ITEMS, FILTER_CYCLE[2], ALL_ITEMS] * 3
SELECTIONS = 20


async def measure_filter_and_detail(screen: ConversationScreen, n: int) -> dict[str, Any]:
    item_list = screen.item_list
    filter_ms = [await _apply_filter_ms(screen, item_list, f) for f in FILTERS if not f.shows_all]
    detail_s = [await _selection_to_detail_s(screen, item_list, (k + 0.5) / SELECTIONS * n)
                for k in range(SELECTIONS)]
    return {
        "filter_ms": statistics.median(filter_ms),
        "filter_ms_max": max(filter_ms),
        "detail_s": statistics.median(detail_s),
        "detail_s_p95": sorted(detail_s)[int(0.95 * (len(detail_s) - 1))],
    }


async def _apply_filter_ms(screen: ConversationScreen, item_list: ItemList, type_filter) -> float:
    """CPU ms to switch to `type_filter` with everything loaded, and draw the visible lines."""
    screen._apply_filter(ALL_ITEMS)
    await asyncio.sleep(0.05)
    started = time.process_time()
    screen._apply_filter(type_filter)
    for y in range(item_list.size.height):
        item_list.render_line(y)
    elapsed = (time.process_time() - started) * 1000
    await asyncio.sleep(0.05)
    return elapsed


async def _selection_to_detail_s(screen: ConversationScreen, item_list: ItemList, where: float) -> float:
    """Wall seconds from moving to an item not fetched before until its full rendering is drawn."""
    screen._apply_filter(ALL_ITEMS)
    item_list.move_cursor(int(where))
    started = time.perf_counter()
    row = item_list.current_row
    assert row is not None
    detail = screen.detail
    while not (screen.shown_item is not None and screen.shown_item.id == row.id and detail.settled):
        if time.perf_counter() - started > 30:
            raise TimeoutError("the detail pane never showed the selected item")
        await asyncio.sleep(0.002)
    return time.perf_counter() - started
