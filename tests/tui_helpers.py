"""Helpers for Pilot-driven tests of the viewer: waiting, reading what is drawn, asking the server.

Everything here reads the app the way a user would see it (the text of drawn lines, the header)
or asks the demo server what it holds; nothing replaces our own client with a mock.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable, Iterator

import httpx
import pytest
from textual import events
from textual.pilot import Pilot
from textual.widget import Widget
from textual.worker import WorkerState

from convoscope.api import ConversationsClient, Profile
from convoscope.demo.app import create_app
from convoscope.paging.engine import Edge, EdgeState, PagingEngine
from convoscope.paging.rows import Row
from convoscope.tui.app import ConvoscopeApp
from convoscope.tui.screens.conversation import ConversationScreen
from convoscope.tui.widgets.conversation_header import ConversationHeader
from convoscope.tui.widgets.item_list import ItemList

# Generous: a wait returns as soon as its condition holds, and a busy machine (2 cores shared by
# several test runs) can take many seconds for what takes 100 ms on an idle one.
DEFAULT_TIMEOUT_S = 30.0

SIZE = (120, 40)  # terminal size for every app test: 37 list lines under a 2-line header


@pytest.fixture(autouse=True)
def isolated_data_dir(tmp_path, monkeypatch, request):
    """History (and any other data) goes to a per-test directory, never the real home.

    The picker's capability check sends a few requests at start-up; tests that count requests
    or inject faults into the next ones get "nothing known yet" instead, unless they are marked
    `detects_capabilities`.
    """
    directory = tmp_path / "data"
    monkeypatch.setenv("CONVOSCOPE_DATA_DIR", str(directory))
    if request.node.get_closest_marker("detects_capabilities") is None:
        from convoscope.api.capabilities import Capabilities
        from convoscope.tui.screens import picker

        async def nothing_known(client, probe_conversation_id=None):
            return Capabilities()

        monkeypatch.setattr(picker, "detect_capabilities", nothing_known)
    return directory


def in_process_client() -> ConversationsClient:
    """A client talking to a fresh in-process demo server (no sockets)."""
    return ConversationsClient(Profile.demo(), transport=httpx.ASGITransport(app=create_app()))


# --- waiting -------------------------------------------------------------------------------------


async def wait_until(pilot: Pilot, predicate: Callable[[], bool], *, timeout: float = DEFAULT_TIMEOUT_S, what: str = "") -> float:
    """Pause until `predicate()` holds; returns how long it took. Fails after `timeout` seconds."""
    started = time.monotonic()
    while not predicate():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what or predicate}")
        await pilot.pause(0.01)
    return time.monotonic() - started


async def settle(pilot: Pilot, engine: PagingEngine, *, timeout: float = DEFAULT_TIMEOUT_S) -> None:
    """Wait until neither edge has a request in flight (and the screen caught up)."""
    await pilot.pause()
    await wait_until(
        pilot, lambda: not any(s.busy for s in engine.status.values()), timeout=timeout, what="the engine to settle"
    )
    await pilot.pause()


async def open_conversation(pilot: Pilot, *, timeout: float = DEFAULT_TIMEOUT_S) -> tuple[ConversationScreen, ItemList, PagingEngine]:
    """The conversation screen on top, once its first page (or first failure) is in."""
    app = pilot.app
    await wait_until(
        pilot,
        lambda: isinstance(app.screen, ConversationScreen) and bool(app.screen.query(ItemList)),
        timeout=timeout,
        what="the conversation screen",
    )
    screen = app.screen
    assert isinstance(screen, ConversationScreen)
    items = screen.query_one(ItemList)
    engine = screen.engine
    await wait_until(
        pilot,
        lambda: engine.status[Edge.HEAD].pages > 0 or _ended_badly(engine),
        timeout=timeout,
        what="the first page",
    )
    await settle(pilot, engine, timeout=timeout)
    return screen, items, engine


def _ended_badly(engine: PagingEngine) -> bool:
    return any(s.state in (EdgeState.FAILED, EdgeState.STOPPED) for s in engine.status.values())


# --- reading the screen --------------------------------------------------------------------------


def drawn_lines(widget: Widget) -> list[str]:
    """The text of every line the widget draws now (what the terminal shows, clipped to width)."""
    return [widget.render_line(y).text for y in range(widget.size.height)]


def line_text(items: ItemList, index: int) -> str:
    """The full text of list line `index`, whether or not it is on screen (not clipped)."""
    return items.render_line_at(index, items.size.width, False).text


def header_text(screen: ConversationScreen) -> str:
    return str(screen.query_one(ConversationHeader).render())


def loaded_ids(engine: PagingEngine) -> list[str | None]:
    """Ids of the loaded rows, in the order the list shows them (the gap line skipped)."""
    return [line.id for n in range(engine.line_count()) if isinstance(line := engine.line(n), Row)]


def notifications(app: ConvoscopeApp) -> list[tuple[str, str]]:
    """(severity, message) of every notification on screen now (not expired, not dismissed)."""
    return [(n.severity, n.message) for n in app._notifications]


def notices_shown(app: ConvoscopeApp) -> list[tuple[str, str]]:
    """(severity, message) of every notification the app has shown since it started, expired
    or not: a notice lasts a few seconds, and a busy machine can take longer than that to get
    from the key press to the assertion."""
    return list(getattr(app, "_notices_shown", []))


@pytest.fixture(autouse=True)
def remember_notices(monkeypatch):
    """Record every notification an app shows, for `notices_shown` (import it into the test
    module, as `isolated_data_dir` is, to use it)."""
    original = ConvoscopeApp.notify

    def notify(self, message, **options):
        self.__dict__.setdefault("_notices_shown", []).append((options.get("severity", "information"), message))
        return original(self, message, **options)

    monkeypatch.setattr(ConvoscopeApp, "notify", notify)


# --- asking the demo server ----------------------------------------------------------------------

# One shared connection pool: a bare httpx.get() builds an SSL context each time (~50 ms).
http = httpx.Client(timeout=10)

SYNTH_INDEX = re.compile(r"_synth\d+x(\d{7})$")


def synth_index(item_id: str) -> int:
    """Position of a synthetic item from its id (`msg_synth450x0000042` -> 42)."""
    match = SYNTH_INDEX.search(item_id)
    assert match, item_id
    return int(match.group(1))


def server_ids(url: str, conversation_id: str) -> list[str]:
    """Every item id of a conversation, oldest first, straight from the server."""
    return list(_walk_ids(url, conversation_id))


def _walk_ids(url: str, conversation_id: str) -> Iterator[str]:
    after = None
    while True:
        params = {"order": "asc", "limit": 100, **({"after": after} if after else {})}
        page = http.get(f"{url}/conversations/{conversation_id}/items", params=params).json()
        yield from (item["id"] for item in page["data"])
        if not page["has_more"]:
            return
        after = page["last_id"]


def newest_id(url: str, conversation_id: str) -> str:
    page = http.get(f"{url}/conversations/{conversation_id}/items", params={"order": "desc", "limit": 1}).json()
    return page["data"][0]["id"]


def oldest_id(url: str, conversation_id: str) -> str:
    page = http.get(f"{url}/conversations/{conversation_id}/items", params={"order": "asc", "limit": 1}).json()
    return page["data"][0]["id"]


def reset_stats(url: str) -> None:
    http.post(f"{url}/_demo/reset").raise_for_status()


def message(text: str, role: str = "user", **fields: object) -> dict:
    part = {"type": "input_text" if role == "user" else "output_text", "text": text}
    return {"type": "message", "role": role, "content": [part], **fields}


def create_conversation(url: str, items: list[dict], metadata: dict | None = None) -> str:
    body: dict = {"items": items}
    if metadata is not None:
        body["metadata"] = metadata
    response = http.post(f"{url}/conversations", json=body)
    response.raise_for_status()
    return response.json()["id"]


def add_items(url: str, conversation_id: str, items: list[dict]) -> list[str]:
    response = http.post(f"{url}/conversations/{conversation_id}/items", json={"items": items})
    response.raise_for_status()
    return [item["id"] for item in response.json()["data"]]


# --- the detail pane -------------------------------------------------------------------------------

DETAIL_WORKER_GROUPS = frozenset({"detail-fetch", "detail-render", "detail-prerender"})


def detail_busy(app: ConvoscopeApp) -> bool:
    """Whether the detail pane is still fetching or drawing something."""
    return any(
        worker.group in DETAIL_WORKER_GROUPS and worker.state in (WorkerState.PENDING, WorkerState.RUNNING)
        for worker in app.workers
    )


def pane_lines(screen: ConversationScreen) -> list[str]:
    """Every line the detail pane has drawn for its document (not only the visible ones)."""
    return screen.detail.plain_lines


def pane_text(screen: ConversationScreen) -> str:
    return "\n".join(pane_lines(screen))


async def wait_for_detail(
    pilot: Pilot, screen: ConversationScreen, item_id: str | None = None, *, timeout: float = DEFAULT_TIMEOUT_S
) -> list[str]:
    """Wait until the pane shows the fetched item `item_id` (default: the one under the cursor),
    fully drawn; returns the pane's lines."""
    await pilot.pause(0)  # let the screen see the latest cursor move

    def shown() -> bool:
        wanted = item_id
        if wanted is None:
            row = screen.item_list.current_row
            wanted = row.id if row is not None else None
        item = screen.shown_item
        return (
            not detail_busy(pilot.app)
            and item is not None
            and item.id == wanted
            and screen.detail.document is not None
        )

    await wait_until(pilot, shown, timeout=timeout, what=f"the detail pane to show {item_id or 'the selected item'}")
    return pane_lines(screen)


