"""The API client against real HTTP on loopback: the demo server, and servers that act like others."""

from __future__ import annotations

import re
import traceback

import httpx
import pytest

from convoscope.api import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    BadRequestError,
    BadResponseError,
    NotFoundError,
    RateLimitError,
    RetryPolicy,
)
from convoscope.api.errors import InternalServerError
from convoscope.api.include import INCLUDE_VALUES
from convoscope.demo.serve import serve_in_background
from tests.conftest import FAKE_KEY, SleepRecorder, demo_stats, make_client
from tests.other_servers import OtherServer

BUNDLED_WITH_EVERYTHING = None  # filled lazily: a bundled conversation id per include value


async def _walk_ids(client, conversation_id: str, order: str, limit: int) -> list[str]:
    ids: list[str] = []
    after = None
    while True:
        page = await client.list_items(conversation_id, limit=limit, order=order, after=after)
        ids.extend(item.id for item in page.data)
        if not page.has_more:
            return ids
        after = page.last_id


def _index(item_id: str) -> int:
    return int(re.findall(r"\d+", item_id)[-1])


# --- paging --------------------------------------------------------------------------------------


@pytest.mark.parametrize("order", ["asc", "desc"])
async def test_multi_page_walk_returns_every_item_once_in_order(client, order):
    ids = await _walk_ids(client, "conv_synth_1000", order=order, limit=37)
    assert len(ids) == 1000
    assert len(set(ids)) == 1000
    indexes = [_index(i) for i in ids]
    assert indexes == sorted(indexes, reverse=(order == "desc"))


async def test_both_orders_see_the_same_items(client):
    asc = await _walk_ids(client, "conv_synth_300", order="asc", limit=100)
    desc = await _walk_ids(client, "conv_synth_300", order="desc", limit=100)
    assert asc == list(reversed(desc))


async def test_conversation_and_listing(client):
    page = await client.list_conversations(limit=100)
    assert page is not None and len(page.data) >= 7
    first = page.data[0]
    conversation = await client.retrieve_conversation(first.id)
    assert conversation.id == first.id
    assert isinstance(conversation.created_at, int)


async def test_listing_absent_on_a_server_without_it():
    server = OtherServer(status=404, shape="detail-string")
    with serve_in_background(server) as url:
        async with make_client(url) as client:
            assert await client.list_conversations() is None


# --- include -------------------------------------------------------------------------------------


def _find_gated(data: dict, include: str) -> object:
    """The value an include value controls in a raw item, or None when absent."""
    item_type, *path = include.split(".")
    if include == "message.input_image.image_url":
        parts = [p for p in data.get("content") or [] if p.get("type") == "input_image"]
        return next((p.get("image_url") for p in parts if p.get("image_url")), None)
    if include == "message.output_text.logprobs":
        parts = [p for p in data.get("content") or [] if p.get("type") == "output_text"]
        return next((p.get("logprobs") for p in parts if p.get("logprobs")), None)
    value: object = data
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


async def _item_carrying(client, include: str) -> tuple[str, str]:
    """(conversation id, item id) of a bundled item that has the field `include` controls."""
    page = await client.list_conversations(limit=100)
    for conversation in page.data:
        if conversation.id.startswith("conv_synth"):
            continue
        items = await client.list_items(conversation.id, limit=100, include=[include])
        for item in items.data:
            if item.raw.get("type") == include.split(".")[0] and _find_gated(item.raw, include):
                return conversation.id, item.id
    pytest.skip(f"no bundled item carries {include}")


@pytest.mark.parametrize("include", [v for v in INCLUDE_VALUES if v != "web_search_call.results"])
async def test_every_include_value_adds_its_field(client, include):
    conversation_id, item_id = await _item_carrying(client, include)
    without = await client.retrieve_item(conversation_id, item_id)
    with_it = await client.retrieve_item(conversation_id, item_id, include=[include])
    assert not _find_gated(without.raw, include)
    assert _find_gated(with_it.raw, include)


# --- errors --------------------------------------------------------------------------------------


async def test_unknown_conversation_is_a_typed_404_with_request_id(client):
    with pytest.raises(NotFoundError) as caught:
        await client.list_items("conv_does_not_exist")
    error = caught.value
    assert error.status_code == 404
    assert error.request_id and error.request_id.startswith("req_")
    assert str(error).startswith("404 Not Found: ")
    assert "\n" not in str(error)


