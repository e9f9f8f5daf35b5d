"""The detail pane and the keys that act on the selected item, driven with Pilot.

The app talks to the demo server: in-process (no sockets) where only the screen matters, or a
fresh server on loopback where a test reads its request statistics or changes its data. Each
test checks what a user would notice: what the pane says, where the cursor goes, what the
header and the notifications say, what lands on the clipboard or on disk.
"""

from __future__ import annotations

import json

import pytest
from textual.command import CommandList, CommandPalette
from textual.widgets import Input, SelectionList

from convoscope.api import RetryPolicy
from convoscope.demo.app import create_app
from convoscope.demo.serve import serve_in_background
from convoscope.paging.rows import Row
from convoscope.render.groups import Group, group_of
from convoscope.storage.history import History
from convoscope.tui.app import ConvoscopeApp
from convoscope.tui.screens.conversation import ConversationScreen
from convoscope.tui.screens.menus import FilterMenu, IncludeMenu, KeysScreen
from tests.screen import read_screen
from tests.conftest import SleepRecorder, demo_stats, make_client
from tests.tui_helpers import (  # noqa: F401  (isolated_data_dir is an autouse fixture)
    SIZE,
    create_conversation,
    detail_busy,
    drawn_lines,
    header_text,
    hold_key,
    http,
    in_process_client,
    isolated_data_dir,
    item_fetches,
    item_path,
    line_text,
    message,
    notices_shown,
    remember_notices,
    open_conversation,
    pane_lines,
    pane_text,
    reset_stats,
    select_line,
    server_ids,
    settle,
    type_text,
    wait_for_detail,
    wait_for_pane,
    wait_until,
)

SUPPORT_BOT = "conv_68f9ebde9b5c904a3ef76e491c5db73da3cee9a5b4252e9e"
FAR = 8  # a line beyond what is prefetched around the first item
CODING_AGENT = "conv_68f786ff63c49f5f7e76be87ae336b086735ce35b78e18e1"
RESEARCH_AGENT = "conv_68f8d82296fc704ffa1ed1699201483c2008d2aad2c71b40"
MCP_SESSION = "conv_68fb273cbf46498f81a02451975e9ccc073b3ca868649e9c"
COMPUTER_USE = "conv_68fc71249acd38a1dc9a10c5ddf2682f3d2566b7f6f3b4c2"
IMAGE_AND_CODE = "conv_68fdbad412fc0672365d236925d5bc4dda10fcda675a9efb"

# Lines of the bundled conversations (all of them fit in the first page, so line == position).
SB_LOOKUP_CALL, SB_LOOKUP_OUTPUT = 5, 6  # function_call lookup_customer and its output
RA_WEB_SEARCH = 2  # web_search_call with action.sources (include-gated)
RA_LOGPROBS = 12  # assistant message "Not yet." with logprobs (include-gated)
RA_REASONING = 1  # reasoning with encrypted_content (include-gated)
IC_IMAGE = 2  # image_generation_call with a base64 PNG


def _app(conversation: str, tmp_path, client=None) -> ConvoscopeApp:
    """The viewer on `conversation` (in-process demo server unless a client is given)."""
    return ConvoscopeApp(
        client or in_process_client(), conversation, history=History(tmp_path / "history.json")
    )


async def _open(pilot):
    screen, items, engine = await open_conversation(pilot)
    await wait_for_detail(pilot, screen)  # the first item is shown (and fetched) on opening
    return screen, items, engine


def _line_of(lines: list[str], needle: str) -> int:
    """Index of the first pane line containing `needle` (fails with the pane's text)."""
    for index, line in enumerate(lines):
        if needle in line:
            return index
    raise AssertionError(f"{needle!r} not in the pane:\n" + "\n".join(lines))


def _types_shown(items) -> list[str]:
    return [line.type for n in range(items.line_count()) if isinstance(line := items.view.line(n), Row)]


# --- selecting: summary first, then the full item ------------------------------------------------


async def test_selecting_shows_the_summary_at_once_then_the_full_item_with_its_output(fault_server, tmp_path):
    url = fault_server(latency_ms=150)  # time to see the summary before the item arrives
    app = _app(SUPPORT_BOT, tmp_path, make_client(url))
    async with app.run_test(size=SIZE) as pilot:
        screen, items, _ = await _open(pilot)
        await pilot.click(items, offset=(10, SB_LOOKUP_CALL))
        assert items.cursor == SB_LOOKUP_CALL
        call_id = items.current_row.id

        # At once: the row's own summary, drawn from what the list holds.
        await wait_until(
            pilot,
            lambda: screen.detail.document is not None and "Summary" in pane_text(screen),
            what="the row summary",
        )
        summary = pane_text(screen)
        assert summary.startswith("function_call · lookup_customer")
        assert "lookup_customer(" in summary
        assert "Output" not in summary and "cus_8841207" not in summary
        assert screen.shown_item is None or screen.shown_item.id != call_id

        # Then: the full item, its arguments pretty-printed, its output (the pair) beneath.
        lines = await wait_for_detail(pilot, screen, call_id)
        assert lines[0].startswith("function_call · lookup_customer · completed")
        arguments = _line_of(lines, "Arguments ─")
        output = _line_of(lines, "Output ─")
        email = _line_of(lines, '"email": "priya.raman@example.com"')
        assert arguments < email < output
        assert "function_call_output · lookup_customer" in lines[output + 1]
        assert "p jumps to it" in " ".join(" ".join(lines[output + 1 : output + 3]).split())  # (may wrap)
        assert output < _line_of(lines, '"id": "cus_8841207"')
        assert "Summary" not in "\n".join(lines)


