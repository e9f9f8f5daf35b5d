"""`convoscope copy`: demo server → a second demo server, verified; refused types; resuming."""

from __future__ import annotations

import json

import httpx
import pytest

from convoscope.api import BadResponseError, ConversationsClient
from convoscope.cli import main
from convoscope.cli.copy_conversation import build_parser, copy_conversation, target_client
from convoscope.demo.bundled import load_bundled
from convoscope.storage.profiles import resolve_profile
from convoscope.transfer.compare import content_key
from convoscope.transfer.copier import plan_copy, run_copy
from convoscope.transfer.journal import Journal
from convoscope.tui.app import ConvoscopeApp
from tests.conftest import FAKE_KEY, make_client
from tests.screen import read_screen
from tests.tui_helpers import (  # noqa: F401  (isolated_data_dir is an autouse fixture)
    SIZE,
    isolated_data_dir,
    open_conversation,
    type_text,
    wait_until,
)

SUPPORT_BOT = "conv_68f9ebde9b5c904a3ef76e491c5db73da3cee9a5b4252e9e"


@pytest.fixture(autouse=True)
def no_real_config(tmp_path, monkeypatch):
    monkeypatch.setenv("CONVOSCOPE_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)
    for name in ("OPENAI_BASE_URL", "AZURE_OPENAI_API_KEY", "AZURE_OPENAI_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)


def items_of(url: str, conversation_id: str) -> list[dict]:
    items, after = [], None
    while True:
        params = {"limit": 100, "order": "asc", **({"after": after} if after else {})}
        page = httpx.get(f"{url}/conversations/{conversation_id}/items", params=params).json()
        items += page["data"]
        if not page["has_more"]:
            return items
        after = page["last_id"]


def conversations_on(url: str) -> set[str]:
    return {c["id"] for c in httpx.get(f"{url}/conversations", params={"limit": 100}).json()["data"]}


async def copy_command(*argv: str) -> int:
    """`convoscope copy ARGV` inside a running event loop (as `main` runs it in its own)."""
    args = build_parser().parse_args(["copy", *argv][1:])
    return await copy_conversation(args)


def same_content(a: list[dict], b: list[dict]) -> bool:
    return [content_key(i) for i in a] == [content_key(i) for i in b]


def test_copy_to_a_second_server_keeps_metadata_and_items_and_verifies(fault_server, capsys):
    source, target = fault_server(), fault_server()
    before = conversations_on(target)
    assert main(["copy", SUPPORT_BOT, "--base-url", source, "--to", target]) == 0
    out, err = capsys.readouterr()
    new_id = out.strip()
    assert conversations_on(target) - before == {new_id}  # the probes were deleted
    conversation = httpx.get(f"{target}/conversations/{new_id}").json()
    original = load_bundled()[SUPPORT_BOT].conversation
    assert conversation["metadata"] == {**original["metadata"], "copied_from": f"{SUPPORT_BOT} on {source}"}
    copied, originals = items_of(target, new_id), items_of(source, SUPPORT_BOT)
    assert len(copied) == len(originals) and same_content(copied, originals)
    assert {i["id"] for i in copied}.isdisjoint(i["id"] for i in originals)
    assert f"verified: all {len(originals)} items match" in err
    # 26 items: one create and two create-items (the demo server refuses more than 20 in one).
    assert "copying 26 items in 3 requests" in err


def test_a_type_filter_copies_only_those_types(fault_server, capsys):
    source, target = fault_server(), fault_server()
    assert main(["copy", "conv_synth_300", "--base-url", source, "--to", target,
                 "--type", "function_call,function_call_output"]) == 0
    new_id = capsys.readouterr().out.strip()
    copied = items_of(target, new_id)
    assert copied and {i["type"] for i in copied} == {"function_call", "function_call_output"}


def foundry_conversation() -> str:
    return next(cid for cid, b in load_bundled().items() if any(i.get("type") == "bing_grounding_call" for i in b.items.items))


def test_refused_types_stop_the_copy_before_anything_is_written(fault_server, capsys):
    source, target = fault_server(), fault_server()
    before = conversations_on(target)
    assert main(["copy", foundry_conversation(), "--base-url", source, "--to", target]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert "refused by the target: 1 bing_grounding_call" in err
    assert "nothing was written" in err and "--skip-unsupported" in err
    assert conversations_on(target) == before


def test_a_dry_run_says_what_would_fail_and_writes_nothing(fault_server, capsys):
    source, target = fault_server(), fault_server()
    before = conversations_on(target)
    assert main(["copy", foundry_conversation(), "--base-url", source, "--to", target, "--dry-run"]) == 1
    err = capsys.readouterr().err
    assert "would stop before writing anything" in err and "refused by the target: 2 output_message" in err
    assert main(["copy", SUPPORT_BOT, "--base-url", source, "--to", target, "--dry-run"]) == 0
    assert "would copy 26 items in 3 requests" in capsys.readouterr().err
    assert conversations_on(target) == before


def test_skip_unsupported_copies_the_rest(fault_server, capsys):
    source, target = fault_server(), fault_server()
    conversation = foundry_conversation()
    assert main(["copy", conversation, "--base-url", source, "--to", target, "--skip-unsupported"]) == 0
    new_id = capsys.readouterr().out.strip()
    accepted = [i for i in items_of(source, conversation) if i["type"] in ("message", "function_call", "function_call_output", "reasoning")]
    assert same_content(items_of(target, new_id), accepted)


async def test_an_interrupted_copy_resumes_without_duplicates(fault_server, capsys):
    """The answer to the 4th create-items is lost after the server stored it; a rerun finds it."""
    source_url, target_url = fault_server(), fault_server()
    source = ConversationsClient(resolve_profile(None, base_url=source_url).profile)
    target = target_client(target_url)
    journal = Journal(f"{source_url}|conv_synth_450", f"{target.profile.name}|{target.profile.base_url}", [])
    plan = await plan_copy(source, "conv_synth_450", target)

    def lose_the_next_answer(done: int, total: int) -> None:
        if done == 60:
            httpx.post(f"{target_url}/_demo/faults", json={"truncate_every": 1})

    with pytest.raises(BadResponseError):
        await run_copy(plan, target, journal, on_progress=lose_the_next_answer)
    await source.aclose()
    await target.aclose()
    httpx.post(f"{target_url}/_demo/faults", json={})
    new_id = journal.entry.target_conversation_id
    assert len(items_of(target_url, new_id)) == 80  # the lost batch is stored all the same

    assert await copy_command("conv_synth_450", "--base-url", source_url, "--to", target_url) == 0
    out, err = capsys.readouterr()
    assert out.strip() == new_id
    assert f"continuing the earlier copy into {new_id}" in err
    assert "wrote 370 items (80 were there from before)" in err
    copied = items_of(target_url, new_id)
    assert len(copied) == 450 and same_content(copied, items_of(source_url, "conv_synth_450"))
    assert "verified: all 450 items match" in err


async def test_ctrl_c_between_batches_resumes_where_it_stopped(fault_server, capsys):
    source_url, target_url = fault_server(), fault_server()
    source = ConversationsClient(resolve_profile(None, base_url=source_url).profile)
    target = target_client(target_url)
    journal = Journal(f"{source_url}|conv_synth_130", f"{target.profile.name}|{target.profile.base_url}", [])
    plan = await plan_copy(source, "conv_synth_130", target)

    def interrupt(done: int, total: int) -> None:
        if done == 40:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        await run_copy(plan, target, journal, on_progress=interrupt)
    await source.aclose()
    await target.aclose()
    assert json.loads(journal.path.read_text())["written"] == 40
    assert await copy_command("conv_synth_130", "--base-url", source_url, "--to", target_url) == 0
    assert "wrote 90 items (40 were there from before)" in capsys.readouterr().err
    assert len(items_of(target_url, journal.entry.target_conversation_id)) == 130


def test_a_copy_from_a_saved_file(fault_server, tmp_path, capsys):
    source, target = fault_server(), fault_server()
    assert main(["items", SUPPORT_BOT, "--base-url", source, "--jsonl"]) == 0
    path = tmp_path / "saved.jsonl"
    path.write_text(capsys.readouterr().out)
    assert main(["copy", str(path), "--to", target]) == 0
    out, err = capsys.readouterr()
    assert same_content(items_of(target, out.strip()), items_of(source, SUPPORT_BOT))
    conversation = httpx.get(f"{target}/conversations/{out.strip()}").json()
    assert conversation["metadata"]["copied_from"] == f"file {path}"


# --- the viewer's palette --------------------------------------------------------------------------


async def _open_copy_dialog(pilot, target: str) -> None:
    from convoscope.tui.screens.copy import CopyScreen

    await open_conversation(pilot)
    await pilot.press("ctrl+p")
    await type_text(pilot, "copy this")
    await wait_until(pilot, lambda: "Copy this conversation" in str(read_screen(pilot.app)), what="the command")
    await pilot.press("enter")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, CopyScreen), what="the copy dialog")
    await type_text(pilot, target)
    await pilot.press("enter")


async def test_the_palette_copies_the_open_conversation_and_verifies(fault_server):
    source, target = fault_server(), fault_server()
    app = ConvoscopeApp(make_client(source), SUPPORT_BOT)
    async with app.run_test(size=SIZE) as pilot:
        await _open_copy_dialog(pilot, target)
        await wait_until(pilot, lambda: "26 items to copy in 3 requests" in str(read_screen(app)),
                         timeout=15, what="the plan")
        assert conversations_on(target) == conversations_on(fault_server())  # nothing written yet
        assert app.screen.focused.id == "copy-start"
        await pilot.press("enter")
        await wait_until(pilot, lambda: "verified: all 26 items match" in str(read_screen(app)),
                         timeout=15, what="the verified copy")
        new_id = app.screen.copied_to
        assert new_id and read_screen(app).find(f"Copied to {new_id}") is not None
    assert same_content(items_of(target, new_id), items_of(source, SUPPORT_BOT))


async def test_the_copy_dialog_asks_before_skipping_refused_types(fault_server):
    source, target = fault_server(), fault_server()
    before = conversations_on(target)
    app = ConvoscopeApp(make_client(source), foundry_conversation())
    async with app.run_test(size=SIZE) as pilot:
        await _open_copy_dialog(pilot, target)
        await wait_until(pilot, lambda: "Skipping them copies the other 3 items" in str(read_screen(app)),
                         timeout=15, what="the refusal")
        drawn = str(read_screen(app))
        assert "The target refuses 30 items of 25 types" in drawn and "1 bing_grounding_call" in drawn
        assert app.screen.query_one("#copy-start").disabled
        assert conversations_on(target) == before
        await pilot.click("#copy-skip")
        await wait_until(pilot, lambda: "verified: all 3 items match" in str(read_screen(app)),
                         timeout=15, what="the copy of the rest")


def test_the_progress_bar_draws_only_on_a_terminal(monkeypatch, capsys):
    import sys

    from convoscope.cli.copy_conversation import progress_bar

    progress_bar()(10, 40)
    assert capsys.readouterr().err == ""
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    draw = progress_bar()
    draw(10, 40)
    draw(40, 40)
    err = capsys.readouterr().err
    assert "\r[#######-----------------------] 10/40 items" in err
    assert err.endswith("\r[##############################] 40/40 items\n")


def test_broken_lines_of_a_file_are_never_copied(fault_server, tmp_path, capsys):
    target = fault_server()
    path = tmp_path / "broken.jsonl"
    good = [json.dumps({"type": "message", "role": "user", "content": [{"type": "input_text", "text": t}]})
            for t in ("one", "two")]
    path.write_text(f"{good[0]}\n{{not json\n{good[1]}\n")
    assert main(["copy", str(path), "--to", target]) == 1
    err = capsys.readouterr().err
    assert "cannot be copied: 1 unreadable_line (lines of the file that are not items)" in err
    assert main(["copy", str(path), "--to", target, "--skip-unsupported"]) == 0
    new_id = capsys.readouterr().out.strip()
    assert [i["content"][0]["text"] for i in items_of(target, new_id)] == ["one", "two"]


def test_a_source_that_breaks_paging_is_not_copied_in_part(fault_server, capsys):
    source, target = fault_server(repeat_first_page=True), fault_server()
    before = conversations_on(target)
    assert main(["copy", "conv_synth_300", "--base-url", source, "--to", target]) == 1
    assert "not copying part of a conversation" in capsys.readouterr().err
    assert conversations_on(target) == before


def test_an_unreadable_journal_is_set_aside_not_fatal(tmp_path):
    journal = Journal("a|conv_1", "p|https://x/v1", [], directory=tmp_path)
    journal.path.parent.mkdir(parents=True, exist_ok=True)
    journal.path.write_text("{not json")
    again = Journal("a|conv_1", "p|https://x/v1", [], directory=tmp_path)
    assert again.problem and "could not be read" in again.problem
    assert again.entry.target_conversation_id is None
    assert [p.name for p in tmp_path.iterdir() if ".corrupt-" in p.name]  # kept, not destroyed


def test_running_a_finished_copy_again_writes_nothing(fault_server, capsys):
    source, target = fault_server(), fault_server()
    assert main(["copy", SUPPORT_BOT, "--base-url", source, "--to", target]) == 0
    first = capsys.readouterr().out.strip()
    assert main(["copy", SUPPORT_BOT, "--base-url", source, "--to", target]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == first and "this copy was made before" in err
    assert "wrote 0 items (26 were there from before)" in err
    assert len(items_of(target, first)) == 26