async def test_server_side_validation_is_a_bad_request(client):
    with pytest.raises(BadRequestError) as caught:
        await client.list_items("conv_synth_10", order="sideways")  # type: ignore[arg-type]
    assert caught.value.param == "order"


async def test_client_rejects_out_of_range_limit_before_sending(client):
    # Above 100 is allowed on purpose (asking a server that ignores the cursor for everything).
    with pytest.raises(ValueError, match="at least 1"):
        await client.list_items("conv_synth_10", limit=0)


@pytest.mark.parametrize(
    ("shape", "status", "expected"),
    [
        ("openai", 404, "404 Not Found: No such item: 'msg_1'. (request req_other_1)"),
        ("azure", 400, "400 Bad Request: Invalid conversation id. [ResponsibleAIPolicyViolation]"),
        ("detail-string", 404, "404 Not Found: Conversation not found"),
        ("detail-list", 422, "422 Unprocessable Entity: query.limit: Input should be less than or equal to 100"),
        ("text", 403, "403 Forbidden: upstream connect error or disconnect/reset before headers"),
        ("html", 418, "418 Error: 502 Bad Gateway"),
        ("ansi", 400, "400 Bad Request: [31mboom [0m ]0;pwned done"),
    ],
)
async def test_every_error_shape_becomes_one_clear_line(shape, status, expected):
    with serve_in_background(OtherServer(status=status, shape=shape)) as url:
        async with make_client(url) as client:
            with pytest.raises(APIStatusError) as caught:
                await client.retrieve_item("conv_1", "msg_1")
    message = str(caught.value)
    assert message.startswith(expected)
    assert "\x1b" not in message and "\x07" not in message and "\n" not in message


# --- retries -------------------------------------------------------------------------------------


async def test_rate_limit_waits_exactly_what_retry_after_says(fault_server):
    url = fault_server(rate_limit_every=2, retry_after_s=0.25)
    sleeps, events = SleepRecorder(), []
    async with make_client(url, sleep=sleeps, on_retry=events.append) as client:
        for _ in range(2):  # requests 1 and 2 (429, then retried as request 3)
            await client.list_items("conv_synth_50", limit=5)
    assert sleeps.delays == [0.25]
    retries = [event for event in events if not event.finished]
    assert len(retries) == 1 and retries[0].server_directed
    assert events[-1].finished  # and the retries of that request are reported over
    assert events[0].describe() == "rate limited, retrying in 0.2 s (attempt 2 of 4)"


async def test_server_errors_back_off_exponentially_then_succeed(fault_server):
    url = fault_server(fail_next=[503, 502, 500])
    sleeps = SleepRecorder()
    async with make_client(url, sleep=sleeps) as client:
        page = await client.list_items("conv_synth_50", limit=5)
    assert len(page.data) == 5
    assert len(sleeps.delays) == 3
    for retries_taken, delay in enumerate(sleeps.delays):
        base = 0.5 * 2**retries_taken
        assert 0.75 * base <= delay <= base


async def test_retries_are_bounded(fault_server):
    url = fault_server(fail_next=[500] * 10)
    async with make_client(url, sleep=SleepRecorder(), retry=RetryPolicy(max_attempts=3)) as client:
        with pytest.raises(InternalServerError):
            await client.list_items("conv_synth_50")
    assert demo_stats(url)["requests"] == 3


async def test_a_long_retry_after_is_not_waited_out(fault_server):
    url = fault_server(rate_limit_every=1, retry_after_s=600)
    sleeps = SleepRecorder()
    async with make_client(url, sleep=sleeps) as client:
        with pytest.raises(RateLimitError) as caught:
            await client.list_items("conv_synth_50")
    assert sleeps.delays == []
    assert caught.value.retry_after_s == 600


async def test_a_create_is_never_repeated_after_a_server_error(fault_server):
    url = fault_server()
    async with make_client(url, sleep=SleepRecorder()) as client:
        conversation = await client.create_conversation(metadata={"title": "t"})
        httpx.post(f"{url}/_demo/faults", json={"fail_next": [500]}).raise_for_status()
        demo_stats_before = demo_stats(url)["requests"]
        with pytest.raises(InternalServerError):
            await client.create_items(conversation.id, [_user_message("hello")])
        assert demo_stats(url)["requests"] == demo_stats_before + 1
        page = await client.list_items(conversation.id)
    assert page.data == []


