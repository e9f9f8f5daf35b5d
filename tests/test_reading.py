"""The reading view (`R`): the conversation as a transcript, read off the drawn screen.

Every bundled conversation is opened, switched to the reading view and read back with
`read_screen`: role headings, folded tool traffic, opening and closing an item in place, and the
same item under the cursor when switching back and forth. A 100,000-item conversation is read
from both ends without the engine loading all of it.
"""

from __future__ import annotations

import re

import pytest

from convoscope.demo.bundled import load_bundled
from convoscope.paging.engine import Edge
from convoscope.paging.rows import Row
from convoscope.render.reading import is_foldable
from convoscope.tui.app import ConvoscopeApp
from convoscope.tui.widgets.reading_view import ReadingView
from tests.conftest import make_client
from tests.screen import read_screen
from tests.tui_helpers import (  # noqa: F401  (isolated_data_dir is an autouse fixture)
    SIZE,
    create_conversation,
    in_process_client,
    message,
    isolated_data_dir,
    open_conversation,
    settle,
    type_text,
    wait_until,
)

BUNDLED = sorted(load_bundled())
CURSOR_BAR = "▌"
BASE64_RUN = re.compile(r"[A-Za-z0-9+/]{60,}")
ROLE_HEADING = re.compile(r"▍ (User|Assistant|System|Developer|Tool)\b")


def reading_of(app: ConvoscopeApp) -> ReadingView:
    return app.screen.query_one(ReadingView)


def cursor_rows(app: ConvoscopeApp) -> list[int]:
    """Screen rows that carry the reading view's cursor bar."""
    screen = read_screen(app)
    return [y for y in range(screen.height) if screen.text(y).startswith(CURSOR_BAR)]


async def enter_reading(pilot) -> ReadingView:
    await pilot.press("R")
    reading = reading_of(pilot.app)
    await wait_until(pilot, lambda: reading.display and reading.size.height > 0 and bool(cursor_rows(pilot.app)),
                     what="the reading view with its cursor")
    await wait_until(pilot, lambda: not reading.busy, what="pictures drawn", timeout=20)
    await pilot.pause()
    return reading


async def move_to_first_foldable(pilot, reading: ReadingView) -> Row:
    for _ in range(reading.view.line_count()):
        row = reading.current_row
        if row is not None and is_foldable(row.type) and not reading.is_open(row):
            return row
        await pilot.press("j")
    raise AssertionError("no foldable item in the conversation")


@pytest.mark.parametrize("conversation_id", BUNDLED)
async def test_every_bundled_conversation_reads_as_a_transcript(conversation_id):
    app = ConvoscopeApp(in_process_client(), conversation_id)
    async with app.run_test(size=SIZE) as pilot:
        await open_conversation(pilot)
        reading = await enter_reading(pilot)
        screen = read_screen(app)
        text = "\n".join(screen.texts())
        assert ROLE_HEADING.search(text), text
        assert "▸" in text, "tool traffic is folded to one line each"
        assert not BASE64_RUN.search(text), "base64 is never drawn as text"
        assert cursor_rows(app) and cursor_rows(app)[0] >= 2  # under the header
        transcript_rows = range(2, screen.height - 1)  # between the header and the footer
        assert not screen.low_contrast_cells(transcript_rows), "every folded line and heading reads well"

        # Open an item in place: its first line stays where it was, its body appears under it.
        row = await move_to_first_foldable(pilot, reading)
        await pilot.pause()
        before = read_screen(app)
        top = cursor_rows(app)[0]
        folded_line = before.text(top)
        assert "▸" in folded_line
        closed_height = len(cursor_rows(app))
        await pilot.press("enter")
        await wait_until(pilot, lambda: len(cursor_rows(app)) > closed_height, what="the item to open")
        await wait_until(pilot, lambda: not reading.busy, what="pictures drawn", timeout=20)
        after = read_screen(app)
        opened_rows = cursor_rows(app)
        assert "▾" in after.text(opened_rows[0])
        assert after.text(opened_rows[0]).replace("▾", "▸") == folded_line
        assert reading.current_row is not None and reading.current_row.id == row.id
        assert not BASE64_RUN.search("\n".join(after.texts()))

        # Close it again: one line, as before.
        await pilot.press("space")
        await wait_until(pilot, lambda: len(cursor_rows(app)) == closed_height, what="the item to close")
        assert "▸" in read_screen(app).text(cursor_rows(app)[0])

        # Folding is remembered per item: away and back, still closed; opened stays opened.
        await pilot.press("enter", "j", "k")
        await wait_until(pilot, lambda: len(cursor_rows(app)) > closed_height, what="the item to stay open")


