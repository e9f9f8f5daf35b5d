"""convoscope benchmark: the real viewer, headless, against a demo server on loopback.

    python bench/run.py --items 100000 --latency-ms 0 --json out.json [--skip-sdk]

Starts `convoscope demo-server` as a subprocess (so the server runs on another core), then
measures on `conv_synth_<N>`:

* first_item_s    app start -> first row in the engine's index
* jump_newest_s   key G -> the newest item is loaded and is the cursor line
* walk_s          key L (load all, both ends at once) -> all N rows in the index
* sdk_walk_s      the same walk with the official `openai` SDK's auto-pagination
* raw_walk_s      (0 ms only) a sequential httpx + json.loads walk: a practical floor
* rss_mb          RSS of this process with all N loaded (and the baseline before loading)
* cursor move     CPU of one key press (down/up) until everything it set off is drawn
* page append     CPU to parse, index and draw one page of 100 at 100 and at N loaded

See bench/README.md for the method and the measured numbers.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime
import gc
import json
import math
import os
import platform
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import httpx
import psutil
from textual import events
from textual.app import App
from textual.worker import WorkerState

from detail_filter import measure_filter_and_detail  # bench/ is on sys.path when run as a script
from convoscope.api import ConversationsClient, Profile, Secret
from convoscope.api.models import parse_item
from convoscope.paging.engine import Edge, EdgeState, PagingEngine
from convoscope.paging.index import ItemIndex
from convoscope.paging.rows import Row, row_from_item
from convoscope.storage.history import History
from convoscope.tui.app import ConvoscopeApp
from convoscope.tui.screens.conversation import ConversationScreen
from convoscope.tui.widgets.item_list import ItemList

SIZE = (120, 40)
PAGE = 100
API_KEY = "sk-bench"
POLL_S = 0.001  # how often the bench looks at the engine while it waits for a condition
MB = 1024 * 1024

TARGETS = {
    "rss_mb": 150.0,
    "cursor_move_median_ms": 20.0,
    "page_append_ms": 15.0,
    "page_append_flatness": 2.0,  # last / first: "flat in N"
    "jump_margin_s": 0.150,  # jump_newest_s <= latency + this
    "walk_vs_sdk": 0.55,
    "walk_vs_floor": 1.05,
}


# --- the demo server -------------------------------------------------------------------------------


class DemoServer:
    """`convoscope demo-server` in a subprocess on a free loopback port (port 0: it picks one)."""

    def __init__(self, latency_ms: float, log_dir: Path) -> None:
        self.latency_ms = latency_ms
        self.log_path = log_dir / "demo-server.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.url = ""

    def start(self, timeout_s: float = 20.0) -> str:
        command = [sys.executable, "-m", "convoscope", "demo-server", "--host", "127.0.0.1",
                   "--port", "0", "--latency-ms", str(self.latency_ms)]
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        self.url = self._wait_for_url(timeout_s)
        self._wait_until_serving(timeout_s)
        return self.url

    def _wait_for_url(self, timeout_s: float) -> str:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if match := re.search(r"http://\S+/v1", self.log_path.read_text(errors="replace")):
                return match.group()
            if self.process is not None and self.process.poll() is not None:
                break
            time.sleep(0.02)
        raise RuntimeError(f"demo server did not start:\n{self.log_path.read_text(errors='replace')}")

    def _wait_until_serving(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/_demo/stats", timeout=1.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.02)
        raise RuntimeError("demo server is not answering")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)

    # --- the demo control routes (not counted in the statistics) ---

    def reset_stats(self) -> None:
        httpx.post(f"{self.url}/_demo/reset", timeout=5.0).raise_for_status()

    def stats(self) -> dict[str, Any]:
        return httpx.get(f"{self.url}/_demo/stats", timeout=5.0).json()


@contextmanager
def demo_server(latency_ms: float, log_dir: Path) -> Iterator[DemoServer]:
    server = DemoServer(latency_ms, log_dir)
    try:
        server.start()
        with stop_on_signals(server, log_dir):
            yield server
    finally:
        server.stop()


@contextmanager
def stop_on_signals(server: DemoServer, tmp: Path) -> Iterator[None]:
    """Ctrl-C or SIGTERM: stop the server and leave at once.

    Raising KeyboardInterrupt is not enough: inside the Textual app an exception raised by a
    signal handler can land in a callback that logs it and carries on.
    """
    def handler(signum: int, _frame: object) -> None:
        print(f"\ninterrupted (signal {signum}): stopping the demo server", file=sys.stderr)
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)
        os._exit(128 + signum)

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def items_url(url: str, conversation_id: str) -> str:
    return f"{url}/conversations/{conversation_id}/items"


def fetch_page_body(url: str, conversation_id: str, *, order: str = "asc",
                    after: str | None = None, limit: int = PAGE) -> bytes:
    params: dict[str, Any] = {"limit": limit, "order": order}
    if after:
        params["after"] = after
    response = httpx.get(items_url(url, conversation_id), params=params,
                         headers={"Authorization": f"Bearer {API_KEY}"}, timeout=30.0)
    response.raise_for_status()
    return response.content


def newest_item_id(url: str, conversation_id: str) -> str:
    return json.loads(fetch_page_body(url, conversation_id, order="desc", limit=1))["data"][0]["id"]


# --- small helpers -------------------------------------------------------------------------------


def rss_mb() -> float:
    gc.collect()
    return psutil.Process().memory_info().rss / MB


def median_p95(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]


def make_client(url: str) -> ConversationsClient:
    return ConversationsClient(Profile(name="bench", base_url=url, api_key=Secret(API_KEY)))


def make_app(url: str, conversation_id: str, history_dir: Path) -> ConvoscopeApp:
    # A throw-away history file: the bench must not touch the user's recent conversations.
    return ConvoscopeApp(make_client(url), conversation_id, history=History(history_dir / "history.json"))


def conversation_screen(app: App[Any]) -> ConversationScreen | None:
    try:
        stack = app.screen_stack
    except Exception:  # the app has not started yet
        return None
    return next((s for s in stack if isinstance(s, ConversationScreen)), None)


def loaded_rows(app: App[Any]) -> int:
    screen = conversation_screen(app)
    return len(screen.engine.index) if screen is not None else 0


async def wait_until(condition: Callable[[], bool], timeout_s: float, what: str,
                     poll_s: float = POLL_S) -> float:
    """Poll `condition` with short sleeps; the perf_counter time at which it first held."""
    deadline = time.perf_counter() + timeout_s
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError(f"timed out after {timeout_s:.0f} s waiting for {what}")
        await asyncio.sleep(poll_s)
    return time.perf_counter()


def send_key(app: App[Any], key: str) -> None:
    """Deliver a key the way the terminal driver does (Pilot.press adds idle waits on top)."""
    event = events.Key(key, key if len(key) == 1 else None)
    event.set_sender(app)
    app.post_message(event)


async def next_frames(widget: ItemList, frames: int = 2) -> None:
    """Wait for the screen to repaint: one frame for the change, one for a deferred scroll."""
    for _ in range(frames):
        await widget.wait_for_refresh()


def engine_idle(engine: PagingEngine) -> bool:
    return not any(engine.status[edge].state is EdgeState.LOADING for edge in Edge)


# --- 1. open the conversation, then G --------------------------------------------------------------


async def measure_open_and_jump(url: str, conversation_id: str, newest_id: str,
                                history_dir: Path, timeout_s: float) -> dict[str, Any]:
    started = time.perf_counter()
    app = make_app(url, conversation_id, history_dir)
    # Watch from before run_test: the first page may land while the app is still starting.
    first_seen = asyncio.ensure_future(
        wait_until(lambda: loaded_rows(app) > 0, timeout_s, "the first item"))
    async with app.run_test(size=SIZE) as pilot:
        first_item_s = await first_seen - started
        screen = conversation_screen(app)
        assert screen is not None
        engine, item_list = screen.engine, screen.query_one(ItemList)
        await wait_until(lambda: engine_idle(engine), timeout_s, "the first pages to settle")
        await pilot.pause()
        loaded_before_jump = len(engine.index)

        def newest_is_cursor() -> bool:
            line = engine.line_of(newest_id)
            return line is not None and item_list.cursor == line

        pressed = time.perf_counter()
        send_key(app, "G")
        jump_newest_s = await wait_until(newest_is_cursor, timeout_s, "the newest item") - pressed
    return {"first_item_s": first_item_s, "jump_newest_s": jump_newest_s,
            "rows_before_jump": loaded_before_jump}


# --- 2. load all, then memory and cursor moves -----------------------------------------------------


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
                       timeout_s: float, cursor_moves: bool = True) -> tuple[dict[str, Any], list[Row]]:
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
        if cursor_moves:
            result.update(await measure_cursor_moves(app, screen.query_one(ItemList), n))
            result.update(await measure_filter_and_detail(screen, n))
        rows = [engine.index.row(i) for i in range(len(engine.index))]
    return result, rows


def check_complete(engine: PagingEngine, n: int) -> dict[str, Any]:
    rows = len(engine.index)
    ids = {engine.index.row(i).id for i in range(rows)}
    if rows != n or len(ids) != n:
        raise AssertionError(f"load all gave {rows} rows and {len(ids)} distinct ids, expected {n}")
    return {"walk_rows": rows, "walk_distinct_ids": len(ids)}


# --- cursor moves ------------------------------------------------------------------------------
#
# One move is counted three ways (CPU via time.process_time, which includes worker threads):
#   key press   the action, then everything it set off until the app is quiet again: the frames
#               that draw the list, and whatever the screen does on CursorMoved (the detail pane's
#               fetch and render workers) plus the frames that draw their result. The headline.
#   key repeat  j held down: a move every 1/30 s for a few seconds; CPU per move, and the share
#               of the wall time the process was busy (near 1.0: it cannot keep up).
#   list only   the action plus render_line for every visible list line (the widget's own share).

ACTIVE_WORKERS = (WorkerState.PENDING, WorkerState.RUNNING)
MOVE_PLAN = [(0, 100, "down"), (0.5, 100, "down"), (0.5, 60, "up"), (1.0, 100, "down")]
"""(where to start as a fraction of N, how many moves, which way): top, middle, end."""


def busy_workers(app: App[Any]) -> set[Any]:
    return {worker for worker in app.workers if worker.state in ACTIVE_WORKERS}


async def quiet(app: App[Any], item_list: ItemList, timeout_s: float = 10.0,
                already_busy: frozenset[Any] = frozenset()) -> None:
    """Wait until a move's consequences are drawn: frames, no busy worker, frames again.

    Workers in `already_busy` (busy before the move, e.g. a long-lived poller) are ignored.
    Workers are awaited, not polled: a polling loop would add its own CPU to what is measured.
    """
    await next_frames(item_list)
    deadline = time.perf_counter() + timeout_s
    while busy := busy_workers(app) - already_busy:
        left = deadline - time.perf_counter()
        if left <= 0:
            raise TimeoutError("workers still busy after a cursor move")
        running = [worker for worker in busy if worker.state is WorkerState.RUNNING]
        if not running:  # only workers about to start
            await asyncio.sleep(0.001)
            continue
        await asyncio.wait([asyncio.ensure_future(finished(worker)) for worker in running], timeout=left)
    await next_frames(item_list)


async def finished(worker: Any) -> None:
    """Wait for a worker, whatever its outcome (cancelled by a newer move, say)."""
    with contextlib.suppress(Exception, asyncio.CancelledError):
        await worker.wait()


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


# --- 3. page append ------------------------------------------------------------------------------


class OfflineEngine(PagingEngine):
    """The real engine with its network switched off: the bench hands it pages itself."""

    def request(self, edge: Edge) -> None:
        pass


class AppendHarness(App[None]):
    """The real ConversationScreen, its engine swapped for an OfflineEngine before it mounts."""

    def __init__(self, client: ConversationsClient, conversation_id: str) -> None:
        super().__init__()
        self.conversation = ConversationScreen(client, conversation_id)
        self.engine = OfflineEngine(client, conversation_id, on_change=self.conversation.engine.on_change)
        self.conversation.engine = self.engine

    def on_mount(self) -> None:
        self.push_screen(self.conversation)


def engine_changed(engine: PagingEngine) -> None:
    """What the engine does after adding a page: bump its version, tell the screen."""
    if hasattr(engine, "version"):
        engine.version += 1
    engine.on_change()


def append_page(engine: PagingEngine, body: bytes, reached_end: bool) -> None:
    """What the engine does with a page: decode, parse_item, row_from_item, add to the index."""
    items = [parse_item(raw) for raw in json.loads(body)["data"]]
    engine.index.add_head([row_from_item(item) for item in items], reached_end=reached_end)
    engine_changed(engine)


async def preload(app: AppendHarness, rows: list[Row]) -> None:
    app.engine.index = ItemIndex()
    app.engine.index.add_head(rows, reached_end=False)
    engine_changed(app.engine)
    await quiet(app, app.conversation.query_one(ItemList))


async def time_appends(app: AppendHarness, before: list[Row], body: bytes, reached_end: bool,
                       reps: int) -> tuple[float, float]:
    """Median CPU ms of appending `body` after `before` rows: (until drawn, list lines only)."""
    item_list = app.conversation.query_one(ItemList)
    drawn, list_only = [], []
    for _ in range(reps):
        await preload(app, before)
        started = time.process_time()
        append_page(app.engine, body, reached_end)
        await quiet(app, item_list)
        drawn.append((time.process_time() - started) * 1000)
        await preload(app, before)
        started = time.process_time()
        append_page(app.engine, body, reached_end)
        for y in range(item_list.size.height):
            item_list.render_line(y)
        list_only.append((time.process_time() - started) * 1000)
    return statistics.median(drawn), statistics.median(list_only)


async def measure_page_append(url: str, conversation_id: str, rows: list[Row]) -> dict[str, Any]:
    n = len(rows)
    second_page = fetch_page_body(url, conversation_id, after=rows[PAGE - 1].id)
    last_page = fetch_page_body(url, conversation_id, after=rows[n - PAGE - 1].id)
    client = make_client(url)
    app = AppendHarness(client, conversation_id)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(lambda: app.conversation.is_mounted, 30, "the conversation screen")
        await pilot.pause()
        first, first_list = await time_appends(app, rows[:PAGE], second_page, False, 21)
        last, last_list = await time_appends(app, rows[: n - PAGE], last_page, True, 11)
    await client.aclose()
    return {"page_append_ms_first": first, "page_append_ms_last": last,
            "page_append_list_only_ms_first": first_list, "page_append_list_only_ms_last": last_list}


# --- 4. walks without the app ------------------------------------------------------------------


def sdk_walk(server: DemoServer, conversation_id: str, n: int) -> dict[str, Any]:
    import openai  # imported here: its import is not part of the app's RSS

    server.reset_stats()
    started = time.perf_counter()
    client = openai.OpenAI(base_url=server.url, api_key=API_KEY)
    ids = [item.id for item in client.conversations.items.list(conversation_id, limit=PAGE, order="asc")]
    elapsed = time.perf_counter() - started
    client.close()
    if len(ids) != n or len(set(ids)) != n:
        raise AssertionError(f"SDK walk gave {len(ids)} items, {len(set(ids))} distinct, expected {n}")
    return {"sdk_walk_s": elapsed, "sdk_requests": server.stats()["requests"]}


def raw_walk(server: DemoServer, conversation_id: str, n: int) -> dict[str, Any]:
    """One sequential walk, plain httpx + json.loads, no models: the practical floor at 0 ms."""
    started = time.perf_counter()
    ids: list[str] = []
    after = None
    with httpx.Client(headers={"Authorization": f"Bearer {API_KEY}"}, timeout=30.0) as http:
        while True:
            params: dict[str, Any] = {"limit": PAGE, "order": "asc"}
            if after:
                params["after"] = after
            page = json.loads(http.get(items_url(server.url, conversation_id), params=params).content)
            ids.extend(item["id"] for item in page["data"])
            if not page["has_more"] or not page["data"]:
                break
            after = page["last_id"]
    elapsed = time.perf_counter() - started
    if len(ids) != n or len(set(ids)) != n:
        raise AssertionError(f"raw walk gave {len(ids)} items, expected {n}")
    return {"raw_walk_s": elapsed}


# --- targets and report --------------------------------------------------------------------------


def target(value: float | None, limit: float | None, note: str = "") -> dict[str, Any]:
    passed = None if value is None or limit is None else value <= limit
    return {"value": value, "limit": limit, "pass": passed, "note": note}


def evaluate_targets(r: dict[str, Any]) -> dict[str, dict[str, Any]]:
    latency_s = r["latency_ms"] / 1000
    worst_append = max(r["page_append_ms_first"], r["page_append_ms_last"])
    flatness = r["page_append_ms_last"] / r["page_append_ms_first"]
    targets = {
        "rss_mb": target(r["rss_mb"], TARGETS["rss_mb"]),
        "cursor_move_median_ms": target(r["cursor_move_median_ms"], TARGETS["cursor_move_median_ms"]),
        "page_append_ms_max": target(worst_append, TARGETS["page_append_ms"]),
        "page_append_last_over_first": target(flatness, TARGETS["page_append_flatness"]),
        "jump_newest_s": target(r["jump_newest_s"], latency_s + TARGETS["jump_margin_s"]),
    }
    if r.get("sdk_walk_s"):
        targets["walk_vs_sdk"] = target(r["walk_s"] / r["sdk_walk_s"], TARGETS["walk_vs_sdk"])
    else:
        targets["walk_vs_sdk"] = target(None, TARGETS["walk_vs_sdk"], "SDK walk skipped")
    if r["floor_s"] > 0:
        targets["walk_vs_floor"] = target(r["walk_s"] / r["floor_s"], TARGETS["walk_vs_floor"])
    else:
        practical = r["walk_s"] / r["raw_walk_s"] if r.get("raw_walk_s") else None
        targets["walk_vs_floor"] = target(
            None, TARGETS["walk_vs_floor"],
            "floor is 0 at 0 ms latency: not meaningful"
            + (f"; walk / raw_walk_s (practical floor) = {practical:.2f}x" if practical else ""))
        targets["walk_vs_floor"]["walk_vs_raw_walk"] = practical
    return targets


ROWS = [
    ("first_item_s", "first item after app start", "s"),
    ("jump_newest_s", "G -> newest item is the cursor line", "s"),
    ("walk_s", "load all (L -> all N rows)", "s"),
    ("walk_from_app_start_s", "  same, from app start", "s"),
    ("sdk_walk_s", "openai SDK auto-pagination walk", "s"),
    ("raw_walk_s", "raw httpx + json.loads walk", "s"),
    ("floor_s", "floor: ceil(N/100) x latency", "s"),
    ("walk_list_requests", "item-list requests (walk app)", ""),
    ("rss_baseline_mb", "RSS before loading", "MB"),
    ("rss_mb", "RSS with all N loaded", "MB"),
    ("rss_delta_mb", "  delta", "MB"),
    ("rss_peak_mb", "peak RSS so far", "MB"),
    ("cursor_move_median_ms", "cursor move (key press), median", "ms"),
    ("cursor_move_p95_ms", "cursor move (key press), p95", "ms"),
    ("cursor_move_scroll_median_ms", "  moves that scrolled, median", "ms"),
    ("cursor_move_noscroll_median_ms", "  moves that did not scroll, median", "ms"),
    ("cursor_repeat_ms_per_move", "cursor move (key repeat 30/s), per move", "ms"),
    ("cursor_repeat_busy_fraction", "  share of wall time busy", ""),
    ("cursor_move_list_only_median_ms", "cursor move (list only), median", "ms"),
    ("page_append_ms_first", "page append at 100 (until drawn)", "ms"),
    ("page_append_ms_last", "page append at N (until drawn)", "ms"),
    ("page_append_list_only_ms_first", "page append at 100 (list lines only)", "ms"),
    ("page_append_list_only_ms_last", "page append at N (list lines only)", "ms"),
    ("filter_ms", "type filter at N loaded, median", "ms"),
    ("detail_s", "selection -> full item drawn, median", "s"),
    ("walk_on_change_ms_early", "on_change during walk, <10% loaded", "ms"),
    ("walk_on_change_ms_late", "on_change during walk, >90% loaded", "ms"),
]


def fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def print_report(r: dict[str, Any]) -> None:
    print(f"\nconvoscope bench  N={r['items']:,}  latency={r['latency_ms']:g} ms  {r['date']}  "
          f"commit {r['commit']}{' + uncommitted src' if r['src_dirty'] else ''}  "
          f"load avg {r['load_avg_at_start']:.1f}->{r['load_avg_at_end']:.1f}")
    print(f"{'metric':<40} {'value':>12}  unit")
    print("-" * 60)
    for key, label, unit in ROWS:
        if key in r:
            print(f"{label:<40} {fmt(r[key]):>12}  {unit}")
    print(f"\n{'target':<30} {'value':>10} {'limit':>10}  result")
    print("-" * 66)
    for name, t in r["targets"].items():
        verdict = {True: "PASS", False: "FAIL", None: "n/a"}[t["pass"]]
        print(f"{name:<30} {fmt(t['value']):>10} {fmt(t['limit']):>10}  {verdict}  {t['note']}")


# --- main ----------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=100_000, help="N: conversation conv_synth_N")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="server latency per request")
    parser.add_argument("--json", type=Path, help="write the results to this file (one JSON object)")
    parser.add_argument("--skip-sdk", action="store_true", help="skip the (slow) openai SDK walk")
    args = parser.parse_args(argv)
    if args.items < 2 * PAGE:
        parser.error(f"--items must be at least {2 * PAGE}")
    return args


async def measure_app(server: DemoServer, conversation_id: str, n: int, newest_id: str,
                      timeout_s: float, history_dir: Path) -> dict[str, Any]:
    result = await measure_open_and_jump(server.url, conversation_id, newest_id, history_dir, timeout_s)
    walk, rows = await measure_walk(server, conversation_id, n, history_dir, timeout_s)
    result.update(walk)
    result.update(await measure_page_append(server.url, conversation_id, rows))
    return result


@contextmanager
def isolated_dirs(tmp: Path) -> Iterator[None]:
    """Point convoscope's data and config dirs at `tmp`: the bench must not touch the user's
    history, capability cache or config (the server subprocess inherits this too)."""
    names = ("CONVOSCOPE_DATA_DIR", "CONVOSCOPE_CONFIG_DIR")
    saved = {name: os.environ.get(name) for name in names}
    os.environ.update({name: str(tmp / name.lower()) for name in names})
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def source_state() -> dict[str, Any]:
    """Which code was measured: the commit, and whether src/ had uncommitted changes."""
    root = Path(__file__).resolve().parent.parent
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root,
                                capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "src"], cwd=root,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return {"commit": None, "src_dirty": None}
    return {"commit": commit, "src_dirty": bool(dirty)}


def run(args: argparse.Namespace) -> dict[str, Any]:
    n, latency_ms = args.items, args.latency_ms
    conversation_id = f"conv_synth_{n}"
    floor_s = math.ceil(n / PAGE) * latency_ms / 1000
    timeout_s = 120 + 3 * floor_s
    result: dict[str, Any] = {
        "items": n, "latency_ms": latency_ms, "floor_s": floor_s,
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "python": platform.python_version(), "cpus": os.cpu_count(),
        "load_avg_at_start": os.getloadavg()[0], **source_state(),
    }
    if result["load_avg_at_start"] > (os.cpu_count() or 1) / 2:
        print(f"warning: load average {result['load_avg_at_start']:.1f}: other processes are busy "
              "and will distort the timings", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="convoscope-bench-") as tmp, isolated_dirs(Path(tmp)), \
            demo_server(latency_ms, Path(tmp)) as server:
        newest_id = newest_item_id(server.url, conversation_id)
        result["newest_id"] = newest_id
        result.update(asyncio.run(
            measure_app(server, conversation_id, n, newest_id, timeout_s, Path(tmp))))
        if latency_ms == 0:
            result.update(raw_walk(server, conversation_id, n))
        if not args.skip_sdk:
            result.update(sdk_walk(server, conversation_id, n))
    result["load_avg_at_end"] = os.getloadavg()[0]
    result["pages"] = sum(result["walk_pages"].values())
    result["requests"] = result["walk_list_requests"]
    result["targets"] = evaluate_targets(result)
    return result


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        result = run(args)
    except KeyboardInterrupt:
        print("interrupted; demo server stopped", file=sys.stderr)
        return 130
    print_report(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
        print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
