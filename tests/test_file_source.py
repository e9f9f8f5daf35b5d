"""Saved conversations (JSONL, a JSON export, a saved list page) through the same engine, walk,
CLI and viewer as a server's."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from convoscope.api.files import FILE_SERVER, UNREADABLE_TYPE, FileSource, looks_like_file
from convoscope.cli import main
from convoscope.demo.synthetic import SyntheticItems
from convoscope.paging import WalkSummary, walk_items
from convoscope.paging.engine import GapLine, PagingEngine
from convoscope.paging.view import FilteredView
from convoscope.storage.history import History
from convoscope.tui.app import ConvoscopeApp
from tests.conftest import make_client
from tests.screen import read_screen
from tests.test_engine import _settled
from tests.tui_helpers import (  # noqa: F401  (isolated_data_dir is an autouse fixture)
    SIZE,
    isolated_data_dir,
    open_conversation,
    settle,
    wait_until,
)

KINDS = ("jsonl", "json", "page")


def synthetic(n: int) -> list[dict]:
    items = SyntheticItems(n)
    return [items.item_at(i) for i in range(n)]


def write_saved(directory: Path, kind: str, items: list[dict], conversation: dict | None = None) -> Path:
    """`items` saved the way `kind` saves them."""
    path = directory / f"saved.{kind}"
    if kind == "jsonl":
        lines = ([json.dumps(conversation)] if conversation else []) + [json.dumps(i) for i in items]
        path.write_text("\n".join(lines) + "\n")
    elif kind == "json":
        path.write_text(json.dumps({"conversation": conversation or {}, "items": items}, indent=2))
    else:
        page = {"object": "list", "data": items, "first_id": None, "last_id": None, "has_more": False}
        path.write_text(json.dumps(page, indent=2))
    return path


@pytest.fixture
async def file_engine(tmp_path):
    """An engine over `n` synthetic items saved as `kind` (the demo server's `conv_synth_<n>`)."""
    engines: list[PagingEngine] = []

    def make(kind: str, n: int, **options) -> PagingEngine:
        source = FileSource(write_saved(tmp_path, kind, synthetic(n)))
        engine = PagingEngine(source, source.conversation_id, **options)
        engines.append(engine)
        return engine

    yield make
    for engine in engines:
        await engine.close()
        await engine.client.aclose()


# --- the engine tests, on files ------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
async def test_a_file_opens_at_its_oldest_item_with_a_gap_line_after_it(file_engine, kind):
    engine = file_engine(kind, 1000)
    engine.start()
    await _settled(engine)
    assert engine.line(0).id.endswith("0000000")
    assert isinstance(engine.line(100), GapLine)
    assert engine.line_count() == 101 and not engine.complete


@pytest.mark.parametrize("kind", KINDS)
async def test_jump_to_end_of_a_file_shows_its_newest_items(file_engine, kind):
    engine = file_engine(kind, 5000)
    engine.start()
    await _settled(engine)
    engine.jump_to_end()
    await _settled(engine)
    assert engine.line(engine.line_count() - 1).id.endswith("0004999")
    assert len(engine.index) == 200


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("n", [1, 99, 100, 101, 450])
async def test_load_all_of_a_file_meets_in_the_middle_with_every_item_once(file_engine, kind, n):
    engine = file_engine(kind, n)
    await engine.load_all()
    ids = [engine.line(i).id for i in range(engine.line_count())]
    assert engine.complete and len(ids) == len(set(ids)) == n
    assert ids == sorted(ids, key=lambda i: int(i[-7:]))


@pytest.mark.parametrize("kind", KINDS)
async def test_a_type_filter_over_a_file_keeps_paging_until_the_screen_is_full(file_engine, kind):
    engine = file_engine(kind, 1000)
    engine.start()
    await _settled(engine)
    view = FilteredView(engine, {"function_call", "function_call_output"}.__contains__)
    for _ in range(20):
        view.viewport(0, 40)
        await _settled(engine)
    rows = [view.line(i) for i in range(view.line_count())]
    assert {r.type for r in rows if not isinstance(r, GapLine)} == {"function_call", "function_call_output"}
    assert view.line_count() > 41 or engine.complete


@pytest.mark.parametrize("kind", KINDS)
async def test_a_file_walks_like_a_server_and_gets_items_by_id(tmp_path, demo_url, kind):
    """The same 450 items from the demo server and from each kind of file: identical JSON."""
    client = make_client(demo_url)
    from_server = [item.raw async for item in walk_items(client, "conv_synth_450")]
    await client.aclose()
    source = FileSource(write_saved(tmp_path, kind, from_server, {"id": "conv_x", "object": "conversation",
                                                                   "metadata": {"title": "saved"}}))
    summary = WalkSummary()
    from_file = [item.raw async for item in walk_items(source, source.conversation_id, page_size=37, summary=summary)]
    assert from_file == from_server and summary.complete
    newest_first = [item.raw async for item in walk_items(source, source.conversation_id, order="desc")]
    assert newest_first == from_server[::-1]
    item = await source.retrieve_item(source.conversation_id, from_server[200]["id"])
    assert item.raw == from_server[200]
    conversation = await source.retrieve_conversation(source.conversation_id)
    assert conversation.id == str(tmp_path / f"saved.{kind}")
    if kind != "page":  # a list page holds items only
        assert conversation.metadata == {"title": "saved"} and source.original_id == "conv_x"


# --- large and broken files ------------------------------------------------------------------------


async def test_a_100000_item_file_parses_only_what_is_shown(tmp_path):
    items = SyntheticItems(100_000)
    path = tmp_path / "big.jsonl"
    with path.open("w") as file:
        for i in range(100_000):
            file.write(json.dumps(items.item_at(i)) + "\n")
    source = FileSource(path)
    engine = PagingEngine(source, source.conversation_id)
    engine.start()
    await _settled(engine)
    engine.jump_to_end()
    await _settled(engine)
    assert engine.line(0).id == items.id_at(0)
    assert engine.line(engine.line_count() - 1).id == items.id_at(99_999)
    # Two pages parsed of 100,000 lines: the rest of the file was only indexed.
    assert len(source._id_positions) == 200
    await engine.close()


async def test_broken_lines_become_flagged_items_with_their_line_number(tmp_path):
    path = tmp_path / "broken.jsonl"
    good = synthetic(3)
    path.write_bytes(
        b"\n".join([
            json.dumps(good[0]).encode(),
            b'{"type": "message", "role": "user", "content": [',  # cut off
            b"",  # blank: no item
            json.dumps(good[1]).encode(),
            b"[1, 2, 3]",  # JSON, but not an item
            b'{"type": "message", "text": "caf\xe9"}',  # Latin-1, not UTF-8
            json.dumps(good[2]).encode(),
        ]) + b"\n"
    )
    source = FileSource(path)
    items = [item async for item in walk_items(source, source.conversation_id)]
    assert [item.type for item in items] == ["message", UNREADABLE_TYPE, good[1]["type"], UNREADABLE_TYPE,
                                             UNREADABLE_TYPE, good[2]["type"]]
    flagged = [item for item in items if item.type == UNREADABLE_TYPE]
    assert [item.id for item in flagged] == ["line_2", "line_5", "line_6"]
    assert flagged[0].validation_error.startswith("line 2: not valid JSON")
    assert "not a JSON object" in flagged[1].validation_error
    assert "not UTF-8" in flagged[2].validation_error
    again = await source.retrieve_item(source.conversation_id, "line_5")
    assert again.raw["line"] == 5 and again.raw["text"] == "[1, 2, 3]"


async def test_a_file_that_is_not_a_conversation_says_so(tmp_path):
    from convoscope.api.files import FileSourceError

    path = tmp_path / "other.json"
    path.write_text(json.dumps({"hello": "world"}, indent=2))
    with pytest.raises(FileSourceError, match="without an `items` or `data` list"):
        await FileSource(path).list_items("x")
    with pytest.raises(FileSourceError, match="cannot read"):
        await FileSource(tmp_path / "gone.jsonl").list_items("x")


def test_only_existing_files_look_like_files(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text("{}\n")
    assert looks_like_file(str(path)) and not looks_like_file("conv_abc")
    assert not looks_like_file(str(tmp_path)) and not looks_like_file("https://example.com/a.jsonl")


# --- the command line ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_items_of_a_file_writes_the_same_jsonl(tmp_path, capsys, kind):
    items = synthetic(130)
    path = write_saved(tmp_path, kind, items)
    assert main(["items", str(path), "--jsonl"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(line) for line in lines] == items


def test_items_of_a_missing_file_is_an_error_not_a_traceback(tmp_path, capsys):
    path = tmp_path / "x.jsonl"
    path.write_text("{}\n")
    source_path = str(path)
    path.unlink()
    with pytest.raises(SystemExit) as exit_:
        main(["items", source_path, "--demo"])  # a usage error, before any request
    assert exit_.value.code == 2
    assert f"no such file: {source_path}" in capsys.readouterr().err


# --- the viewer ------------------------------------------------------------------------------------


async def test_the_viewer_shows_a_file_and_jumps_to_its_end(tmp_path, isolated_data_dir):
    items = synthetic(2000)
    path = write_saved(tmp_path, "jsonl", items)
    source = FileSource(path)
    app = ConvoscopeApp(source, source.conversation_id)
    async with app.run_test(size=SIZE) as pilot:
        screen, item_list, engine = await open_conversation(pilot)
        drawn = read_screen(app)
        drawn.find_row(str(path))  # the header names the file
        drawn.find_row("user: " + items[0]["content"][0]["text"][:20])
        await pilot.press("G")
        await settle(pilot, engine)
        assert item_list.view.line(item_list.cursor).id == items[-1]["id"]
        await pilot.pause()
        drawn = read_screen(app)
        newest = engine.line(engine.line_count() - 1)
        assert newest.text[:15] in drawn.text(38)  # the newest item on the list's last line
        await wait_until(pilot, lambda: read_screen(app).find(f"{items[-1]['type']} ·") is not None,
                         what="the newest item in the detail pane")
    history = History(isolated_data_dir / "history.json")
    assert [e.conversation_id for e in history.entries(FILE_SERVER)] == [str(path)]


async def test_recent_files_appear_in_a_servers_picker_and_open(tmp_path, demo_url, isolated_data_dir):
    path = write_saved(tmp_path, "json", synthetic(30), {"id": "conv_saved", "metadata": {"title": "From disk"}})
    History(isolated_data_dir / "history.json").remember(FILE_SERVER, str(path), metadata={"title": "From disk"})
    app = ConvoscopeApp(make_client(demo_url))
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: read_screen(app).find("From disk") is not None, what="the recent file")
        await pilot.press("enter")  # the most recent entry is highlighted first
        screen, item_list, engine = await open_conversation(pilot)
        assert engine.conversation_id == str(path)
        await wait_until(pilot, lambda: engine.complete, what="all 30 items")
        drawn = read_screen(app)
        drawn.find_row("30 items · all loaded")
        source = engine.client
        await pilot.press("escape")  # back to the server's picker; the file is closed behind it
        await wait_until(pilot, lambda: read_screen(app).find("From disk") is not None, what="the picker again")
        await wait_until(pilot, lambda: source._map is None, what="the file closed")


async def test_filters_and_search_work_on_a_file(tmp_path):
    items = synthetic(300)
    path = write_saved(tmp_path, "jsonl", items)
    source = FileSource(path)
    app = ConvoscopeApp(source, source.conversation_id)
    async with app.run_test(size=SIZE) as pilot:
        screen, item_list, engine = await open_conversation(pilot)
        await pilot.press("t")  # messages only
        await wait_until(pilot, lambda: "filter: messages" in str(read_screen(app)), what="the filter")
        drawn = read_screen(app)
        list_rows = [drawn.text(y, 0, 20) for y in range(2, 38) if drawn.text(y, 0, 60).strip()]
        kinds = {row.split()[1] for row in list_rows if "more items" not in row and len(row.split()) > 1}
        assert kinds <= {"user", "assistant", "system", "developer"} and kinds
        await pilot.press("t", "t")  # tool traffic, then all again
        wanted = next(i for i in items[20:] if i["type"] == "shell_call")  # a page in, not on screen
        term = wanted["action"]["commands"][0][:12]
        await pilot.press("slash")
        for char in term:
            await pilot.press(char if char != " " else "space")
        await pilot.press("enter")
        await pilot.pause()
        assert term in item_list.view.line(item_list.cursor).text
        assert term in read_screen(app).text(2 + item_list.cursor - item_list.scroll_offset.y)


async def test_a_path_pasted_in_the_picker_opens_the_file(tmp_path, demo_url):
    from tests.tui_helpers import type_text

    path = write_saved(tmp_path, "page", synthetic(12))
    app = ConvoscopeApp(make_client(demo_url))
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, str(path))
        await pilot.press("enter")
        screen, item_list, engine = await open_conversation(pilot)
        await wait_until(pilot, lambda: "12 items · all loaded" in str(read_screen(app)), what="the saved page")
        assert engine.conversation_id == str(path)


@pytest.mark.parametrize("kind", KINDS)
def test_export_of_a_file_writes_its_items(tmp_path, capsys, kind):
    items = synthetic(45)
    path = write_saved(tmp_path, kind, items)
    out = tmp_path / "out.jsonl"
    assert main(["export", str(path), "-o", str(out)]) == 0
    assert [json.loads(line) for line in out.read_text().splitlines()] == items
    transcript = tmp_path / "out.md"
    assert main(["export", str(path), "-o", str(transcript)]) == 0
    assert items[0]["content"][0]["text"][:30] in transcript.read_text()
