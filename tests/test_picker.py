"""The conversation picker, driven with Pilot against the demo server on loopback.

The history file lives under a per-test CONVOSCOPE_DATA_DIR (see tui_helpers.isolated_data_dir).
"""

from __future__ import annotations

import json

import pytest
from textual import events
from textual.widgets import Input, Static

from convoscope.api import RetryPolicy
from convoscope.tui.app import ConvoscopeApp
from convoscope.tui.screens.picker import PickerScreen
from convoscope.tui.widgets.conversation_list import ConversationList
from tests.conftest import make_client
from tests.tui_helpers import (  # noqa: F401  (isolated_data_dir is an autouse fixture)
    SIZE,
    drawn_lines,
    http,
    isolated_data_dir,
    notifications,
    open_conversation,
    wait_until,
)

CODING_AGENT = "conv_68f786ff63c49f5f7e76be87ae336b086735ce35b78e18e1"
SUPPORT_BOT = "conv_68f9ebde9b5c904a3ef76e491c5db73da3cee9a5b4252e9e"


async def _picker(pilot) -> tuple[PickerScreen, ConversationList]:
    """The picker, once the server's listing is in."""
    app = pilot.app
    await wait_until(pilot, lambda: isinstance(app.screen, PickerScreen), what="the picker")
    screen = app.screen
    assert isinstance(screen, PickerScreen)
    await wait_until(pilot, lambda: bool(screen.listed), what="the server's listing")
    await pilot.pause()
    return screen, screen.query_one(ConversationList)


def _ids(conversations: ConversationList) -> list[str]:
    return [entry.conversation_id for entry in conversations.entries]


def _status(screen: PickerScreen) -> str:
    return str(screen.query_one("#picker-status", Static).render())


def _listing(url: str) -> list[dict]:
    return http.get(f"{url}/conversations", params={"limit": 100}).json()["data"]


def _paste(screen: PickerScreen, text: str) -> None:
    screen.query_one(Input).post_message(events.Paste(text))


async def test_lists_the_servers_conversations(demo_url):
    expected = _listing(demo_url)
    app = ConvoscopeApp(make_client(demo_url))
    async with app.run_test(size=SIZE) as pilot:
        screen, conversations = await _picker(pilot)
        assert _ids(conversations) == [c["id"] for c in expected]
        drawn = drawn_lines(conversations)
        for line, conversation in zip(drawn, expected, strict=False):
            assert conversation["id"] in line
            assert conversation["metadata"]["title"][:20] in line
        assert f"{len(expected)} conversations on the server" in _status(screen)
        assert isinstance(app.focused, Input)  # type straight away


async def test_typing_filters_by_id_or_title(demo_url):
    app = ConvoscopeApp(make_client(demo_url))
    async with app.run_test(size=SIZE) as pilot:
        screen, conversations = await _picker(pilot)
        everything = _ids(conversations)
        await pilot.press(*"synth_1")
        assert _ids(conversations) == ["conv_synth_10000", "conv_synth_100000"]
        await pilot.press("ctrl+u")  # clear the input
        assert _ids(conversations) == everything
        await pilot.press(*"WI-FI")  # titles match too, ignoring case
        assert _ids(conversations) == [SUPPORT_BOT]
        assert "Wi-Fi" in drawn_lines(conversations)[0]
        await pilot.press(*"zzz")
        assert _ids(conversations) == []


async def test_enter_opens_the_highlighted_conversation(demo_url):
    app = ConvoscopeApp(make_client(demo_url))
    async with app.run_test(size=SIZE) as pilot:
        _, conversations = await _picker(pilot)
        await pilot.press("down", "down", "down", "up")
        target = conversations.highlighted
        assert target is not None and target.conversation_id == _ids(conversations)[2]
        await pilot.press("enter")
        _, _, engine = await open_conversation(pilot)
        assert engine.conversation_id == target.conversation_id


async def test_enter_after_filtering_opens_the_only_match(demo_url):
    app = ConvoscopeApp(make_client(demo_url))
    async with app.run_test(size=SIZE) as pilot:
        await _picker(pilot)
        await pilot.press(*"wi-fi", "enter")
        _, _, engine = await open_conversation(pilot)
        assert engine.conversation_id == SUPPORT_BOT


async def test_double_click_opens_a_conversation(demo_url):
    app = ConvoscopeApp(make_client(demo_url))
    async with app.run_test(size=SIZE) as pilot:
        _, conversations = await _picker(pilot)
        await pilot.click(conversations, offset=(5, 3))
        assert conversations.cursor == 3
        await pilot.click(conversations, offset=(5, 3), times=2)
        _, _, engine = await open_conversation(pilot)
        assert engine.conversation_id == _ids(conversations)[3]