async def test_the_item_under_the_cursor_stays_when_switching(demo_url):
    conversation_id = next(c for c in BUNDLED if len(load_bundled()[c].items) > 40)
    app = ConvoscopeApp(make_client(demo_url), conversation_id)
    async with app.run_test(size=SIZE) as pilot:
        screen, items, engine = await open_conversation(pilot)
        for _ in range(30):
            await pilot.press("j")
        chosen = items.current_row
        assert chosen is not None
        reading = await enter_reading(pilot)
        assert reading.current_row is not None and reading.current_row.id == chosen.id
        assert reading.cursor in reading.drawn_items
        # The drawn cursor bar is on the chosen item's first line.
        drawn = read_screen(app).text(cursor_rows(app)[0])
        if is_foldable(chosen.type):
            assert chosen.text[:20].split()[0] in drawn
        else:
            assert ROLE_HEADING.search(drawn)

        for _ in range(5):
            await pilot.press("j")
        moved = reading.current_row
        assert moved is not None and moved.id != chosen.id
        # y, o, s and v act on the item the reader is on.
        await wait_until(pilot, lambda: screen.shown_item is not None and screen.shown_item.id == moved.id,
                         what="the reader's item to be the one acted on")
        await pilot.press("R")
        await wait_until(pilot, lambda: items.display and items.size.height > 0, what="the list")
        await pilot.pause()
        assert items.current_row is not None and items.current_row.id == moved.id
        first, last = items.scroll_offset.y, items.scroll_offset.y + items.size.height
        assert first <= items.cursor < last, "the list shows the item the reader was on"


async def test_a_100k_conversation_reads_without_loading_it_all(demo_url):
    app = ConvoscopeApp(make_client(demo_url), "conv_synth_100000")
    async with app.run_test(size=SIZE) as pilot:
        screen, items, engine = await open_conversation(pilot, timeout=30)
        reading = await enter_reading(pilot)
        text = "\n".join(read_screen(app).texts())
        assert ROLE_HEADING.search(text) or "▸" in text
        # Only what reaches the screen is built (and the items just above, to place the cursor).
        assert len(reading._entries.keys()) <= 2 * reading.size.height
        # Read down several screens: pages load as the reader nears the edge.
        for _ in range(12):
            await pilot.press("pagedown")
            await settle(pilot, engine, timeout=30)
        assert engine.status[Edge.HEAD].pages >= 2, "reading down loaded more pages"
        assert len(engine.index) < 2_000, "only what was read (and a page ahead) is loaded"
        assert engine.index.gap_open
        # The newest items, without walking the middle.
        await pilot.press("G")
        await wait_until(pilot, lambda: engine.index.tail_count > 0, timeout=30, what="the newest page")
        await settle(pilot, engine, timeout=30)
        await pilot.pause()
        row = reading.current_row
        assert row is not None and row.id is not None
        assert reading.cursor in reading.drawn_items
        assert engine.index.gap_open and len(engine.index) < 3_000
        # The position mark on the right is at the bottom: the newest item.
        drawn = read_screen(app)
        marks = [y for y in range(drawn.height) if drawn.text(y).rstrip().endswith("┃")]
        assert marks == [reading.region.y + reading.size.height - 1]


