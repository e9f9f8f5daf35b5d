"""Capability detection against each impersonated server, the include forms, the cache, and paging
that trusts a detected "this server ignores `after`"."""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from convoscope.api import ConversationsClient, Profile
from convoscope.api.capabilities import MAX_PROBE_REQUESTS, Capabilities, detect_capabilities
from convoscope.cli.demo_server import build_parser
from convoscope.demo.app import create_app
from convoscope.demo.faults import Faults
from convoscope.demo.impersonate import PERSONA_NAMES
from convoscope.demo.serve import serve_in_background
from convoscope.paging.cursor import CursorWalk, WalkStop
from convoscope.paging.engine import Edge, EdgeState, PagingEngine
from convoscope.paging.walk import WalkSummary, walk_items
from convoscope.storage import capabilities_cache
from tests.conftest import demo_stats, make_client

CODING = "conv_68f786ff63c49f5f7e76be87ae336b086735ce35b78e18e1"  # bundled; reasoning at item 3
FOUNDRY_AGENT = "conv_68ff140251886feef45d397789202c9b5faac9acca65e45f"  # newest listed
REASONING = "reasoning.encrypted_content"


@contextmanager
def impersonating(name: str, faults: Faults | None = None) -> Iterator[str]:
    with serve_in_background(create_app(faults, impersonate=name)) as url:
        yield url


# --- detection, one impersonation at a time --------------------------------------------------

EXPECTED = {
    # name: (lists, item_type, before, include_form, after, requests)
    "demo": (True, True, True, "brackets", True, 6),
    "foundry": (True, True, True, "brackets", True, 6),
    "openai": (False, False, False, "brackets", True, 6),
    "azure-openai": (False, False, False, "comma", True, 7),
    "broken-cursor": (True, True, False, "brackets", False, 6),
    "llama-stack": (False, False, False, None, True, 7),
}


@pytest.mark.parametrize("name", list(EXPECTED))
async def test_detection_against_each_impersonation(name):
    lists, item_type, before, include_form, after, requests = EXPECTED[name]
    with impersonating(name) as url:
        async with make_client(url) as client:
            # Servers without a listing have nothing to probe unless told which conversation.
            probe = None if lists else CODING
            caps = await detect_capabilities(client, probe)
        stats = demo_stats(url)
    assert (
        caps.lists_conversations,
        caps.item_type_filter,
        caps.before_cursor,
        caps.include_form,
        caps.honours_after,
    ) == (lists, item_type, before, include_form, after)
    assert stats["requests"] == requests <= MAX_PROBE_REQUESTS
    assert abs(caps.checked_at - time.time()) < 60
    if lists:  # the first listed conversation was the one probed
        assert {c["conversation_id"] for c in stats["list_calls"]} == {FOUNDRY_AGENT}


def test_expectations_cover_every_impersonation():
    assert set(EXPECTED) == set(PERSONA_NAMES)


async def test_without_listing_or_conversation_only_the_listing_is_probed():
    with impersonating("openai") as url:
        async with make_client(url) as client:
            caps = await detect_capabilities(client)
        assert demo_stats(url)["requests"] == 1
    assert caps.lists_conversations is False
    assert (caps.item_type_filter, caps.before_cursor, caps.include_form, caps.honours_after) == (None,) * 4
    assert not caps.item_level_known
    assert caps.describe() == "listing ✗ · item_type ? · before ? · after ? · include ?"


async def test_a_refused_key_ends_detection_at_once():
    with impersonating("demo", Faults(fail_next=[401])) as url:
        async with make_client(url) as client:
            caps = await detect_capabilities(client, CODING)
        assert demo_stats(url)["requests"] == 1
    assert caps == Capabilities(checked_at=caps.checked_at)


async def test_an_unknown_probe_conversation_leaves_item_fields_unknown():
    with impersonating("foundry") as url:
        async with make_client(url) as client:
            caps = await detect_capabilities(client, "conv_does_not_exist")
        assert demo_stats(url)["requests"] == 2
    assert caps.lists_conversations is True and not caps.item_level_known


