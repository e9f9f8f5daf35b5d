"""The paging engine: both ends, the gap, meeting without duplicates, prefetch, cancel, follow."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from convoscope.paging.engine import Edge, EdgeState, GapLine, PagingEngine
from convoscope.paging.index import ItemIndex
from convoscope.paging.rows import Row
from tests.conftest import SleepRecorder, demo_stats, make_client


def _row(n: int) -> Row:
    return Row(id=f"it_{n}", type="message", label="user", text=f"#{n}", status="completed", links=(), problem=None)


def _ids(index: ItemIndex) -> list[str]:
    return [index.row(i).id for i in range(len(index))]


# --- the index alone -----------------------------------------------------------------------------


def test_index_meets_from_the_head_without_duplicates():
    index = ItemIndex()
    index.add_head([_row(n) for n in range(0, 4)], reached_end=False)
    index.add_tail([_row(n) for n in range(9, 5, -1)], reached_start=False)
    assert index.gap_open and _ids(index) == [f"it_{n}" for n in (0, 1, 2, 3, 6, 7, 8, 9)]
    result = index.add_head([_row(n) for n in range(4, 8)], reached_end=False)
    assert result.met and result.added == 2
    assert not index.gap_open
    assert _ids(index) == [f"it_{n}" for n in range(10)]
    assert index.index_of("it_9") == 9 and index.index_of("it_4") == 4


def test_index_meets_from_the_tail():
    index = ItemIndex()
    index.add_head([_row(n) for n in range(0, 5)], reached_end=False)
    index.add_tail([_row(n) for n in range(9, 6, -1)], reached_start=False)
    result = index.add_tail([_row(n) for n in range(6, 2, -1)], reached_start=False)
    assert result.met and result.added == 2
    assert _ids(index) == [f"it_{n}" for n in range(10)]


def test_index_drops_repeats_and_tracks_in_progress_rows():
    index = ItemIndex()
    index.add_head([_row(0), _row(1)], reached_end=False)
    result = index.add_head([_row(0), _row(1)], reached_end=False)
    assert result.added == 0 and result.duplicates == 2 and not result.met
    running = Row(id="it_2", type="shell_call", label="shell", text="$ make", status="in_progress", links=(), problem=None)
    index.add_head([running], reached_end=True)
    assert index.in_progress_ids == {"it_2"}
    index.replace(Row(id="it_2", type="shell_call", label="shell", text="$ make", status="completed", links=(), problem=None))
    assert index.in_progress_ids == set() and index.row(2).status == "completed"


# --- the engine against the demo server ----------------------------------------------------------


async def _settled(engine: PagingEngine, timeout: float = 30.0) -> None:
    await _until(lambda: not any(status.busy for status in engine.status.values()), timeout, "the engine to settle")


async def _until(predicate, timeout: float, what: str) -> None:
    """Poll `predicate` (a condition, not a delay) until it holds; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        await asyncio.sleep(0.01)


@pytest.fixture
async def engine_for(demo_url):
    engines: list[PagingEngine] = []

    async def make(conversation_id: str, url: str = demo_url, **options) -> PagingEngine:
        client = make_client(url, sleep=SleepRecorder())
        engine = PagingEngine(client, conversation_id, **options)
        engines.append(engine)
        return engine

    yield make
    for engine in engines:
        await engine.close()
        await engine.client.aclose()


async def test_opens_at_the_oldest_item_with_a_gap_line_after_it(engine_for):
    engine = await engine_for("conv_synth_1000")
    engine.start()
    await _settled(engine)
    assert engine.line(0).id.endswith("0000000")
    assert isinstance(engine.line(100), GapLine)
    assert engine.line_count() == 101 and not engine.complete


async def test_jump_to_end_pages_from_the_end_only(engine_for, fault_server):
    url = fault_server()
    engine = await engine_for("conv_synth_100000", url)
    engine.start()
    await _settled(engine)
    engine.jump_to_end()
    await _settled(engine)
    last = engine.line(engine.line_count() - 1)
    assert last.id.endswith("0099999")
    calls = demo_stats(url)["list_calls"]
    assert [c["order"] for c in calls] == ["asc", "desc"]


async def test_prefetch_requests_the_next_page_within_a_page_of_the_edge(engine_for, fault_server):
    url = fault_server()
    engine = await engine_for("conv_synth_1000", url)
    engine.start()
    await _settled(engine)
    engine.viewport(0, 30)  # 70 lines above the edge at 100: already within a page
    await _settled(engine)
    assert len(engine.index) == 200
    engine.viewport(0, 30)  # now 170 lines away: nothing more
    await _settled(engine)
    assert len(engine.index) == 200
    assert demo_stats(url)["in_flight_max"] == 1


async def test_one_request_per_edge_however_often_asked(engine_for, fault_server):
    url = fault_server(latency_ms=50)
    engine = await engine_for("conv_synth_1000", url)
    engine.start()
    for _ in range(20):
        engine.request(Edge.HEAD)
        engine.viewport(0, 99)
    await _settled(engine)
    assert demo_stats(url)["requests"] == 1


async def test_jumping_cancels_the_request_no_longer_needed(engine_for, fault_server):
    url = fault_server(latency_ms=300)
    engine = await engine_for("conv_synth_5000", url)
    engine.start()
    await _until(lambda: demo_stats(url)["in_flight"] == 1, 30, "the first page to be asked for")
    assert engine.status[Edge.HEAD].busy
    engine.jump_to_end()
    assert engine.status[Edge.HEAD].state is EdgeState.IDLE
    await _settled(engine)
    assert len(engine.index) == 100 and engine.line(engine.line_count() - 1).id.endswith("0004999")


