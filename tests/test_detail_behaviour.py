"""The detail pane's keys as a reader meets them: `+` keeps the place, `s` saves images, `o` pages,
`v` shows the server's JSON, and walking down shows full items at once (prefetch)."""

from __future__ import annotations

import json

from convoscope.storage.history import History
from convoscope.tui.app import ConvoscopeApp
from tests.conftest import make_client
from tests.screen import read_screen
from tests.tui_helpers import (  # noqa: F401  (autouse fixtures)
    SIZE,
    create_conversation,
    isolated_data_dir,
    line_text,
    message,
    notices_shown,
    open_conversation,
    pane_lines,
    remember_notices,
    select_line,
    wait_for_detail,
    wait_until,
)


def _app(conversation: str, tmp_path, client) -> ConvoscopeApp:
    return ConvoscopeApp(client, conversation, history=History(tmp_path / "history.json"))


def _function_pair(call_id: str, output: str) -> list[dict]:
    return [
        {"type": "function_call", "call_id": call_id, "name": "dump", "arguments": "{}"},
        {"type": "function_call_output", "call_id": call_id, "output": output},
    ]


# --- + keeps the reader's place --------------------------------------------------------------------


async def test_plus_keeps_the_reader_where_the_marker_was(fault_server, tmp_path):
    url = fault_server()
    log = "".join(f"log line {n:05d}\n" for n in range(3_000))  # more than the 2,000 lines shown
    conversation = create_conversation(url, [message("dump it"), *_function_pair("call_log", log)])
    app = _app(conversation, tmp_path, make_client(url))
    async with app.run_test(size=SIZE) as pilot:
        screen, items, _ = await open_conversation(pilot)
        await select_line(pilot, screen, 2)
        await wait_for_detail(pilot, screen)
        await pilot.press("tab", "end")  # read down to the cut
        await wait_until(pilot, lambda: "more lines" in str(read_screen(app)), what="the marker on screen")
        before = read_screen(app)
        marker_row = before.find_row("more lines")
        last_row_text = before.text(marker_row - 1)
        assert "log line 01999" in last_row_text, str(before)

        await pilot.press("plus")
        await wait_until(pilot, lambda: len(pane_lines(screen)) > 2_500, what="more lines in the pane")
        await wait_until(pilot, lambda: "log line 02000" in str(read_screen(app)), what="the pane redrawn")
        after = read_screen(app)
        # The line that was just above the marker is still on the same row, the rest follows it.
        assert after.text(marker_row - 1) == last_row_text, str(after)
        assert "log line 02000" in after.text(marker_row), str(after)
        assert any("more of long fields" in text for _, text in notices_shown(app))


# --- s saves every image an item holds -------------------------------------------------------------

IMAGE_AND_CODE = "conv_68fdbad412fc0672365d236925d5bc4dda10fcda675a9efb"
IC_CHART = 14  # code_interpreter_call whose outputs hold a chart as a data URL
PNG = "iVBORw0KGgoAAAANSUhEUgAAAAwAAAAGCAYAAAD37n+BAAAAKUlEQVR42mP4jwPwxfZgFWfApRiG8WpAVohLEwMhxegaGYhRiIxJ1gAANw3H3zzImwMAAAAASUVORK5CYII="


async def _include(pilot, screen, value: str) -> None:
    """Tick `value` in the include menu (i) and apply it; the shown item is fetched again."""
    from textual.widgets import SelectionList

    await pilot.press("i")
    await wait_until(pilot, lambda: bool(pilot.app.screen.query(SelectionList)), what="the include menu")
    menu = pilot.app.screen.query_one(SelectionList)
    values = [menu.get_option_at_index(n).value for n in range(menu.option_count)]
    menu.highlighted = values.index(value)
    await pilot.press("space", "enter")
    await wait_until(pilot, lambda: pilot.app.screen is screen, what="the menu to close")
    await wait_for_detail(pilot, screen)


