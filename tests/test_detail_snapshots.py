"""Screenshots of the detail pane (and the filter menu) compared with approved SVGs.

As in test_snapshots.py: an in-process demo server (fixed data, no sockets), an empty history in
a temporary directory, a fixed terminal size, and each snapshot taken only once nothing is
loading and the pane has drawn the full, fetched item (never the row summary shown first).
Regenerate after an intended change with
`pytest tests/test_detail_snapshots.py --snapshot-update` and review the SVGs.
"""

from __future__ import annotations

from textual.pilot import Pilot

from convoscope.storage.history import History
from convoscope.tui.app import ConvoscopeApp
from convoscope.tui.screens.conversation import ConversationScreen
from convoscope.tui.screens.menus import FilterMenu
from tests.tui_helpers import (  # noqa: F401  (isolated_data_dir is an autouse fixture)
    wait_for_conversation,
    wait_for_quiet,
    in_process_client,
    isolated_data_dir,
    pane_text,
    select_line,
    wait_for_detail,
    wait_until,
)

TERMINAL = (140, 40)
SUPPORT_BOT = "conv_68f9ebde9b5c904a3ef76e491c5db73da3cee9a5b4252e9e"
CODING_AGENT = "conv_68f786ff63c49f5f7e76be87ae336b086735ce35b78e18e1"
RESEARCH_AGENT = "conv_68f8d82296fc704ffa1ed1699201483c2008d2aad2c71b40"



async def _loaded(pilot: Pilot) -> ConversationScreen:
    screen = await wait_for_conversation(pilot)
    await wait_for_detail(pilot, screen, timeout=10)
    return screen


def _showing(line: int, *, expect: str):
    """run_before: select list line `line` and wait until the pane shows the full item."""

    async def run_before(pilot: Pilot) -> None:
        screen = await _loaded(pilot)
        await select_line(pilot, screen, line)
        await wait_for_detail(pilot, screen, timeout=10)
        assert expect in pane_text(screen), pane_text(screen)
        await wait_for_quiet(pilot)

    return run_before


def _app(conversation: str, tmp_path) -> ConvoscopeApp:
    return ConvoscopeApp(in_process_client(), conversation, history=History(tmp_path / "history.json"))


def test_message_with_annotations(snap_compare, tmp_path):
    """research-agent's last answer: text with url citations and the annotations beneath."""
    run_before = _showing(18, expect="Annotations")
    assert snap_compare(_app(RESEARCH_AGENT, tmp_path), terminal_size=TERMINAL, run_before=run_before)


def test_function_call_with_its_output(snap_compare, tmp_path):
    """support-bot's lookup_customer call: arguments, then its output beneath."""
    run_before = _showing(5, expect="function_call_output · lookup_customer")
    assert snap_compare(_app(SUPPORT_BOT, tmp_path), terminal_size=TERMINAL, run_before=run_before)


def test_reasoning(snap_compare, tmp_path):
    run_before = _showing(2, expect="Reproducing the failure first")
    assert snap_compare(_app(CODING_AGENT, tmp_path), terminal_size=TERMINAL, run_before=run_before)


def test_shell_call_output(snap_compare, tmp_path):
    """Two commands' output, with the ANSI colours of pytest's output drawn as colours."""
    run_before = _showing(4, expect="test_compound_units")
    assert snap_compare(_app(CODING_AGENT, tmp_path), terminal_size=TERMINAL, run_before=run_before)


def test_filter_menu(snap_compare, tmp_path):
    async def run_before(pilot: Pilot) -> None:
        await _loaded(pilot)
        await pilot.press("T")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, FilterMenu), what="the filter menu")
        await wait_for_quiet(pilot)

    assert snap_compare(_app(CODING_AGENT, tmp_path), terminal_size=TERMINAL, run_before=run_before)
