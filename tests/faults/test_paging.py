"""Servers that page wrongly: ignored cursors, repeated ids, missing cursors, ignored limits."""

from __future__ import annotations

import pytest

from convoscope.paging.engine import Edge, EdgeState
from tests.faults.conftest import finish_cli, send_json, start_cli, stdlib_server
from tests.faults.helpers import client_for, held, set_faults, truth, viewer
from tests.tui_helpers import isolated_data_dir, wait_until  # noqa: F401  (autouse fixture)

CONV = "conv_synth_150"


async def test_cursor_ignored_has_more_false(fault_server, demo_url, tmp_path, matrix):
    row = matrix("P01", "server ignores `after` and says has_more: false (Llama Stack 0.7.3)")
    expected = truth(demo_url, CONV)
    url = fault_server(ignore_after=True)
    cli = start_cli(tmp_path, "items", CONV, "--base-url", url, "--jsonl")
    async with viewer(url, CONV) as v:
        await v.wait_for_conversation()
        await wait_until(v.pilot, lambda: v.engine.complete, timeout=20, what="everything")
        await v.settle()
        await v.wait_for_words("150 items · all loaded")
        assert v.ids() == expected
    result = finish_cli(cli)
    assert result.returncode == 0 and result.ids == expected
    assert "ignores the paging cursor; all 150 items came in one request" in result.stderr
    row.saw = "CLI: note on stderr \"this server ignores the paging cursor; all 150 items came in one request\", exit 0 · app: \"150 items · all loaded\" (one large request)"
    row.expected, row.held = str(len(expected)), held(len(result.ids), len(v.last_ids))


@pytest.mark.detects_capabilities
async def test_cursor_ignored_detected_by_the_picker(tmp_path, matrix):
    row = matrix("P02", "the picker's capability check found `after ✗` (broken-cursor impersonation)")
    from convoscope.demo.app import create_app
    from convoscope.demo.serve import serve_in_background

    with serve_in_background(create_app()) as plain:
        expected = truth(plain, CONV)
    with serve_in_background(create_app(impersonate="broken-cursor")) as url:
        async with viewer(url, None) as v:
            await wait_until(v.pilot, lambda: v.app.capabilities is not None, timeout=20, what="capabilities")
            await v.wait_for_words("after ✗")
            v.app.open_conversation(CONV)
            await v.wait_for_conversation()
            await v.settle()
            # Everything from the start, in one request; it still says "more", so not "all loaded".
            assert "all loaded" not in v.drawn()
            await v.wait_for_words("may be incomplete")
            await v.pilot.press("L")  # everything from the end too: the two meet
            await wait_until(v.pilot, lambda: v.engine.complete, timeout=20, what="everything")
            await v.settle()
            await v.wait_for_words("150 items · all loaded")
            assert v.ids() == expected
    row.saw = "picker: \"after ✗\" · app: everything in one request, \"may be incomplete\" until the end's request met it, then \"150 items · all loaded\""
    row.expected, row.held = str(len(expected)), held("—", len(v.last_ids))


async def test_cursor_ignored_more_than_one_request_brings(fault_server, demo_url, tmp_path, matrix):
    row = matrix("P03", "server ignores `after`; the conversation is larger than the one-request limit (200)")
    conversation = "conv_synth_500"
    expected = truth(demo_url, conversation)
    url = fault_server(ignore_after=True)
    config = tmp_path / "cli-config"
    config.mkdir()
    (config / "config.toml").write_text(
        f'default_profile = "llama"\n[profiles.llama]\nkind = "compatible"\nbase_url = "{url}"\n'
        'auth = "none"\nunpaged_limit = 200\n'
    )
    cli = start_cli(tmp_path, "items", conversation, "--jsonl")
    async with viewer(url, conversation, client=client_for(url, unpaged_limit=200)) as v:
        await v.wait_for_conversation()
        await v.settle()
        await v.wait_for_words("may be incomplete")
        await v.pilot.press("G")
        await wait_until(v.pilot, lambda: v.engine.status[Edge.TAIL].state is EdgeState.STOPPED, timeout=20)
        await v.settle()
        ids = v.ids()
        assert not v.engine.complete and "all loaded" not in v.drawn()
        assert ids == expected[:200] + expected[-200:]  # both ends, in order, the middle missing
    result = finish_cli(cli)
    assert result.returncode == 3, result.stderr
    assert result.ids == expected[:200]
    assert "incomplete" in result.stderr and "exit status 3" in result.stderr
    row.saw = "CLI: \"warning: incomplete: stopped after 200 items … the list may be incomplete\", exit 3 · app: gap line \"stopped: … may be incomplete\", never \"all loaded\""
    row.expected, row.held = str(len(expected)), held(f"{len(result.ids)} (incomplete, said)", f"{len(ids)} (incomplete, said)")