async def test_probe_conversation_id_wins_over_the_listed_one():
    with impersonating("demo") as url:
        async with make_client(url) as client:
            await detect_capabilities(client, CODING)
        calls = demo_stats(url)["list_calls"]
    assert {c["conversation_id"] for c in calls} == {CODING}
    assert all(c["limit"] <= 20 for c in calls)


# --- the include forms -----------------------------------------------------------------------


async def test_comma_include_form_works_end_to_end_against_azure():
    with impersonating("azure-openai") as url:
        async with make_client(url) as client:
            page = await client.list_items(CODING, limit=10, include=[REASONING])
            reasoning = next(item for item in page.data if item.type == "reasoning")
            # The SDK's brackets are silently ignored by (our model of) Azure OpenAI v1.
            assert reasoning.raw.get("encrypted_content") is None
            caps = await detect_capabilities(client, CODING)
            assert caps.include_form == "comma"
            caps.apply(client)
            assert client.include_form == "comma"
            page = await client.list_items(CODING, limit=10, include=[REASONING, "message.output_text.logprobs"])
            reasoning = next(item for item in page.data if item.type == "reasoning")
            assert reasoning.raw["encrypted_content"].startswith("gAAAA")
            again = await client.retrieve_item(CODING, reasoning.id or "", include=[REASONING])
            assert again.raw["encrypted_content"] == reasoning.raw["encrypted_content"]


async def test_the_client_sends_each_include_form():
    seen: list[httpx.URL] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url)
        return httpx.Response(200, json={"object": "list", "data": [], "has_more": False})

    profile = Profile(base_url="http://test/v1")
    async with ConversationsClient(profile, transport=httpx.MockTransport(handler)) as client:
        assert client.include_form == "brackets"
        await client.list_items("conv_1", include=["a.b", "c.d", "a.b"])
        client.include_form = "comma"
        await client.list_items("conv_1", include=["a.b", "c.d"])
        await client.list_items("conv_1", include=["a.b"], include_form="brackets")
        await client.list_items("conv_1")
        with pytest.raises(ValueError):
            client.include_form = "semicolon"  # type: ignore[assignment]
    assert seen[0].params.get_list("include[]") == ["a.b", "c.d"]
    assert seen[1].params.get_list("include") == ["a.b,c.d"] and "include[]" not in seen[1].params
    assert seen[2].params.get_list("include[]") == ["a.b"]
    assert "include" not in seen[3].params and "include[]" not in seen[3].params
    async with ConversationsClient(profile, include_form="comma", transport=httpx.MockTransport(handler)) as client:
        assert client.include_form == "comma"


# --- what each impersonation answers ---------------------------------------------------------


def test_impersonations_answer_like_their_servers():
    with impersonating("openai") as url:
        listing = httpx.get(f"{url}/conversations")
        assert listing.status_code == 405 and listing.headers["allow"] == "POST"
        assert listing.json()["error"]["type"] == "invalid_request_error"
        before = httpx.get(f"{url}/conversations/{CODING}/items", params={"before": "x"})
        assert before.status_code == 400
        assert before.json()["error"] == {
            "message": "Unknown parameter: 'before'.", "type": "invalid_request_error",
            "param": "before", "code": "unknown_parameter",
        }
        assert httpx.get(f"{url}/conversations/{CODING}/items", params={"item_type": "message"}).status_code == 400
        page = httpx.get(f"{url}/conversations/{CODING}/items", params={"limit": 2}).json()
        assert page["object"] == "list"
    with impersonating("azure-openai") as url:
        error = httpx.get(f"{url}/conversations/{CODING}/items", params={"item_type": "message"}).json()["error"]
        assert error["type"] == "error" and error["code"] == "unknown_parameter"
        assert httpx.get(f"{url}/conversations").json()["error"]["code"] == "MethodNotAllowed"
        ok = httpx.get(f"{url}/conversations/{CODING}/items", params={"api-version": "v1", "include[]": REASONING})
        assert ok.status_code == 200
    with impersonating("foundry") as url:
        for path in ("/conversations", f"/conversations/{CODING}/items"):
            body = httpx.get(url + path, params={"limit": 2}).json()
            assert "object" not in body and body["has_more"] is True and len(body["data"]) == 2
    with impersonating("broken-cursor") as url:
        first = httpx.get(f"{url}/conversations/{CODING}/items", params={"limit": 2, "order": "asc"}).json()
        again = httpx.get(
            f"{url}/conversations/{CODING}/items", params={"limit": 2, "order": "asc", "after": first["last_id"]}
        ).json()
        assert again["data"] == first["data"] and again["has_more"] is True
    with impersonating("llama-stack") as url:
        assert httpx.get(f"{url}/conversations").json() == {"detail": "Method Not Allowed"}
        assert httpx.get(f"{url}/conversations/conv_nope").json() == {"detail": "Conversation with id 'conv_nope' not found."}
        bad = httpx.get(f"{url}/conversations/{CODING}/items", params={"include": f"{REASONING},message.output_text.logprobs"})
        assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "include"]
        ignored = httpx.get(f"{url}/conversations/{CODING}/items", params={"limit": 3, "order": "asc", "before": "x", "item_type": "reasoning"})
        assert ignored.status_code == 200 and ignored.json()["data"][0]["type"] == "message"
        repeated = httpx.get(f"{url}/conversations/{CODING}/items", params=[("limit", "5"), ("order", "asc"), ("include", REASONING)]).json()
        assert any(item.get("encrypted_content") for item in repeated["data"])