@pytest.mark.parametrize("n", [1, 99, 100, 101, 450, 2000])
async def test_load_all_meets_in_the_middle_with_every_item_once(engine_for, n):
    engine = await engine_for(f"conv_synth_{n}")
    await engine.load_all()
    ids = [engine.line(i).id for i in range(engine.line_count())]
    assert engine.complete and len(ids) == len(set(ids)) == n
    assert ids == sorted(ids, key=lambda i: int(i[-7:]))


async def test_a_server_that_ignores_the_cursor_stops_the_edge_once(engine_for, fault_server):
    """Page one, page one again, then everything in one request: it still says "more"."""
    url = fault_server(repeat_first_page=True)
    engine = await engine_for("conv_synth_500", url)
    engine.start()
    for _ in range(5):
        await _settled(engine)
        engine.viewport(0, engine.line_count())
    status = engine.status[Edge.HEAD]
    assert status.state is EdgeState.STOPPED and "ignores the paging cursor" in status.message
    assert "may be incomplete" in status.message and not engine.complete
    assert len(engine.index) == 500 == len({row.id for row in engine.index.rows()})
    assert engine.duplicates == 0
    assert demo_stats(url)["requests"] == 3


async def test_a_failed_page_can_be_retried(engine_for, fault_server):
    from convoscope.api import RetryPolicy

    url = fault_server(fail_next=[500, 500])
    client = make_client(url, sleep=SleepRecorder(), retry=RetryPolicy(max_attempts=2))
    engine = PagingEngine(client, "conv_synth_300")
    try:
        engine.start()
        await _settled(engine)
        assert engine.status[Edge.HEAD].state is EdgeState.FAILED
        assert "500" in engine.status[Edge.HEAD].message
        engine.retry()
        await _settled(engine)
        assert len(engine.index) == 100
    finally:
        await engine.close()
        await client.aclose()


async def test_follow_picks_up_new_items_and_refreshes_in_progress_rows(engine_for, fault_server):
    url = fault_server()
    created = httpx.post(f"{url}/conversations", json={"items": [_message("first")]}).json()
    engine = await engine_for(created["id"], url)
    await engine.load_all()
    assert len(engine.index) == 1
    httpx.post(f"{url}/conversations/{created['id']}/items", json={"items": [_message("second"), _message("third")]})
    assert await engine.poll_newest() == 2
    assert [engine.line(i).text for i in range(3)] == ["user: first", "user: second", "user: third"]


def _message(text: str) -> dict:
    return {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}


def test_index_finds_the_partner_of_a_call_and_of_its_output():
    from convoscope.api.models import Link

    call = Row(id="fc_1", type="function_call", label="f", text="f()", status="completed",
               links=(Link("call:c1", "call"),), problem=None)
    output = Row(id="fco_1", type="function_call_output", label="f", text="↳", status="completed",
                 links=(Link("call:c1", "output"),), problem=None)
    index = ItemIndex()
    index.add_head([call, _row(1), output], reached_end=True)
    assert index.partners(call) == ["fco_1"]
    assert index.partners(output) == ["fc_1"]
    assert index.partners(index.row(1)) == []


async def test_a_type_filter_shows_only_those_types_and_keeps_the_gap(engine_for):
    from convoscope.paging.view import FilteredView

    engine = await engine_for("conv_synth_1000")
    engine.start()
    await _settled(engine)
    view = FilteredView(engine, {"function_call", "function_call_output"}.__contains__)
    rows = [view.line(i) for i in range(view.line_count())]
    assert isinstance(rows[-1], GapLine)
    assert {r.type for r in rows[:-1]} == {"function_call", "function_call_output"}
    # Looking at the end of a sparse view asks the engine for more, until the screen is full.
    for _ in range(20):
        view.viewport(0, 40)
        await _settled(engine)
    assert view.line_count() > 41 or engine.complete
    first_id = rows[0].id
    assert view.line_of(first_id) == 0


# --- the prefetcher tells who listens in the same step that it caches an item -----------------------


async def test_the_prefetcher_tells_its_listener_as_it_caches_each_item_and_never_for_a_cached_one(fault_server):
    """In the same step: the detail pane prerenders what the listener asks for, and whoever finds
    the item cached must already see that work under way (a done callback came a step later)."""
    from convoscope.paging.items import ItemCache
    from convoscope.paging.prefetch import Prefetcher
    from tests.tui_helpers import server_ids

    url = fault_server()
    ids = server_ids(url, "conv_synth_60")[:3]
    cache = ItemCache(make_client(url), "conv_synth_60")
    told: list[str] = []
    seen_by_the_next_step: list[bool] = []
    fetch = cache.get

    async def fetch_then_look_next_step(item_id, include=()):
        item = await fetch(item_id, include)
        asyncio.get_running_loop().call_soon(lambda: seen_by_the_next_step.append(item_id in told))
        return item

    cache.get = fetch_then_look_next_step
    prefetcher = Prefetcher(cache, on_fetched=lambda item: told.append(item.id))
    prefetcher.keep_only(ids, ())
    for item_id in ids:
        await prefetcher.get(item_id, ())
    for _ in range(100):  # the last looks run a step after the last fetch
        if len(seen_by_the_next_step) == len(ids):
            break
        await asyncio.sleep(0)
    assert sorted(told) == sorted(ids)
    assert seen_by_the_next_step == [True, True, True]
    prefetcher.keep_only(ids, ())  # all cached: nothing fetched, nothing told again
    assert await prefetcher.get(ids[0], ()) is cache.cached(ids[0])
    assert len(told) == 3
    prefetcher.close()
    await cache.client.aclose()
