"""The detail pane's keys as a reader meets them: `+` keeps the place, `s` saves images, `o` pages,
`v` shows the server's JSON, and walking down shows full items at once (prefetch)."""

from __future__ import annotations

from convoscope.storage.history import History
from convoscope.tui.app import ConvoscopeApp
from tests.conftest import make_client
from tests.screen import read_screen
from tests.tui_helpers import (  # noqa: F401  (autouse fixtures)
    SIZE,
    create_conversation,
    isolated_data_dir,
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