async def test_filter_and_search_work_in_the_reading_view():
    conversation_id = next(c for c in BUNDLED if "coding" in str(load_bundled()[c].conversation.get("metadata")).lower()
                           or len(load_bundled()[c].items) > 40)
    app = ConvoscopeApp(in_process_client(), conversation_id)
    async with app.run_test(size=SIZE) as pilot:
        await open_conversation(pilot)
        reading = await enter_reading(pilot)
        await pilot.press("t")  # messages only
        await pilot.pause()
        await wait_until(pilot, lambda: bool(cursor_rows(app)), what="the cursor")
        text = "\n".join(read_screen(app).texts()[2:-1])
        assert ROLE_HEADING.search(text)
        assert "▸" not in text, "tool traffic is filtered out"
        assert reading.display
        await pilot.press("t")  # tool traffic only
        await pilot.pause()
        text = "\n".join(read_screen(app).texts()[2:-1])
        assert not ROLE_HEADING.search(text)
        await pilot.press("t")  # all again

        await pilot.press("slash")
        for key in "apply_patch":
            await pilot.press(key)
        await pilot.press("enter")
        await pilot.pause()
        row = reading.current_row
        assert row is not None and "apply_patch" in (row.type + row.label + row.text)
        assert reading.display, "search keeps the reading view"
        assert "apply_patch" in read_screen(app).text(cursor_rows(app)[0])


async def test_a_long_message_is_laid_out_off_the_event_loop_and_drawn_whole(fault_server):
    url = fault_server()
    paragraphs = [f"Paragraph {n}: " + "lorem ipsum dolor sit amet " * 12 for n in range(200)]
    conversation_id = create_conversation(url, [
        message("\n\n".join(paragraphs) + "\n\nTHE END", role="assistant"),
        message("short question"),
    ])
    app = ConvoscopeApp(make_client(url), conversation_id)
    async with app.run_test(size=SIZE) as pilot:
        await open_conversation(pilot)
        reading = await enter_reading(pilot)
        text = "\n".join(read_screen(app).texts())
        assert "Paragraph 0:" in text and "▍ Assistant" in text
        await pilot.press("G")  # the last item: the end of the long one is just above it

        def both_ends_drawn() -> bool:
            text = "\n".join(read_screen(app).texts())
            return "short question" in text and "THE END" in text and text.index("THE END") < text.index("short")

        await wait_until(pilot, both_ends_drawn, what="the message's end above the last item")
        assert not reading.busy


async def test_p_jumps_between_a_call_and_its_output_in_the_reading_view():
    conversation_id = next(c for c in BUNDLED
                           if any(i.get("type") == "function_call" for i in load_bundled()[c].items.items))
    app = ConvoscopeApp(in_process_client(), conversation_id)
    async with app.run_test(size=SIZE) as pilot:
        await open_conversation(pilot)
        reading = await enter_reading(pilot)
        while reading.current_row is None or reading.current_row.type != "function_call":
            await pilot.press("j")
        call = reading.current_row
        await pilot.press("p")
        await wait_until(pilot, lambda: reading.current_row is not None and reading.current_row.type
                         == "function_call_output", what="the output")
        assert reading.cursor in reading.drawn_items
        await pilot.press("p")
        await wait_until(pilot, lambda: reading.current_row is not None and reading.current_row.id == call.id,
                         what="back to the call")


async def test_the_palette_switches_to_the_reading_view_and_back():
    from textual.command import CommandList, CommandPalette

    app = ConvoscopeApp(in_process_client(), BUNDLED[0])
    async with app.run_test(size=SIZE) as pilot:
        screen, items, engine = await open_conversation(pilot)
        await pilot.press("j", "j")
        chosen = items.current_row
        for expected_reading in (True, False):
            await pilot.press("ctrl+p")
            await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette), what="the palette")
            palette = app.screen
            await type_text(pilot, "reading view")
            commands = palette.query_one(CommandList)
            await wait_until(pilot, lambda: commands.option_count > 0 and "reading view" in str(
                commands.get_option_at_index(0).prompt), what="the command")
            await pilot.press("enter")
            await wait_until(pilot, lambda: app.screen is screen, what="the palette to close")
            await wait_until(pilot, lambda: screen.in_reading_view == expected_reading, what="the switch")
            await pilot.pause()
            drawn = "\n".join(read_screen(app).texts())
            assert bool(ROLE_HEADING.search(drawn)) == expected_reading, drawn
        assert items.current_row is not None and items.current_row.id == chosen.id