async def test_cursor_ignored_has_more_true_forever(fault_server, demo_url, tmp_path, matrix):
    row = matrix("P04", "server ignores `after` and says has_more: true forever")
    expected = truth(demo_url, CONV)
    url = fault_server(repeat_first_page=True)
    cli = start_cli(tmp_path, "items", CONV, "--base-url", url, "--jsonl")
    async with viewer(url, CONV) as v:
        await v.wait_for_conversation()
        await v.settle()
        await v.wait_for_words("ignores the paging cursor")
        assert v.ids() == expected and not v.engine.complete
    result = finish_cli(cli)
    assert result.returncode == 3 and result.ids == expected
    assert "may be incomplete" in result.stderr
    row.saw = "CLI: \"incomplete … ignores the paging cursor … may be incomplete\", exit 3 · app: gap line says so (it cannot be known complete)"
    row.expected, row.held = str(len(expected)), held(len(result.ids), len(v.last_ids))


@pytest.mark.parametrize(
    ("case", "fault", "faults"),
    [
        ("P05", "duplicate ids within a page (every 7th item sent twice)", {"duplicate_every": 7}),
        ("P06", "duplicate ids across pages (each page repeats the last 3 of the previous)", {"overlap_pages": 3}),
    ],
)
async def test_duplicate_ids(case, fault, faults, fault_server, demo_url, tmp_path, matrix):
    row = matrix(case, fault)
    expected = truth(demo_url, CONV)
    url = fault_server(**faults)
    cli = start_cli(tmp_path, "items", CONV, "--base-url", url, "--jsonl")
    async with viewer(url, CONV) as v:
        await v.wait_for_conversation()
        await v.pilot.press("L")
        await wait_until(v.pilot, lambda: v.engine.complete, timeout=20, what="everything")
        await v.settle()
        await v.wait_for_words("repeated ids dropped")
        assert v.ids() == expected
    result = finish_cli(cli)
    assert result.returncode == 0 and result.ids == expected
    assert "repeated item" in result.stderr and "each id is written once" in result.stderr
    row.saw = "CLI: \"warning: the server sent N repeated items; each id is written once\" · app header: \"N repeated ids dropped\""
    row.expected, row.held = str(len(expected)), held(len(result.ids), len(v.last_ids))


async def test_null_last_id_with_ids(fault_server, demo_url, tmp_path, matrix):
    row = matrix("P07", "has_more: true with last_id: null (items have ids)")
    expected = truth(demo_url, CONV)
    url = fault_server(null_last_id=True)
    cli = start_cli(tmp_path, "items", CONV, "--base-url", url, "--jsonl")
    async with viewer(url, CONV) as v:
        await v.wait_for_conversation()
        await v.pilot.press("L")
        await wait_until(v.pilot, lambda: v.engine.complete, timeout=20, what="everything")
        await v.wait_for_words("150 items · all loaded")
        assert v.ids() == expected
    result = finish_cli(cli)
    assert result.returncode == 0 and result.ids == expected
    row.saw = "nothing to notice: the cursor is taken from the last item; \"150 items · all loaded\""
    row.expected, row.held = str(len(expected)), held(len(result.ids), len(v.last_ids))


def _idless_server(request) -> None:
    items = [{"type": "message", "role": "user", "content": [{"type": "input_text", "text": f"no id {n}"}]}
             for n in range(5)]
    if "/items" in request.path:
        send_json(request, {"object": "list", "data": items, "first_id": None, "last_id": None, "has_more": True})
    else:
        send_json(request, {"id": "conv_idless", "object": "conversation", "created_at": 1, "metadata": {}})


async def test_null_last_id_without_ids(tmp_path, matrix):
    row = matrix("P08", "has_more: true with last_id: null and items without ids (no cursor at all)")
    with stdlib_server(_idless_server) as url:
        cli = start_cli(tmp_path, "items", "conv_idless", "--base-url", url, "--jsonl")
        async with viewer(url, "conv_idless") as v:
            await v.wait_for_conversation()
            await v.settle()
            await v.wait_for_words("gave no cursor")
            rows = len(v.ids())
        result = finish_cli(cli)
    assert result.returncode == 3 and len(result.ids) == 5
    assert "gave no cursor" in result.stderr
    row.saw = "CLI: \"incomplete: … the server said there is more but gave no cursor\", exit 3 · app: gap line \"stopped: … gave no cursor\""
    row.expected, row.held = "unknown (≥ 5)", held("5 (incomplete, said)", f"{rows} (incomplete, said)")


def _empty_page_server(request) -> None:
    items = [{"id": f"msg_{n}", "type": "message", "role": "user",
              "content": [{"type": "input_text", "text": f"item {n}"}]} for n in range(5)]
    if "/items" in request.path and "after=" in request.path:
        send_json(request, {"object": "list", "data": [], "first_id": None, "last_id": "msg_4", "has_more": True})
    elif "/items" in request.path:
        send_json(request, {"object": "list", "data": items, "first_id": "msg_0", "last_id": "msg_4", "has_more": True})
    else:
        send_json(request, {"id": "conv_empty", "object": "conversation", "created_at": 1, "metadata": {}})


