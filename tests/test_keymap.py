"""[keymap] in config.toml: binding ids to keys. Remapping changes what a key does and what `?`
and the footer show; mistakes are reported with file and line and leave the default in place;
the palette reaches every action, so no key a terminal swallows is the only way."""

from __future__ import annotations

from textual.command import CommandList, CommandPalette

from convoscope.storage.config import parse_config
from convoscope.storage.history import History
from convoscope.tui.app import ConvoscopeApp
from convoscope.tui.commands import key_actions
from convoscope.tui.keymap import checked_keymap
from convoscope.tui.screens.menus import KeysScreen
from convoscope.tui.screens.picker import PickerScreen
from tests.screen import read_screen
from tests.tui_helpers import (  # noqa: F401  (autouse fixtures)
    in_process_client,
    isolated_data_dir,
    notices_shown,
    open_conversation,
    pane_text,
    remember_notices,
    select_line,
    wait_for_detail,
    wait_until,
)

SUPPORT_BOT = "conv_68f9ebde9b5c904a3ef76e491c5db73da3cee9a5b4252e9e"
LOOKUP_CALL, LOOKUP_OUTPUT = 5, 6

CONFIG = """\
# comment lines count too

[keymap]
"conversation.raw" = "x"          # raw JSON on x
conversation.pair = "v"           # (a dotted key names the same id)
conversation.zoom = "j"           # clashes with moving down in the list
conversation.rwa = "r"            # a typo
"conversation.copy" = 3           # not keys
"""


def _entries():
    return parse_config(CONFIG, "/home/me/.config/convoscope/config.toml").keymap_entries


def test_the_keymap_table_is_read_with_the_line_of_each_entry():
    entries = {entry.binding_id: entry for entry in _entries()}
    assert entries["conversation.raw"].keys == "x"
    assert entries["conversation.raw"].where == "/home/me/.config/convoscope/config.toml:4"
    assert entries["conversation.pair"].keys == "v" and entries["conversation.pair"].where.endswith(":5")
    assert entries["conversation.copy"].keys is None


def test_unknown_ids_clashes_and_bad_values_are_reported_with_file_and_line_and_left_out():
    keymap, problems = checked_keymap(_entries())
    assert keymap == {"conversation.raw": "x", "conversation.pair": "v"}  # v is free: raw moved to x
    path = "/home/me/.config/convoscope/config.toml"
    assert problems == [
        f"{path}:6: keymap.conversation.zoom: 'j' is already the key of list.down (Down)",
        f"{path}:7: keymap.conversation.rwa: no binding has this id (did you mean conversation.raw?)",
        f'{path}:8: keymap.conversation.copy: expected keys as a string, such as "x" or "ctrl+n,f2"',
    ]


def _app(tmp_path, entries=()) -> ConvoscopeApp:
    return ConvoscopeApp(
        in_process_client(), SUPPORT_BOT, history=History(tmp_path / "history.json"), keymap=entries
    )


async def test_a_remapped_key_does_the_action_and_help_and_footer_show_it(tmp_path):
    app = _app(tmp_path, _entries())
    async with app.run_test(size=(120, 60)) as pilot:
        screen, items, _ = await open_conversation(pilot)
        # The problems are on screen, each with its file and line.
        for line in (6, 7, 8):
            assert any(f"config.toml:{line}: keymap." in text for _, text in notices_shown(app))
        await select_line(pilot, screen, LOOKUP_CALL)
        await wait_for_detail(pilot, screen)

        await pilot.press("x")  # raw, remapped from v
        await wait_until(pilot, lambda: "raw JSON" in pane_text(screen), what="the raw view")
        await pilot.press("x")
        await wait_until(pilot, lambda: "raw JSON" not in pane_text(screen), what="the rendered view")
        await pilot.press("v")  # pair, remapped from p
        await wait_until(pilot, lambda: items.cursor == LOOKUP_OUTPUT, what="the jump to the output")
        await pilot.press("p")  # p does nothing now
        assert items.cursor == LOOKUP_OUTPUT
        await pilot.press("j")  # the clashing entry was left out: j still moves down
        assert items.cursor == LOOKUP_OUTPUT + 1

        footer = read_screen(app).text(59)
        assert "x Raw" in footer and "v Pair" in footer and "p Pair" not in footer, footer

        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, KeysScreen), what="the keys")
        await wait_until(
            pilot, lambda: "Jump between a call and its output" in str(read_screen(app)), what="the keys drawn"
        )
        drawn = read_screen(app)
        raw_row = drawn.text(drawn.find_row("Toggle the raw JSON view"))
        pair_row = drawn.text(drawn.find_row("Jump between a call and its output"))
        assert raw_row.split("│")[1].split()[0] == "x", raw_row
        assert pair_row.split("│")[1].split()[0] == "v", pair_row
        assert "conversation.raw" in raw_row  # the id to remap it with


async def _palette_prompts(pilot) -> list[str]:
    app = pilot.app
    await pilot.press("ctrl+p")
    await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette), what="the palette")
    commands = app.screen.query_one(CommandList)

    def prompts() -> list[str]:
        return [str(commands.get_option_at_index(n).prompt) for n in range(commands.option_count)]

    await wait_until(pilot, lambda: len(prompts()) > 3, what="the commands")
    await pilot.pause()
    return prompts()


async def test_the_palette_reaches_every_action_so_no_key_is_the_only_way(tmp_path):
    app = _app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen, _, _ = await open_conversation(pilot)
        wanted = {a.description for a in key_actions(screen) if not a.generic and a.action != "command_palette"}
        prompts = "\n".join(await _palette_prompts(pilot))
        missing = [description for description in wanted if description not in prompts]
        assert not missing, missing
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen, what="the palette to close")
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, PickerScreen), what="the picker")
        picker = app.screen
        wanted = {a.description for a in key_actions(picker) if not a.generic and a.action != "command_palette"}
        # ctrl+x, ctrl+z, ctrl+r and f1 are among the keys terminals and tmux may take.
        assert {"Forget the highlighted conversation (from your history)", "List every key"} <= wanted
        prompts = "\n".join(await _palette_prompts(pilot))
        missing = [description for description in wanted if description not in prompts]
        assert not missing, missing
