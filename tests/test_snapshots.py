"""Screenshots of the real app compared with approved SVGs (pytest-textual-snapshot).

The app talks to an in-process demo server (no sockets, fixed data) with an empty history in a
temporary directory, at a fixed terminal size; each snapshot waits until loading has finished, so
nothing on screen depends on timing. Regenerate after an intended change with
`pytest tests/test_snapshots.py --snapshot-update` and review the SVGs.
"""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import Input

from convoscope.storage.history import History
from convoscope.tui.app import ConvoscopeApp
from convoscope.tui.screens.picker import PickerScreen
from tests.tui_helpers import wait_for_conversation, wait_for_detail, wait_for_quiet, in_process_client, isolated_data_dir, wait_until  # noqa: F401  (autouse fixture)

TERMINAL = (120, 34)
CODING_AGENT = "conv_68f786ff63c49f5f7e76be87ae336b086735ce35b78e18e1"



async def _picker_loaded(pilot: Pilot) -> None:
    app = pilot.app
    await wait_until(pilot, lambda: isinstance(app.screen, PickerScreen) and bool(app.screen.listed), timeout=10)
    app.screen.query_one(Input).cursor_blink = False  # a blinking cursor would be on or off at random
    await wait_for_quiet(pilot)


async def _conversation_loaded(pilot: Pilot) -> None:
    screen = await wait_for_conversation(pilot)
    await _detail_shown(pilot, screen)


async def _detail_shown(pilot: Pilot, screen) -> None:
    """Everything that follows the cursor has caught up: the item in the pane, the header drawn."""
    await wait_for_detail(pilot, screen, timeout=30)
    await wait_until(pilot, lambda: not screen._header_pending, what="the header")
    await wait_for_quiet(pilot)


def test_picker(snap_compare, tmp_path):
    app = ConvoscopeApp(in_process_client(), history=History(tmp_path / "history.json"))
    assert snap_compare(app, terminal_size=TERMINAL, run_before=_picker_loaded)


def test_conversation(snap_compare, tmp_path):
    app = ConvoscopeApp(in_process_client(), CODING_AGENT, history=History(tmp_path / "history.json"))
    assert snap_compare(app, terminal_size=TERMINAL, run_before=_conversation_loaded)


def test_conversation_after_moving_down(snap_compare, tmp_path):
    async def run_before(pilot: Pilot) -> None:
        await _conversation_loaded(pilot)
        await pilot.press("j", "j", "j")
        await _detail_shown(pilot, pilot.app.screen)

    app = ConvoscopeApp(in_process_client(), CODING_AGENT, history=History(tmp_path / "history.json"))
    assert snap_compare(app, terminal_size=TERMINAL, run_before=run_before)