async def test_holding_j_fetches_few_items_and_ends_on_the_item_under_the_cursor(fault_server, tmp_path):
    url = fault_server(latency_ms=5)
    conversation = "conv_synth_450"
    app = _app(conversation, tmp_path, make_client(url))
    async with app.run_test(size=SIZE) as pilot:
        screen, items, engine = await _open(pilot)
        await settle(pilot, engine)
        reset_stats(url)

        await hold_key(pilot, "j", 30)  # a held key at 30 repeats a second
        assert items.cursor == 30
        target = items.current_row.id
        lines = await wait_for_detail(pilot, screen, target)
        fetched = item_fetches(demo_stats(url))
        # The item, its partner and the few around it (prefetched), plus a few the user (or a busy
        # machine) paused on; each once, and never one per line passed.
        assert set(fetched.values()) == {1}, fetched
        assert len(fetched) <= 30 // 2, fetched
        assert fetched.get(item_path(conversation, target)) == 1
        assert screen.shown_item.id == target
        assert lines[0].startswith(items.current_row.type)
        assert "Summary" not in "\n".join(lines)

        # Back to an item already fetched: shown from the cache, no request.
        await pilot.press("k")
        previous = items.current_row.id
        await wait_for_detail(pilot, screen, previous)
        reset_stats(url)
        await pilot.press("j")
        await wait_for_detail(pilot, screen, target)
        await pilot.press("home")
        first = server_ids(url, conversation)[0]
        await wait_for_detail(pilot, screen, first)
        # (Neighbours not fetched yet may be prefetched meanwhile; the items shown are not.)
        fetched = item_fetches(demo_stats(url))
        assert item_path(conversation, target) not in fetched and item_path(conversation, first) not in fetched


async def test_a_late_answer_for_an_item_left_behind_does_not_replace_the_one_under_the_cursor(
    fault_server, tmp_path
):
    url = fault_server()
    conversation = create_conversation(url, [message("first"), message("second")])
    ids = server_ids(url, conversation)
    app = _app(conversation, tmp_path, make_client(url))
    async with app.run_test(size=SIZE) as pilot:
        screen, items, _ = await _open(pilot)  # "first" is fetched (and cached) on opening
        http.post(f"{url}/_demo/faults", json={"latency_ms": 300}).raise_for_status()

        await pilot.press("j")  # "second": its fetch is on its way...
        await pilot.press("k")  # ...when the user is already back on "first" (from the cache)
        assert items.cursor == 0
        # Whatever was asked for "second" has been answered (or was never sent).
        await wait_until(pilot, lambda: demo_stats(url)["in_flight"] == 0, what="the server to answer")
        await wait_until(pilot, lambda: not detail_busy(app), what="the pane to settle")
        assert screen.shown_item.id == ids[0], (
            f"the cursor is on {ids[0]} ('first') but the pane shows {screen.shown_item.id}"
        )
        assert "first" in pane_text(screen) and "second" not in pane_text(screen)


# --- fetch failures ------------------------------------------------------------------------------


async def test_a_deleted_item_shows_a_404_in_the_pane(fault_server, tmp_path):
    url = fault_server()
    # Far enough from the first item that it is not prefetched on opening.
    before = [message(f"filler {n}") for n in range(FAR)]
    conversation = create_conversation(
        url, [*before, message("second, soon deleted"), message("third")]
    )
    ids = server_ids(url, conversation)[FAR - 1:]
    app = _app(conversation, tmp_path, make_client(url, sleep=SleepRecorder()))
    async with app.run_test(size=SIZE) as pilot:
        screen, items, _ = await _open(pilot)
        http.delete(f"{url}/conversations/{conversation}/items/{ids[1]}").raise_for_status()

        await select_line(pilot, screen, FAR)
        text = await wait_for_pane(pilot, screen, lambda t: "404" in t, what="the 404")
        assert "Could not fetch the full item: 404" in text
        assert "second, soon deleted" in text  # the summary the list had stays readable
        assert app.is_running and app.screen is screen

        # The app goes on: the next item is fetched and shown.
        await pilot.press("j")
        lines = await wait_for_detail(pilot, screen, ids[2])
        assert "third" in "\n".join(lines)


