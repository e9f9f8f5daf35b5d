"""The packed index: rows come back exactly as they went in, filters and search over the columns."""

from __future__ import annotations

import pytest

from convoscope.api.models import Link
from convoscope.paging.engine import GapLine, PagingEngine
from convoscope.paging.index import CHUNK, ItemIndex
from convoscope.paging.rows import Row
from convoscope.paging.view import FilteredView, FullView, find_line
from tests.conftest import make_client


def _row(n: int, **fields) -> Row:
    values = dict(id=f"it_{n}", type="message", label="user", text=f"row {n}", status="completed",
                  links=(), problem=None)
    values.update(fields)
    return Row(**values)


def _all(index: ItemIndex) -> list[Row]:
    return [index.row(i) for i in range(len(index))]


def test_every_field_comes_back_as_it_went_in_across_chunks_and_after_the_ends_meet():
    odd = [
        _row(0, text="naïve “quotes” and an emoji 🚀", label="assistant"),
        _row(1, id=None, type="item", text="no id"),
        _row(2, text="lone surrogate \ud800 survives", status=None),
        _row(3, type="function_call", links=(Link("call:c1", "call"),), problem="missing call_id"),
        _row(4, text="", status="in_progress"),
    ]
    rows = odd + [_row(n) for n in range(5, 3 * CHUNK)]
    index = ItemIndex()
    half = len(rows) // 2
    index.add_head(rows[:half], reached_end=False)
    index.add_tail(list(reversed(rows[half:])), reached_start=False)
    assert index.gap_open and _all(index) == rows
    # The head walks on into the tail's rows: the ends meet, nothing lost or doubled.
    result = index.add_head(rows[half : half + 10], reached_end=False)
    assert result.met and not index.gap_open
    assert _all(index) == rows
    assert index.index_of("it_700") == 700 and index.index_of("it_3") == 3 and index.index_of("nope") is None
    assert index.in_progress_ids == {"it_4"}
    assert index.oldest_id() == "it_0" and index.newest_id() == f"it_{3 * CHUNK - 1}"


def test_more_kinds_of_types_and_statuses_than_a_byte_holds_are_kept_and_filtered():
    rows = [_row(n, type=f"custom_type_{n}", status=f"state_{n}") for n in range(600)]
    index = ItemIndex()
    index.add_head(rows, reached_end=True)
    assert _all(index) == rows
    assert index.types_present() == {f"custom_type_{n}" for n in range(600)}
    assert index.positions_of_types({"custom_type_3", "custom_type_599"}.__contains__) == [3, 599]


def test_a_replaced_row_changes_alone_whatever_its_new_length():
    rows = [_row(n) for n in range(5)]
    index = ItemIndex()
    index.add_head(rows, reached_end=True)
    longer = _row(2, text="a much longer text than before " * 5, status="incomplete")
    assert index.replace(longer)
    assert _all(index) == [*rows[:2], longer, *rows[3:]]
    shorter = _row(2, text="x")
    assert index.replace(shorter) and index.row(2) == shorter and index.row(3) == rows[3]
    assert not index.replace(_row(99))


def test_text_search_finds_text_and_labels_in_order_both_ways_without_matching_across_rows():
    rows = [_row(n, text=f"item {n}") for n in range(3 * CHUNK)]
    rows[10] = _row(10, text="the Needle here")
    rows[CHUNK + 5] = _row(CHUNK + 5, label="NEEDLE_tool")
    rows[2 * CHUNK] = _row(2 * CHUNK, text="café needle")
    rows[20] = _row(20, text="ends with nee")
    rows[21] = _row(21, text="dle: not a match across two rows")
    index = ItemIndex()
    index.add_head(rows[:CHUNK], reached_end=False)
    index.add_tail(list(reversed(rows[CHUNK:])), reached_start=True)
    assert list(index.text_matches("needle")) == [10, CHUNK + 5, 2 * CHUNK]
    assert list(index.text_matches("needle", CHUNK)) == [CHUNK + 5, 2 * CHUNK]
    assert list(index.text_matches("needle", CHUNK, backwards=True)) == [10]
    assert list(index.text_matches("CAFÉ")) == [2 * CHUNK]


@pytest.fixture
async def offline_engine():
    client = make_client("http://127.0.0.1:9/v1")
    engine = PagingEngine(client, "conv_offline")
    yield engine
    await client.aclose()


async def test_find_line_wraps_skips_the_gap_and_respects_a_filter(offline_engine):
    engine = offline_engine
    engine.index.add_head([_row(n, text="match" if n in (2, 8) else "x") for n in range(5)], reached_end=False)
    engine.index.add_tail([_row(n, text="match" if n == 8 else "x", type="reasoning" if n == 8 else "message")
                           for n in range(9, 4, -1)], reached_start=False)
    view = FullView(engine)
    assert isinstance(view.line(5), GapLine)
    assert find_line(view, "MATCH", 0) == 2
    assert find_line(view, "match", 2) == 9  # row it_8, past the gap line
    assert find_line(view, "match", 9) == 2  # wraps around
    assert find_line(view, "match", 5, backwards=True) == 2  # from the gap line
    assert find_line(view, "x", 0, also={"it_3"}) == 1
    assert find_line(view, "nothing", 0, also={"it_7"}) == 8
    messages = FilteredView(engine, {"message"}.__contains__)
    assert find_line(messages, "match", 0) == 2  # it_8 is hidden by the filter
