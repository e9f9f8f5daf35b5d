"""Finding a conversation from a `resp_…` id: the demo server's responses, the CLI and the viewer."""

from __future__ import annotations

import json

import httpx
import pytest

from convoscope.api import NotFoundError
from convoscope.api.responses import NoConversationError, locate_response, response_id_in
from convoscope.cli import main
from convoscope.demo.bundled import load_bundled
from convoscope.demo.model_responses import STANDALONE_RESPONSE_ID, response_id_of
from convoscope.tui.app import ConvoscopeApp
from convoscope.tui.screens.conversation import ConversationScreen
from tests.conftest import make_client
from tests.screen import read_screen
from tests.tui_helpers import (  # noqa: F401  (isolated_data_dir is an autouse fixture)
    SIZE,
    isolated_data_dir,
    open_conversation,
    type_text,
    wait_until,
)

CODING_AGENT = "conv_68f786ff63c49f5f7e76be87ae336b086735ce35b78e18e1"


def last_turn(conversation_id: str = CODING_AGENT) -> tuple[str, dict]:
    """(response id, first item) of the conversation's last response."""
    items = list(load_bundled()[conversation_id].items.items)
    last_user = max(i for i, item in enumerate(items) if item.get("role") == "user")
    first = items[last_user + 1]
    response_id = response_id_of(conversation_id, items, first["id"])
    assert response_id is not None
    return response_id, first


def test_the_demo_server_serves_the_responses_of_its_conversations(demo_url):
    response_id, first = last_turn()
    response = httpx.get(f"{demo_url}/responses/{response_id}").json()
    assert response["object"] == "response" and response["conversation"] == {"id": CODING_AGENT}
    assert response["output"][0]["id"] == first["id"]
    missing = httpx.get(f"{demo_url}/responses/resp_nope")
    assert missing.status_code == 404 and "resp_nope" in missing.json()["error"]["message"]
    assert httpx.get(f"{demo_url}/responses/{STANDALONE_RESPONSE_ID}").json()["conversation"] is None


def test_foundry_items_keep_their_own_response_ids(demo_url):
    foundry = next(cid for cid, b in load_bundled().items() if any("response_id" in i for i in b.items.items))
    item = next(i for i in load_bundled()[foundry].items.items if "response_id" in i)
    response = httpx.get(f"{demo_url}/responses/{item['response_id']}").json()
    assert response["conversation"] == {"id": foundry}
    assert item["id"] in [entry["id"] for entry in response["output"]]


@pytest.mark.parametrize(
    "text",
    [
        "resp_abc123",
        "  resp_abc123\n",
        "https://platform.openai.com/logs/resp_abc123",
        "https://ai.azure.com/resource/build/responses/resp_abc123?wsid=/subscriptions/x",
    ],
)
def test_a_response_id_is_found_bare_or_in_a_url(text):
    assert response_id_in(text) == "resp_abc123"


def test_no_response_id_in_other_text():
    assert response_id_in("conv_abc") is None and response_id_in("xresp_abc") is None


async def test_locate_response_gives_the_conversation_and_its_items(demo_url):
    response_id, first = last_turn()
    async with make_client(demo_url) as client:
        location = await locate_response(client, response_id)
        assert location.conversation_id == CODING_AGENT and location.first_item_id == first["id"]
        with pytest.raises(NoConversationError, match="belongs to no conversation"):
            await locate_response(client, STANDALONE_RESPONSE_ID)
        with pytest.raises(NotFoundError):
            await locate_response(client, "resp_unknown")


def test_items_of_a_response_writes_its_conversation(capsys):
    response_id, _ = last_turn()
    assert main(["items", f"https://platform.openai.com/logs/{response_id}", "--demo", "--jsonl"]) == 0
    captured = capsys.readouterr()
    ids = [json.loads(line)["id"] for line in captured.out.splitlines()]
    assert ids == [item["id"] for item in load_bundled()[CODING_AGENT].items.items]
    assert f"{response_id} is in conversation {CODING_AGENT}" in captured.err


def test_items_of_a_response_without_a_conversation_says_so(capsys):
    assert main(["items", STANDALONE_RESPONSE_ID, "--demo"]) == 1
    err = capsys.readouterr().err
    assert "belongs to no conversation" in err and "Traceback" not in err


async def test_the_viewer_opens_a_response_at_its_items(demo_url):
    response_id, first = last_turn()
    app = ConvoscopeApp(make_client(demo_url), response_id)
    async with app.run_test(size=SIZE) as pilot:
        screen, items, engine = await open_conversation(pilot)
        assert engine.conversation_id == CODING_AGENT
        await wait_until(pilot, lambda: screen.start_at is None, what="the response's first item")
        line = items.view.line(items.cursor)
        assert line.id == first["id"]
        await wait_until(pilot, lambda: screen.shown_item is not None and screen.shown_item.id == first["id"],
                         what="the item in the detail pane")
        await pilot.pause()
        drawn = read_screen(app)
        drawn.find_row(CODING_AGENT)  # the header
        drawn.find_row(f"{first['type']} ·")  # the detail pane's title


async def test_a_pasted_response_url_in_the_picker_opens_its_conversation(demo_url):
    response_id, first = last_turn()
    app = ConvoscopeApp(make_client(demo_url))
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, f"https://platform.openai.com/logs/{response_id}")
        await pilot.press("enter")
        screen, items, engine = await open_conversation(pilot)
        await wait_until(pilot, lambda: screen.start_at is None, what="the response's first item")
        assert engine.conversation_id == CODING_AGENT and items.view.line(items.cursor).id == first["id"]


async def test_a_response_without_a_conversation_says_so_on_screen(demo_url):
    app = ConvoscopeApp(make_client(demo_url), STANDALONE_RESPONSE_ID)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_until(pilot, lambda: "no conversation" in str(read_screen(app)), what="the notice on screen")
        assert not isinstance(app.screen, ConversationScreen)


async def test_a_page_that_lands_while_the_screen_mounts_still_opens_the_response(demo_url, monkeypatch):
    """A page can arrive before the screen has finished mounting. Its change used to be dropped:
    the cursor never went to the response's first item and the pane stayed empty, waiting for a
    change that might never come."""
    from convoscope.paging.engine import PagingEngine
    from convoscope.paging.rows import row_from_item

    response_id, first = last_turn()
    client = make_client(demo_url)
    page = await client.list_items(CODING_AGENT, limit=100, order="asc")
    assert first["id"] in [item.id for item in page.data]
    monkeypatch.setattr(PagingEngine, "request", lambda self, edge: None)  # no other page comes
    mount = ConversationScreen.on_mount

    def mount_with_a_page_landing(screen: ConversationScreen) -> None:
        mount(screen)
        assert not screen.is_mounted
        screen.engine.index.add_head([row_from_item(item) for item in page.data], reached_end=True)
        screen.engine.on_change()

    monkeypatch.setattr(ConversationScreen, "on_mount", mount_with_a_page_landing)
    app = ConvoscopeApp(client, response_id)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, ConversationScreen), what="the conversation")
        screen = app.screen
        await wait_until(pilot, lambda: screen.shown_item is not None and screen.shown_item.id == first["id"],
                         timeout=10, what="the response's first item in the detail pane")
        await pilot.pause()
        read_screen(app).find_row(f"{first['type']} ·")  # the detail pane's title, drawn