def test_injected_faults_answer_in_the_impersonated_shape():
    with impersonating("llama-stack", Faults(fail_next=[500])) as url:
        response = httpx.get(f"{url}/conversations/{CODING}")
        assert response.status_code == 500 and set(response.json()) == {"detail"}
    with impersonating("azure-openai", Faults(fail_next=[503])) as url:
        assert httpx.get(f"{url}/conversations/{CODING}").json()["error"]["type"] == "error"


def test_unknown_impersonation_is_refused():
    with pytest.raises(ValueError, match="unknown server to impersonate"):
        create_app(impersonate="bard")
    assert build_parser().parse_args(["--impersonate", "azure-openai"]).impersonate == "azure-openai"
    assert build_parser().parse_args([]).impersonate == "demo"
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--impersonate", "bard"])


# --- the Capabilities value ------------------------------------------------------------------


def test_describe_json_round_trip_and_merge():
    caps = Capabilities(True, False, None, "comma", True, checked_at=1234.5)
    assert caps.describe() == "listing ✓ · item_type ✗ · before ? · after ✓ · include=a,b"
    assert Capabilities(include_form="brackets").describe().endswith("include[]")
    assert Capabilities.from_json(json.loads(json.dumps(caps.to_json()))) == caps
    assert Capabilities.from_json({"lists_conversations": "yes", "include_form": "pipes", "checked_at": True}) == Capabilities()
    with pytest.raises(ValueError):
        Capabilities.from_json([1, 2])
    listing_only = Capabilities(lists_conversations=False, checked_at=10.0)
    merged = listing_only.merge(Capabilities(item_type_filter=False, honours_after=True, checked_at=20.0))
    assert merged == Capabilities(False, False, None, None, True, checked_at=20.0)


