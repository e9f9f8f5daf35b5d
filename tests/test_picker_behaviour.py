"""The picker's answers to a user: a failed listing can be retried, a filter says how many match,
and forgetting a conversation can be undone. Checked on the drawn screen."""

from __future__ import annotations

import json

from convoscope.api import RetryPolicy
from convoscope.tui.app import ConvoscopeApp
from convoscope.tui.screens.picker import PickerScreen
from convoscope.tui.widgets.conversation_list import ConversationList
from tests.conftest import SleepRecorder, make_client
from tests.screen import read_screen
from tests.tui_helpers import (  # noqa: F401  (autouse fixtures)
    SIZE,
    isolated_data_dir,
    notices_shown,
    open_conversation,
    remember_notices,
    wait_until,
)


async def _picker(pilot) -> PickerScreen:
    app = pilot.app
    await wait_until(pilot, lambda: isinstance(app.screen, PickerScreen), what="the picker")
    return app.screen


def _drawn(pilot) -> str:
    return str(read_screen(pilot.app))


async def test_a_failed_listing_says_how_to_retry_and_ctrl_r_retries_it(fault_server):
    url = fault_server(fail_next=[500])
    client = make_client(url, retry=RetryPolicy(max_attempts=1), sleep=SleepRecorder())
    app = ConvoscopeApp(client)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _picker(pilot)
        await wait_until(pilot, lambda: "Could not list conversations" in _drawn(pilot), what="the failure")
        row = read_screen(app).find_row("Could not list conversations")
        assert "ctrl+r retries" in read_screen(app).text(row), _drawn(pilot)
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: "9 conversations on the server" in _drawn(pilot), what="the listing")
        assert "Could not list" not in _drawn(pilot)
        assert len(screen.listed) == 9


async def test_a_filter_matching_nothing_says_0_of_9_match_and_counts_what_matches(demo_url):
    app = ConvoscopeApp(make_client(demo_url))
    async with app.run_test(size=SIZE) as pilot:
        await _picker(pilot)
        await wait_until(pilot, lambda: "9 conversations on the server" in _drawn(pilot), what="the listing")
        await pilot.press(*"zzz")
        await wait_until(pilot, lambda: "0 of 9 match" in _drawn(pilot), what="the count")
        assert "9 conversations on the server" not in _drawn(pilot)
        await pilot.press("backspace", "backspace", "backspace", *"synth")
        await wait_until(pilot, lambda: "2 of 9 match" in _drawn(pilot), what="the count")
        await pilot.press(*["backspace"] * 5)
        await wait_until(pilot, lambda: "9 conversations on the server" in _drawn(pilot), what="the total again")


async def test_ctrl_x_forgets_with_an_undo_offer_and_ctrl_z_brings_it_back(demo_url, isolated_data_dir):
    app = ConvoscopeApp(make_client(demo_url))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        picker = await _picker(pilot)
        conversations = picker.query_one(ConversationList)
        await wait_until(pilot, lambda: bool(picker.listed), what="the listing")
        target = conversations.entries[0].conversation_id
        await pilot.press("enter")
        await open_conversation(pilot)
        await wait_until(pilot, lambda: bool(picker.history.entries(picker.server)), what="the history entry")
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is picker, what="the picker")
        history = isolated_data_dir / "history.json"
        before = json.loads(history.read_text())["entries"]
        assert [e["conversation_id"] for e in before] == [target]

        await pilot.press("ctrl+x")
        assert json.loads(history.read_text())["entries"] == []
        notice = f"Forgot {target}. ctrl+z brings it back."
        assert ("information", notice) in notices_shown(app)
        await wait_until(pilot, lambda: "ctrl+z brings it back" in _drawn(pilot), what="the undo offer on screen")

        await pilot.press("ctrl+z")
        assert json.loads(history.read_text())["entries"] == before  # exactly as it was
        assert conversations.entries[0].conversation_id == target and conversations.entries[0].last_opened
        assert ("information", f"{target} is back in your history.") in notices_shown(app)
        await pilot.press("ctrl+z")  # nothing more to undo
        assert ("warning", "Nothing to undo.") in notices_shown(app)
