"""Regenerate the SVG screenshots in this folder from the real app.

    python screenshots/make_screenshots.py

The app runs headless against the in-process demo server (bundled and synthetic conversations,
no network, no API key) with an empty history in a temporary directory, so the pictures are the
same on every machine. Each screenshot waits until loading has finished.

* picker.svg               the first screen: the demo server's conversations
* conversation.svg         the bundled coding-agent conversation
* conversation-newest.svg  conv_synth_100000 after `G`: the newest items, paged from the end
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
from textual.pilot import Pilot
from textual.widgets import Input

from convoscope.api import ConversationsClient, Profile
from convoscope.demo.app import create_app
from convoscope.paging.rows import Row
from convoscope.storage.history import History
from convoscope.tui.app import ConvoscopeApp
from convoscope.tui.screens.conversation import ConversationScreen
from convoscope.tui.screens.picker import PickerScreen

HERE = Path(__file__).resolve().parent
SIZE = (120, 34)
TIMEOUT_S = 20.0
CODING_AGENT = "conv_68f786ff63c49f5f7e76be87ae336b086735ce35b78e18e1"
NEWEST_DEMO = "conv_synth_100000"


async def wait_until(pilot: Pilot, predicate: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + TIMEOUT_S
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up waiting for {what}")
        await pilot.pause(0.02)


async def quiet(pilot: Pilot) -> None:
    """Let timers that follow the cursor fire, then wait for every worker to finish."""
    await pilot.pause(0.2)
    await wait_until(pilot, lambda: not any(w.is_running for w in pilot.app.workers), "workers")
    await pilot.pause()


async def picker_ready(pilot: Pilot) -> None:
    app = pilot.app
    await wait_until(pilot, lambda: isinstance(app.screen, PickerScreen) and bool(app.screen.listed), "the listing")
    app.screen.query_one(Input).cursor_blink = False
    await quiet(pilot)


def _conversation(pilot: Pilot) -> ConversationScreen:
    screen = pilot.app.screen
    assert isinstance(screen, ConversationScreen), screen
    return screen


def _settled(screen: ConversationScreen) -> bool:
    engine = screen.engine
    return engine.conversation is not None and not any(s.busy for s in engine.status.values())


async def conversation_ready(pilot: Pilot) -> None:
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, ConversationScreen), "the conversation")
    screen = _conversation(pilot)
    await wait_until(pilot, lambda: screen.engine.complete and _settled(screen), "every item")
    await quiet(pilot)


async def newest_ready(pilot: Pilot) -> None:
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, ConversationScreen), "the conversation")
    screen = _conversation(pilot)
    engine = screen.engine
    await wait_until(pilot, lambda: len(engine.index) > 0 and _settled(screen), "the first page")
    await pilot.press("G")
    await wait_until(pilot, lambda: engine.index.tail_count > 0 and _settled(screen), "the newest page")
    await pilot.pause(0.2)
    await wait_until(pilot, lambda: _settled(screen), "prefetch")
    last = engine.line(engine.line_count() - 1)
    assert isinstance(last, Row), last
    await quiet(pilot)


SHOTS: list[tuple[str, str | None, Callable[[Pilot], Awaitable[None]]]] = [
    ("picker.svg", None, picker_ready),
    ("conversation.svg", CODING_AGENT, conversation_ready),
    ("conversation-newest.svg", NEWEST_DEMO, newest_ready),
]


async def shoot(filename: str, conversation_id: str | None, ready: Callable[[Pilot], Awaitable[None]]) -> Path:
    with tempfile.TemporaryDirectory() as data:
        client = ConversationsClient(Profile.demo(), transport=httpx.ASGITransport(app=create_app()))
        app = ConvoscopeApp(client, conversation_id, history=History(Path(data) / "history.json"))
        async with app.run_test(size=SIZE) as pilot:
            await ready(pilot)
            return Path(app.save_screenshot(filename, path=str(HERE)))


async def main() -> None:
    for filename, conversation_id, ready in SHOTS:
        written = await shoot(filename, conversation_id, ready)
        print(f"wrote {written.relative_to(HERE.parent)} ({written.stat().st_size:,} bytes)")


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
