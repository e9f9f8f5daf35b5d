"""Page append: CPU to parse, index and draw one page of 100 at 100 and at N loaded."""

from __future__ import annotations

import json
import statistics
import time
from typing import Any

from textual.app import App

from harness import PAGE, SIZE, fetch_page_body, make_client, quiet, wait_until
from convoscope.api import ConversationsClient
from convoscope.api.models import parse_item
from convoscope.paging.engine import Edge, PagingEngine
from convoscope.paging.index import ItemIndex
from convoscope.paging.rows import row_from_item
from convoscope.tui.palette import ConvoscopeVariables
from convoscope.tui.screens.conversation import ConversationScreen
from convoscope.tui.widgets.item_list import ItemList


REPS = 11  # pages timed until drawn (and as many with list lines only), from 100 and up to N


class OfflineEngine(PagingEngine):
    """The real engine with its network switched off: the bench hands it pages itself."""

    def request(self, edge: Edge) -> None:
        pass


class AppendHarness(ConvoscopeVariables, App[None]):
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


async def preload(app: AppendHarness, source: ItemIndex, count: int) -> None:
    """A fresh index holding the first `count` rows of `source`, added a page at a time."""
    app.engine.index = index = ItemIndex()
    for first in range(0, count, PAGE):
        index.add_head([source.row(i) for i in range(first, min(first + PAGE, count))], reached_end=False)
    engine_changed(app.engine)
    await quiet(app, app.conversation.query_one(ItemList))


async def time_appends(app: AppendHarness, source: ItemIndex, start: int, bodies: list[bytes],
                       reached_end: bool) -> tuple[float, float]:
    """Median CPU ms of appending each page of `bodies` in turn after `start` rows.

    Even pages are timed until drawn, odd ones with the list's lines only. Pages follow each
    other, so the index is loaded once (at a million rows, reloading it per page would take
    longer than the whole measurement).
    """
    item_list = app.conversation.query_one(ItemList)
    await preload(app, source, start)
    drawn, list_only = [], []
    for number, body in enumerate(bodies):
        last = reached_end and number == len(bodies) - 1
        started = time.process_time()
        append_page(app.engine, body, last)
        if number % 2 == 0:
            await quiet(app, item_list)
            drawn.append((time.process_time() - started) * 1000)
        else:
            for y in range(item_list.size.height):
                item_list.render_line(y)
            list_only.append((time.process_time() - started) * 1000)
            await quiet(app, item_list)  # untimed
    return statistics.median(drawn), statistics.median(list_only)


def following_pages(url: str, conversation_id: str, source: ItemIndex, start: int, count: int) -> list[bytes]:
    """The bodies of the `count` pages after the first `start` rows, fetched up front."""
    return [fetch_page_body(url, conversation_id, after=source.row(start + k * PAGE - 1).id) for k in range(count)]


async def measure_page_append(url: str, conversation_id: str, source: ItemIndex) -> dict[str, Any]:
    n = len(source)
    reps = max(1, min(REPS, (n - PAGE) // (2 * PAGE)))  # a small N has room for fewer pages
    first_pages = following_pages(url, conversation_id, source, PAGE, 2 * reps)
    last_start = n - 2 * reps * PAGE
    last_pages = following_pages(url, conversation_id, source, last_start, 2 * reps)
    client = make_client(url)
    app = AppendHarness(client, conversation_id)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(lambda: app.conversation.is_mounted, 30, "the conversation screen")
        await pilot.pause()
        first, first_list = await time_appends(app, source, PAGE, first_pages, False)
        last, last_list = await time_appends(app, source, last_start, last_pages, True)
    await client.aclose()
    return {"page_append_ms_first": first, "page_append_ms_last": last,
            "page_append_list_only_ms_first": first_list, "page_append_list_only_ms_last": last_list}
