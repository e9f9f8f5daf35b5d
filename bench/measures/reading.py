"""Issue 11's measurement: drawing one screen of the reading view with N loaded."""

from __future__ import annotations

import asyncio
import statistics
import time
from typing import Any

from convoscope.tui.screens.conversation import ConversationScreen

POSITIONS = 10


async def measure_reading(screen: ConversationScreen, n: int) -> dict[str, Any]:
    """CPU ms to build and draw one full screen of the reading view, cold, at spread positions.

    At each position the view first settles (items fetched that pages no longer hold), then its
    strip cache is emptied and every visible line drawn: the cost of a screen nobody saw before.
    """
    screen.action_toggle_reading()
    reading = screen.reading
    drawn_ms = []
    for k in range(POSITIONS):
        reading.move_cursor(int((k + 0.5) / POSITIONS * n))
        await _settled(reading)
        reading.rebuild()  # empties the strip cache: the next draw builds every item
        started = time.process_time()
        for y in range(reading.size.height):
            reading.render_line(y)
        drawn_ms.append((time.process_time() - started) * 1000)
        await asyncio.sleep(0.05)
    screen.action_toggle_reading()
    return {"render_reading_ms": statistics.median(drawn_ms), "render_reading_ms_max": max(drawn_ms)}


async def _settled(reading: Any, timeout_s: float = 30.0) -> None:
    started = time.perf_counter()
    await asyncio.sleep(0.05)
    while reading.busy:
        if time.perf_counter() - started > timeout_s:
            raise TimeoutError("the reading view never settled")
        await asyncio.sleep(0.01)