async def wait_for_pane(
    pilot: Pilot, screen: ConversationScreen, predicate: Callable[[str], bool], *, timeout: float = DEFAULT_TIMEOUT_S, what: str = ""
) -> str:
    """Wait until nothing is fetched or drawn for the pane and its text satisfies `predicate`."""
    await pilot.pause(0)
    await wait_until(
        pilot,
        lambda: not detail_busy(pilot.app) and predicate(pane_text(screen)),
        timeout=timeout,
        what=what or "the detail pane",
    )
    return pane_text(screen)


async def select_line(pilot: Pilot, screen: ConversationScreen, index: int) -> None:
    """Put the list cursor on line `index` (as a click or key would) and let the pane react."""
    screen.item_list.move_cursor(index)
    await pilot.pause(0)


async def hold_key(pilot: Pilot, key: str, times: int, *, rate_hz: float = 30.0) -> None:
    """Send `key` `times` times at a keyboard's auto-repeat rate, as when a user holds it down.

    Pilot.press waits for the app to go idle after every key (tens of milliseconds), which is
    slower than a held key and would let every debounce expire; this does not wait.
    """
    app = pilot.app
    character = key if len(key) == 1 else None
    for _ in range(times):
        event = events.Key(key, character)
        event.set_sender(app)
        app.post_message(event)
        await asyncio.sleep(1 / rate_hz)
    await pilot.pause()


