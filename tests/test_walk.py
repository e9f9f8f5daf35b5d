"""The paging walk: every item once, in order, whatever the server does with the cursor."""

import pytest

from convoscope.paging import WalkStop, WalkSummary, walk_items
from tests.conftest import SleepRecorder, demo_stats, make_client


async def _walk(url: str, conversation_id: str, **options) -> tuple[list, WalkSummary]:
    summary = WalkSummary()
    async with make_client(url, sleep=SleepRecorder()) as client:
        items = [i async for i in walk_items(client, conversation_id, summary=summary, **options)]
    return items, summary


@pytest.mark.parametrize("order", ["asc", "desc"])
async def test_walk_yields_every_item_once(demo_url, order):
    items, summary = await _walk(demo_url, "conv_synth_2345", order=order)
    ids = [i.id for i in items]
    assert len(ids) == len(set(ids)) == 2345
    assert summary.complete and summary.pages == 24 and summary.duplicates_dropped == 0


async def test_walk_stops_on_a_server_that_repeats_its_first_page(fault_server):
    url = fault_server(repeat_first_page=True)
    items, summary = await _walk(url, "conv_synth_500")
    # Noticed on the second page, then everything in one request: it still says "more".
    assert len(items) == 500 == len({i.id for i in items})
    assert summary.stop is WalkStop.UNPAGED_INCOMPLETE and not summary.complete
    assert summary.duplicates_dropped == 0
    assert demo_stats(url)["requests"] == 3  # not looping


async def test_walk_checks_a_full_last_page_from_a_server_that_ignores_after(fault_server):
    # has_more: false on a page exactly `limit` long: one item after it is asked for; the first
    # page comes again, so everything is asked for at once, and fewer than asked for came back.
    url = fault_server(ignore_after=True)
    items, summary = await _walk(url, "conv_synth_500")
    assert len(items) == 500 == len({i.id for i in items}) and summary.complete and summary.unpaged
    assert demo_stats(url)["requests"] == 3


async def test_a_full_last_page_from_an_honest_server_costs_one_probe(fault_server):
    url = fault_server()
    items, summary = await _walk(url, "conv_synth_100")
    assert len(items) == 100 and summary.complete and not summary.unpaged
    assert demo_stats(url)["requests"] == 2


async def test_walk_survives_flaky_servers(fault_server):
    url = fault_server(fail_next=[500, 429, 503], truncate_every=7)
    items, summary = await _walk(url, "conv_synth_1000", page_size=50)
    assert len({i.id for i in items}) == 1000 and summary.complete
