"""The conversation viewer, driven with Pilot against the demo server on loopback.

Each test opens the real app on a conversation and checks what a user would notice: which item
is under the cursor, what the list and header draw, and (through the demo server's statistics)
which pages were requested, how many at once, and in what order.
"""

from __future__ import annotations


from convoscope.api import RetryPolicy
from convoscope.demo.app import create_app
from convoscope.demo.serve import serve_in_background
from convoscope.paging.engine import Edge, EdgeState, GapLine
from convoscope.paging.rows import Row
from convoscope.tui.app import ConvoscopeApp
from convoscope.tui.screens.conversation import PREFETCH_AHEAD, PREFETCH_BEHIND
from convoscope.tui.screens.picker import PickerScreen
from convoscope.tui.widgets.conversation_header import ConversationHeader
from tests.conftest import SleepRecorder, demo_stats, make_client
from tests.tui_helpers import (  # noqa: F401  (isolated_data_dir is an autouse fixture)
    SIZE,
    add_items,
    create_conversation,
    drawn_lines,
    header_text,
    isolated_data_dir,
    line_text,
    loaded_ids,
    message,
    newest_id,
    notices_shown,
    remember_notices,
    oldest_id,
    open_conversation,
    reset_stats,
    server_ids,
    settle,
    synth_index,
    wait_until,
)


def _cursor_id(items, engine) -> str | None:
    """The id of the item under the cursor (None on the gap line)."""
    line = items.view.line(items.cursor)
    return line.id if isinstance(line, Row) else None


# --- opening and moving --------------------------------------------------------------------------


async def test_opens_at_the_oldest_item(demo_url):
    app = ConvoscopeApp(make_client(demo_url), "conv_synth_450")
    async with app.run_test(size=SIZE) as pilot:
        screen, items, engine = await open_conversation(pilot)
        assert items.cursor == 0 and items.scroll_offset.y == 0
        assert _cursor_id(items, engine) == oldest_id(demo_url, "conv_synth_450")
        drawn = drawn_lines(items)
        assert line_text(items, 0).startswith(drawn[0].rstrip())
        assert "user:" in drawn[0]
        # Below the loaded rows, one line stands for what is not loaded yet.
        gap = engine.gap_line_index
        assert gap is not None and isinstance(engine.line(gap), GapLine)
        assert "more items" in line_text(items, gap)
        await wait_until(pilot, lambda: engine.conversation is not None, what="the conversation's details")
        await pilot.pause()
        header = header_text(screen)
        assert "conv_synth_450" in header and "Synthetic conversation (450 items)" in header
        assert f"{len(engine.index)} items loaded" in header


async def test_the_header_keeps_its_status_line_with_long_metadata(demo_url):
    """The coding-agent conversation has more metadata than fits on the first line."""
    app = ConvoscopeApp(make_client(demo_url), "conv_68f786ff63c49f5f7e76be87ae336b086735ce35b78e18e1")
    async with app.run_test(size=SIZE) as pilot:
        screen, _, engine = await open_conversation(pilot)
        await wait_until(pilot, lambda: engine.conversation is not None, what="the conversation's details")
        await pilot.pause()
        first, second = drawn_lines(screen.query_one(ConversationHeader))
        assert first.startswith("conv_68f786ff63c49f5f7e76be87ae336b086735ce35b78e18e1")
        assert "53 items · all loaded" in second, (first, second)


async def test_keys_and_clicks_move_the_cursor(demo_url):
    app = ConvoscopeApp(make_client(demo_url), "conv_synth_450")
    async with app.run_test(size=SIZE) as pilot:
        _, items, engine = await open_conversation(pilot)
        await pilot.press("j", "j", "down")
        assert items.cursor == 3
        await pilot.press("k")
        assert items.cursor == 2
        await pilot.press("ctrl+d")
        assert items.cursor == 2 + items.page_height // 2
        await pilot.press("ctrl+u")
        assert items.cursor == 2
        await pilot.press("pagedown")
        assert items.cursor == 2 + items.page_height
        assert items.scroll_offset.y <= items.cursor < items.scroll_offset.y + items.size.height
        await pilot.press("home")
        assert items.cursor == 0 and items.scroll_offset.y == 0
        await pilot.click(items, offset=(10, 5))
        assert items.cursor == 5
        # The cursor line is drawn differently from its neighbours.
        first_style = [next(iter(items.render_line(y))).style for y in (4, 5, 6)]
        assert first_style[1] != first_style[0] and first_style[1] != first_style[2]


