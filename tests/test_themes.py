"""Themes: the bundled files, user files, validation, choosing one, and what each draws.

Each bundled theme is checked on the drawn screen (tests/screen.py) as a user would: the cursor,
a call with its output and search matches stand out and differ from each other, and every text
cell reads on its background, in truecolor and in 256 colours.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from convoscope.storage.config import load_config, parse_config, remember_theme
from convoscope.tui.app import ConvoscopeApp
from convoscope.tui.themes import DEFAULT_THEME, bundled_themes_dir, load_all_themes, parse_theme, ThemeFileError
from tests.conftest import make_client
from tests.screen import read_screen
from tests.test_screen_truth import (
    PALETTES,
    assert_cursor_stands_out,
    assert_legible,
    list_box,
)
from tests import test_screen_truth as screen_truth
from tests.tui_helpers import isolated_data_dir, notifications, open_conversation, wait_until  # noqa: F401

REPO = Path(__file__).resolve().parents[1]
BUNDLED = sorted(path.stem for path in (REPO / "themes").glob("*.toml"))


@pytest.fixture(autouse=True)
def config_dir(tmp_path, monkeypatch):
    """The user's config directory (and its themes/) is per test."""
    directory = tmp_path / "config"
    (directory / "themes").mkdir(parents=True)
    monkeypatch.setenv("CONVOSCOPE_CONFIG_DIR", str(directory))
    return directory


def test_the_bundled_themes_load_and_cover_light_and_256_colour_terminals():
    assert bundled_themes_dir() == REPO / "themes"
    themes, problems = load_all_themes()
    assert problems == []
    assert len(BUNDLED) >= 4 and set(BUNDLED) <= set(themes)
    assert DEFAULT_THEME in themes
    assert any(not themes[name].theme.dark for name in BUNDLED), "no theme for light terminals"
    assert "convoscope-256" in themes


def test_a_wheel_installs_every_bundled_theme():
    """pyproject's data-files put themes/*.toml where bundled_themes_dir() looks in an install."""
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    data_files = pyproject["tool"]["setuptools"]["data-files"]
    assert data_files["share/convoscope/themes"] == ["themes/*.toml"]


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ('name = "x"\ndark = true\nprimary = "not-a-colour"\n', 3, "primary: expected a colour"),
        ('name = "x"\nprimary = "#112233"\n[variables]\ncursor-background = 12\n', 4, "variables.cursor-background"),
        ('name = "x"\nprimary = "#112233"\n[glyphs]\nmessage = "ab"\n', 4, "glyphs.message: expected one printable"),
        ('name = "x"\nprimary = "#112233"\ncolour = "#000000"\n', 3, "colour: unknown key"),
        ('name = "x"\nprimary = = "#112233"\n', 2, "not valid TOML"),
    ],
)
def test_a_broken_theme_file_is_refused_with_file_line_and_reason(text, line, reason):
    with pytest.raises(ThemeFileError) as refused:
        parse_theme(text, "mine.toml")
    assert any(p.startswith(f"mine.toml:{line}: ") and reason in p for p in refused.value.problems), refused.value.problems


async def test_a_broken_user_theme_is_reported_once_and_the_default_used(demo_url, config_dir):
    broken = config_dir / "themes" / "broken.toml"
    broken.write_text('name = "broken"\ndark = true\nprimary = "#12345"\n')
    app = ConvoscopeApp(make_client(demo_url), theme="broken")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.theme == DEFAULT_THEME
        shown = [message for severity, message in notifications(app) if severity == "warning"]
        assert len(shown) == 1
        assert f"{broken}:3: primary: expected a colour" in shown[0]
        assert "No theme named 'broken'" in shown[0]


async def test_a_user_theme_restyles_rows_and_glyphs(demo_url, config_dir):
    (config_dir / "themes" / "mine.toml").write_text(
        'name = "mine"\nprimary = "#005F87"\n[variables]\nitem-message = "#FFFF00"\n[glyphs]\nmessage = "M"\n'
    )
    app = ConvoscopeApp(make_client(demo_url), "conv_synth_450", theme="mine")
    async with app.run_test(size=(120, 40)) as pilot:
        screen, items, engine = await open_conversation(pilot)
        await pilot.press("j")
        drawn = read_screen(app)
        rows, x0, x1 = list_box(items)
        assert drawn.text(rows.start, x0, x1).startswith(" M"), drawn.text(rows.start)
        assert (255, 255, 0) in drawn.foregrounds(rows.start, x0, x1)


