"""Driving the real viewer in fault cases, and reading what it drew."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
from textual.pilot import Pilot

from convoscope.api import ConversationsClient, Profile, RetryPolicy, Secret
from convoscope.paging.engine import PagingEngine
from convoscope.tui.app import ConvoscopeApp
from convoscope.tui.screens.conversation import ConversationScreen
from convoscope.tui.widgets.item_list import ItemList
from tests.conftest import FAKE_KEY
from tests.screen import read_screen
from tests.tui_helpers import SIZE, loaded_ids, wait_until

_FRAME = re.compile(r"[▌▐│┃║▎▊█╭╮╰╯─━]")
http = httpx.Client(timeout=30)


def client_for(url: str, *, key: str | None = FAKE_KEY, attempts: int = 4, **profile: object) -> ConversationsClient:
    """A client as the command line builds one (the default retry policy, less the long waits)."""
    return ConversationsClient(
        Profile(name="test", base_url=url, api_key=Secret(key) if key else None, **profile),  # type: ignore[arg-type]
        retry=RetryPolicy(max_attempts=attempts),
    )


@dataclass
class Viewer:
    pilot: Pilot
    app: ConvoscopeApp
    last_ids: tuple[str | None, ...] = ()  # what ids() returned last (readable after the app ends)

    @property
    def screen(self) -> ConversationScreen:
        screen = self.app.screen
        assert isinstance(screen, ConversationScreen), type(screen).__name__
        return screen

    @property
    def engine(self) -> PagingEngine:
        return self.screen.engine

    @property
    def items(self) -> ItemList:
        return self.screen.query_one(ItemList)

    def ids(self) -> list[str | None]:
        ids = loaded_ids(self.engine)
        self.last_ids = tuple(ids)
        return ids

    def drawn(self) -> str:
        """Everything on the drawn screen, one line per row."""
        return str(read_screen(self.app))

    def drawn_words(self) -> str:
        """The drawn screen as words (toasts' frames dropped), for phrases that wrap."""
        pieces = []
        screen = read_screen(self.app)
        for toast in self.app.screen.query("Toast"):
            region = toast.region
            for y in range(region.y, min(region.bottom, screen.height)):
                pieces.append(screen.text(y, region.x, region.right))
        pieces.append(str(screen))
        return " ".join(_FRAME.sub(" ", " ".join(pieces)).split())

    async def wait_for_words(self, phrase: str, timeout: float = 15) -> str:
        """Wait until `phrase` is on the drawn screen (words, whitespace and case normalised)."""
        wanted = " ".join(phrase.split()).casefold()
        await wait_until(self.pilot, lambda: wanted in self.drawn_words().casefold(), timeout=timeout,
                         what=f"{phrase!r} on the screen")
        return phrase

    async def wait_for_conversation(self, timeout: float = 15) -> None:
        await wait_until(self.pilot, lambda: isinstance(self.app.screen, ConversationScreen),
                         timeout=timeout, what="the conversation screen")

    async def settle(self, timeout: float = 30) -> None:
        await self.pilot.pause()
        await wait_until(self.pilot, lambda: not any(s.busy for s in self.engine.status.values()),
                         timeout=timeout, what="no request in flight")
        await self.pilot.pause()


@contextlib.asynccontextmanager
async def viewer(url: str, conversation: str | None = None, *, client: ConversationsClient | None = None,
                 size: tuple[int, int] = SIZE) -> AsyncIterator[Viewer]:
    app = ConvoscopeApp(client or client_for(url), conversation)
    async with app.run_test(size=size, notifications=True) as pilot:
        yield Viewer(pilot, app)


def truth(url: str, conversation_id: str) -> list[str]:
    """Every id the server holds, oldest first, asked the plain way (faults switched off first)."""
    ids, after = [], None
    while True:
        params = {"order": "asc", "limit": 100, **({"after": after} if after else {})}
        page = http.get(f"{url}/conversations/{conversation_id}/items", params=params).json()
        ids.extend(item["id"] for item in page["data"])
        if not page["has_more"]:
            return ids
        after = page["data"][-1]["id"]


def set_faults(url: str, **faults: object) -> None:
    http.post(f"{url}/_demo/faults", json=faults).raise_for_status()


def requests_made(url: str) -> int:
    return http.get(f"{url}/_demo/stats").json()["requests"]


def held(cli: int | str, app: int | str) -> str:
    return f"CLI {cli} · app {app}"