# --- the cache -------------------------------------------------------------------------------


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("CONVOSCOPE_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def test_cache_round_trip_per_profile_and_server(data_dir):
    caps = Capabilities(True, True, True, "brackets", True, checked_at=time.time())
    assert capabilities_cache.load("work", "https://x.example/v1") is None
    assert capabilities_cache.save("work", "https://x.example/v1/", caps)
    assert capabilities_cache.load("work", "https://x.example/v1") == caps
    assert capabilities_cache.load("home", "https://x.example/v1") is None
    assert capabilities_cache.load("work", "https://y.example/v1") is None
    other = dataclasses.replace(caps, include_form="comma")
    capabilities_cache.save("home", "https://x.example/v1", other)
    assert capabilities_cache.load("work", "https://x.example/v1") == caps
    assert capabilities_cache.load("home", "https://x.example/v1") == other
    assert (data_dir / "capabilities.json").exists()
    assert not list(data_dir.glob(".capabilities-*"))  # no temp files left behind
    capabilities_cache.forget("home", "https://x.example/v1")
    assert capabilities_cache.load("home", "https://x.example/v1") is None


def test_cache_entries_go_stale(data_dir):
    week = 7 * 24 * 3600
    checked = 1_000_000.0
    capabilities_cache.save("p", "u", Capabilities(lists_conversations=True, checked_at=checked))
    assert capabilities_cache.load("p", "u", now=checked + week - 1) is not None
    assert capabilities_cache.load("p", "u", now=checked + week + 1) is None
    assert capabilities_cache.load("p", "u", now=checked + 60, max_age_s=30) is None
    assert capabilities_cache.load("p", "u", now=checked, max_age_s=0) is not None
    assert capabilities_cache.load("p", "u", now=checked - 3600) is None  # from the future: a wrong clock


@pytest.mark.parametrize("content", ["{not json", "[]", '{"entries": []}', '{"entries": {"x": 1}}', "\udcff"])
def test_a_corrupt_cache_reads_as_empty_and_is_replaced(data_dir, content):
    data_dir.mkdir(parents=True)
    (data_dir / "capabilities.json").write_bytes(content.encode("utf-8", "surrogateescape"))
    assert capabilities_cache.load("p", "u") is None
    caps = Capabilities(lists_conversations=True, checked_at=time.time())
    assert capabilities_cache.save("p", "u", caps)
    assert capabilities_cache.load("p", "u") == caps


def test_a_corrupt_entry_reads_as_missing(data_dir):
    data_dir.mkdir(parents=True)
    key = capabilities_cache.cache_key("p", "u")
    (data_dir / "capabilities.json").write_text(json.dumps({"entries": {key: {"capabilities": "nope"}}}))
    assert capabilities_cache.load("p", "u") is None


def test_an_unwritable_cache_is_not_fatal(tmp_path, monkeypatch):
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the data dir should be")
    monkeypatch.setenv("CONVOSCOPE_DATA_DIR", str(blocker / "data"))
    assert capabilities_cache.save("p", "u", Capabilities()) is False
    assert capabilities_cache.load("p", "u") is None


async def test_detected_capabilities_survive_the_cache(data_dir):
    with impersonating("azure-openai") as url:
        async with make_client(url) as client:
            caps = await detect_capabilities(client, CODING)
    capabilities_cache.save("azure", url, caps)
    assert capabilities_cache.load("azure", url) == caps


# --- paging with a detected broken cursor ----------------------------------------------------


async def test_engine_asks_for_everything_at_once_on_a_detected_broken_cursor():
    with impersonating("broken-cursor") as url:
        async with make_client(url) as client:
            caps = await detect_capabilities(client, "conv_synth_500")
            assert caps.honours_after is False
            httpx.post(f"{url}/_demo/reset")
            engine = PagingEngine(client, "conv_synth_500", honours_after=caps.honours_after)
            try:
                await engine.load_all()
                # Everything from the start says "more" (a lie we cannot check), everything from
                # the end meets it: complete, each item once.
                assert engine.complete
                ids = [row.id for row in engine.index.rows()]
                assert len(ids) == len(set(ids)) == 500
            finally:
                await engine.close()
        # One large request from each end, and no second request to find out the cursor is ignored.
        assert demo_stats(url)["requests"] == 2


async def test_cursor_walk_and_walk_items_take_the_detected_flag():
    with impersonating("demo") as url:
        async with make_client(url) as client:
            # The demo caps `limit` at 100: the large request is refused, one page is all we get.
            walk = CursorWalk(client, "conv_synth_250", order="asc", honours_after=False)
            page = await walk.next_page()
            assert len(page.data) == 100 and walk.stop is WalkStop.LIMIT_REFUSED
            small = CursorWalk(client, "conv_synth_50", order="asc", honours_after=False)
            await small.next_page()
            assert small.stop is WalkStop.COMPLETE  # one page was all there was
            summary = WalkSummary()
            items = [i async for i in walk_items(client, "conv_synth_250", summary=summary, honours_after=False)]
            assert len(items) == 100 and summary.stop is WalkStop.LIMIT_REFUSED
            # Unknown (None) keeps today's behaviour: walk on.
            items = [i async for i in walk_items(client, "conv_synth_250", honours_after=None)]
            assert len(items) == 250
