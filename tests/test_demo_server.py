"""The demo Conversations API server: paging, validation, include, item_type, lifecycle,
faults and statistics, mostly in-process through httpx's ASGI transport."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from convoscope.demo import Faults, create_app, serve_in_background
from convoscope.demo.bundled import load_bundled
from convoscope.demo.include import INCLUDABLE
from convoscope.demo.synthetic import SyntheticItems

FIXTURE_ID = "conv_fixture"

# One item per include-gated field (each holding it in full), plus ordinary items.
FIXTURE_ITEMS: list[dict[str, Any]] = [
    {"id": "msg_u1", "type": "message", "role": "user", "status": "completed", "content": [
        {"type": "input_text", "text": "What is in this picture?"},
        {"type": "input_image", "detail": "auto", "image_url": "https://example.com/cat.png"},
    ]},
    {"id": "rs_1", "type": "reasoning", "summary": [{"type": "summary_text", "text": "Looking."}], "encrypted_content": "gAAAAABsecret"},
    {"id": "ws_1", "type": "web_search_call", "status": "completed",
     "action": {"type": "search", "query": "cats", "sources": [{"type": "url", "url": "https://cats.example"}]},
     "results": [{"url": "https://cats.example", "title": "Cats"}]},
    {"id": "fs_1", "type": "file_search_call", "status": "completed", "queries": ["cat facts"],
     "results": [{"file_id": "file_1", "filename": "cats.pdf", "score": 0.9, "text": "Cats purr."}]},
    {"id": "ci_1", "type": "code_interpreter_call", "status": "completed", "container_id": "cntr_1", "code": "print(1)",
     "outputs": [{"type": "logs", "logs": "1\n"}]},
    {"id": "cu_1", "type": "computer_call", "call_id": "call_cu", "status": "completed", "pending_safety_checks": [],
     "action": {"type": "screenshot"}},
    {"id": "cuo_1", "type": "computer_call_output", "call_id": "call_cu", "status": "completed",
     "output": {"type": "computer_screenshot", "image_url": "data:image/png;base64,iVBORw0KGgo=", "file_id": "file_shot"}},
    {"id": "fc_1", "type": "function_call", "call_id": "call_fn", "name": "get_weather", "arguments": "{}", "status": "completed"},
    {"id": "fco_1", "type": "function_call_output", "call_id": "call_fn", "output": "sunny", "status": "completed"},
    {"id": "msg_a1", "type": "message", "role": "assistant", "status": "completed", "content": [
        {"type": "output_text", "text": "A cat.", "annotations": [],
         "logprobs": [{"token": "A", "bytes": [65], "logprob": -0.1, "top_logprobs": []}]},
    ]},
    {"id": "msg_u2", "type": "message", "role": "user", "status": "completed", "content": [{"type": "input_text", "text": "Thanks"}]},
    {"id": "msg_a2", "type": "message", "role": "assistant", "status": "completed", "content": [
        {"type": "output_text", "text": "You're welcome.", "annotations": []}]},
]
FIXTURE_IDS = [item["id"] for item in FIXTURE_ITEMS]


def visible(item: dict[str, Any], path: tuple[Any, ...]) -> bool:
    """Whether a gated field is shown: present and not null."""
    node: Any = item
    for key in path:
        if isinstance(node, dict):
            if node.get(key) is None:
                return False
            node = node[key]
        else:
            node = node[key]
    return True


# include value -> (item id, path to the gated field)
GATED_FIELDS: dict[str, tuple[str, tuple[Any, ...]]] = {
    "web_search_call.action.sources": ("ws_1", ("action", "sources")),
    "web_search_call.results": ("ws_1", ("results",)),
    "code_interpreter_call.outputs": ("ci_1", ("outputs",)),
    "computer_call_output.output.image_url": ("cuo_1", ("output", "image_url")),
    "file_search_call.results": ("fs_1", ("results",)),
    "message.input_image.image_url": ("msg_u1", ("content", 1, "image_url")),
    "message.output_text.logprobs": ("msg_a1", ("content", 0, "logprobs")),
    "reasoning.encrypted_content": ("rs_1", ("encrypted_content",)),
}


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("demo-data")
    document = {
        "conversation": {"id": FIXTURE_ID, "object": "conversation", "created_at": 1_700_000_000, "metadata": {"title": "Fixture"}},
        "items": FIXTURE_ITEMS,
    }
    (directory / "fixture.json").write_text(json.dumps(document))
    return directory


@pytest.fixture
def app(data_dir: Path):
    return create_app(data_dir=data_dir)


@pytest.fixture
async def client(app):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://demo/v1") as c:
        yield c


async def page_through(client: httpx.AsyncClient, conversation_id: str, *, cursor: str = "after", start: str | None = None, **params: Any) -> list[str]:
    """Follow a cursor until has_more is false; returns every id seen, in order."""
    ids: list[str] = []
    position = start
    for _ in range(10_000):
        query = {**params, **({cursor: position} if position else {})}
        body = (await client.get(f"/conversations/{conversation_id}/items", params=query)).raise_for_status().json()
        page = [item["id"] for item in body["data"]]
        ids.extend(page if cursor == "after" else reversed(page))
        if not body["has_more"]:
            return ids
        position = body["last_id"] if cursor == "after" else body["first_id"]
    raise AssertionError("paging did not end")


def assert_openai_error(response: httpx.Response, status: int, param: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert error["type"] == "invalid_request_error" and error["message"]
    if param is not None:
        assert error["param"] == param
    return error


# --- Paging -------------------------------------------------------------------------------------

@pytest.mark.parametrize("conversation_id", [FIXTURE_ID, "conv_synth_250"])
@pytest.mark.parametrize("order", ["asc", "desc"])
@pytest.mark.parametrize("limit", [1, 7, 100])
async def test_after_pages_return_every_item_once_in_order(client, conversation_id, order, limit):
    expected = FIXTURE_IDS if conversation_id == FIXTURE_ID else [SyntheticItems(250).id_at(i) for i in range(250)]
    if order == "desc":
        expected = expected[::-1]
    assert await page_through(client, conversation_id, order=order, limit=limit) == expected


@pytest.mark.parametrize("order", ["asc", "desc"])
async def test_before_pages_walk_backwards_to_the_start(client, order):
    expected = [SyntheticItems(250).id_at(i) for i in range(250)]
    if order == "desc":
        expected = expected[::-1]
    backwards = await page_through(client, "conv_synth_250", cursor="before", start=expected[-1], order=order, limit=7)
    assert backwards == expected[-2::-1]


async def test_before_page_is_the_one_right_before_the_cursor_in_response_order(client):
    ids = [SyntheticItems(250).id_at(i) for i in range(250)]
    asc = (await client.get("/conversations/conv_synth_250/items", params={"order": "asc", "before": ids[100], "limit": 3})).json()
    assert [i["id"] for i in asc["data"]] == ids[97:100] and asc["has_more"]
    desc = (await client.get("/conversations/conv_synth_250/items", params={"order": "desc", "before": ids[100], "limit": 3})).json()
    assert [i["id"] for i in desc["data"]] == ids[103:100:-1] and desc["has_more"]


async def test_after_and_before_together_bound_the_page(client):
    ids = [SyntheticItems(250).id_at(i) for i in range(250)]
    body = (await client.get("/conversations/conv_synth_250/items", params={"order": "asc", "after": ids[10], "before": ids[15], "limit": 100})).json()
    assert [i["id"] for i in body["data"]] == ids[11:15]
    assert body["has_more"] is False


async def test_list_response_has_exactly_the_conversation_item_list_shape(client):
    body = (await client.get(f"/conversations/{FIXTURE_ID}/items", params={"limit": 2})).json()
    assert set(body) == {"object", "data", "first_id", "last_id", "has_more"}
    assert body["object"] == "list"
    assert [body["first_id"], body["last_id"]] == ["msg_a2", "msg_u2"]  # default order is desc
    assert body["has_more"] is True


@pytest.mark.parametrize("order", ["asc", "desc"])
async def test_conversation_list_pages_cover_every_conversation_once(client, order):
    ids: list[str] = []
    after = None
    while True:
        body = (await client.get("/conversations", params={"limit": 1, "order": order, **({"after": after} if after else {})})).json()
        ids += [c["id"] for c in body["data"]]
        if not body["has_more"]:
            break
        after = body["last_id"]
    assert sorted(ids) == sorted({FIXTURE_ID, "conv_synth_10000", "conv_synth_100000"})
    assert len(ids) == 3
    created = [c["created_at"] for c in (await client.get("/conversations", params={"order": order})).json()["data"]]
    assert created == sorted(created, reverse=order == "desc")


# --- Validation and errors ----------------------------------------------------------------------

@pytest.mark.parametrize("limit", ["0", "101", "-3", "ten"])
async def test_limit_outside_1_to_100_is_400(client, limit):
    assert_openai_error(await client.get(f"/conversations/{FIXTURE_ID}/items", params={"limit": limit}), 400, "limit")
    assert_openai_error(await client.get("/conversations", params={"limit": limit}), 400, "limit")


async def test_bad_order_include_and_cursor_are_400(client):
    url = f"/conversations/{FIXTURE_ID}/items"
    assert_openai_error(await client.get(url, params={"order": "sideways"}), 400, "order")
    assert_openai_error(await client.get(url, params={"include[]": "message.nonsense"}), 400, "include")
    assert_openai_error(await client.get(url, params={"after": "msg_nope"}), 400, "after")
    assert_openai_error(await client.get(url, params={"before": "msg_nope"}), 400, "before")
    assert_openai_error(await client.get("/conversations", params={"after": "conv_nope"}), 400, "after")


async def test_unknown_conversation_item_and_route_are_404_wrong_method_405(client):
    assert_openai_error(await client.get("/conversations/conv_nope"), 404)
    assert_openai_error(await client.get("/conversations/conv_nope/items"), 404)
    assert_openai_error(await client.get(f"/conversations/{FIXTURE_ID}/items/msg_nope"), 404)
    assert_openai_error(await client.get(f"/conversations/{FIXTURE_ID}/items/msg%20%3F%26weird"), 404)
    assert_openai_error(await client.get("/conversations/conv_synth_250/items/msg_synth251x0000001"), 404)
    assert_openai_error(await client.get("/nowhere"), 404)
    assert_openai_error(await client.delete("/conversations"), 405)
    assert_openai_error(await client.put(f"/conversations/{FIXTURE_ID}"), 405)


@pytest.mark.parametrize("bad_id", ["conv_synth_0", "conv_synth_1000001", "conv_synth_007", "conv_synth_x"])
async def test_out_of_range_synthetic_ids_do_not_exist(client, bad_id):
    assert_openai_error(await client.get(f"/conversations/{bad_id}"), 404)


async def test_bad_bodies_are_400(client):
    url = f"/conversations/{FIXTURE_ID}"
    assert_openai_error(await client.post(url + "/items", content=b"{not json"), 400)
    assert_openai_error(await client.post(url + "/items", json={}), 400, "items")
    assert_openai_error(await client.post(url + "/items", json={"items": [{"role": "user", "content": "x"}] * 21}), 400, "items")
    assert_openai_error(await client.post(url + "/items", json={"items": [{"type": "nonsense"}]}), 400, "items[0].type")
    assert_openai_error(await client.post(url, json={}), 400, "metadata")
    assert_openai_error(await client.post(url, json={"metadata": {"k": 1}}), 400, "metadata")
    assert_openai_error(await client.post("/conversations", json={"items": [{"role": "user", "content": "x"}] * 21}), 400, "items")


async def test_every_response_carries_a_request_id(client, app):
    app.state.faults = Faults(fail_next=[500])
    responses = [
        await client.get("/conversations/conv_synth_5/items"),  # injected 500
        await client.get("/conversations/conv_synth_5/items"),
        await client.get("/conversations/conv_nope"),
        await client.delete("/conversations"),
        await client.get("/_demo/stats"),
    ]
    assert [r.status_code for r in responses] == [500, 200, 404, 405, 200]
    request_ids = [r.headers["x-request-id"] for r in responses]
    assert all(rid.startswith("req_") for rid in request_ids) and len(set(request_ids)) == len(request_ids)


# --- include and item_type ----------------------------------------------------------------------

@pytest.mark.parametrize("include", sorted(GATED_FIELDS))
async def test_include_toggles_each_gated_field_on_list_and_retrieve(client, include):
    item_id, path = GATED_FIELDS[include]
    list_url = f"/conversations/{FIXTURE_ID}/items"

    async def listed(params: dict[str, Any]) -> dict[str, Any]:
        data = (await client.get(list_url, params={"limit": 100, **params})).json()["data"]
        return next(item for item in data if item["id"] == item_id)

    async def retrieved(params: dict[str, Any]) -> dict[str, Any]:
        return (await client.get(f"{list_url}/{item_id}", params=params)).json()

    for fetch in (listed, retrieved):
        assert not visible(await fetch({}), path)
        assert visible(await fetch({"include[]": include}), path)
        others = [value for value in INCLUDABLE if value != include]
        assert not visible(await fetch({"include[]": others}), path)


async def test_stripping_removes_keys_or_nulls_like_the_api(client):
    items = {i["id"]: i for i in (await client.get(f"/conversations/{FIXTURE_ID}/items", params={"limit": 100})).json()["data"]}
    assert "sources" not in items["ws_1"]["action"] and "results" not in items["ws_1"]
    assert items["ci_1"]["outputs"] is None and items["fs_1"]["results"] is None
    assert items["rs_1"]["encrypted_content"] is None
    assert "image_url" not in items["cuo_1"]["output"] and items["cuo_1"]["output"]["file_id"] == "file_shot"
    assert "image_url" not in items["msg_u1"]["content"][1]
    assert "logprobs" not in items["msg_a1"]["content"][0]


async def test_include_accepts_brackets_repeats_and_commas(client):
    url = f"/conversations/{FIXTURE_ID}/items/rs_1"
    for query in ("include[]=reasoning.encrypted_content", "include=reasoning.encrypted_content",
                  "include=message.output_text.logprobs,reasoning.encrypted_content"):
        assert (await client.get(f"{url}?{query}")).json()["encrypted_content"] == "gAAAAABsecret"


async def test_stored_items_are_never_mutated_by_stripping(client, data_dir):
    await client.get(f"/conversations/{FIXTURE_ID}/items", params={"limit": 100})
    stored = load_bundled(data_dir)[FIXTURE_ID].items.items
    assert list(stored) == FIXTURE_ITEMS


async def test_item_type_filters_bundled_and_synthetic(client):
    body = (await client.get(f"/conversations/{FIXTURE_ID}/items", params={"item_type": "message", "order": "asc"})).json()
    assert [i["id"] for i in body["data"]] == ["msg_u1", "msg_a1", "msg_u2", "msg_a2"]
    synth = SyntheticItems(5000)
    expected = [synth.id_at(i) for i in range(5000) if synth.type_at(i) == "mcp_call"]
    assert expected and await page_through(client, "conv_synth_5000", order="asc", limit=9, item_type="mcp_call") == expected
    assert await page_through(client, "conv_synth_5000", order="desc", limit=9, item_type="mcp_call") == expected[::-1]
    none = (await client.get("/conversations/conv_synth_1000000/items", params={"item_type": "compaction"})).json()
    assert none["data"] == [] and none["has_more"] is False


# --- Lifecycle ----------------------------------------------------------------------------------

async def test_conversation_lifecycle(client):
    created = (await client.post("/conversations", json={"metadata": {"topic": "demo"}, "items": [
        {"role": "user", "content": "Hello"},
        {"type": "message", "role": "assistant", "content": "Hi there"},
    ]})).json()
    assert created["object"] == "conversation" and created["metadata"] == {"topic": "demo"}
    cid = created["id"]
    assert (await client.get(f"/conversations/{cid}")).json() == created
    items = (await client.get(f"/conversations/{cid}/items", params={"order": "asc"})).json()["data"]
    assert [(i["type"], i["role"], i["content"][0]["type"], i["status"]) for i in items] == [
        ("message", "user", "input_text", "completed"), ("message", "assistant", "output_text", "completed")]
    assert all(i["id"].startswith("msg_") for i in items)

    updated = (await client.post(f"/conversations/{cid}", json={"metadata": {"topic": "renamed"}})).json()
    assert updated["metadata"] == {"topic": "renamed"}
    assert cid in [c["id"] for c in (await client.get("/conversations", params={"limit": 100})).json()["data"]]

    assert (await client.delete(f"/conversations/{cid}")).json() == {"id": cid, "object": "conversation.deleted", "deleted": True}
    assert_openai_error(await client.get(f"/conversations/{cid}"), 404)
    assert_openai_error(await client.delete(f"/conversations/{cid}"), 404)
    assert cid not in [c["id"] for c in (await client.get("/conversations", params={"limit": 100})).json()["data"]]


@pytest.mark.parametrize("conversation_id", [FIXTURE_ID, "conv_synth_30"])
async def test_item_create_retrieve_delete_through_the_overlay(client, conversation_id):
    url = f"/conversations/{conversation_id}/items"
    before = await page_through(client, conversation_id, order="asc", limit=100)
    created = (await client.post(url, params={"include[]": "reasoning.encrypted_content"}, json={"items": [
        {"type": "function_call", "call_id": "call_x", "name": "f", "arguments": "{}"},
        {"type": "reasoning", "summary": [], "encrypted_content": "gAAAAABnew"},
        {"type": "message", "role": "user", "content": [{"type": "input_image", "detail": "low", "image_url": "https://x/y.png"}]},
    ]})).json()
    assert set(created) == {"object", "data", "first_id", "last_id", "has_more"}
    new_ids = [i["id"] for i in created["data"]]
    assert [i.split("_")[0] for i in new_ids] == ["fc", "rs", "msg"]
    assert created["data"][0]["status"] == "completed"
    assert created["data"][1]["encrypted_content"] == "gAAAAABnew"  # requested
    assert "image_url" not in created["data"][2]["content"][0]  # not requested

    assert await page_through(client, conversation_id, order="asc", limit=4) == before + new_ids
    assert (await client.get(f"{url}/{new_ids[0]}")).json()["name"] == "f"

    victim = before[1]
    deleted = (await client.delete(f"{url}/{victim}")).json()
    assert deleted["object"] == "conversation" and deleted["id"] == conversation_id
    assert_openai_error(await client.get(f"{url}/{victim}"), 404)
    assert_openai_error(await client.delete(f"{url}/{victim}"), 404)
    remaining = [i for i in before + new_ids if i != victim]
    assert await page_through(client, conversation_id, order="desc", limit=3) == remaining[::-1]
    # A cursor naming the deleted item still says where to resume.
    after_victim = (await client.get(url, params={"order": "asc", "after": victim, "limit": 1})).json()
    assert after_victim["first_id"] == before[2]


async def test_changes_stay_in_their_app(client, data_dir):
    await client.post("/conversations/conv_synth_30/items", json={"items": [{"role": "user", "content": "mine"}]})
    await client.delete(f"/conversations/{FIXTURE_ID}/items/msg_u2")
    other = create_app(data_dir=data_dir)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=other), base_url="http://demo/v1") as fresh:
        assert len(await page_through(fresh, "conv_synth_30", limit=100)) == 30
        assert len(await page_through(fresh, FIXTURE_ID, limit=100)) == len(FIXTURE_ITEMS)


# --- Synthetic conversations --------------------------------------------------------------------

async def test_synthetic_items_are_deterministic_and_well_formed(client, data_dir):
    other = create_app(data_dir=data_dir)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=other), base_url="http://demo/v1") as fresh:
        for item_id in ("msg_synth250x0000000", SyntheticItems(250).id_at(137), SyntheticItems(250).id_at(249)):
            url = f"/conversations/conv_synth_250/items/{item_id}"
            assert (await client.get(url)).json() == (await fresh.get(url)).json()

    items = [SyntheticItems(2000).item_at(i) for i in range(2000)]
    assert {i["type"] for i in items} >= {"message", "reasoning", "function_call", "function_call_output", "shell_call",
                                          "shell_call_output", "web_search_call", "custom_tool_call", "apply_patch_call"}
    calls = {i["call_id"] for i in items if i["type"] == "function_call"}
    outputs = {i["call_id"] for i in items if i["type"] == "function_call_output"}
    assert calls and outputs <= calls
    assert items[0]["role"] == "user"
    assert [i.get("status") for i in items[-3:] if "status" in i] and all(
        i["status"] == "in_progress" for i in items[-3:] if "status" in i and i["type"] != "apply_patch_call_output")
    conversation = (await client.get("/conversations/conv_synth_2000")).json()
    assert conversation == (await client.get("/conversations/conv_synth_2000")).json()


async def test_million_item_pages_are_fast_at_any_position(client):
    synth = SyntheticItems(1_000_000)
    url = "/conversations/conv_synth_1000000/items"
    for params in ({"limit": 100}, {"limit": 100, "order": "asc", "after": synth.id_at(999_899)},
                   {"limit": 100, "order": "desc", "after": synth.id_at(100)},
                   {"limit": 100, "order": "asc", "before": synth.id_at(500_000)}):
        started = time.perf_counter()
        body = (await client.get(url, params=params)).json()
        assert len(body["data"]) == 100
        assert time.perf_counter() - started < 1.0  # typically a few ms; generous for loaded CI machines
    last = (await client.get(url, params={"limit": 100, "order": "asc", "after": synth.id_at(999_899)})).json()
    assert last["last_id"] == synth.id_at(999_999) and last["has_more"] is False


# --- Faults -------------------------------------------------------------------------------------

async def test_latency_is_added_to_every_request(client, app):
    app.state.faults = Faults(latency_ms=150)
    started = time.perf_counter()
    assert (await client.get("/conversations/conv_synth_5")).status_code == 200
    assert time.perf_counter() - started >= 0.15


async def statuses(client: httpx.AsyncClient, count: int, url: str = "/conversations/conv_synth_5/items") -> list[int]:
    return [(await client.get(url)).status_code for _ in range(count)]


async def test_error_rates_are_reproducible_with_a_seed(client, app, data_dir):
    app.state.faults = Faults(error_rates={500: 0.3, 503: 0.2}, seed=7)
    first = await statuses(client, 40)
    assert {500, 503, 200} <= set(first)
    app.state.faults = Faults(error_rates={500: 0.3, 503: 0.2}, seed=7)  # a new Faults restarts the sequence
    assert await statuses(client, 40) == first
    app.state.faults = Faults(error_rates={503: 1.0})
    error = (await client.get("/conversations/conv_synth_5")).json()["error"]
    assert error["type"] == "server_error" and set(error) == {"message", "type", "param", "code"}


async def test_rate_limit_every_nth_carries_retry_after(client, app):
    app.state.faults = Faults(rate_limit_every=3, retry_after_s=2.5)
    responses = [await client.get("/conversations/conv_synth_5") for _ in range(6)]
    assert [r.status_code for r in responses] == [200, 200, 429, 200, 200, 429]
    limited = responses[2]
    assert limited.headers["retry-after"] == "2.5" and limited.headers["retry-after-ms"] == "2500"
    assert limited.json()["error"]["code"] == "rate_limit_exceeded"
    app.state.faults = Faults(rate_limit_every=1, retry_after_s=3)
    assert (await client.get("/conversations/conv_synth_5")).headers["retry-after"] == "3"


async def test_truncate_every_nth_returns_a_200_with_half_a_body(client, app):
    app.state.faults = Faults(truncate_every=2)
    whole = await client.get("/conversations/conv_synth_50/items")
    cut = await client.get("/conversations/conv_synth_50/items")
    assert whole.status_code == cut.status_code == 200
    assert len(cut.content) == len(whole.content) // 2
    assert int(cut.headers["content-length"]) == len(cut.content)
    with pytest.raises(json.JSONDecodeError):
        json.loads(cut.content)


async def test_stall_waits_then_answers(client, app):
    # The first request is not stalled: with a 30 s stall it would miss this generous deadline
    # (a bound a busy machine cannot break, unlike "faster than 0.25 s").
    app.state.faults = Faults(stall_every=2, stall_s=30)
    response = await asyncio.wait_for(client.get("/conversations/conv_synth_5"), timeout=10)
    assert response.status_code == 200
    app.state.faults = Faults(stall_every=1, stall_s=0.3)
    started = time.perf_counter()
    response = await client.post("/conversations/conv_synth_5", json={"metadata": {"after": "stall"}})
    assert time.perf_counter() - started >= 0.3
    assert response.json()["metadata"] == {"after": "stall"}  # the body survived the stall


async def test_a_cancelled_stall_leaves_nothing_in_flight(client, app):
    app.state.faults = Faults(stall_every=1, stall_s=30)
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(client.get("/conversations/conv_synth_5"), timeout=0.2)
    assert app.state.stats.in_flight == 0


@pytest.mark.parametrize("mode", ["ignore_after", "repeat_first_page"])
async def test_broken_list_modes(client, app, mode):
    app.state.faults = Faults(**{mode: True})
    url = f"/conversations/{FIXTURE_ID}/items"
    first = (await client.get(url, params={"limit": 2})).json()
    again = (await client.get(url, params={"limit": 2, "after": first["last_id"]})).json()
    back = (await client.get(url, params={"limit": 2, "before": "msg_u1"})).json()
    assert again["data"] == first["data"] == back["data"]
    assert again["has_more"] is (mode == "repeat_first_page")
    conversations = (await client.get("/conversations", params={"limit": 1})).json()
    assert conversations["has_more"] is (mode == "repeat_first_page")


async def test_fail_next_is_consumed_in_order(client, app):
    app.state.faults = Faults(fail_next=[503, 429, 404])
    responses = [await client.get("/conversations/conv_synth_5") for _ in range(4)]
    assert [r.status_code for r in responses] == [503, 429, 404, 200]
    assert "retry-after" in responses[1].headers
    assert app.state.faults.fail_next == []


async def test_faults_change_on_a_live_server_and_spare_control_routes(client, app):
    body = (await client.post("/_demo/faults", json={"fail_next": [500, 500], "error_rates": {"502": 0.0}})).json()
    assert body["fail_next"] == [500, 500] and body["error_rates"] == {"502": 0.0}
    assert (await client.get("/_demo/stats")).status_code == 200  # control routes are never failed
    assert await statuses(client, 3) == [500, 500, 200]
    await client.post("/_demo/faults", json={})
    assert (await client.get("/_demo/faults")).json()["fail_next"] == []
    assert_openai_error(await client.post("/_demo/faults", json={"no_such_fault": 1}), 400)


# --- Statistics ---------------------------------------------------------------------------------

async def test_stats_count_requests_paths_and_list_calls(client, app):
    await client.get("/conversations/conv_synth_250/items", params={"limit": 5, "order": "asc"})
    await client.get("/conversations/conv_synth_250/items", params={"limit": 5, "order": "asc", "after": "msg_synth250x0000000"})
    await client.get("/conversations/conv_nope")
    stats = (await client.get("/_demo/stats")).json()
    assert stats["requests"] == 3
    assert stats["by_path"] == {"/v1/conversations/conv_synth_250/items": 2, "/v1/conversations/conv_nope": 1}
    assert stats["list_calls"] == [
        {"conversation_id": "conv_synth_250", "order": "asc", "after": None, "before": None, "limit": 5},
        {"conversation_id": "conv_synth_250", "order": "asc", "after": "msg_synth250x0000000", "before": None, "limit": 5},
    ]
    assert stats["in_flight_max"] == 1
    await client.post("/_demo/reset")
    stats = (await client.get("/_demo/stats")).json()
    assert stats["requests"] == 0 and stats["by_path"] == {} and stats["list_calls"] == []


async def test_stats_see_concurrency(client, app):
    app.state.faults = Faults(latency_ms=100)
    await asyncio.gather(*(client.get("/conversations/conv_synth_5") for _ in range(4)))
    assert (await client.get("/_demo/stats")).json()["in_flight_max"] == 4


# --- A real server on loopback ----------------------------------------------------------------------

def test_serve_in_background_on_loopback(data_dir):
    app = create_app(data_dir=data_dir)
    with serve_in_background(app) as base_url:
        assert base_url.startswith("http://127.0.0.1:") and base_url.endswith("/v1")
        with httpx.Client(base_url=base_url, headers={"Authorization": "Bearer sk-anything"}) as http:
            assert http.get(f"/conversations/{FIXTURE_ID}").json()["id"] == FIXTURE_ID
            assert http.get("/conversations/conv_synth_1000000/items", params={"limit": 100}).status_code == 200
            app.state.faults = Faults(stall_every=1, stall_s=30)
            with pytest.raises(httpx.ReadTimeout):
                http.get("/conversations/conv_synth_5", timeout=0.3)
            app.state.faults = Faults()
            assert http.get("/conversations/conv_synth_5").status_code == 200
        started = time.perf_counter()
    assert time.perf_counter() - started < 3.0  # the abandoned stall does not hold up shutdown
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{base_url}/conversations")