async def test_y_never_copies_an_item_other_than_the_one_in_the_pane(fault_server, tmp_path):
    url = fault_server()
    between = [message(f"filler {n}") for n in range(FAR)]
    conversation = create_conversation(url, [message("first"), *between, message("second, soon deleted")])
    ids = server_ids(url, conversation)
    app = _app(conversation, tmp_path, make_client(url, sleep=SleepRecorder()))
    async with app.run_test(size=SIZE) as pilot:
        screen, items, _ = await _open(pilot)  # "first" fetched and shown
        http.delete(f"{url}/conversations/{conversation}/items/{ids[-1]}").raise_for_status()
        await select_line(pilot, screen, FAR + 1)
        await wait_for_pane(pilot, screen, lambda t: "404" in t, what="the 404")

        await pilot.press("y")  # the pane shows the 404 of "second": there is nothing to copy
        assert ids[0] not in app.clipboard, "y copied 'first' while the pane shows 'second'"
        assert any(severity == "warning" for severity, _ in notices_shown(app))


async def test_server_errors_and_an_unreachable_server_show_in_the_pane(tmp_path):
    context = serve_in_background(create_app())
    url = context.__enter__()
    try:
        before = [message(f"filler {n}") for n in range(FAR)]
        after = [message(f"more {n}") for n in range(FAR)]
        conversation = create_conversation(url, [*before, message("second"), *after, message("third")])
        client = make_client(url, retry=RetryPolicy(max_attempts=2), sleep=SleepRecorder())
        app = _app(conversation, tmp_path, client)
        async with app.run_test(size=SIZE) as pilot:
            screen, items, _ = await _open(pilot)
            await wait_until(pilot, lambda: not screen.prefetcher.in_flight, what="the prefetch")

            # Both attempts the client makes fail (the selected item is asked for first).
            http.post(f"{url}/_demo/faults", json={"fail_next": [503, 503]}).raise_for_status()
            await select_line(pilot, screen, FAR)
            text = await wait_for_pane(pilot, screen, lambda t: "503" in t, what="the 503")
            assert "Could not fetch the full item: 503" in text
            assert "second" in text  # the summary stays

            # Errors are not cached: coming back fetches the item again.
            await pilot.press("k", "j")
            lines = await wait_for_detail(pilot, screen)
            assert "Could not fetch" not in "\n".join(lines) and "second" in "\n".join(lines)

            # The server goes away altogether.
            context.__exit__(None, None, None)
            context = None
            await select_line(pilot, screen, 2 * FAR + 1)
            text = await wait_for_pane(pilot, screen, lambda t: "third" in t and "Could not fetch" in t)
            assert "Could not fetch the full item:" in text
            assert app.is_running and app.screen is screen
    finally:
        if context is not None:
            context.__exit__(None, None, None)