async def test_moving_down_loads_the_next_pages_ahead_one_request_at_a_time(fault_server):
    url = fault_server(latency_ms=20)
    app = ConvoscopeApp(make_client(url), "conv_synth_2000")
    async with app.run_test(size=SIZE) as pilot:
        _, items, engine = await open_conversation(pilot)
        # The screen shows 37 lines; the page after the first one was already fetched.
        assert engine.gap_line_index == 2 * engine.page_size
        reset_stats(url)

        landed_on_gap = []
        for _ in range(15):
            await pilot.press("pagedown")
            landed_on_gap.append(isinstance(engine.line(items.cursor), GapLine))
        await settle(pilot, engine)

        stats = demo_stats(url)
        calls = stats["list_calls"]
        assert len(calls) >= 4, calls
        assert {c["order"] for c in calls} == {"asc"}
        # Each page exactly once, each continuing from the last item of the one before.
        assert [synth_index(c["after"]) for c in calls] == [199 + 100 * k for k in range(len(calls))]
        # List requests never overlapped. in_flight_max counts every request, so the get-items
        # for the detail pane (the selected item and those prefetched around it) may have run
        # beside a page.
        item_fetches = sum(n for path, n in stats["by_path"].items() if "/items/" in path)
        detail_requests = 1 + PREFETCH_AHEAD + PREFETCH_BEHIND if item_fetches else 0
        assert stats["in_flight_max"] <= 1 + detail_requests
        # Prefetch kept ahead of the user: the cursor never had to wait on the "loading" line...
        assert not any(landed_on_gap)
        # ...and once settled, more than a screen of loaded items lies below the view, but not
        # much more than the one page of look-ahead.
        last_visible = items.scroll_offset.y + items.size.height - 1
        assert engine.gap_line_index - last_visible > items.size.height
        assert engine.gap_line_index <= last_visible + 2 * engine.page_size
        assert len(set(loaded_ids(engine))) == len(engine.index)


# --- the newest end --------------------------------------------------------------------------------


async def test_G_shows_the_newest_item_quickly_without_walking_the_middle(fault_server):
    url = fault_server()
    conversation = "conv_synth_100000"
    newest, oldest = newest_id(url, conversation), oldest_id(url, conversation)
    app = ConvoscopeApp(make_client(url), conversation)
    async with app.run_test(size=SIZE) as pilot:
        screen, items, engine = await open_conversation(pilot)
        reset_stats(url)

        await pilot.press("G")
        await wait_until(pilot, lambda: _cursor_id(items, engine) == newest, what="the newest item")
        assert items.cursor == engine.line_count() - 1
        top = items.scroll_offset.y
        assert top <= items.cursor < top + items.size.height
        assert "[in_progress]" in line_text(items, items.cursor)  # the run is still going

        await settle(pilot, engine)
        calls = demo_stats(url)["list_calls"]
        assert calls[0]["order"] == "desc" and calls[0]["after"] is None
        assert len(calls) <= 4, calls
        for call in calls:
            if call["after"] is not None:
                position = synth_index(call["after"])
                assert position < 1_000 or position > 99_000, f"walked the middle: {call}"
        assert len(engine.index) <= 600
        assert _cursor_id(items, engine) == newest  # still on the newest after the prefetch landed
        header = header_text(screen)
        assert "start …" in header and "end …" in header

        await pilot.press("g")
        await wait_until(pilot, lambda: items.cursor == 0 and items.scroll_offset.y == 0, what="the top")
        assert _cursor_id(items, engine) == oldest
        assert "user:" in drawn_lines(items)[0]


