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