async def test_a_create_is_retried_after_a_rate_limit(fault_server):
    url = fault_server()
    async with make_client(url, sleep=SleepRecorder()) as client:
        conversation = await client.create_conversation()
        httpx.post(f"{url}/_demo/faults", json={"fail_next": [429]}).raise_for_status()
        created = await client.create_items(conversation.id, [_user_message("hi")])
        page = await client.list_items(conversation.id)
    assert [i.id for i in page.data] == [i.id for i in created.data]


async def test_too_many_items_for_one_create_is_refused_before_sending(client):
    with pytest.raises(ValueError, match="at most 20"):
        await client.create_items("conv_x", [_user_message(str(n)) for n in range(21)])


async def test_truncated_body_is_retried_then_reported(fault_server):
    url = fault_server(truncate_every=2)
    async with make_client(url, sleep=SleepRecorder()) as client:
        await client.list_items("conv_synth_50")  # request 1 fine
        page = await client.list_items("conv_synth_50")  # request 2 truncated, 3 fine
    assert len(page.data) == 50
    url = fault_server(truncate_every=1)
    async with make_client(url, sleep=SleepRecorder()) as client:
        with pytest.raises(BadResponseError, match="malformed JSON"):
            await client.list_items("conv_synth_50")


async def test_a_stalled_server_times_out(fault_server):
    url = fault_server(stall_every=1, stall_s=5)
    async with make_client(url, timeout=0.3, sleep=SleepRecorder(), retry=RetryPolicy(max_attempts=2)) as client:
        with pytest.raises(APITimeoutError, match="timed out"):
            await client.list_items("conv_synth_50")


async def test_unreachable_server_is_a_connection_error():
    async with make_client("http://127.0.0.1:9/v1", sleep=SleepRecorder(), retry=RetryPolicy(max_attempts=2)) as client:
        with pytest.raises(APIConnectionError, match="could not connect to 127.0.0.1"):
            await client.list_items("conv_1")


# --- ids and secrets -----------------------------------------------------------------------------


@pytest.mark.parametrize("item_id", ["a/b", "../../conversations", "x?limit=1", "frag#ment", "%2F", "sp ace"])
async def test_ids_never_change_the_request_path(item_id):
    server = OtherServer(status=404)
    with serve_in_background(server) as url:
        async with make_client(url) as client:
            with pytest.raises(NotFoundError):
                await client.retrieve_item("conv_1", item_id)
    path = server.raw_paths[-1].decode()
    assert path.startswith("/v1/conversations/conv_1/items/")
    last_segment = path.removeprefix("/v1/conversations/conv_1/items/")
    assert "/" not in last_segment and "?" not in last_segment and "#" not in last_segment


@pytest.mark.parametrize("bad_id", ["", ".", ".."])
async def test_ids_that_are_dot_segments_are_refused(client, bad_id):
    with pytest.raises(ValueError, match="not a valid id"):
        await client.retrieve_item("conv_1", bad_id)


async def test_the_key_is_sent_but_never_shown(fault_server):
    server = OtherServer(status=401, echo_auth=True)
    with serve_in_background(server) as url:
        async with make_client(url, sleep=SleepRecorder()) as client:
            with pytest.raises(APIStatusError) as caught:
                await client.list_items("conv_1")
            assert FAKE_KEY not in repr(client) and FAKE_KEY not in repr(client.profile)
    assert server.headers_seen[-1]["authorization"] == f"Bearer {FAKE_KEY}"
    errors = [caught.value]
    url = fault_server(fail_next=[500] * 5)
    async with make_client(url, sleep=SleepRecorder()) as client:
        with pytest.raises(APIStatusError) as caught:
            await client.list_items("conv_1")
        errors.append(caught.value)
    async with make_client("http://127.0.0.1:9/v1", sleep=SleepRecorder()) as client:
        with pytest.raises(APIConnectionError) as caught:
            await client.list_items("conv_1")
        errors.append(caught.value)
    for error in errors:
        text = str(error) + repr(error) + "".join(traceback.format_exception(error))
        assert FAKE_KEY not in text
    assert "****" in str(errors[0])


def _user_message(text: str) -> dict:
    return {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}