# --- p: pairs ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("conversation", "pairs"),
    [
        (SUPPORT_BOT, [(5, 6, "function_call", "function_call_output")]),
        (
            CODING_AGENT,
            [
                (3, 4, "shell_call", "shell_call_output"),
                (44, 45, "local_shell_call", "local_shell_call_output"),  # the output's id is the call_id
                (6, 7, "custom_tool_call", "custom_tool_call_output"),
                (11, 12, "apply_patch_call", "apply_patch_call_output"),
            ],
        ),
        (MCP_SESSION, [(11, 12, "mcp_approval_request", "mcp_approval_response")]),
        (COMPUTER_USE, [(2, 3, "computer_call", "computer_call_output")]),
    ],
    ids=["function", "shell-local-shell-custom-patch", "mcp-approval", "computer"],
)
async def test_p_jumps_between_a_call_and_its_output(conversation, pairs, tmp_path):
    app = _app(conversation, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen, items, _ = await _open(pilot)
        for call, output, call_type, output_type in pairs:
            await select_line(pilot, screen, call)
            assert items.current_row.type == call_type
            await wait_for_detail(pilot, screen)
            await pilot.press("p")
            assert (items.cursor, items.current_row.type) == (output, output_type)
            lines = await wait_for_detail(pilot, screen)
            assert lines[0].startswith(output_type)
            await pilot.press("p")
            assert (items.cursor, items.current_row.type) == (call, call_type)
            lines = await wait_for_detail(pilot, screen)
            assert lines[0].startswith(call_type)
        assert not notices_shown(app)


async def test_p_says_when_there_is_no_pair_or_it_is_hidden_by_the_filter(tmp_path):
    app = _app(SUPPORT_BOT, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen, items, _ = await _open(pilot)
        assert items.current_row.type == "message"
        await pilot.press("p")
        assert items.cursor == 0
        assert ("warning", "This item has no call or output to pair with.") in notices_shown(app)

        await select_line(pilot, screen, SB_LOOKUP_CALL)
        call_id = items.current_row.id
        await pilot.press("T")
        await _tick(pilot, "type:function_call")
        await pilot.press("enter")
        assert set(_types_shown(items)) == {"function_call"}
        assert items.current_row.id == call_id
        await pilot.press("p")
        assert items.current_row.id == call_id
        assert ("warning", "Its pair is hidden by the type filter.") in notices_shown(app)


# --- t / T: type filters -------------------------------------------------------------------------


async def test_t_cycles_all_messages_tool_traffic_and_the_header_says_which(tmp_path):
    app = _app(CODING_AGENT, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen, items, engine = await _open(pilot)
        total = items.line_count()
        assert total == 53 and "filter:" not in header_text(screen)
        await select_line(pilot, screen, 10)  # a message
        message_id = items.current_row.id
        assert items.current_row.type == "message"

        await pilot.press("t")
        shown = _types_shown(items)
        assert shown and set(shown) == {"message"}
        assert "filter: messages" in header_text(screen)
        assert items.current_row.id == message_id  # the cursor stayed on its item
        assert all(line.startswith(" ● ") for line in drawn_lines(items)[: len(shown)])

        await pilot.press("t")
        shown = _types_shown(items)
        groups = {group_of(t) for t in shown}
        assert groups <= {Group.TOOL_CALL, Group.TOOL_OUTPUT, Group.SHELL, Group.HOSTED, Group.MCP}
        assert {"function_call", "shell_call_output", "apply_patch_call"} <= set(shown)
        assert "filter: tool traffic" in header_text(screen)
        # The message is hidden: the cursor went to the nearest item after it.
        row = items.current_row
        assert engine.index.index_of(row.id) > engine.index.index_of(message_id)
        assert row.type == "apply_patch_call"  # line 11, right after the message on line 10
        await wait_for_detail(pilot, screen, row.id)  # the pane follows the cursor

        await pilot.press("t")
        assert items.line_count() == total
        assert "filter:" not in header_text(screen)
        assert items.current_row.id == row.id


async def test_T_menu_shows_only_the_chosen_type_and_escape_cancels(tmp_path):
    app = _app(CODING_AGENT, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen, items, _ = await _open(pilot)
        await pilot.press("T")
        assert isinstance(app.screen, FilterMenu)
        menu = app.screen.query_one(SelectionList)
        prompts = [str(menu.get_option_at_index(n).prompt) for n in range(menu.option_count)]
        assert "▣ messages" in prompts and "  shell_call" in prompts and "  reasoning" in prompts

        await _tick(pilot, "type:shell_call")
        await pilot.press("escape")
        assert app.screen is screen
        assert items.line_count() == 53 and "filter:" not in header_text(screen)

        await pilot.press("T")
        await _tick(pilot, "type:shell_call")
        await pilot.press("enter")
        assert app.screen is screen
        shown = _types_shown(items)
        assert set(shown) == {"shell_call"} and len(shown) == 5
        assert "filter:" in header_text(screen)
        await wait_for_detail(pilot, screen)
        assert pane_lines(screen)[0].startswith("shell_call")

        # Ticking a group instead shows its every type.
        await pilot.press("T")
        await _tick(pilot, "type:shell_call")  # untick
        await _tick(pilot, "group:REASONING")
        await pilot.press("enter")
        assert set(_types_shown(items)) == {"reasoning", "compaction"}


async def _tick(pilot, value: str) -> None:
    """In an open menu, highlight the option with `value` and toggle it with space."""
    menu = pilot.app.screen.query_one(SelectionList)
    values = [menu.get_option_at_index(n).value for n in range(menu.option_count)]
    menu.focus()
    menu.highlighted = values.index(value)
    await pilot.press("space")


# --- /, n, N: search -----------------------------------------------------------------------------


async def _search(pilot, text: str) -> None:
    await pilot.press("slash")
    search = pilot.app.screen.query_one("#search", Input)
    assert search.has_focus
    search.value = text  # (typing it key by key costs a Pilot round trip per character)
    await pilot.press("enter")
    assert not search.has_class("open")


async def test_search_finds_rows_by_summary_or_fetched_json_and_n_N_move_between_matches(tmp_path):
    app = _app(SUPPORT_BOT, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen, items, _ = await _open(pilot)
        term = "RMA-77120"
        expected = [n for n in range(items.line_count()) if term.casefold() in line_text(items, n).casefold()]
        assert len(expected) >= 3, expected

        await _search(pilot, "rma-77120")  # case does not matter
        assert items.cursor == expected[0]
        await pilot.press("n")
        assert items.cursor == expected[1]
        await pilot.press("n")
        assert items.cursor == expected[2]
        await pilot.press("N")
        assert items.cursor == expected[1]
        await pilot.press("N", "N")  # wraps around past the first match
        assert items.cursor == expected[-1]
        await wait_for_detail(pilot, screen)  # the pane follows

        # Matching rows are highlighted: the same row drawn with and without the search differs.
        other = next(n for n in expected if n != items.cursor)
        offset = other - items.scroll_offset.y
        highlighted = items.render_line(offset)
        await pilot.press("slash", "enter")  # an empty search clears the highlight
        plain = items.render_line(offset)
        assert highlighted.text == plain.text
        assert [s.style for s in highlighted] != [s.style for s in plain]
        non_match = next(n for n in range(items.line_count()) if n not in expected and n != items.cursor)
        before = items.render_line(non_match - items.scroll_offset.y)
        await _search(pilot, term)
        after = items.render_line(non_match - items.scroll_offset.y)
        assert [s.style for s in before] == [s.style for s in after]

        # Escape closes an open search box (and only that), back to the list.
        await pilot.press("slash")
        search = screen.query_one("#search", Input)
        assert search.has_class("open") and search.has_focus
        await pilot.press("escape")
        assert not search.has_class("open") and app.screen is screen
        assert items.has_focus

        # Text deep in an item's JSON (the third device in lookup_customer's output) is found
        # once that item has been fetched; before, nothing loaded holds it.
        term = "HLM3-8F2C-19C4"
        assert not any(term in line_text(items, n) for n in range(items.line_count()))
        await select_line(pilot, screen, 0)
        await _search(pilot, term)
        assert items.cursor == 0
        assert ("warning", f"No match for {term!r} in what is loaded.") in notices_shown(app)
        await select_line(pilot, screen, SB_LOOKUP_OUTPUT)
        await wait_for_detail(pilot, screen)
        await select_line(pilot, screen, 0)
        await wait_for_detail(pilot, screen)
        await pilot.press("n")
        assert items.cursor == SB_LOOKUP_OUTPUT


@pytest.mark.parametrize("key", ["tab", "z"], ids=["focused", "zoomed"])
async def test_search_in_the_focused_or_zoomed_pane_scrolls_to_matching_lines(key, tmp_path):
    app = _app(SUPPORT_BOT, tmp_path)
    async with app.run_test(size=(120, 24)) as pilot:  # a short pane: the matches are pages apart
        screen, items, _ = await _open(pilot)
        pane = screen.detail
        await select_line(pilot, screen, SB_LOOKUP_CALL)
        await wait_for_detail(pilot, screen)
        await pilot.press(key)
        assert pane.has_focus
        if key == "tab":  # the keys now scroll the pane, not the list
            await pilot.press("j", "j")
            assert pane.scroll_offset.y == 2 and items.cursor == SB_LOOKUP_CALL
            await pilot.press("g")
            assert pane.scroll_offset.y == 0
        else:  # the list is hidden, the pane takes the whole width
            await pilot.pause()
            assert screen.has_class("zoomed") and items.size.width == 0
            assert pane.size.width > 110
        await wait_for_detail(pilot, screen)  # (redrawn at the zoomed width)
        term = "Halo Mesh 3"
        expected = [n for n, line in enumerate(pane_lines(screen)) if term.casefold() in line.casefold()]
        assert len(expected) >= 3 and expected[0] > pane.size.height, expected
        assert expected[1] <= pane.max_scroll_y, expected

        await _search(pilot, term.lower())
        assert pane.has_focus, f"focus went to {screen.focused}"  # back where the search began
        assert items.cursor == SB_LOOKUP_CALL  # the list did not move
        assert pane.scroll_offset.y == expected[0]
        await pilot.press("n")
        assert pane.scroll_offset.y == expected[1]
        await pilot.press("N")
        assert pane.scroll_offset.y == expected[0]
        # The matching line (now at the top) is highlighted; the line below it is not.
        top, below = pane.render_line(0), pane.render_line(1)
        assert term in top.text and term not in below.text
        assert {s.style.bgcolor for s in top} != {s.style.bgcolor for s in below}

        await pilot.press("escape")  # closes the zoom, or leaves: never both
        if key == "z":
            assert not screen.has_class("zoomed") and app.screen is screen
            await pilot.press("tab")
            assert items.has_focus
        else:
            assert app.screen is not screen


# --- i: include ----------------------------------------------------------------------------------


async def _include(pilot, *values: str) -> None:
    await pilot.press("i")
    assert isinstance(pilot.app.screen, IncludeMenu)
    for value in values:
        await _tick(pilot, value)
    await pilot.press("enter")
    assert isinstance(pilot.app.screen, ConversationScreen)


async def test_include_menu_refetches_the_item_with_the_chosen_fields(fault_server, tmp_path):
    url = fault_server()
    app = _app(RESEARCH_AGENT, tmp_path, make_client(url))
    async with app.run_test(size=SIZE) as pilot:
        screen, items, _ = await _open(pilot)
        await select_line(pilot, screen, RA_WEB_SEARCH)
        item_id = items.current_row.id
        lines = await wait_for_detail(pilot, screen)
        assert lines[_line_of(lines, "Sources ─") + 1].strip() == "(not included)"
        assert "https://peps.python.org/pep-0779/" not in "\n".join(lines)
        path = item_path(RESEARCH_AGENT, item_id)
        before = item_fetches(demo_stats(url)).get(path, 0)

        # A web search's sources.
        await _include(pilot, "web_search_call.action.sources")
        assert "include: 1" in header_text(screen)
        text = await wait_for_pane(
            pilot, screen, lambda t: "https://peps.python.org/pep-0779/" in t, what="the sources"
        )
        assert "Sources (6) ─" in text and "(not included)" not in text
        assert "https://lwn.net/Articles/1025893/" in text
        assert item_fetches(demo_stats(url))[path] == before + 1  # fetched again, with include

        # Escape in the menu changes nothing and fetches nothing.
        requests = demo_stats(url)["requests"]
        await pilot.press("i")
        await _tick(pilot, "web_search_call.results")
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen and not detail_busy(app), what="the menu to close")
        assert "include: 1" in header_text(screen)
        assert demo_stats(url)["requests"] == requests

        # A message's logprobs: a table of tokens once included.
        await select_line(pilot, screen, RA_LOGPROBS)
        lines = await wait_for_detail(pilot, screen)
        assert "logprobs: (not included)" in lines
        assert "Logprobs ─" not in "\n".join(lines)
        await _include(pilot, "message.output_text.logprobs")
        text = await wait_for_pane(pilot, screen, lambda t: "Logprobs ─" in t, what="the logprobs table")
        table = text.split("Logprobs ─", 1)[1]
        assert "logprob" in table and "-0.0412" in table and "Wait" in table  # a top alternative
        assert "(not included)" not in text

        # A reasoning item's encrypted content: its size once included.
        await select_line(pilot, screen, RA_REASONING)
        lines = await wait_for_detail(pilot, screen)
        assert lines[_line_of(lines, "Encrypted content ─") + 1].strip() == "(not included)"
        await _include(pilot, "reasoning.encrypted_content")
        assert "include: 3" in header_text(screen)
        text = await wait_for_pane(
            pilot, screen, lambda t: "encrypted content present" in t, what="the encrypted content"
        )
        assert "(not included)" not in text


# --- v: raw JSON ---------------------------------------------------------------------------------


async def test_v_toggles_the_raw_json(tmp_path):
    app = _app(SUPPORT_BOT, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen, items, _ = await _open(pilot)
        await select_line(pilot, screen, SB_LOOKUP_CALL)
        item_id = items.current_row.id
        rendered = await wait_for_detail(pilot, screen)

        await pilot.press("v")
        text = await wait_for_pane(pilot, screen, lambda t: "raw JSON" in t, what="the raw view")
        assert text.splitlines()[0].endswith("· raw JSON")
        assert f'"id":"{item_id}"' in "".join(text.split())  # (a long value wraps, with a hanging indent)
        assert '"type": "function_call"' in text
        assert "Output ─" not in text  # the item alone, as the server sent it

        await select_line(pilot, screen, SB_LOOKUP_OUTPUT)  # raw stays on while moving
        text = await wait_for_pane(pilot, screen, lambda t: '"type": "function_call_output"' in t)
        await select_line(pilot, screen, SB_LOOKUP_CALL)
        await pilot.press("v")
        text = await wait_for_pane(pilot, screen, lambda t: "raw JSON" not in t, what="the rendered view")
        assert text.splitlines() == rendered


# --- large payloads ------------------------------------------------------------------------------


def _function_pair(call_id: str, output: str) -> list[dict]:
    return [
        {"type": "function_call", "call_id": call_id, "name": "dump", "arguments": "{}"},
        {"type": "function_call_output", "call_id": call_id, "output": output},
    ]


async def test_huge_outputs_are_cut_with_a_marker_the_app_stays_responsive_and_plus_shows_more(
    fault_server, tmp_path
):
    url = fault_server()
    log = "".join(f"{n:07d} some log output that goes on for a while\n" for n in range(220_000))
    line = "".join(f"{n:06d}," for n in range(150_000))  # one line, no newline
    assert len(log) > 10_000_000 and len(line) > 1_000_000
    conversation = create_conversation(
        url, [message("dump the log"), *_function_pair("call_big", log), *_function_pair("call_line", line)]
    )
    app = _app(conversation, tmp_path, make_client(url))
    async with app.run_test(size=SIZE) as pilot:
        screen, items, _ = await _open(pilot)
        LOG, LINE = 2, 4  # the outputs' lines in the list

        # 1 MB on one line: cut, with a marker saying how much is left and how to see it.
        await select_line(pilot, screen, LINE)
        line_id = items.current_row.id
        lines = await wait_for_detail(pilot, screen, line_id, timeout=20)
        assert "+ shows more" in lines[_line_of(lines, "more characters")]
        shown = "".join(lines)
        assert "000100," in shown and "050000," not in shown

        # 10 MB of log lines: fetched and drawn without stalling the app.
        await select_line(pilot, screen, LOG)
        log_id = items.current_row.id
        # The 10 MB item is drawn in a worker thread: a key pressed meanwhile is answered at once
        # (no timed bound: a busy machine is slow, not stalled).
        await wait_until(
            pilot, lambda: screen.shown_item is not None and screen.shown_item.id == log_id, timeout=20,
            what="the log item",
        )
        if detail_busy(app):
            await pilot.press("k")
            assert items.cursor == LOG - 1, "a key waited for the drawing"
            await pilot.press("j")
        lines = await wait_for_detail(pilot, screen, log_id, timeout=20)
        assert "+ shows more" in lines[_line_of(lines, "more lines")]
        assert len(lines) < 2_500
        await pilot.press("k")  # keys work at once
        assert items.cursor == LOG - 1
        await wait_for_detail(pilot, screen)
        await pilot.press("j")
        assert items.cursor == LOG
        await wait_for_detail(pilot, screen, log_id, timeout=20)

        # + shows more of both.
        await pilot.press("plus")
        await wait_until(pilot, lambda: len(pane_lines(screen)) > len(lines) * 3, timeout=20, what="more lines")
        await wait_for_detail(pilot, screen, log_id, timeout=20)
        more = pane_lines(screen)
        assert "0007000 some log output" in "\n".join(more)
        assert any("more lines" in text for text in more)
        assert any("more of long fields" in text for _, text in notices_shown(app))
        await select_line(pilot, screen, LINE)
        lines = await wait_for_detail(pilot, screen, line_id, timeout=20)
        assert "050000," in "".join(lines)


# --- y, o, s: getting the item out ---------------------------------------------------------------


async def test_y_copies_o_fails_gracefully_and_s_saves_the_image_without_overwriting(tmp_path, monkeypatch):
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    monkeypatch.setenv("PAGER", "cat")
    app = _app(IMAGE_AND_CODE, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen, items, _ = await _open(pilot)
        await pilot.press("s")  # a message: no image
        assert ("warning", "This item holds no image to save.") in notices_shown(app)
        assert list(workdir.iterdir()) == []

        await select_line(pilot, screen, IC_IMAGE)
        item_id = items.current_row.id
        assert items.current_row.type == "image_generation_call"
        await wait_for_detail(pilot, screen)

        # y: the item's JSON, as the server sent it, on the clipboard (OSC 52).
        await pilot.press("y")
        copied = json.loads(app.clipboard)
        assert copied == screen.shown_item.raw
        assert copied["id"] == item_id and copied["result"].startswith("iVBOR")
        assert any("OSC 52" in text for _, text in notices_shown(app))

        # o: no terminal to hand over in a headless run; it says so and carries on.
        await pilot.press("o")
        assert ("error", "Cannot open a pager here (SuspendNotSupported).") in notices_shown(app)
        assert app.is_running and app.screen is screen

        # s: a PNG in the folder the user confirms, never over an existing file.
        taken = workdir / f"{item_id}.png"
        taken.write_bytes(b"mine")
        for _ in range(2):
            await pilot.press("s")
            await wait_until(pilot, lambda: app.screen is not screen, what="the save dialog")
            await pilot.press("ctrl+u", *str(workdir), "enter")
            await wait_until(pilot, lambda: app.screen is screen, what="the dialog to close")
        saved = sorted(workdir.glob("*.png"))
        assert taken.read_bytes() == b"mine"
        assert [p.name for p in saved] == [f"{item_id}-1.png", f"{item_id}-2.png", taken.name]
        for path in saved[:2]:
            assert path.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
        assert saved[0].read_bytes() == saved[1].read_bytes()
        assert any(text.startswith("Saved 1 image to ") and f"{item_id}-1.png" in text for _, text in notices_shown(app))
        await pilot.press("j")
        assert items.cursor == IC_IMAGE + 1


# --- ?, ctrl+p: discovering the keys -------------------------------------------------------------


async def test_question_mark_and_the_command_palette_list_the_keys_with_what_they_do(tmp_path):
    app = _app(SUPPORT_BOT, tmp_path)
    async with app.run_test(size=(120, 60)) as pilot:  # tall enough for the whole keys table
        screen, items, _ = await _open(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, KeysScreen)
        await pilot.pause()
        # The modal's rows: what is drawn between its borders.
        drawn = [line.split("│")[1].strip() for line in read_screen(app).texts() if line.count("│") >= 2]
        text = "\n".join(drawn)
        for key, description in [  # (long descriptions wrap: their first words)
            ("p", "Jump between a call and its output"),
            ("t", "Cycle views: all, messages only"),
            ("/", "Search loaded items"),
            ("v", "Toggle the raw JSON view of the item"),
            ("i", "Choose include fields;"),
            ("n", "Next search match"),
        ]:
            assert any(
                line.split()[:1] == [key] and description in line for line in drawn
            ), (key, text)
        await pilot.press("escape")
        assert app.screen is screen

        # The command palette offers the same actions by description, and runs them.
        await select_line(pilot, screen, SB_LOOKUP_CALL)
        await wait_for_detail(pilot, screen)
        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette), what="the palette")
        palette = app.screen
        await type_text(pilot, "jump")
        commands = palette.query_one(CommandList)

        def prompts() -> list[str]:
            return [str(commands.get_option_at_index(n).prompt) for n in range(commands.option_count)]

        await wait_until(
            pilot, lambda: any("Jump between a call and its output" in p for p in prompts()), what="the command"
        )
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.screen is screen, what="the palette to close")
        await wait_until(pilot, lambda: items.cursor == SB_LOOKUP_OUTPUT, what="the jump")


# --- untrusted text ------------------------------------------------------------------------------


async def test_markup_and_escape_sequences_in_an_item_are_shown_literally_in_the_pane(fault_server, tmp_path):
    url = fault_server()
    text = "[bold red]boom[/] \x1b[31mred\x1b[0m \x1b]0;title\x07"
    conversation = create_conversation(url, [message(text, role="assistant")])
    app = _app(conversation, tmp_path, make_client(url))
    async with app.run_test(size=SIZE) as pilot:
        screen, _, _ = await _open(pilot)
        lines = pane_lines(screen)
        joined = "\n".join(lines)
        assert "[bold red]boom[/]" in joined
        assert "␛[31mred␛[0m" in joined and "␛]0;title␇" in joined
        assert "\x1b" not in joined and "\x07" not in joined
        # "boom" is drawn like the text around it: the markup did not style it.
        row = _line_of(lines, "boom")
        strip = screen.detail.render_line(row - screen.detail.scroll_offset.y)
        styles = {s.style for s in strip if "boom" in s.text or "bold" in s.text or "red" in s.text}
        assert len(styles) == 1, styles
        for line in drawn_lines(screen.detail):
            assert "\x1b" not in line and "\x07" not in line
        await pilot.press("v")
        raw = await wait_for_pane(pilot, screen, lambda t: "raw JSON" in t)
        assert "\x1b" not in raw and "\x07" not in raw


# --- the pane's layout ---------------------------------------------------------------------------


async def test_a_long_item_is_drawn_to_the_width_left_beside_the_scrollbar(tmp_path):
    """A long item brings a scrollbar; its lines must be laid out for the columns left beside it."""
    app = _app(SUPPORT_BOT, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen, _, _ = await _open(pilot)  # a short message first: no scrollbar
        await select_line(pilot, screen, SB_LOOKUP_CALL)  # taller than the pane
        lines = await wait_for_detail(pilot, screen)
        await pilot.pause()
        pane = screen.detail
        assert len(lines) > pane.size.height and pane.show_vertical_scrollbar
        width = pane.scrollable_content_region.width
        too_wide = [line for line in lines if len(line.rstrip()) > width]
        assert not too_wide, f"{len(too_wide)} lines wider than the {width} columns shown: {too_wide[:3]}"
        assert not pane.show_horizontal_scrollbar
        # What is drawn is the whole of each line: nothing cut at the right edge.
        top = pane.scroll_offset.y
        for y, drawn in enumerate(drawn_lines(pane)):
            assert drawn.rstrip() == lines[top + y].rstrip()


async def test_a_one_type_filter_is_asked_of_a_server_that_filters(fault_server):
    """Where the server has `item_type`, a single-type filter pages only that type from it."""
    from convoscope.api.capabilities import Capabilities
    from convoscope.render.groups import TypeFilter

    url = fault_server()
    app = ConvoscopeApp(make_client(url, sleep=SleepRecorder()), "conv_synth_5000")
    async with app.run_test(size=(140, 40)) as pilot:
        screen, _, _ = await open_conversation(pilot)
        loaded_mcp_calls = sum(1 for row in screen.engine.index.rows() if row.type == "mcp_call")
        app.capabilities = Capabilities(item_type_filter=True)
        screen._apply_filter(TypeFilter("mcp_call", types=frozenset({"mcp_call"})))
        await wait_until(pilot, lambda: screen.item_list.line_count() > 50, timeout=20, what="the server's mcp_call pages")
        rows = [screen.item_list.view.line(i) for i in range(screen.item_list.line_count())]
        items = [row for row in rows if isinstance(row, Row)]
        # Every item of the rare type at once, far more than the loaded pages held.
        import httpx

        on_server = httpx.get(
            f"{url}/conversations/conv_synth_5000/items", params={"item_type": "mcp_call", "limit": 100, "order": "asc"}
        ).json()["data"]
        assert [row.id for row in items] == [item["id"] for item in on_server]
        assert len(items) > 5 * max(loaded_mcp_calls, 1)
        assert {row.type for row in items} == {"mcp_call"}
        assert "(by the server)" in str(screen.header.render())
        # Back to all items: the main engine's rows again.
        screen._apply_filter(TypeFilter("all"))
        assert screen.item_list.engine is screen.engine
