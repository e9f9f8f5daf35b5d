"""`?`, F1 and the command palette: the app's own keys first, by screen, nothing contradicting the
footer, and every action of the screen reachable from the palette with its key."""

from __future__ import annotations

from textual.command import CommandList, CommandPalette
from textual.widgets import Input

from convoscope.storage.history import History
from convoscope.tui.app import ConvoscopeApp
from convoscope.tui.screens.menus import KeysScreen
from convoscope.tui.screens.picker import PickerScreen
from tests.screen import read_screen
from tests.tui_helpers import (  # noqa: F401  (autouse fixtures)
    in_process_client,
    isolated_data_dir,
    open_conversation,
    wait_until,
)

SUPPORT_BOT = "conv_synth_50"


def _app(tmp_path, conversation: str | None = SUPPORT_BOT) -> ConvoscopeApp:
    return ConvoscopeApp(in_process_client(), conversation, history=History(tmp_path / "history.json"))


def _row_with(drawn, needle: str) -> int:
    return drawn.find_row(needle)


def _laid_out(app) -> bool:
    """The keys dialog is drawn at its full height (its bottom border well below its title)."""
    drawn = read_screen(app)
    title, bottom = drawn.find("Keys  (escape closes"), drawn.find("╰")
    return title is not None and bottom is not None and bottom[1] > title[1] + 10


async def test_question_mark_lists_the_apps_own_keys_first_by_screen_generic_ones_folded_at_the_end(tmp_path):
    app = _app(tmp_path)
    async with app.run_test(size=(120, 60)) as pilot:
        await open_conversation(pilot)
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, KeysScreen), what="the keys")
        await wait_until(pilot, lambda: _laid_out(app), what="the keys laid out")
        drawn = read_screen(app)
        text = str(drawn)
        # Groups, in order: this screen's keys, its list, its detail pane, ... keys that work everywhere.
        headings = [_row_with(drawn, h) for h in ("Conversation", "The list", "The detail pane")]
        assert headings == sorted(headings), text
        assert headings[0] < _row_with(drawn, "Jump between a call and its output") < headings[1]
        assert headings[1] < _row_with(drawn, "Half page down") < headings[2]
        assert "Load every item" in text and "Open the item's JSON in $PAGER" in text
        # No contradiction with the footer's `^c Quit`.
        assert "Copy selected text" not in text
        assert "Move cursor left" not in text and "Scroll Left" not in text

        await pilot.press("end")  # the end of the list: keys that work everywhere, then the generic ones
        await wait_until(pilot, lambda: "Generic keys" in str(read_screen(app)), what="the end of the keys")
        drawn = read_screen(app)
        text = str(drawn)
        everywhere = _row_with(drawn, "Everywhere")
        quit_row = drawn.text(_row_with(drawn, "Quit"))
        assert everywhere < _row_with(drawn, "Quit")
        assert " q " in f" {quit_row} " and "^c" in quit_row, quit_row  # q is documented
        # Generic keys (text input, scrolling) come last, folded.
        assert _row_with(drawn, "Generic keys") > _row_with(drawn, "Quit")
        assert "Copy selected text" not in text
        assert "Move cursor left" not in text and "Scroll Left" not in text
        await pilot.press("escape")
        assert not isinstance(app.screen, KeysScreen)


async def test_f1_opens_the_keys_from_the_picker_where_question_mark_types(tmp_path):
    app = _app(tmp_path, conversation=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, PickerScreen), what="the picker")
        await pilot.press("question_mark")
        assert app.screen.query_one("#filter", Input).value == "?"
        await pilot.press("backspace", "f1")
        await wait_until(pilot, lambda: isinstance(app.screen, KeysScreen), what="the keys")
        await wait_until(pilot, lambda: _laid_out(app), what="the keys laid out")
        drawn = read_screen(app)
        assert drawn.find_row("Picker") < drawn.find_row("Forget the highlighted conversation")
        assert "f1" in drawn.text(drawn.find_row("List every key"))
        assert "Copy selected text" not in str(drawn)
        await pilot.press("escape")
        assert isinstance(app.screen, PickerScreen)


async def _palette_prompts(pilot, query: str = "") -> list[str]:
    app = pilot.app
    await pilot.press("ctrl+p")
    await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette), what="the palette")
    if query:
        await pilot.press(*query)
    commands = app.screen.query_one(CommandList)

    def prompts() -> list[str]:
        return [str(commands.get_option_at_index(n).prompt) for n in range(commands.option_count)]

    wanted = (lambda: any(query in p for p in prompts())) if query else (lambda: len(prompts()) > 3)
    await wait_until(pilot, wanted, what="the commands")
    await pilot.pause()
    return prompts()


async def test_the_palette_offers_every_action_of_the_conversation_with_its_key(tmp_path):
    app = _app(tmp_path)
    async with app.run_test(size=(120, 60)) as pilot:
        screen, items, _ = await open_conversation(pilot)
        prompts = "\n".join(await _palette_prompts(pilot))
        for description, key in [
            ("Load every item", "L"),
            ("Follow: poll for new items", "F"),
            ("Cycle views", "t"),
            ("Choose include fields", "i"),
            ("Toggle the raw JSON view", "v"),
            ("Copy the item's JSON", "y"),
            ("Open the item's JSON in $PAGER", "o"),
            ("Show more of truncated fields", "+"),
            ("Save every image", "s"),
            ("List every key", "?"),
            ("Last", "G"),
        ]:
            line = next((p for p in prompts.splitlines() if description in p), None)
            assert line is not None, (description, prompts)
        for view in ("View: all items", "View: messages", "View: tool traffic"):
            assert view in prompts, prompts
        assert "Copy selected text" not in prompts
        # The key is drawn beside the command.
        drawn = read_screen(app)
        row = drawn.find_row("Cycle views")
        assert "key: t" in drawn.text(row + 1), str(drawn)

        # A view from the palette applies it.
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen, what="the palette to close")
        await _palette_prompts(pilot, "View: tool")
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.screen is screen, what="the palette to close")
        await wait_until(pilot, lambda: "tool" in str(screen.header.render()), what="the view in the header")


async def test_the_palette_in_the_picker_offers_its_actions(tmp_path):
    app = _app(tmp_path, conversation=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, PickerScreen), what="the picker")
        prompts = "\n".join(await _palette_prompts(pilot))
        assert "Forget the highlighted conversation" in prompts
        assert "Retry a failed listing; detect again what this server offers" in prompts
        assert "List every key" in prompts
