"""Load all (`L`), then the memory it holds and, at N loaded, every interactive measurement."""

from __future__ import annotations

import asyncio
import resource
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from harness import MB, SIZE, DemoServer, conversation_screen, make_app, rss_mb, send_key, wait_until
from measures.cursor import measure_cursor_moves
from measures.filter_detail import measure_filter_and_detail
from measures.reading import measure_reading
from measures.search import measure_search
from convoscope.paging.engine import Edge, PagingEngine
from convoscope.paging.index import ItemIndex
from convoscope.tui.widgets.item_list import ItemList


class OnChangeTimer:
    """Wraps the screen's on_change: CPU ms of each call, with the row count it saw."""

    def __init__(self, inner: Callable[[], None], engine: PagingEngine) -> None:
        self.inner, self.engine = inner, engine
        self.samples: list[tuple[int, float]] = []

    def __call__(self) -> None:
        started = time.process_time()
        self.inner()
        self.samples.append((len(self.engine.index), (time.process_time() - started) * 1000))

    def summary(self, n: int) -> dict[str, float]:
        """Median ms over the calls while under 10% loaded, and while over 90% loaded."""
        early = [ms for rows, ms in self.samples if rows <= n * 0.1]
        late = [ms for rows, ms in self.samples if rows >= n * 0.9]
        return {"walk_on_change_ms_early": statistics.median(early) if early else float("nan"),
                "walk_on_change_ms_late": statistics.median(late) if late else float("nan"),
                "walk_on_change_calls": len(self.samples)}


async def measure_walk(server: DemoServer, conversation_id: str, n: int, history_dir: Path,
                       timeout_s: float, cursor_moves: bool = True) -> tuple[dict[str, Any], ItemIndex]:
    result: dict[str, Any] = {"rss_baseline_mb": rss_mb()}
    server.reset_stats()
    started = time.perf_counter()
    app = make_app(server.url, conversation_id, history_dir)
    screen_up = asyncio.ensure_future(wait_until(
        lambda: (s := conversation_screen(app)) is not None and s.engine.status[Edge.HEAD].busy,
        timeout_s, "the conversation screen"))
    async with app.run_test(size=SIZE) as pilot:
        await screen_up
        screen = conversation_screen(app)
        assert screen is not None
        engine = screen.engine
        timer = engine.on_change = OnChangeTimer(engine.on_change, engine)
        pressed = time.perf_counter()
        send_key(app, "L")
        done = await wait_until(lambda: engine.complete, timeout_s, "load all", poll_s=0.002)
        result["walk_s"] = done - pressed
        result["walk_from_app_start_s"] = done - started
        result.update(check_complete(engine, n))
        result.update(timer.summary(n))
        result["walk_pages"] = {edge.name.lower(): engine.status[edge].pages for edge in Edge}
        await pilot.pause()
        stats = server.stats()
        result["walk_requests"] = stats["requests"]
        result["walk_list_requests"] = stats["by_path"].get(f"/v1/conversations/{conversation_id}/items", 0)
        result["walk_in_flight_max"] = stats["in_flight_max"]
        result["rss_mb"] = rss_mb()
        result["rss_delta_mb"] = result["rss_mb"] - result["rss_baseline_mb"]
        result["rss_peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        result["bytes_per_row"] = result["rss_delta_mb"] * MB / n
        if cursor_moves:
            result.update(await measure_cursor_moves(app, screen.query_one(ItemList), n))
            result.update(await measure_filter_and_detail(screen, n))
            result.update(await measure_search(screen, n))
            result.update(await measure_reading(screen, n))
        index = engine.index
    return result, index


def check_complete(engine: PagingEngine, n: int) -> dict[str, Any]:
    rows = len(engine.index)
    ids = set(engine.index.ids())
    if rows != n or len(ids) != n:
        raise AssertionError(f"load all gave {rows} rows and {len(ids)} distinct ids, expected {n}")
    return {"walk_rows": rows, "walk_distinct_ids": len(ids)}