async def _save_dialog(pilot):
    from convoscope.tui.screens.save import SaveImagesScreen

    await pilot.press("s")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, SaveImagesScreen), timeout=5, what=f"the save dialog {notices_shown(pilot.app)}")
    await pilot.pause()
    return pilot.app.screen


async def test_s_saves_a_code_interpreter_chart_asking_where_with_the_downloads_folder_first(tmp_path, isolated_data_dir):
    from tests.tui_helpers import in_process_client

    app = _app(IMAGE_AND_CODE, tmp_path, in_process_client())
    async with app.run_test(size=SIZE) as pilot:
        screen, items, _ = await open_conversation(pilot)
        await select_line(pilot, screen, IC_CHART)
        assert items.current_row.type == "code_interpreter_call"
        await wait_for_detail(pilot, screen)
        item_id = items.current_row.id
        await pilot.press("s")  # the server left the outputs out: it says how to get them
        assert (
            "warning",
            "This item holds no image to save. The server leaves some fields out unless asked:"
            " press i and tick code_interpreter_call.outputs.",
        ) in notices_shown(app)
        await _include(pilot, screen, "code_interpreter_call.outputs")

        dialog = await _save_dialog(pilot)
        downloads = isolated_data_dir / "downloads"
        drawn = str(read_screen(app))
        assert "Save 1 image" in drawn and str(downloads) in drawn, drawn
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.screen is screen, what="the dialog to close")
        saved = downloads / f"{item_id}.png"
        assert saved.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
        assert ("information", f"Saved 1 image to {downloads}: {saved.name}") in notices_shown(app)
        assert dialog is not None


async def test_s_saves_every_data_url_of_a_message_where_the_user_says_and_escape_saves_nothing(fault_server, tmp_path):
    url = fault_server()
    part = {"type": "input_image", "image_url": f"data:image/png;base64,{PNG}", "detail": "auto"}
    jpeg = {"type": "input_image", "image_url": "data:image/jpeg;base64,/9j/4AAQSkZJRgABAQ==", "detail": "auto"}
    two_images = {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "look"}, part, jpeg]}
    conversation = create_conversation(url, [message("hello"), two_images])
    app = _app(conversation, tmp_path, make_client(url))
    target = tmp_path / "my pictures"
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen, items, _ = await open_conversation(pilot)
        await wait_for_detail(pilot, screen)
        await pilot.press("s")  # a message with no image: said so, no dialog
        assert ("warning", "This item holds no image to save.") in notices_shown(app)
        assert app.screen is screen

        await select_line(pilot, screen, 1)
        await wait_for_detail(pilot, screen)
        item_id = items.current_row.id
        await _include(pilot, screen, "message.input_image.image_url")
        await _save_dialog(pilot)
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen, what="the dialog to close")
        assert not target.exists()

        await _save_dialog(pilot)
        assert "Save 2 images" in str(read_screen(app))
        await pilot.press("ctrl+u")  # clear the suggested folder
        await pilot.press(*str(target), "enter")
        await wait_until(pilot, lambda: app.screen is screen, what="the dialog to close")
        names = sorted(p.name for p in target.iterdir())
        assert names == [f"{item_id}-1.png", f"{item_id}-2.jpg"]
        assert (target / names[0]).read_bytes().startswith(b"\x89PNG")
        assert (target / names[1]).read_bytes().startswith(b"\xff\xd8\xff")
        message_text = f"Saved 2 images to {target}: {names[0]}, {names[1]}"
        assert ("information", message_text) in notices_shown(app)
        await wait_until(pilot, lambda: "Saved 2 images" in str(read_screen(app)), what="the notice on screen")

        # Again: nothing is overwritten.
        await _save_dialog(pilot)
        await pilot.press("ctrl+u")
        await pilot.press(*str(target), "enter")
        await wait_until(pilot, lambda: len(list(target.iterdir())) == 4, what="two more files")


# --- the detail pane's text ------------------------------------------------------------------------

WORDS = " ".join(f"word{n:03d}" for n in range(80))  # one JSON string that wraps several times


def _pane_rows(drawn, x0: int) -> list[str]:
    """The rows of the drawn screen from column `x0` on (the detail pane's side)."""
    return [drawn.text(y, x0) for y in range(drawn.height)]


