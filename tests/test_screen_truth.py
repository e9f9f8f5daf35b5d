"""What the viewer draws, read back from the screen (tests/screen.py), not from widget attributes.

Each test states a property a user can check by looking: the cursor row stands out in every list,
focused or not, in truecolor and in 256 colours; pair and match highlights are visible and
distinct from the cursor; every drawn row is the model's row at that position, whatever the
sequence of filters, typing, pages and moves, and however frames were delayed.
"""

from __future__ import annotations

import random

import pytest
from textual.widgets import Input, SelectionList

from convoscope.tui.app import ConvoscopeApp
from convoscope.tui.screens.menus import FilterMenu, IncludeMenu
from convoscope.tui.screens.picker import PickerScreen
from convoscope.tui.widgets.conversation_list import ConversationList
from convoscope.tui.widgets.line_list import LineList
from tests.conftest import make_client
from tests.screen import DrawnScreen, read_screen
from tests.tui_helpers import (  # noqa: F401  (isolated_data_dir is an autouse fixture)
    SIZE,
    isolated_data_dir,
    open_conversation,
    settle,
    wait_until,
)

PALETTES = ["truecolor", "256"]
MCP_SESSION = "conv_68fb273cbf46498f81a02451975e9ccc073b3ca868649e9c"
FOUNDRY = "conv_68ff140251886feef45d397789202c9b5faac9acca65e45f"


# --- helpers --------------------------------------------------------------------------------------


def list_box(widget: LineList) -> tuple[range, int, int]:
    """The screen rows and columns (x0, x1) the list draws its lines in (scrollbar excluded)."""
    region = widget.scrollable_content_region
    return range(region.y, region.y + region.height), region.x, region.x + region.width


def drawn_list_rows(screen: DrawnScreen, widget: LineList) -> list[str]:
    rows, x0, x1 = list_box(widget)
    return [screen.text(y, x0, x1) for y in rows]


def cursor_screen_row(widget: LineList) -> int:
    rows, _, _ = list_box(widget)
    return rows.start + widget.cursor - widget.scroll_offset.y


def assert_cursor_stands_out(screen: DrawnScreen, widget: LineList, *, other_rows: list[int] | None = None) -> None:
    """The cursor row's background differs from that of every other drawn row of the list."""
    rows, x0, x1 = list_box(widget)
    cursor_y = cursor_screen_row(widget)
    cursor_bg = screen.background(cursor_y, x0, x1)
    others = other_rows if other_rows is not None else [y for y in rows if y != cursor_y]
    same = [y for y in others if screen.background(y, x0, x1) == cursor_bg]
    assert not same, f"cursor row {cursor_y} looks like rows {same} (bg {cursor_bg}):\n{screen}"


# --- §2.1 the cursor and the highlights ---------------------------------------------------------------


@pytest.mark.parametrize("palette", PALETTES)
async def test_the_item_list_draws_its_cursor_focused_and_blurred(demo_url, palette):
    app = ConvoscopeApp(make_client(demo_url), "conv_synth_450")
    async with app.run_test(size=SIZE) as pilot:
        screen, items, engine = await open_conversation(pilot)
        await pilot.press("j", "j", "j", "j", "j")
        drawn = read_screen(app, palette)
        assert_cursor_stands_out(drawn, items)
        await pilot.press("tab")  # the detail pane takes focus; the list's cursor stays visible
        assert not items.has_focus
        await pilot.pause()
        assert_cursor_stands_out(read_screen(app, palette), items)


@pytest.mark.parametrize("palette", PALETTES)
async def test_pair_highlight_is_visible_and_distinct_from_the_cursor(demo_url, palette):
    app = ConvoscopeApp(make_client(demo_url), "conv_synth_450")
    async with app.run_test(size=SIZE) as pilot:
        screen, items, engine = await open_conversation(pilot)
        call = next(n for n in range(items.line_count()) if items.view.line(n).pair_role == "call")
        items.move_cursor(call)
        await pilot.pause()
        partner = items.view.line_of(engine.index.partners(items.current_row)[0])
        drawn = read_screen(app, palette)
        rows, x0, x1 = list_box(items)
        top = items.scroll_offset.y
        cursor_bg = drawn.background(rows.start + call - top, x0, x1)
        pair_bg = drawn.background(rows.start + partner - top, x0, x1)
        plain = [drawn.background(y, x0, x1) for y in rows if y - rows.start + top not in (call, partner)]
        assert pair_bg != cursor_bg, f"the pair looks like the cursor:\n{drawn}"
        assert pair_bg not in plain, f"the pair row does not stand out:\n{drawn}"
        assert_cursor_stands_out(drawn, items)