@pytest.mark.parametrize("palette", PALETTES)
@pytest.mark.parametrize("theme", BUNDLED)
async def test_each_bundled_theme_draws_cursor_pair_and_matches_legibly(demo_url, theme, palette):
    app = ConvoscopeApp(make_client(demo_url), "conv_synth_450", theme=theme)
    async with app.run_test(size=(120, 40)) as pilot:
        screen, items, engine = await open_conversation(pilot)
        assert app.theme == theme
        await pilot.press("slash", *"thinking", "enter")
        call = next(n for n in range(items.line_count()) if items.view.line(n).pair_role == "call")
        items.move_cursor(call)
        await pilot.pause()
        drawn = read_screen(app, palette)
        rows, x0, x1 = list_box(items)
        top = items.scroll_offset.y

        def bg(index):
            return drawn.background(rows.start + index - top, x0, x1)

        partner = items.view.line_of(engine.index.partners(items.current_row)[0])
        matches = [n for n in range(top, top + len(rows)) if items._is_match(items.view.line(n))]
        plain = [n for n in range(top, top + len(rows)) if n not in (call, partner, *matches)]
        assert matches and plain
        cursor_bg, pair_bg, match_bg = bg(call), bg(partner), bg(matches[0])
        plain_bgs = {bg(n) for n in plain}
        assert len({cursor_bg, pair_bg, match_bg}) == 3, f"{theme}: cursor, pair and match look alike"
        assert not ({cursor_bg, pair_bg, match_bg} & plain_bgs), f"{theme}: a highlight does not stand out"
        assert_cursor_stands_out(drawn, items)
        assert_legible(app, palette, theme)
        await pilot.press("tab")  # blurred cursor
        await pilot.pause()
        assert_cursor_stands_out(read_screen(app, palette), items)
        assert_legible(app, palette, f"{theme}, detail focused")


@pytest.mark.parametrize("palette", PALETTES)
@pytest.mark.parametrize("theme", BUNDLED)
async def test_each_bundled_theme_keeps_the_picker_menus_keys_and_search_legible(demo_url, theme, palette):
    await screen_truth.test_the_picker_menus_keys_and_search_are_legible(demo_url, palette, theme=theme)


async def test_choosing_a_theme_in_the_palette_persists_it(demo_url, config_dir):
    config = config_dir / "config.toml"
    config.write_text('# my settings\ndefault_profile = "openai"\n\n[profiles.openai]\ninclude = []\n')
    app = ConvoscopeApp(make_client(demo_url), remember_theme_choice=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"theme")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause(0.3)
        await pilot.press(*"convoscope-light")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.theme == "convoscope-light", what="the theme to change")
    text = config.read_text()
    assert text.startswith('theme = "convoscope-light"\n# my settings\n')
    assert load_config(config).theme == "convoscope-light"
    assert load_config(config).default_profile == "openai"
    again = ConvoscopeApp(make_client(demo_url), theme=load_config(config).theme)
    assert again.theme == "convoscope-light"


def test_remembering_a_theme_replaces_the_line_and_never_touches_a_broken_config(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('theme = "convoscope-dark"  # mine\n[profiles.work]\nkind = "openai"\n')
    assert remember_theme("convoscope-256", config) is None
    assert config.read_text() == 'theme = "convoscope-256"\n[profiles.work]\nkind = "openai"\n'
    broken = 'default_profile = 12\n'
    config.write_text(broken)
    problem = remember_theme("convoscope-256", config)
    assert problem and "this session only" in problem
    assert config.read_text() == broken
    assert parse_config('theme = "x"\n').theme == "x"


def test_the_command_line_takes_a_theme_before_or_after_the_conversation():
    from convoscope.cli import split_command
    from convoscope.cli.viewer import build_parser

    assert build_parser().parse_args(["conv_x", "--theme", "convoscope-256"]).theme == "convoscope-256"
    module, args = split_command(["--theme", "convoscope-light", "conv_x"])
    assert build_parser().parse_args(args).theme == "convoscope-light"
