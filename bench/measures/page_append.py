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
from convoscope.paging.rows import Row, row_from_item
from convoscope.tui.screens.conversation import ConversationScreen
from convoscope.tui.widgets.item_list import ItemList


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