@pytest.mark.parametrize("palette", PALETTES)
async def test_search_matches_are_highlighted_distinct_from_cursor_and_pair(demo_url, palette):
    app = ConvoscopeApp(make_client(demo_url), "conv_synth_450")
    async with app.run_test(size=SIZE) as pilot:
        screen, items, engine = await open_conversation(pilot)
        await pilot.press("slash", *"reasoning", "enter")
        await pilot.pause()
        drawn = read_screen(app, palette)
        rows, x0, x1 = list_box(items)
        top = items.scroll_offset.y
        matching = [
            rows.start + n - top
            for n in range(top, min(top + len(rows), items.line_count()))
            if n != items.cursor and "reasoning" in items.render_line_at(n, 200, False).text
        ]
        assert len(matching) >= 2
        match_bgs = {drawn.background(y, x0, x1) for y in matching}
        assert len(match_bgs) == 1, f"matches drawn differently: {match_bgs}"
        others = [y for y in rows if y not in matching and y != cursor_screen_row(items)]
        plain = {drawn.background(y, x0, x1) for y in others}
        assert not (match_bgs & plain), f"matches do not stand out:\n{drawn}"
        assert_cursor_stands_out(drawn, items)


@pytest.mark.parametrize("palette", PALETTES)
async def test_the_picker_draws_its_cursor_while_typing_and_in_the_list(demo_url, palette):
    app = ConvoscopeApp(make_client(demo_url))
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, PickerScreen) and bool(app.screen.listed))
        conversations = app.screen.query_one(ConversationList)
        await pilot.press("down", "down")
        assert isinstance(app.focused, Input)
        await pilot.pause()
        rows, _, _ = list_box(conversations)
        shown = [y for y in rows if y - rows.start < conversations.line_count()]
        assert_cursor_stands_out(read_screen(app, palette), conversations)
        conversations.focus()
        await pilot.pause()
        assert_cursor_stands_out(read_screen(app, palette), conversations, other_rows=shown[:1] + shown[3:])


@pytest.mark.parametrize("menu_key", ["T", "i"])
@pytest.mark.parametrize("palette", PALETTES)
async def test_menus_draw_their_cursor_and_ticks_readable_without_colour(demo_url, palette, menu_key):
    app = ConvoscopeApp(make_client(demo_url), "conv_synth_450")
    async with app.run_test(size=SIZE) as pilot:
        await open_conversation(pilot)
        await pilot.press(menu_key)
        await wait_until(pilot, lambda: isinstance(app.screen, (FilterMenu, IncludeMenu)))
        choices = app.screen.query_one(SelectionList)
        await pilot.press("space", "down", "down")  # tick the first, move the cursor to the third
        await pilot.pause()
        drawn = read_screen(app, palette)
        region = choices.content_region
        rows = range(region.y, region.y + min(region.height, choices.option_count))
        x0, x1 = region.x, region.x + region.width
        cursor_y = region.y + choices.highlighted - choices.scroll_offset.y
        cursor_bg = drawn.background(cursor_y, x0, x1)
        assert all(drawn.background(y, x0, x1) != cursor_bg for y in rows if y != cursor_y), str(drawn)
        # Ticked and unticked differ in their characters, not only in colour.
        ticked = drawn.text(rows.start, x0, x1)
        unticked = drawn.text(rows.start + 1, x0, x1)
        assert "[x]" in ticked and "[ ]" in unticked, f"{ticked!r} / {unticked!r}"


# --- §2.2 drawn rows are the model's rows -----------------------------------------------------------