async def test_G_does_not_fetch_more_from_the_start(fault_server):
    """After G the user looks at the end: a page from the start is a wasted request."""
    url = fault_server()
    app = ConvoscopeApp(make_client(url), "conv_synth_100000")
    async with app.run_test(size=SIZE) as pilot:
        _, _, engine = await open_conversation(pilot)
        reset_stats(url)
        await pilot.press("G")
        await settle(pilot, engine)
        orders = [c["order"] for c in demo_stats(url)["list_calls"]]
        assert "asc" not in orders, orders


async def test_both_ends_meet_with_every_item_exactly_once(fault_server):
    url = fault_server()
    conversation = "conv_synth_1000"
    app = ConvoscopeApp(make_client(url), conversation)
    async with app.run_test(size=SIZE) as pilot:
        screen, items, engine = await open_conversation(pilot)
        await pilot.press("G")
        await settle(pilot, engine)
        tail_pages = engine.status[Edge.TAIL].pages
        assert engine.index.tail_count and not engine.complete

        # Scrolling up from the newest item towards the gap loads older pages from the end,
        # and rows landing above the view do not move the item under the cursor.
        for _ in range(20):
            if engine.status[Edge.TAIL].pages >= tail_pages + 2 or engine.complete:
                break
            await pilot.press("pageup")
            under_cursor = _cursor_id(items, engine)
            await settle(pilot, engine)
            assert _cursor_id(items, engine) == under_cursor
        assert engine.status[Edge.TAIL].pages >= tail_pages + 2
        descending = [c for c in demo_stats(url)["list_calls"] if c["order"] == "desc"]
        assert descending[0]["after"] is None
        assert [synth_index(c["after"]) for c in descending[1:]] == [900 - 100 * k for k in range(len(descending) - 1)]

        # From the top, paging down loads from the start until the two walks meet.
        await pilot.press("g")
        for _ in range(60):
            if engine.complete:
                break
            await pilot.press("pagedown")
            await settle(pilot, engine)
        assert engine.complete
        ids = loaded_ids(engine)
        assert len(ids) == len(set(ids)) == 1000
        assert ids == server_ids(url, conversation)
        assert not any(isinstance(engine.line(n), GapLine) for n in range(engine.line_count()))
        assert "1,000 items · all loaded" in header_text(screen)


async def test_L_loads_every_item_once(fault_server):
    url = fault_server()
    conversation = "conv_synth_2000"
    app = ConvoscopeApp(make_client(url), conversation)
    async with app.run_test(size=SIZE) as pilot:
        screen, items, engine = await open_conversation(pilot)
        await pilot.press("L")
        await wait_until(pilot, lambda: engine.complete, timeout=60, what="every item")
        await settle(pilot, engine)
        ids = loaded_ids(engine)
        assert len(ids) == len(set(ids)) == 2000
        calls = demo_stats(url)["list_calls"]  # before server_ids() below adds its own calls
        assert ids == server_ids(url, conversation)
        assert engine.line_count() == 2000  # no gap line any more
        assert "2,000 items · all loaded" in header_text(screen)
        assert ("information", "All 2,000 items loaded.") in notices_shown(app)
        assert {c["order"] for c in calls} == {"asc", "desc"}  # from both ends at once
        for order in ("asc", "desc"):
            afters = [c["after"] for c in calls if c["order"] == order]
            assert len(afters) == len(set(afters)), f"a {order} page was fetched twice: {afters}"
        await pilot.press("G")
        assert _cursor_id(items, engine) == ids[-1]


# --- broken servers --------------------------------------------------------------------------------