async def test_a_wrapped_json_string_hangs_its_indent(fault_server, tmp_path):
    url = fault_server()
    call = {"type": "function_call", "call_id": "call_1", "name": "search",
            "arguments": json.dumps({"query": WORDS, "limit": 3})}
    conversation = create_conversation(url, [message("go"), call])
    app = _app(conversation, tmp_path, make_client(url))
    async with app.run_test(size=SIZE) as pilot:
        screen, items, _ = await open_conversation(pilot)
        await select_line(pilot, screen, 1)
        await wait_for_detail(pilot, screen)
        drawn = read_screen(app)
        x, y = drawn.find('"query": "word000')
        indent = x  # where the key starts: the JSON's own indent
        following = [drawn.text(row, indent - 2) for row in range(y + 1, y + 4)]
        for row in following[:2]:  # continuation rows of the string start further in, not at 0
            assert row.startswith("    ") and row[4:5].strip(), (following, str(drawn))
            assert "word" in row
        assert any('"limit": 3' in drawn.text(row) for row in range(y + 1, drawn.height)), str(drawn)


async def test_file_search_snippets_hang_under_their_heading(tmp_path):
    from tests.tui_helpers import in_process_client

    research = "conv_68f8d82296fc704ffa1ed1699201483c2008d2aad2c71b40"
    app = _app(research, tmp_path, in_process_client())
    async with app.run_test(size=(100, 40)) as pilot:
        screen, items, engine = await open_conversation(pilot)
        line = next(n for n in range(engine.line_count()) if engine.line(n).type == "file_search_call")
        await select_line(pilot, screen, line)
        await wait_for_detail(pilot, screen)
        await _include(pilot, screen, "file_search_call.results")
        drawn = read_screen(app)
        x, y = drawn.find("[1] ")
        rows = [drawn.text(row, x) for row in range(y + 1, y + 8)]
        first = next(n for n, row in enumerate(rows) if row.startswith("    ") and row[4:5].strip())
        # The snippet is long enough to wrap: its next row keeps the same indent.
        assert rows[first + 1].startswith("    ") and rows[first + 1][4:5].strip(), (rows, str(drawn))


async def test_raw_is_the_servers_json_and_nothing_else(tmp_path):
    from tests.tui_helpers import in_process_client

    foundry = "conv_68ff140251886feef45d397789202c9b5faac9acca65e45f"
    app = _app(foundry, tmp_path, in_process_client())
    async with app.run_test(size=SIZE) as pilot:
        screen, items, engine = await open_conversation(pilot)
        await wait_for_detail(pilot, screen)
        assert screen.shown_item.raw.get("agent_reference") or screen.shown_item.raw.get("response_id")
        await pilot.press("v")
        await wait_until(pilot, lambda: "Raw JSON" in "\n".join(pane_lines(screen)), what="the raw view")
        text = "\n".join(pane_lines(screen))
        assert "Foundry" not in text and "Other fields" not in text, text
        assert [section.title for section in screen.detail.document.sections] == ["Raw JSON"]
        assert '"agent_reference": {' in text  # the server's fields are in the JSON itself
        await pilot.press("tab", "end")
        assert "Foundry" not in str(read_screen(app))


async def test_one_line_summaries_are_plain_text_not_markdown(fault_server, tmp_path):
    url = fault_server()
    answer = {"type": "message", "role": "assistant", "content": [
        {"type": "output_text", "text": "## Done\n\n**Fixed** the `parse_duration` bug, see [the PR](https://x.test/1).",
         "annotations": []}]}
    conversation = create_conversation(url, [message("fix it"), answer])
    app = _app(conversation, tmp_path, make_client(url))
    async with app.run_test(size=SIZE) as pilot:
        screen, items, engine = await open_conversation(pilot)
        drawn = read_screen(app)
        x, y = drawn.find("assistant: ")
        row = drawn.text(y, x, x + 40)  # the list's summary column, as drawn
        assert row.startswith("assistant: Done Fixed the parse_dura"), row
        whole = line_text(items, 1)  # the same row, not clipped to the column
        assert "assistant: Done Fixed the parse_duration bug, see the PR." in whole, whole
        assert "**" not in whole and "`" not in whole and "##" not in whole and "https" not in whole


