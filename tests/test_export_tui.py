"""Exporting from the viewer (issue 10): `e` and the palette open a dialog that exports the
conversation or the current view, in a chosen format, to a chosen path, with progress, and a
cancelled export leaves no file. Read from the drawn screen.
"""

from __future__ import annotations

import json

import httpx

from convoscope.tui.app import ConvoscopeApp
from convoscope.tui.screens.export_dialog import ExportDialog
from tests.conftest import make_client
from tests.screen import read_screen
from tests.tui_helpers import (  # noqa: F401  (isolated_data_dir is an autouse fixture)
    SIZE,
    isolated_data_dir,
    notifications,
    open_conversation,
    server_ids,
    wait_until,
)

CODING = "conv_68f786ff63c49f5f7e76be87ae336b086735ce35b78e18e1"


def drawn(app) -> str:
    return "\n".join(read_screen(app).texts())


async def set_path(pilot, path) -> None:
    field = pilot.app.screen.query_one("#export-path")
    field.value = str(path)
    field.cursor_position = len(field.value)
    await pilot.pause()


async def test_e_exports_the_conversation_to_a_chosen_file(demo_url, tmp_path, isolated_data_dir):
    app = ConvoscopeApp(make_client(demo_url), CODING)
    async with app.run_test(size=SIZE) as pilot:
        await open_conversation(pilot)
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, ExportDialog), what="the export dialog")
        await pilot.pause()
        screen = drawn(app)
        assert "Export the conversation" in screen
        for name in ("Markdown", "HTML", "JSON (one document)", "JSONL (lossless)"):
            assert name in screen
        assert f"{CODING}.md" in screen  # the default file (the field shows its end)
        assert app.screen.query_one("#export-path").value == str(isolated_data_dir / "exports" / f"{CODING}.md")
        target = tmp_path / "coding.html"
        await set_path(pilot, target)
        await pilot.press("enter")
        await wait_until(pilot, lambda: not isinstance(app.screen, ExportDialog), timeout=30, what="the export")
        await wait_until(pilot, lambda: any("Exported" in m for _, m in notifications(app)), what="the notice")
        notice = next(m for _, m in notifications(app) if "Exported" in m)
        count = len(server_ids(demo_url, CODING))
        assert notice == f"Exported {count} items to {target}"
        page = target.read_text()
        assert page.startswith("<!DOCTYPE html>") and page.count('<section class="item') == count


async def test_the_current_view_can_be_exported_in_another_format(demo_url, tmp_path):
    app = ConvoscopeApp(make_client(demo_url), CODING)
    async with app.run_test(size=SIZE) as pilot:
        screen, _, _ = await open_conversation(pilot)
        await pilot.press("t")  # the messages view
        await wait_until(pilot, lambda: screen.type_filter.name == "messages", what="the messages view")
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, ExportDialog), what="the export dialog")
        await pilot.pause()
        assert "the current view: messages" in drawn(app)
        await pilot.click("RadioButton", offset=(2, 0))  # the first format: JSONL
        await pilot.pause()
        target = tmp_path / "messages.jsonl"
        await set_path(pilot, target)
        await pilot.press("enter")
        await wait_until(pilot, lambda: target.exists(), timeout=30, what="the file")
    on_server = httpx.get(f"{demo_url}/conversations/{CODING}/items", params={"limit": 100}).json()["data"]
    kinds = [json.loads(line)["type"] for line in target.read_text().splitlines()]
    assert kinds == [item["type"] for item in on_server if item["type"] == "message"]


async def test_the_palette_offers_export(demo_url):
    app = ConvoscopeApp(make_client(demo_url), "conv_synth_40")
    async with app.run_test(size=SIZE) as pilot:
        await open_conversation(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        for key in "export the":
            await pilot.press("space" if key == " " else key)
        await wait_until(pilot, lambda: "Export the conversation or the current view" in drawn(app),
                         timeout=10, what="the palette entry")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ExportDialog), timeout=10, what="the export dialog")


async def test_escape_stops_an_export_and_leaves_no_file(fault_server, tmp_path):
    url = fault_server()
    app = ConvoscopeApp(make_client(url), "conv_synth_5000")
    async with app.run_test(size=SIZE) as pilot:
        await open_conversation(pilot)
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, ExportDialog), what="the export dialog")
        folder = tmp_path / "out"
        folder.mkdir()
        await set_path(pilot, folder / "big.md")
        # From now on the server answers slowly, then stalls: the export is still running.
        httpx.post(f"{url}/_demo/faults", json={"latency_ms": 50, "stall_every": 5, "stall_s": 60})
        await pilot.press("enter")
        await wait_until(pilot, lambda: "Exporting…" in drawn(app), timeout=30, what="the progress line")
        await wait_until(pilot, lambda: any(folder.iterdir()), timeout=30, what="the temporary file")
        await pilot.press("escape")
        await wait_until(pilot, lambda: "Export stopped; nothing was written" in drawn(app), timeout=30,
                         what="the stop notice")
        assert isinstance(app.screen, ExportDialog)  # still open: the user may try again
        assert list(folder.iterdir()) == []
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, ExportDialog), what="the dialog to close")