@pytest.mark.parametrize(
    ("pasted", "expected"),
    [
        pytest.param("conv_synth_450", "conv_synth_450", id="bare-id"),
        pytest.param("https://platform.openai.com/logs/conv_synth_450", "conv_synth_450", id="url"),
        pytest.param(
            f"  https://example.test/v1/conversations/{CODING_AGENT}?tab=items\n", CODING_AGENT, id="url-listed"
        ),
    ],
)
async def test_pasting_an_id_or_url_and_enter_opens_that_conversation(demo_url, pasted, expected):
    app = ConvoscopeApp(make_client(demo_url))
    async with app.run_test(size=SIZE) as pilot:
        screen, _ = await _picker(pilot)
        _paste(screen, pasted)
        await pilot.pause()
        await pilot.press("enter")
        _, _, engine = await open_conversation(pilot)
        assert engine.conversation_id == expected


async def test_opening_records_history_and_the_entry_shows_first_when_back(demo_url, isolated_data_dir):
    history_file = isolated_data_dir / "history.json"
    app = ConvoscopeApp(make_client(demo_url))
    async with app.run_test(size=SIZE) as pilot:
        picker, conversations = await _picker(pilot)
        assert not history_file.exists()
        await pilot.press("down", "down", "down")
        target = conversations.highlighted
        assert target is not None and target.last_opened is None
        await pilot.press("enter")
        await open_conversation(pilot)
        await wait_until(pilot, history_file.exists, what="the history file")
        entries = json.loads(history_file.read_text())["entries"]
        assert [(e["conversation_id"], e["server"], e["title"]) for e in entries] == [
            (target.conversation_id, demo_url, target.title)
        ]

        await pilot.press("escape")
        assert app.screen is picker
        await pilot.pause()
        assert _ids(conversations)[0] == target.conversation_id
        assert _ids(conversations).count(target.conversation_id) == 1  # not listed twice
        assert conversations.entries[0].last_opened is not None
        first = drawn_lines(conversations)[0]
        assert "★" in first and "opened just now" in first
        assert "★" not in drawn_lines(conversations)[1]

    # The next session remembers it too.
    again = ConvoscopeApp(make_client(demo_url))
    async with again.run_test(size=SIZE) as pilot:
        _, conversations = await _picker(pilot)
        assert _ids(conversations)[0] == target.conversation_id
        assert "★" in drawn_lines(conversations)[0]


async def _open_first_and_come_back(pilot) -> tuple[PickerScreen, ConversationList, str]:
    picker, conversations = await _picker(pilot)
    target = _ids(conversations)[0]
    await pilot.press("enter")
    await open_conversation(pilot)
    await wait_until(pilot, lambda: bool(picker.history.entries(picker.server)), what="the history entry")
    await pilot.press("escape")
    await pilot.pause()
    assert conversations.entries[0].conversation_id == target and conversations.entries[0].last_opened
    assert conversations.cursor == 0
    return picker, conversations, target


async def test_ctrl_x_forgets_the_highlighted_history_entry(demo_url, isolated_data_dir):
    app = ConvoscopeApp(make_client(demo_url))
    async with app.run_test(size=SIZE) as pilot:
        picker, conversations, target = await _open_first_and_come_back(pilot)
        assert isinstance(app.focused, Input)  # where the picker puts the focus
        await pilot.press("ctrl+x")
        await pilot.pause()
        assert conversations.entries[0].last_opened is None, "ctrl+x did not forget the entry"
        assert "★" not in drawn_lines(conversations)[0]
        assert json.loads((isolated_data_dir / "history.json").read_text())["entries"] == []
        assert target in _ids(conversations)  # still listed by the server, just not recent


async def test_d_in_the_list_forgets_the_highlighted_history_entry(demo_url, isolated_data_dir):
    app = ConvoscopeApp(make_client(demo_url))
    async with app.run_test(size=SIZE) as pilot:
        picker, conversations, target = await _open_first_and_come_back(pilot)
        conversations.focus()
        await pilot.press("d")
        await pilot.pause()
        assert conversations.entries[0].last_opened is None
        assert json.loads((isolated_data_dir / "history.json").read_text())["entries"] == []
        assert any(message == f"Forgot {target}. ctrl+z brings it back." for _, message in notifications(app))
        # Forgetting something that is not in the history says so and changes nothing.
        await pilot.press("delete")
        await pilot.pause()
        assert ("warning", "That conversation is not in your history.") in notifications(app)