def assert_rows_are_the_models(app, widget: LineList) -> None:
    drawn = read_screen(app)
    rows, x0, x1 = list_box(widget)
    width = x1 - x0
    top = widget.scroll_offset.y
    for offset, y in enumerate(rows):
        index = top + offset
        expected = (
            widget.render_line_at(index, width, index == widget.cursor).text[:width].ljust(width)
            if index < widget.line_count()
            else " " * width
        )
        got = drawn.text(y, x0, x1)
        assert got.rstrip() == expected.rstrip(), f"row {index} drawn as\n{got!r}\nnot\n{expected!r}\n{drawn}"
    cursor_y = cursor_screen_row(widget)
    if widget.line_count() and cursor_y in rows:
        assert_cursor_stands_out(drawn, widget)


@pytest.mark.parametrize("seed", range(4))
async def test_every_drawn_row_is_the_models_row_after_filters_moves_and_pages(demo_url, seed):
    """Random filter cycles, moves and jumps; some with frames drawn between, some without
    (as when a busy machine delays frames): after each batch the screen shows the model."""
    rng = random.Random(seed)
    conversation = rng.choice([FOUNDRY, "conv_synth_450", MCP_SESSION])
    app = ConvoscopeApp(make_client(demo_url), conversation)
    async with app.run_test(size=SIZE) as pilot:
        screen, items, engine = await open_conversation(pilot)
        actions = [
            lambda: screen.action_cycle_filter(),
            lambda: items.action_cursor_down(),
            lambda: items.action_cursor_up(),
            lambda: items.action_page_down(),
            lambda: items.move_cursor(rng.randrange(max(items.line_count(), 1))),
            lambda: items.action_last(),
            lambda: items.action_first(),
        ]
        for _ in range(12):
            for _ in range(rng.randint(1, 4)):
                rng.choice(actions)()
                if rng.random() < 0.5:
                    await pilot.pause()  # a frame is drawn here
            await settle(pilot, screen.item_list.engine)
            assert_rows_are_the_models(app, items)


@pytest.mark.parametrize("seed", range(4))
async def test_every_drawn_row_is_the_models_row_while_typing_in_the_picker(demo_url, seed):
    rng = random.Random(seed)
    app = ConvoscopeApp(make_client(demo_url))
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, PickerScreen) and bool(app.screen.listed))
        picker = app.screen
        conversations = picker.query_one(ConversationList)
        filter_input = picker.query_one(Input)
        for _ in range(15):
            for _ in range(rng.randint(1, 4)):
                key = rng.choice(["z", "s", "y", "n", "backspace", "backspace", "down", "up"])
                if key == "backspace":
                    filter_input.value = filter_input.value[:-1]
                elif key in ("down", "up"):
                    conversations.move_cursor(conversations.cursor + (1 if key == "down" else -1))
                else:
                    filter_input.value += key
                if rng.random() < 0.5:
                    await pilot.pause()
            await pilot.pause()
            needle = filter_input.value.strip().lower()
            expected = [e.conversation_id for e in picker.all_entries() if e.matches(needle)]
            assert [e.conversation_id for e in conversations.entries] == expected
            assert_rows_are_the_models(app, conversations)


async def test_the_picker_redraws_every_row_after_typing_zzz_and_deleting_it(demo_url):
    app = ConvoscopeApp(make_client(demo_url))
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, PickerScreen) and bool(app.screen.listed))
        conversations = app.screen.query_one(ConversationList)
        await pilot.press("z", "z", "z")
        await pilot.pause()
        assert_rows_are_the_models(app, conversations)
        await pilot.press("backspace", "backspace", "backspace")
        await pilot.pause()
        assert conversations.line_count() >= 9
        assert_rows_are_the_models(app, conversations)


# --- §2.3 status shows in the first columns ---------------------------------------------------------

WIDTHS = [60, 80, 120, 200]