async def test_a_server_that_ignores_the_cursor_stops_with_a_reason(fault_server):
    url = fault_server(repeat_first_page=True)
    app = ConvoscopeApp(make_client(url), "conv_synth_450")
    async with app.run_test(size=SIZE) as pilot:
        screen, items, engine = await open_conversation(pilot)
        gap = engine.gap_line_index
        assert engine.status[Edge.HEAD].state is EdgeState.STOPPED
        text = line_text(items, gap)
        assert "stopped" in text and "ignores the paging cursor" in text and "may be incomplete" in text
        ids = loaded_ids(engine)
        assert len(ids) == len(set(ids)) == 450  # everything, in one large request
        # The header redraws at most ten times a second: wait for it, do not race it.
        await wait_until(pilot, lambda: "start ⊘" in header_text(screen), what="the header to say so")
        assert "may be incomplete" in header_text(screen)

        # The rest of the list stays usable and asks for nothing more.
        requests = len(demo_stats(url)["list_calls"])
        for _ in range(14):
            await pilot.press("pagedown")
        await settle(pilot, engine)
        assert items.cursor == gap
        assert any("⚠ stopped" in line for line in drawn_lines(items))
        assert len(demo_stats(url)["list_calls"]) == requests
        await pilot.press("k", "k")
        assert items.cursor == gap - 2

        # The end (newest first, everything at once) meets the start: still no duplicate rows.
        await pilot.press("G")
        await settle(pilot, engine)
        ids = loaded_ids(engine)
        assert len(ids) == len(set(ids)) == 450
        await pilot.press("g")
        assert items.cursor == 0
        assert isinstance(app.screen, type(screen))


def _failing_app(url: str) -> ConvoscopeApp:
    client = make_client(url, retry=RetryPolicy(max_attempts=2), sleep=SleepRecorder())
    return ConvoscopeApp(client, "conv_synth_450")


# Six 500s: the picker's listing, the conversation's details and its first page each get two
# attempts, so all three fail whatever order they run in; the next request succeeds.
SIX_FAILURES = [500] * 6


async def test_a_failed_page_shows_on_the_gap_line_and_r_retries(fault_server):
    url = fault_server(fail_next=list(SIX_FAILURES))
    app = _failing_app(url)
    async with app.run_test(size=SIZE) as pilot:
        screen, items, engine = await open_conversation(pilot)
        assert engine.status[Edge.HEAD].state is EdgeState.FAILED
        assert engine.line_count() == 1
        assert drawn_lines(items)[0].startswith(" ⚠ ")
        assert "500 Internal Server Error" in line_text(items, 0)
        assert "start ✗" in header_text(screen)

        await pilot.press("r")
        await wait_until(pilot, lambda: engine.status[Edge.HEAD].pages > 0, what="the retried page")
        await settle(pilot, engine)
        assert _cursor_id(items, engine) == oldest_id(url, "conv_synth_450")
        assert not any("⚠" in line for line in drawn_lines(items))
        assert demo_stats(url)["by_status"]["500"] == 6


async def test_the_failed_gap_line_keeps_the_retry_hint_on_screen(fault_server):
    url = fault_server(fail_next=list(SIX_FAILURES))
    app = _failing_app(url)
    async with app.run_test(size=SIZE) as pilot:
        _, items, _ = await open_conversation(pilot)
        drawn = drawn_lines(items)[0]  # clipped to the 120 columns the user sees
        assert "r to retry" in drawn, drawn


async def test_the_header_stops_announcing_a_retry_once_it_gave_up(fault_server):
    url = fault_server(fail_next=list(SIX_FAILURES))
    app = _failing_app(url)
    async with app.run_test(size=SIZE) as pilot:
        screen, _, _ = await open_conversation(pilot)
        await wait_until(pilot, lambda: "500" in header_text(screen), what="the failure in the header")
        header = header_text(screen)
        assert "retrying in" not in header, header


async def test_r_also_retries_the_conversation_details(fault_server):
    url = fault_server(fail_next=list(SIX_FAILURES))
    app = _failing_app(url)
    async with app.run_test(size=SIZE) as pilot:
        screen, _, engine = await open_conversation(pilot)
        await wait_until(pilot, lambda: "500" in header_text(screen).splitlines()[0], what="the header's error")
        await pilot.press("r")
        await wait_until(pilot, lambda: engine.status[Edge.HEAD].pages > 0, what="the retried page")
        await settle(pilot, engine)
        await wait_until(
            pilot, lambda: "500" not in header_text(screen).splitlines()[0], what="the header to drop the error"
        )
        first_line = header_text(screen).splitlines()[0]
        assert "Synthetic conversation (450 items)" in first_line and "500" not in first_line, first_line