async def test_a_corrupt_history_file_is_kept_aside_and_the_picker_still_works(demo_url, isolated_data_dir):
    isolated_data_dir.mkdir(parents=True)
    history_file = isolated_data_dir / "history.json"
    history_file.write_text('{"version": 1, "entries": [', encoding="utf-8")
    app = ConvoscopeApp(make_client(demo_url))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        _, conversations = await _picker(pilot)
        backups = list(isolated_data_dir.glob("history.json.unreadable-*"))
        assert len(backups) == 1
        assert backups[0].read_text(encoding="utf-8") == '{"version": 1, "entries": ['
        warnings = [message for severity, message in notifications(app) if severity == "warning"]
        assert any("not valid JSON" in message and backups[0].name in message for message in warnings), warnings
        assert _ids(conversations) == [c["id"] for c in _listing(demo_url)]

        # A fresh history works as usual.
        await pilot.press("enter")
        _, _, engine = await open_conversation(pilot)
        await wait_until(pilot, history_file.exists, what="a fresh history file")
        entries = json.loads(history_file.read_text())["entries"]
        assert [e["conversation_id"] for e in entries] == [engine.conversation_id]
        assert backups[0].read_text(encoding="utf-8") == '{"version": 1, "entries": ['


async def test_a_long_listing_loads_its_next_page_when_the_cursor_gets_near_its_end(fault_server):
    url = fault_server()
    for n in range(120):
        http.post(f"{url}/conversations", json={"metadata": {"title": f"bulk {n:03d}"}}).raise_for_status()
    expected = [c["id"] for c in _listing(url)]
    app = ConvoscopeApp(make_client(url))
    async with app.run_test(size=SIZE) as pilot:
        screen, conversations = await _picker(pilot)
        assert len(conversations.entries) == 100
        assert "100 conversations on the server (more below)" in _status(screen)
        await pilot.press("tab")  # from the filter to the list
        assert app.focused is conversations
        await pilot.press("end")
        await wait_until(pilot, lambda: len(conversations.entries) > 100, what="the next page of the listing")
        await pilot.pause()
        ids = _ids(conversations)
        assert len(ids) == len(set(ids)) == 129  # 120 created + 7 bundled + 2 synthetic
        assert ids[:100] == expected
        assert conversations.cursor == 99  # the page landed below; the cursor stayed put
        assert "129 conversations on the server" in _status(screen) and "more" not in _status(screen)


async def test_titles_from_the_server_are_shown_literally(fault_server):
    url = fault_server()
    created = http.post(f"{url}/conversations", json={"metadata": {"title": "[b]loud[/b] \x1b[2Jcleared"}}).json()
    app = ConvoscopeApp(make_client(url))
    async with app.run_test(size=SIZE) as pilot:
        _, conversations = await _picker(pilot)
        line = drawn_lines(conversations)[_ids(conversations).index(created["id"])]
        assert "[b]loud[/b] ␛[2Jcleared" in line
        assert "\x1b" not in line


async def test_without_a_listing_a_pasted_id_still_opens(fault_server):
    url = fault_server(fail_next=[500])
    app = ConvoscopeApp(make_client(url, retry=RetryPolicy(max_attempts=1)))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await wait_until(pilot, lambda: "Could not list conversations" in _status(screen), what="the listing error")
        assert "500" in _status(screen)
        _paste(screen, "conv_synth_450")
        await pilot.pause()
        await pilot.press("enter")
        _, _, engine = await open_conversation(pilot)
        assert engine.conversation_id == "conv_synth_450"


@pytest.mark.detects_capabilities
async def test_the_picker_shows_what_the_server_offers_and_caches_it(demo_url):
    from convoscope.api import ConversationsClient, Profile, Secret
    from convoscope.storage import capabilities_cache
    from convoscope.tui.app import ConvoscopeApp

    client = ConversationsClient(Profile(name="demo-test", base_url=demo_url, api_key=Secret("sk-x")))
    app = ConvoscopeApp(client)
    async with app.run_test(size=(120, 30)) as pilot:
        line = app.screen.query_one("#picker-capabilities")
        for _ in range(100):
            if "server:" in str(line.render()):
                break
            await pilot.pause(0.05)
        assert "listing ✓" in str(line.render()) and "after ✓" in str(line.render())
    cached = capabilities_cache.load("demo-test", demo_url)
    assert cached is not None and cached.lists_conversations and cached.honours_after