@pytest.mark.parametrize("width", WIDTHS)
async def test_failed_items_show_it_in_the_first_columns_at_any_width(demo_url, width):
    app = ConvoscopeApp(make_client(demo_url), MCP_SESSION)
    async with app.run_test(size=(width, 40)) as pilot:
        screen, items, engine = await open_conversation(pilot)
        items.move_cursor(0)
        await pilot.pause()
        drawn = read_screen(app)
        rows, x0, x1 = list_box(items)
        top = items.scroll_offset.y
        failed, completed = [], []
        for y in rows:
            index = top + y - rows.start
            if index >= items.line_count() or index == items.cursor:
                continue
            row = items.view.line(index)
            if getattr(row, "type", None) == "mcp_call":
                (failed if row.status == "failed" else completed).append(y)
        assert failed and completed, str(drawn)
        for y in failed:
            assert "✗" in drawn.text(y, x0, x0 + 3), f"row {y} does not say it failed:\n{drawn}"
        for y in completed:
            assert "✗" not in drawn.text(y, x0, x0 + 3)
        # ...and by colour: the mark is drawn in another colour than the rest of the row.
        mark = drawn.cells(failed[0], x0, x0 + 3)
        mark_fg = next(cell.fg for cell in mark if cell.char == "✗")
        assert mark_fg not in drawn.foregrounds(completed[0], x0, x1)


def test_every_status_has_its_own_mark():
    from convoscope.paging.rows import Row
    from convoscope.render.rows import row_line

    def mark(status):
        return row_line(Row("x", "mcp_call", "mcp", "text", status, (), None)).status_mark

    marks = {status: mark(status) for status in ("failed", "incomplete", "in_progress")}
    assert len(set(marks.values())) == 3 and all(m.strip() for m in marks.values()), marks
    assert mark("completed") == " " and mark(None) == " "


# --- §2.4 small terminals -----------------------------------------------------------------------------


@pytest.mark.parametrize("width", WIDTHS)
async def test_the_summary_gets_the_room_before_the_label(demo_url, width):
    from convoscope.render.text import visible

    app = ConvoscopeApp(make_client(demo_url), "conv_synth_450")
    async with app.run_test(size=(width, 24)) as pilot:
        screen, items, engine = await open_conversation(pilot)
        drawn = read_screen(app)
        rows, x0, x1 = list_box(items)
        wanted = (x1 - x0) // 2  # at least half the list's width goes to what the item says
        for y in rows:
            index = items.scroll_offset.y + y - rows.start
            row = items.view.line(index)
            summary = visible(row.text)
            shown = min(len(summary), wanted)
            assert summary[:shown] in drawn.text(y, x0, x1), (
                f"{width} columns: row {index} shows less than {shown} characters of {summary!r}:\n{drawn}"
            )


