"""`convoscope diff`: identical, appended-to and edited conversations, in text and on the screen."""

from __future__ import annotations

import pytest

from convoscope.cli import main
from convoscope.cli.diff_conversations import build_parser, load_both
from convoscope.demo.variants import AFTER_ID, BEFORE_ID
from convoscope.transfer.diff import Change, diff_items
from convoscope.tui.diff import DiffApp, DiffList
from tests.screen import read_screen
from tests.tui_helpers import (  # noqa: F401  (isolated_data_dir is an autouse fixture)
    SIZE,
    add_items,
    create_conversation,
    isolated_data_dir,
    message,
    wait_until,
)

SUPPORT_BOT = "conv_68f9ebde9b5c904a3ef76e491c5db73da3cee9a5b4252e9e"


def three(prefix: str = "") -> list[dict]:
    return [message(f"{prefix}hello"), message(f"{prefix}hi there", role="assistant"), message(f"{prefix}bye")]


# --- alignment ---------------------------------------------------------------------------------------


def with_ids(items: list[dict], tag: str) -> list[dict]:
    return [{**item, "id": f"msg_{tag}{n}", "status": "completed"} for n, item in enumerate(items)]


def test_the_same_items_with_other_ids_are_equal():
    result = diff_items(with_ids(three(), "a"), with_ids(three(), "b"))
    assert result.equal and result.summary() == "equal: 3 items match (type and content, ids aside)"


def test_appended_items_are_added_and_nothing_else():
    result = diff_items(with_ids(three(), "a"), with_ids([*three(), message("again")], "b"))
    assert [row.change for row in result.rows] == [Change.EQUAL] * 3 + [Change.ADDED]


def test_an_edited_item_is_a_changed_pair_with_its_fields():
    edited = three()
    edited[1] = message("hi THERE", role="assistant")
    result = diff_items(with_ids(three(), "a"), with_ids(edited, "b"))
    changed = [row for row in result.rows if row.change is Change.CHANGED]
    assert len(changed) == 1 and [c.path for c in changed[0].fields()] == ["content[0].text"]
    assert changed[0].fields()[0].before == "hi there" and changed[0].fields()[0].after == "hi THERE"


def test_a_different_type_in_the_same_place_is_removed_and_added():
    other = three()
    other[1] = {"type": "function_call", "call_id": "c1", "name": "f", "arguments": "{}"}
    result = diff_items(three(), other)
    assert [row.change for row in result.rows] == [Change.EQUAL, Change.REMOVED, Change.ADDED, Change.EQUAL]


# --- the text format ---------------------------------------------------------------------------------


def test_text_diff_of_identical_conversations_exits_0(demo_url, capsys):
    assert main(["diff", SUPPORT_BOT, SUPPORT_BOT, "--base-url", demo_url, "--format", "text"]) == 0
    out = capsys.readouterr().out
    assert "@@ 26 equal items (A 1–26, B 1–26) @@" in out
    assert out.endswith("equal: 26 items match (type and content, ids aside)\n")


def test_text_diff_across_two_servers_of_a_copy(fault_server, capsys):
    """The same conversation created on two servers (so every id differs) compares equal."""
    first, second = fault_server(), fault_server()
    a, b = create_conversation(first, three()), create_conversation(second, three())
    assert main(["diff", a, b, "--base-url", first, "--base-url-b", second, "--format", "text"]) == 0


def test_text_diff_of_an_appended_conversation(fault_server, capsys):
    url = fault_server()
    a, b = create_conversation(url, three()), create_conversation(url, three())
    add_items(url, b, [message("one more thing")])
    assert main(["diff", a, b, "--base-url", url, "--format", "text"]) == 1
    out = capsys.readouterr().out
    assert "+ B4 message · user: one more thing\n" in out
    assert out.endswith("1 added, 3 equal\n")


def test_text_diff_of_an_edited_conversation(fault_server, capsys):
    url = fault_server()
    edited = three()
    edited[1] = message("hi there, friend", role="assistant")
    a, b = create_conversation(url, three()), create_conversation(url, edited)
    assert main(["diff", a, b, "--base-url", url, "--format", "text"]) == 1
    out = capsys.readouterr().out
    assert "~ A2 B2 message · assistant: hi there\n" in out
    assert '    content[0].text: "hi there" → "hi there, friend"\n' in out
    assert out.endswith("1 changed, 2 equal\n")


def test_text_diff_of_the_demo_prompt_variants(demo_url, capsys):
    assert main(["diff", BEFORE_ID, AFTER_ID, "--base-url", demo_url, "--format", "text"]) == 1
    out = capsys.readouterr().out
    assert "- A17 function_call · billing.issue_credit(" in out
    assert "Goodwill credits up to $25 need no approval." in out
    assert out.endswith("2 changed, 2 removed, 2 added, 22 equal\n")