async def test_has_more_with_an_empty_page(tmp_path, matrix):
    row = matrix("P09", "has_more: true with empty `data` and a cursor (the official SDK stops silently)")
    with stdlib_server(_empty_page_server) as url:
        cli = start_cli(tmp_path, "items", "conv_empty", "--base-url", url, "--jsonl")
        async with viewer(url, "conv_empty") as v:
            await v.wait_for_conversation()
            await v.settle()
            await v.wait_for_words("sent an empty page")
            ids = v.ids()
        result = finish_cli(cli)
    assert result.returncode == 3 and result.ids == [f"msg_{n}" for n in range(5)]
    assert "empty page" in result.stderr
    assert ids == result.ids
    row.saw = "CLI: \"incomplete: … said there is more but sent an empty page\", exit 3 · app: gap line says the same"
    row.expected, row.held = "unknown (≥ 5)", held("5 (incomplete, said)", "5 (incomplete, said)")


async def test_server_ignores_limit(fault_server, demo_url, tmp_path, matrix):
    row = matrix("P10", "server ignores `limit` (always 20 items a page)")
    expected = truth(demo_url, CONV)
    url = fault_server(fixed_page_size=20)
    cli = start_cli(tmp_path, "items", CONV, "--base-url", url, "--jsonl")
    async with viewer(url, CONV) as v:
        await v.wait_for_conversation()
        await v.pilot.press("L")
        await wait_until(v.pilot, lambda: v.engine.complete, timeout=30, what="everything")
        await v.wait_for_words("150 items · all loaded")
        assert v.ids() == expected
    result = finish_cli(cli)
    assert result.returncode == 0 and result.ids == expected
    row.saw = "nothing to notice: smaller pages, same items; \"150 items · all loaded\""
    row.expected, row.held = str(len(expected)), held(len(result.ids), len(v.last_ids))


@pytest.mark.parametrize(("case", "order"), [("P11", "asc"), ("P12", "desc")])
async def test_items_appended_while_paging(case, order, fault_server, tmp_path, matrix):
    end = "newest end (desc)" if order == "desc" else "oldest end (asc)"
    row = matrix(case, f"items appended while paging, walking from the {end}")
    cli_url, app_url = fault_server(), fault_server()
    before = truth(cli_url, CONV)
    set_faults(cli_url, append_on_list=2)
    set_faults(app_url, append_on_list=2)
    cli = start_cli(tmp_path, "items", CONV, "--base-url", cli_url, "--jsonl", "--order", order)
    async with viewer(app_url, CONV) as v:
        await v.wait_for_conversation()
        await (v.pilot.press("G") if order == "desc" else v.pilot.press("L"))
        await v.pilot.press("L")
        await wait_until(v.pilot, lambda: v.engine.complete, timeout=30, what="everything")
        await v.settle()
        app_ids = v.ids()
    result = finish_cli(cli)
    set_faults(cli_url)
    set_faults(app_url)
    for ids, url in ((result.ids if order == "asc" else result.ids[::-1], cli_url), (app_ids, app_url)):
        after = truth(url, CONV)
        assert len(ids) == len(set(ids)), "no id twice"
        assert set(before) <= set(ids), "nothing that existed before the walk is lost"
        assert ids == [i for i in after if i in set(ids)], "in the server's order"
    assert result.returncode == 0
    row.saw = "nothing to notice: every item that existed is there once, in order; new ones as the walk met them"
    row.expected, row.held = f"{len(before)} + appended", held(f"{len(before)} + appended", f"{len(before)} + appended")


async def test_an_item_deleted_before_get_item(fault_server, tmp_path, matrix):
    row = matrix("P13", "an item deleted on the server after the list loaded, before its get-item")
    from tests.faults.helpers import http
    from tests.tui_helpers import create_conversation, message

    url = fault_server()
    # Ten items: the one deleted (8) is beyond those prefetched around the first on opening.
    conversation = create_conversation(url, [message(f"message number {n}") for n in range(10)])
    before = truth(url, conversation)
    async with viewer(url, conversation) as v:
        await v.wait_for_conversation()
        await v.settle()
        http.delete(f"{url}/conversations/{conversation}/items/{before[8]}").raise_for_status()
        await v.pilot.press("G", "k")  # onto the deleted item (G's own prefetch of it fails quietly)
        await v.wait_for_words("Could not fetch the full item: 404 Not Found")
        await v.pilot.press("j")  # the list goes on working
        await v.wait_for_words("message number 9")
        app_ids = v.ids()
    result = finish_cli(start_cli(tmp_path, "items", conversation, "--base-url", url, "--jsonl"))
    after = truth(url, conversation)
    assert app_ids == before and result.ids == after == before[:8] + before[9:]
    row.saw = "app: the row stays (it was listed), its detail says \"Could not fetch the full item: 404 Not Found …\"; the rest works · CLI (after): the 9 remaining"
    row.expected, row.held = "9 (10 when listed)", held(len(result.ids), f"{len(app_ids)} (listed before the delete)")
