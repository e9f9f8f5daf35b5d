"""What one key press draws: a prefetched item appears with the cursor, in the same frame; the
pane repaints only the lines that changed and never leaves a line of the item before; the list's
scrollbar is repainted whenever its thumb moves, and only then.

Each test reads the drawn screen: skipping a repaint is only safe if what is drawn is still right.
"""

from __future__ import annotations

import random

from convoscope.storage.history import History
from convoscope.tui.app import ConvoscopeApp
from convoscope.tui.widgets.detail_pane import RenderedDocuments
from convoscope.render.detail import Document
from tests.conftest import make_client
from tests.screen import read_screen
from tests.tui_helpers import (  # noqa: F401  (autouse fixtures)
    SIZE,
    create_conversation,
    detail_busy,
    isolated_data_dir,
    message,
    open_conversation,
    select_line,
    wait_for_detail,
    wait_until,
)


def _app(conversation: str, tmp_path, client) -> ConvoscopeApp:
    return ConvoscopeApp(client, conversation, history=History(tmp_path / "history.json"))


def _drawn_pane(app: ConvoscopeApp, screen) -> list[str]:
    """The detail pane's content area as the terminal shows it, one string per row."""
    region = screen.detail.content_region
    drawn = read_screen(app)
    return [drawn.text(y, region.x, region.right).rstrip() for y in range(region.y, region.bottom)]


def _expected_pane(screen) -> list[str]:
    """What the pane should show: its document's lines from the scroll position, then blanks."""
    region = screen.detail.content_region
    lines = screen.detail.plain_lines[screen.detail.scroll_offset.y:]
    return [(lines[y] if y < len(lines) else "").rstrip()[: region.width] for y in range(region.height)]


async def test_a_prefetched_item_is_drawn_with_the_cursor_not_after_it(fault_server, tmp_path):
    url = fault_server()
    app = _app("conv_synth_60", tmp_path, make_client(url))
    async with app.run_test(size=SIZE) as pilot:
        screen, items, _ = await open_conversation(pilot)
        await wait_for_detail(pilot, screen)
        for _ in range(5):
            next_id = items.view.line(items.cursor + 1).id
            # The reader reads for a moment: the next item is fetched and drawn to lines meanwhile.
            await wait_until(pilot, lambda: screen.items.cached(next_id) is not None and not detail_busy(app),
                             what="the next item fetched and prerendered")
            items.action_cursor_down()
            # Before any frame: the pane already holds the full item, not a summary to replace.
            assert screen.detail.settled and screen.shown_item.id == next_id
            assert "Summary" not in [section.title for section in screen.detail.document.sections]
            await pilot.pause()
            assert _drawn_pane(app, screen) == _expected_pane(screen)
            assert screen.detail.document.title.split()[0] in read_screen(app).text(screen.detail.content_region.y)


async def test_moving_between_long_and_short_items_leaves_no_line_of_the_one_before(fault_server, tmp_path):
    url = fault_server()
    texts = ["\n".join(f"long item line {i:02d}" for i in range(30)), "short", "two\nlines",
             "\n".join(f"middle {i}" for i in range(12)), "x"]
    conversation = create_conversation(url, [message(text) for text in texts])
    app = _app(conversation, tmp_path, make_client(url))
    async with app.run_test(size=SIZE) as pilot:
        screen, items, _ = await open_conversation(pilot)
        order = random.Random(13).choices(range(len(texts)), k=25)
        for index in order:
            await select_line(pilot, screen, index)
            await wait_for_detail(pilot, screen)
            await wait_until(pilot, lambda: not detail_busy(app), what="the pane to settle")
            await pilot.pause()
            assert _drawn_pane(app, screen) == _expected_pane(screen), f"after line {index}"


async def test_the_scrollbar_thumb_follows_a_long_walk_exactly(fault_server, tmp_path):
    """The list leaves its scrollbar alone while the thumb stays in the same eighth of a cell; the
    drawn bar must still equal a freshly painted one after every step."""
    url = fault_server()
    app = _app("conv_synth_400", tmp_path, make_client(url))
    async with app.run_test(size=SIZE) as pilot:
        screen, items, engine = await open_conversation(pilot)
        await pilot.press("L")
        await wait_until(pilot, lambda: engine.complete, what="every item loaded")
        bar = items.vertical_scrollbar
        column = bar.region.x

        def drawn_bar() -> list[tuple]:
            drawn = read_screen(app)
            return [(cell.char, cell.fg, cell.bg) for y in range(bar.region.y, bar.region.bottom)
                    for cell in drawn.cells(y, column, column + 1)]

        moves = [*["j"] * 60, "pagedown", *["j"] * 20, "G", *["k"] * 45, "g"]
        for key in moves:
            await pilot.press(key)
            await pilot.pause()
            before = drawn_bar()
            bar.refresh()  # what Textual would draw if it repainted the bar now
            await pilot.pause()
            assert drawn_bar() == before, f"the scrollbar was stale after {key!r} (cursor {items.cursor})"


def test_rendered_documents_keep_at_most_their_line_budget_dropping_the_least_recent():
    kept = RenderedDocuments(max_lines=10)
    document = Document(title="t", sections=[])
    kept.put("a", document, ["line"] * 4)
    kept.put("b", document, ["line"] * 4)
    assert kept.get("a") is not None  # "a" is now the most recently used
    kept.put("c", document, ["line"] * 4)  # 12 lines: "b" goes
    assert "a" in kept and "c" in kept and "b" not in kept
    kept.put("huge", document, ["line"] * 11)  # longer than the whole budget: not kept at all
    assert "huge" not in kept and "a" in kept
    kept.clear()
    assert kept.get("a") is None