@pytest.mark.parametrize("width", WIDTHS)
async def test_the_picker_gives_the_title_room_before_the_id(demo_url, width):
    app = ConvoscopeApp(make_client(demo_url))
    async with app.run_test(size=(width, 24)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, PickerScreen) and bool(app.screen.listed))
        conversations = app.screen.query_one(ConversationList)
        await pilot.pause()
        drawn = read_screen(app)
        rows, x0, x1 = list_box(conversations)
        for y, entry in zip(rows, conversations.entries, strict=False):
            text = drawn.text(y, x0, x1)
            title = entry.title
            shown = min(len(title), (x1 - x0) // 3)
            assert title[:shown] in text, f"{width} columns: title cut to nothing:\n{drawn}"
            # The id may be shortened, never to less than its start.
            assert entry.conversation_id[:12] in text, f"{width} columns: id lost:\n{drawn}"


@pytest.mark.parametrize("menu_key", ["T", "i"])
async def test_menu_hints_are_whole_at_60_by_20(demo_url, menu_key):
    app = ConvoscopeApp(make_client(demo_url), "conv_synth_450")
    async with app.run_test(size=(60, 20)) as pilot:
        await open_conversation(pilot)
        await pilot.press(menu_key)
        await wait_until(pilot, lambda: isinstance(app.screen, (FilterMenu, IncludeMenu)))
        await pilot.pause()
        drawn = read_screen(app)
        assert drawn.find("escape cancels") is not None, str(drawn)


# --- §2.6 search: a counter, and the matches marked in the rows --------------------------------------


@pytest.mark.parametrize("width", [60, 120])
async def test_search_says_which_match_of_how_many_and_marks_the_term(demo_url, width):
    app = ConvoscopeApp(make_client(demo_url), "conv_synth_450")
    async with app.run_test(size=(width, 40)) as pilot:
        screen, items, engine = await open_conversation(pilot)
        term = "thinking"
        total = sum(
            1
            for n in range(items.line_count())
            if hasattr(row := items.view.line(n), "text") and (term in row.text.lower() or term in row.label.lower())
        )
        assert total >= 3
        await pilot.press("slash", *term, "enter")
        await pilot.pause()
        drawn = read_screen(app)
        assert drawn.find(f"match 1 of {total}") is not None, str(drawn)
        await pilot.press("n")
        await pilot.pause()
        drawn = read_screen(app)
        assert drawn.find(f"match 2 of {total}") is not None, str(drawn)
        # The term itself is marked where it shows in the row (not only the row's background).
        rows, x0, x1 = list_box(items)
        y = cursor_screen_row(items)
        found = drawn.text(y, x0, x1).lower().find(term)
        assert found >= 0
        marked = drawn.cells(y, x0 + found, x0 + found + len(term))
        unmarked = drawn.cells(y, x0, x0 + found)
        assert all(cell.underline for cell in marked) and not any(cell.underline for cell in unmarked)
        await pilot.press("j")  # off the match: the count stays, the position goes
        await pilot.pause()
        if not items.current_row or term not in items.current_row.text.lower():
            assert read_screen(app).find(f"{total} matches") is not None


# --- §2.15 legibility -----------------------------------------------------------------------------------

CODING_AGENT = "conv_68f786ff63c49f5f7e76be87ae336b086735ce35b78e18e1"
BUNDLED = [
    CODING_AGENT,
    "conv_68f8d82296fc704ffa1ed1699201483c2008d2aad2c71b40",
    "conv_68f9ebde9b5c904a3ef76e491c5db73da3cee9a5b4252e9e",
    MCP_SESSION,
    "conv_68fc71249acd38a1dc9a10c5ddf2682f3d2566b7f6f3b4c2",
    "conv_68fdbad412fc0672365d236925d5bc4dda10fcda675a9efb",
    FOUNDRY,
]


def assert_legible(app, palette: str, what: str) -> None:
    """Every text cell of the screen (of the dialog, when one is open) reads on its background."""
    from textual.containers import Vertical
    from textual.screen import ModalScreen

    drawn = read_screen(app, palette)
    if isinstance(app.screen, ModalScreen):
        box = app.screen.query(Vertical).first().region
        low = drawn.low_contrast_cells(range(box.y, box.y + box.height), box.x, box.x + box.width)
    else:
        low = drawn.low_contrast_cells()
    shown = sorted({(y, cell.fg, cell.bg, ratio) for x, y, cell, ratio in low})[:8]
    assert not low, f"{what} ({palette}): {len(low)} cells hard to read, e.g. {shown}:\n{drawn}"


async def _walk_items(pilot, screen, items, app, palette, conversation):
    """Show several items of the conversation in the detail pane, checking each screen."""
    from tests.tui_helpers import wait_for_detail

    step = max(items.line_count() // 6, 1)
    for index in range(0, items.line_count(), step):
        items.move_cursor(index)
        await wait_for_detail(pilot, screen)
        await pilot.pause()
        assert_legible(app, palette, f"{conversation} item {index}")


@pytest.mark.parametrize("palette", PALETTES)
@pytest.mark.parametrize("conversation", BUNDLED)
async def test_every_conversation_screen_is_legible(demo_url, palette, conversation):
    app = ConvoscopeApp(make_client(demo_url), conversation)
    async with app.run_test(size=SIZE) as pilot:
        screen, items, engine = await open_conversation(pilot)
        await _walk_items(pilot, screen, items, app, palette, conversation)


@pytest.mark.parametrize("palette", PALETTES)
async def test_the_picker_menus_keys_and_search_are_legible(demo_url, palette, theme=None):
    app = ConvoscopeApp(make_client(demo_url), theme=theme)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, PickerScreen) and bool(app.screen.listed))
        await pilot.pause()
        assert_legible(app, palette, "picker")
        await pilot.press("down", "down")
        assert_legible(app, palette, "picker, cursor moved")
        assert_cursor_stands_out(read_screen(app, palette), app.screen.query_one(ConversationList))
        await pilot.press("enter")
        screen, items, engine = await open_conversation(pilot)
        for keys, what in [(["T"], "type menu"), (["i"], "include menu"), (["question_mark"], "keys")]:
            await pilot.press(*keys)
            await pilot.pause()
            assert_legible(app, palette, what)
            if keys != ["question_mark"]:
                await pilot.press("space", "down")
                await pilot.pause()
                assert_legible(app, palette, f"{what}, one ticked")
            await pilot.press("escape")
            await pilot.pause()
        await pilot.press("slash", *"tool")
        await pilot.pause()
        assert_legible(app, palette, "search box")
        await pilot.press("enter")
        await pilot.pause()
        assert_legible(app, palette, "search results")


