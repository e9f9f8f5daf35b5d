"""What every measurement shares: the demo server subprocess, the app, waiting and frames.

Each measurement in `measures/` is a small unit that takes these pieces and returns a dict of
numbers; `run.py` runs them in order and `report.py` judges them against the targets.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import math
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
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

from convoscope.api import ConversationsClient, Profile, Secret
from convoscope.paging.engine import Edge, EdgeState, PagingEngine
from convoscope.storage.history import History
from convoscope.tui.app import ConvoscopeApp
from convoscope.tui.screens.conversation import ConversationScreen
from convoscope.tui.widgets.item_list import ItemList

SIZE = (120, 40)
PAGE = 100
API_KEY = "sk-bench"
POLL_S = 0.001  # how often the bench looks at the engine while it waits for a condition
MB = 1024 * 1024


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



ACTIVE_WORKERS = (WorkerState.PENDING, WorkerState.RUNNING)


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