async def test_a_missing_conversation_shows_the_error_and_does_not_crash(demo_url):
    app = ConvoscopeApp(make_client(demo_url, sleep=SleepRecorder()), "conv_does_not_exist")
    async with app.run_test(size=SIZE) as pilot:
        screen, items, engine = await open_conversation(pilot)
        await wait_until(pilot, lambda: "404" in header_text(screen), what="the error in the header")
        first_line = header_text(screen).splitlines()[0]
        assert "conv_does_not_exist" in first_line and "404" in first_line
        assert drawn_lines(items)[0].startswith(" ⚠ ")
        assert "404" in line_text(items, 0)
        for key in ("j", "k", "pagedown", "G", "g", "r", "L", "F"):
            await pilot.press(key)
        await settle(pilot, engine)
        await pilot.press("F")
        assert app.screen is screen and app.is_running
        await pilot.press("escape")
        assert isinstance(app.screen, PickerScreen)


# --- live follow -----------------------------------------------------------------------------------


async def test_follow_shows_new_items_and_refreshes_running_ones():
    server = create_app()
    with serve_in_background(server) as url:
        conversation = create_conversation(
            url, [message("first"), message("working on it", role="assistant", status="in_progress")]
        )
        running = server_ids(url, conversation)[1]
        app = ConvoscopeApp(make_client(url), conversation)
        async with app.run_test(size=SIZE) as pilot:
            screen, items, engine = await open_conversation(pilot)
            assert engine.complete and len(engine.index) == 2
            assert "[in_progress]" in line_text(items, 1)

            add_items(url, conversation, [message("second")])  # after the viewer opened
            await pilot.press("F")
            await wait_until(pilot, lambda: len(engine.index) == 3, what="the new item")
            assert "user: second" in line_text(items, 2)
            assert "following" in header_text(screen)

            # Later, while following: another item arrives and the running one finishes.
            timeline = server.state.store.get(conversation).timeline
            timeline.item_at(timeline.position_of(running))["status"] = "completed"
            add_items(url, conversation, [message("third")])
            await wait_until(
                pilot,
                lambda: len(engine.index) == 4 and "[in_progress]" not in line_text(items, 1),
                timeout=5,
                what="the next poll",
            )
            assert "user: third" in line_text(items, 3)
            assert loaded_ids(engine) == server_ids(url, conversation)

            await pilot.press("F")
            assert not engine.following
            assert "following" not in header_text(screen)


# --- untrusted text --------------------------------------------------------------------------------


async def test_markup_and_escape_sequences_from_the_server_are_shown_literally(fault_server):
    url = fault_server()
    conversation = create_conversation(
        url,
        [message("[bold red]boom[/] \x1b[31mred\x1b[0m")],
        metadata={"title": "[b]title[/b] \x1b]0;pwned\x07"},
    )
    app = ConvoscopeApp(make_client(url), conversation)
    async with app.run_test(size=SIZE) as pilot:
        screen, items, engine = await open_conversation(pilot)
        row = drawn_lines(items)[0]
        assert "[bold red]boom[/]" in row
        assert "␛[31mred␛[0m" in row
        assert "\x1b" not in row
        # Nothing in the row was styled by the markup: "boom" is drawn like the text around it.
        strip = items.render_line(0)
        styles = {segment.style for segment in strip if "boom" in segment.text or "red" in segment.text}
        assert len(styles) == 1
        await wait_until(pilot, lambda: engine.conversation is not None, what="the conversation's details")
        await pilot.pause()
        header = header_text(screen)
        assert "[b]title[/b] ␛]0;pwned␇" in header
        assert "\x1b" not in header and "\x07" not in header


async def test_escape_goes_back_to_the_picker_and_stops_loading(demo_url):
    app = ConvoscopeApp(make_client(demo_url), "conv_synth_450")
    async with app.run_test(size=SIZE) as pilot:
        _, _, engine = await open_conversation(pilot)
        await pilot.press("escape")
        assert isinstance(app.screen, PickerScreen)
        await pilot.pause()
        assert not any(status.busy for status in engine.status.values())

