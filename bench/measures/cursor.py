"""Cursor moves, counted three ways (CPU via time.process_time, which includes worker threads):

  key press   the action, then everything it set off until the app is quiet again: the frames
              that draw the list, and whatever the screen does on CursorMoved (the detail pane's
              fetch and render workers) plus the frames that draw their result. The headline.
  key repeat  j held down: a move every 1/30 s for a few seconds; CPU per move, and the share
              of the wall time the process was busy (near 1.0: it cannot keep up).
  list only   the action plus render_line for every visible list line (the widget's own share).
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Callable
from typing import Any

from textual.app import App

from harness import busy_workers, median_p95, quiet
from convoscope.tui.widgets.item_list import ItemList

MOVE_PLAN = [(0, 100, "down"), (0.5, 100, "down"), (0.5, 60, "up"), (1.0, 100, "down")]
"""(where to start as a fraction of N, how many moves, which way): top, middle, end."""



async def move_key_press(app: App[Any], item_list: ItemList, action: Callable[[], None]) -> float:
    already_busy = frozenset(busy_workers(app))
    started = time.process_time()
    action()
    await quiet(app, item_list, already_busy=already_busy)
    return (time.process_time() - started) * 1000


async def move_list_only(app: App[Any], item_list: ItemList, action: Callable[[], None]) -> float:
    started = time.process_time()
    action()
    for y in range(item_list.size.height):
        item_list.render_line(y)
    elapsed = (time.process_time() - started) * 1000
    await quiet(app, item_list)  # untimed: let the scroll and the detail pane land first
    return elapsed


async def run_moves(app: App[Any], item_list: ItemList, n: int, measure: Callable[..., Any],
                    scale: float = 1.0) -> list[tuple[float, bool]]:
    """(ms, scrolled) for each move of MOVE_PLAN (counts scaled by `scale`)."""
    samples = []
    for where, count, direction in MOVE_PLAN:
        action = item_list.action_cursor_down if direction == "down" else item_list.action_cursor_up
        item_list.move_cursor(min(int(where * n), n - 1 - count) if direction == "down" else int(where * n))
        await quiet(app, item_list)
        for _ in range(max(1, int(count * scale))):
            top = item_list.scroll_offset.y
            elapsed = await measure(app, item_list, action)
            samples.append((elapsed, item_list.scroll_offset.y != top))
    await quiet(app, item_list)
    return samples


REPEAT_HZ = 30
REPEAT_S = 3.0


async def measure_key_repeat(app: App[Any], item_list: ItemList, n: int) -> dict[str, Any]:
    item_list.move_cursor(n // 4)
    await quiet(app, item_list)
    moves, interval = int(REPEAT_S * REPEAT_HZ), 1 / REPEAT_HZ
    cpu_started, started = time.process_time(), time.perf_counter()
    for i in range(moves):
        item_list.action_cursor_down()
        await asyncio.sleep(max(0.0, started + (i + 1) * interval - time.perf_counter()))
    await quiet(app, item_list)
    cpu, wall = time.process_time() - cpu_started, time.perf_counter() - started
    return {"cursor_repeat_ms_per_move": cpu / moves * 1000, "cursor_repeat_hz": REPEAT_HZ,
            "cursor_repeat_busy_fraction": cpu / wall}


async def measure_cursor_moves(app: App[Any], item_list: ItemList, n: int) -> dict[str, Any]:
    press = await run_moves(app, item_list, n, move_key_press)
    listed = [ms for ms, _ in await run_moves(app, item_list, n, move_list_only, scale=0.5)]
    all_ms = [ms for ms, _ in press]
    scrolled = [ms for ms, did_scroll in press if did_scroll]
    still = [ms for ms, did_scroll in press if not did_scroll]
    median, p95 = median_p95(all_ms)
    return {"cursor_move_median_ms": median, "cursor_move_p95_ms": p95,
            "cursor_move_max_ms": max(all_ms), "cursor_moves": len(all_ms),
            "cursor_move_scroll_median_ms": statistics.median(scrolled) if scrolled else None,
            "cursor_move_noscroll_median_ms": statistics.median(still) if still else None,
            "cursor_moves_scrolled": len(scrolled),
            "cursor_move_list_only_median_ms": median_p95(listed)[0],
            "cursor_move_list_only_p95_ms": median_p95(listed)[1],
            **await measure_key_repeat(app, item_list, n)}