@pytest.mark.parametrize("width", WIDTHS)
async def test_the_header_never_draws_the_title_over_the_id(demo_url, width):
    app = ConvoscopeApp(make_client(demo_url), CODING_AGENT)
    async with app.run_test(size=(width, 24)) as pilot:
        screen, items, engine = await open_conversation(pilot)
        await wait_until(pilot, lambda: engine.conversation is not None)
        screen.header.show()
        await pilot.pause()
        title = engine.conversation.metadata["title"]
        line = read_screen(app).text(screen.header.region.y).strip()
        assert line.startswith(CODING_AGENT[:12]), line
        # The id comes whole or shortened with an ellipsis, then the title after a gap.
        shown_id = line.split("  ")[0]
        assert shown_id == CODING_AGENT or ("…" in shown_id and CODING_AGENT.endswith(shown_id.split("…")[1]))
        wanted = min(len(title), width // 3)
        assert title[:wanted] in line, f"{width} columns: the title gets {line!r}"


@pytest.mark.parametrize("palette", PALETTES)
async def test_the_detail_pane_background_is_even(demo_url, palette):
    from tests.tui_helpers import wait_for_detail

    app = ConvoscopeApp(make_client(demo_url), CODING_AGENT)
    async with app.run_test(size=(80, 30)) as pilot:
        screen, items, engine = await open_conversation(pilot)
        for index in range(0, min(items.line_count(), 12)):
            items.move_cursor(index)
            await wait_for_detail(pilot, screen)
            await pilot.pause()
            drawn = read_screen(app, palette)
            pane = screen.detail.scrollable_content_region
            backgrounds = {
                cell.bg
                for y in range(pane.y, pane.y + pane.height)
                for cell in drawn.cells(y, pane.x, pane.x + pane.width)
            }
            assert len(backgrounds) == 1, f"item {index}: the pane shows {backgrounds}:\n{drawn}"


@pytest.mark.parametrize("palette", PALETTES)
async def test_the_lists_scrollbar_track_is_the_lists_background(demo_url, palette):
    app = ConvoscopeApp(make_client(demo_url), "conv_synth_450")
    async with app.run_test(size=(80, 24)) as pilot:
        screen, items, engine = await open_conversation(pilot)
        drawn = read_screen(app, palette)
        region, content = items.region, items.scrollable_content_region
        list_bg = drawn.background(content.bottom - 1, content.x, content.x + content.width)
        assert content.bottom - 1 != cursor_screen_row(items)
        column = [drawn.rows[y][x] for y in range(region.y, region.y + region.height) for x in range(content.right, region.right)]
        assert column, "the list has no scrollbar"
        backgrounds = {cell.bg for cell in column}
        thumb = backgrounds - {list_bg}
        assert len(thumb) == 1, f"scrollbar colours {backgrounds}, list {list_bg}"


# --- other lists built on LineList --------------------------------------------------------------------


@pytest.mark.parametrize("palette", PALETTES)
async def test_the_diff_list_draws_its_cursor_over_changed_rows_too(demo_url, palette):
    from convoscope.tui.diff import DiffList
    from tests.test_diff import AFTER_ID, BEFORE_ID, diff_app

    app = await diff_app(demo_url, BEFORE_ID, AFTER_ID)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: bool(app.screen.query(DiffList)), what="the diff screen")
        diff_list = app.screen.query_one(DiffList)
        for line in range(diff_list.line_count()):
            diff_list.move_cursor(line)
            await pilot.pause()
            assert_cursor_stands_out(read_screen(app, palette), diff_list, other_rows=[
                y for y in list_box(diff_list)[0]
                if y != cursor_screen_row(diff_list) and y - list_box(diff_list)[0].start < diff_list.line_count()
            ])