# --- prefetch: walking down shows the full item at once ------------------------------------------

SYNTH = "conv_synth_60"


def _fetches(url: str, conversation: str) -> dict[str, int]:
    from tests.conftest import demo_stats
    from tests.tui_helpers import item_fetches

    prefix = f"/v1/conversations/{conversation}/items/"
    return {path.removeprefix(prefix): n for path, n in item_fetches(demo_stats(url)).items()}


def _quiet(url: str) -> bool:
    from tests.conftest import demo_stats

    return demo_stats(url)["in_flight"] == 0


async def test_walking_down_at_800_ms_shows_each_full_item_at_once_fetching_each_once(fault_server, tmp_path):
    url = fault_server(latency_ms=800)
    app = _app(SYNTH, tmp_path, make_client(url))
    async with app.run_test(size=SIZE) as pilot:
        screen, items, engine = await open_conversation(pilot)
        await wait_for_detail(pilot, screen)
        for step in range(1, 6):
            ahead = [items.view.line(n).id for n in range(step, step + 3)]
            # The reader reads for a moment: the items ahead arrive meanwhile.
            await wait_until(pilot, lambda: all(screen.items.cached(i) for i in ahead[:2]), what="the prefetch")
            await pilot.press("j")
            # At once, without another request: the pane shows the full item, not its summary.
            assert screen.shown_item is not None and screen.shown_item.id == items.current_row.id
            await wait_for_detail(pilot, screen)
            assert "Summary" not in [section.title for section in screen.detail.document.sections]
        await wait_until(pilot, lambda: _quiet(url), what="the server to finish")
        fetched = _fetches(url, SYNTH)
        walked = [items.view.line(n).id for n in range(0, 6)]
        assert all(fetched.get(item_id) == 1 for item_id in walked), fetched  # each once
        assert len(fetched) <= 6 + 3  # bounded: only the window around the cursor
        assert "Summary ─" not in str(read_screen(app))


async def test_prefetch_follows_the_include_and_drops_what_the_cursor_left(fault_server, tmp_path):
    url = fault_server(latency_ms=3000)
    app = _app(SYNTH, tmp_path, make_client(url))
    async with app.run_test(size=SIZE) as pilot:
        screen, items, engine = await open_conversation(pilot)
        near_start = {items.view.line(n).id for n in range(1, 4)}  # after the first item itself
        await wait_until(pilot, lambda: screen.prefetcher.in_flight >= near_start, what="the prefetch")
        await pilot.press("pagedown")
        cursor = items.cursor
        assert cursor > 10
        await wait_until(pilot, lambda: bool(screen.prefetcher.in_flight), what="the new window")
        await pilot.pause()
        window = {items.view.line(n).id for n in range(cursor - 1, min(cursor + 4, items.view.line_count()))}
        await wait_until(pilot, lambda: screen.prefetcher.in_flight <= window, what="the old fetches dropped")
        assert not (screen.prefetcher.in_flight & near_start)

    # With an include chosen, what is prefetched is fetched with it.
    url = fault_server(latency_ms=200)
    app = _app(SYNTH, tmp_path, make_client(url))
    async with app.run_test(size=SIZE) as pilot:
        screen, items, engine = await open_conversation(pilot)
        await wait_for_detail(pilot, screen)
        await _include(pilot, screen, "message.output_text.logprobs")
        include = screen.include
        assert include == frozenset({"message.output_text.logprobs"})
        next_ids = [items.view.line(n).id for n in range(1, 3)]
        await wait_until(pilot, lambda: all(screen.items.cached(i, include) for i in next_ids), what="the prefetch")
        await pilot.press("j")
        assert screen.shown_item is not None and screen.shown_item.id == next_ids[0]
        assert "include: 1" in str(read_screen(app))