def test_text_diff_of_a_saved_file_against_its_server(demo_url, tmp_path, capsys):
    assert main(["items", SUPPORT_BOT, "--base-url", demo_url, "--jsonl"]) == 0
    path = tmp_path / "saved.jsonl"
    path.write_text(capsys.readouterr().out)
    assert main(["diff", str(path), SUPPORT_BOT, "--base-url", demo_url, "--format", "text"]) == 0


def test_a_diff_that_cannot_read_a_side_exits_2(demo_url, capsys):
    assert main(["diff", SUPPORT_BOT, "conv_nope", "--base-url", demo_url, "--format", "text"]) == 2
    assert "404" in capsys.readouterr().err


# --- the diff screen ---------------------------------------------------------------------------------


async def diff_app(url: str, a: str, b: str) -> DiffApp:
    args = build_parser().parse_args([a, b, "--base-url", url])
    (label_a, items_a), (label_b, items_b) = await load_both(args)
    return DiffApp(diff_items(items_a, items_b), label_a, label_b)


async def test_the_diff_screen_shows_the_prompt_variants_side_by_side(demo_url):
    app = await diff_app(demo_url, BEFORE_ID, AFTER_ID)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: bool(app.screen.query(DiffList)), what="the diff screen")
        await pilot.pause()
        drawn = read_screen(app)
        assert drawn.text(2).strip() == "2 changed, 2 removed, 2 added, 22 equal"
        fold = drawn.find_row("⋯ 14 equal items (A 3–16, B 3–16)")
        developer = drawn.find_row("developer: Policy")
        middle = drawn.text(developer).index(" ~ ")  # the mark between the two sides
        assert drawn.text(developer).count("developer: Policy") == 2 and middle > 50
        removed = drawn.find_row("billing.issue_credit(")
        assert drawn.text(removed)[middle:middle + 3] == " - " and drawn.text(removed)[middle + 3:].strip() == ""
        added = drawn.find_row("user: Will I still get")
        assert drawn.text(added)[middle:middle + 3] == " + " and drawn.text(added)[:middle].strip() == ""
        # Changed, removed and added lines stand out from the equal ones around them.
        standing_out = drawn.rows_standing_out(range(3, added + 1), 0, middle)
        assert removed in standing_out and fold not in standing_out
        # The cursor starts on the first difference: its field-level diff is below.
        assert drawn.find("1 field differs (A → B):") is not None
        assert drawn.find("content[0].text") is not None
        minus = drawn.find_row("3. Goodwill credits up to $25 need no approval.")
        plus = drawn.find_row("3. Goodwill credits need a human agent's approval")
        assert minus < plus
        red, green = drawn.foregrounds(minus), drawn.foregrounds(plus)
        assert red != green
        # Enter on a fold shows the equal items.
        await pilot.press("n", "n", "n", "n")  # past the removed pair to the changed answer
        diff_list = app.screen.query_one(DiffList)
        diff_list.move_cursor(2)  # the fold of 14
        await pilot.press("enter")
        await pilot.pause()
        drawn = read_screen(app)
        assert drawn.find("⋯ 14 equal items") is None
        assert diff_list.line_count() == 9 - 1 + 14  # the fold line became its 14 items
        await pilot.press("enter")  # on one of them: fold the run again
        await pilot.pause()
        assert read_screen(app).find("⋯ 14 equal items") is not None and diff_list.line_count() == 9


async def test_the_diff_screen_of_identical_conversations_says_equal(demo_url):
    app = await diff_app(demo_url, SUPPORT_BOT, SUPPORT_BOT)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: bool(app.screen.query(DiffList)), what="the diff screen")
        await pilot.pause()
        drawn = read_screen(app)
        drawn.find_row("equal: 26 items match (type and content, ids aside)")
        drawn.find_row("⋯ 26 equal items")


@pytest.mark.parametrize("edit", ["append", "edit"])
async def test_the_diff_screen_of_an_appended_or_edited_conversation(fault_server, edit):
    url = fault_server()
    a = create_conversation(url, three())
    if edit == "append":
        b = create_conversation(url, three())
        add_items(url, b, [message("one more thing")])
    else:
        edited = three()
        edited[2] = message("goodbye")
        b = create_conversation(url, edited)
    app = await diff_app(url, a, b)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: bool(app.screen.query(DiffList)), what="the diff screen")
        await pilot.pause()
        drawn = read_screen(app)
        if edit == "append":
            drawn.find_row("1 added, 3 equal")
            row = drawn.find_row("user: one more thing")
            assert " + " in drawn.text(row)
            drawn.find_row("Only in B:")
        else:
            drawn.find_row("1 changed, 2 equal")
            assert " ~ " in drawn.text(drawn.find_row("user: goodbye"))
            drawn.find_row("  - bye")
            drawn.find_row("  + goodbye")


def test_global_options_go_before_the_command_and_urls_name_conversations(demo_url, capsys):
    url = f"https://platform.openai.com/conversations/{SUPPORT_BOT}"
    assert main(["--base-url", demo_url, "diff", url, SUPPORT_BOT, "--format", "text"]) == 0
    assert "equal: 26 items match" in capsys.readouterr().out