async def type_text(pilot: Pilot, text: str) -> None:
    """Type `text` into whatever has focus, one key per character."""
    await pilot.press(*text)


def item_fetches(stats: dict) -> dict[str, int]:
    """get-item requests by path (list requests end in /items, single items in /items/{id})."""
    return {path: n for path, n in stats["by_path"].items() if "/items/" in path}


def item_path(conversation_id: str, item_id: str) -> str:
    return f"/v1/conversations/{conversation_id}/items/{item_id}"


async def wait_for_quiet(pilot) -> None:
    """Wait until no worker is running (listing, details, pages, item fetches, drawing)."""
    await wait_until(
        pilot, lambda: not any(worker.is_running for worker in pilot.app.workers), timeout=DEFAULT_TIMEOUT_S, what="workers"
    )
    await pilot.pause()


async def wait_for_conversation(pilot):
    """The conversation screen, once every item and the conversation's details are loaded."""
    from convoscope.tui.screens.conversation import ConversationScreen

    app = pilot.app
    await wait_until(pilot, lambda: isinstance(app.screen, ConversationScreen), timeout=DEFAULT_TIMEOUT_S)
    screen = app.screen
    engine = screen.engine
    await wait_until(
        pilot,
        lambda: engine.complete and engine.conversation is not None and not any(s.busy for s in engine.status.values()),
        timeout=DEFAULT_TIMEOUT_S,
        what="the whole conversation",
    )
    return screen
