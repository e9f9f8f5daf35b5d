"""Bodies that are not what the API promises: too deep, not UTF-8, not JSON, cut, huge, hostile."""

from __future__ import annotations

import json
import re
import threading

from convoscope.paging.rows import Row
from tests.faults.conftest import finish_cli, send, send_json, start_cli, stdlib_server
from tests.faults.helpers import held, requests_made, set_faults, truth, viewer
from tests.tui_helpers import create_conversation, isolated_data_dir, message, wait_until  # noqa: F401

CONV = "conv_synth_150"


def _five_messages(url: str) -> tuple[str, list[str]]:
    conversation = create_conversation(url, [message(f"message number {n}") for n in range(5)])
    return conversation, truth(url, conversation)


async def _select(v, item_id: str) -> None:
    line = v.engine.line_of(item_id)
    assert line is not None
    while v.items.cursor < line:
        await v.pilot.press("j")
    await v.pilot.pause()


async def test_deeply_nested_json(fault_server, tmp_path, matrix):
    row = matrix("B01", "one item nested 5,000 arrays deep (in the list and in get-item)")
    url = fault_server()
    conversation, expected = _five_messages(url)
    deep = expected[2]
    set_faults(url, deep_json_item=deep)
    cli = start_cli(tmp_path, "items", conversation, "--base-url", url, "--jsonl")
    async with viewer(url, conversation) as v:
        await v.wait_for_conversation()
        await v.settle()
        assert v.ids() == expected
        await _select(v, deep)
        await v.wait_for_words("nested 5,000 levels deep")
        flagged = v.engine.line(v.engine.line_of(deep))
        assert isinstance(flagged, Row) and flagged.problem and "levels deep" in flagged.problem
    result = finish_cli(cli)
    assert result.returncode == 0 and result.ids == expected
    assert f"item {deep}: the server sent JSON nested 5,000 levels deep" in result.stderr
    line = json.loads(result.stdout.split("\n")[2])
    assert isinstance(line["nested"], list)  # readable, cut at depth 200 into its raw text
    row.saw = "CLI: \"warning: item …: the server sent JSON nested 5,000 levels deep; shown as raw text from level 200\" · app: the item flagged ⚠, its raw text readable (cut), the rest as usual"
    row.expected, row.held = "5", held(len(result.ids), len(v.last_ids))


async def test_invalid_utf8(fault_server, tmp_path, matrix):
    row = matrix("B02", "invalid UTF-8 inside one item")
    url = fault_server()
    conversation, expected = _five_messages(url)
    bad = expected[1]
    set_faults(url, invalid_utf8_item=bad)
    cli = start_cli(tmp_path, "items", conversation, "--base-url", url, "--jsonl")
    async with viewer(url, conversation) as v:
        await v.wait_for_conversation()
        await v.settle()
        assert v.ids() == expected
        await _select(v, bad)
        await v.wait_for_words("the server sent invalid UTF-8")
    result = finish_cli(cli)
    assert result.returncode == 0 and result.ids == expected
    assert f"item {bad}: the server sent invalid UTF-8" in result.stderr
    assert "\ufffd" in json.loads(result.stdout.split("\n")[1])["note"]
    row.saw = "CLI: \"warning: item …: the server sent invalid UTF-8 (bad bytes shown as �)\" · app: that item flagged ⚠ with the same words, the rest as usual"
    row.expected, row.held = "5", held(len(result.ids), len(v.last_ids))


async def test_html_200(fault_server, tmp_path, matrix):
    row = matrix("B03", "a 200 that is an HTML page (wrong base URL: nginx's welcome page)")
    url = fault_server(html_200=True)
    result = finish_cli(start_cli(tmp_path, "items", CONV, "--base-url", url, "--jsonl"))
    assert result.returncode == 1
    assert "the server answered with an HTML page, not JSON: is the base URL right? (title: Welcome to nginx!)" in result.stderr
    assert requests_made(url) == 1, "a page that will not change is not retried"
    async with viewer(url, CONV) as v:
        await v.wait_for_conversation()
        await v.settle()
        await v.wait_for_words("HTML page, not JSON: is the base URL right? (title: Welcome to nginx!)")
        assert not v.ids()
    row.saw = "both: \"the server answered with an HTML page, not JSON: is the base URL right? (title: Welcome to nginx!)\", at once (no retries)"
    row.expected, row.held = "— (not the API)", held(0, 0)


def _plain_text(request) -> None:
    send(request, 200, b"Service is up. Nothing to see here.\n", "text/plain")


async def test_plain_text_200(tmp_path, matrix):
    row = matrix("B04", "a 200 that is plain text")
    with stdlib_server(_plain_text) as url:
        result = finish_cli(start_cli(tmp_path, "items", CONV, "--base-url", url, "--jsonl"))
        async with viewer(url, CONV) as v:
            await v.wait_for_conversation()
            await v.settle()
            await v.wait_for_words("plain text, not JSON: is the base URL right?")
    assert result.returncode == 1 and "plain text, not JSON: is the base URL right?" in result.stderr
    assert "retrying" not in result.stderr
    row.saw = "both: \"the server answered with plain text, not JSON: is the base URL right? ('Service is up…')\", no retries"
    row.expected, row.held = "— (not the API)", held(0, 0)


async def test_truncated_bodies(fault_server, demo_url, tmp_path, matrix):
    row = matrix("B05", "every 2nd response body cut in half")
    expected = truth(demo_url, CONV)
    cli_url, app_url = fault_server(truncate_every=2), fault_server(truncate_every=2)
    cli = start_cli(tmp_path, "items", CONV, "--base-url", cli_url, "--jsonl")
    async with viewer(app_url, CONV) as v:
        await v.wait_for_conversation()
        await v.pilot.press("L")
        await wait_until(v.pilot, lambda: v.engine.complete, timeout=30, what="everything")
        await v.wait_for_words("150 items · all loaded")
        assert v.ids() == expected
    result = finish_cli(cli)
    assert result.returncode == 0 and result.ids == expected
    assert "malformed JSON body" in result.stderr and "retrying" in result.stderr
    retry_lines = [line for line in result.stderr.splitlines() if "retrying" in line]
    # Whole lines: the request id and the attempt count are never cut off.
    assert all(re.search(r"\(request req_[0-9a-f]{32}\), retrying in [0-9.]+ s \(attempt \d of 5\)$", line)
               for line in retry_lines), retry_lines
    row.saw = "CLI: \"the server sent a malformed JSON body (… bytes) (request req_…), retrying in … (attempt 2 of 5)\", each line whole · app: retried, \"150 items · all loaded\""
    row.expected, row.held = str(len(expected)), held(len(result.ids), len(v.last_ids))


def _paged_items(count: int, prefix: str = "msg") -> list[dict]:
    return [{"id": f"{prefix}_{n:04d}", "type": "message", "role": "user",
             "content": [{"type": "input_text", "text": f"item {n}"}]} for n in range(count)]


def serve_items(items: list[dict], conversation: str, *, mangle=None):
    """A stdlib handler paging `items` honestly (asc/desc, after, limit); `mangle` may break it."""
    from urllib.parse import parse_qs, urlsplit

    def handle(request) -> None:
        parts = urlsplit(request.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        if not parts.path.endswith("/items"):
            if "/items/" in parts.path:
                wanted = parts.path.rsplit("/", 1)[1]
                found = [i for i in items if i["id"] == wanted]
                return send_json(request, found[0]) if found else send_json(request, {"error": {"message": "No such item"}}, 404)
            return send_json(request, {"id": conversation, "object": "conversation", "created_at": 1, "metadata": {}})
        ordered = items if query.get("order", "desc") == "asc" else items[::-1]
        ids = [i["id"] for i in ordered]
        start = ids.index(query["after"]) + 1 if query.get("after") in ids else 0
        limit = int(query.get("limit", 20))
        page = ordered[start:start + limit]
        body = {"object": "list", "data": page, "first_id": page[0]["id"] if page else None,
                "last_id": page[-1]["id"] if page else None, "has_more": start + limit < len(ordered)}
        if mangle is not None and mangle(request, body):
            return
        send_json(request, body)

    return handle


async def test_connection_reset_mid_body(tmp_path, matrix):
    row = matrix("B06", "connection reset in the middle of every 2nd body")
    items = _paged_items(150)
    lock, count = threading.Lock(), [0]

    def reset_every_second(request, body) -> bool:
        with lock:
            count[0] += 1
            if count[0] % 2:
                return False
        raw = json.dumps(body).encode()
        request.send_response(200)
        request.send_header("content-type", "application/json")
        request.send_header("content-length", str(len(raw)))
        request.end_headers()
        request.wfile.write(raw[: len(raw) // 3])
        request.wfile.flush()
        request.close_connection = True
        request.connection.shutdown(2)
        return True

    with stdlib_server(serve_items(items, "conv_reset", mangle=reset_every_second)) as url:
        cli = start_cli(tmp_path, "items", "conv_reset", "--base-url", url, "--jsonl")
        result = finish_cli(cli)
        async with viewer(url, "conv_reset") as v:
            await v.wait_for_conversation()
            await v.pilot.press("L")
            await wait_until(v.pilot, lambda: v.engine.complete, timeout=30, what="everything")
            await v.wait_for_words("150 items · all loaded")
            app_ids = v.ids()
    expected = [i["id"] for i in items]
    assert result.returncode == 0 and result.ids == expected and app_ids == expected
    assert "retrying" in result.stderr
    row.saw = "CLI: a retry line per reset (\"connection failed … retrying in … (attempt 2 of 5)\") · app: retried, \"150 items · all loaded\""
    row.expected, row.held = "150", held(len(result.ids), len(app_ids))


async def test_a_10_mb_item_and_a_1_mb_line(tmp_path, matrix):
    row = matrix("B07", "a 10 MB item and a 1 MB single-line string among small items")
    items = _paged_items(4)
    items[1]["content"][0]["text"] = "ten megabytes " * 750_000
    items[2]["content"][0]["text"] = "x" * 1_000_000
    with stdlib_server(serve_items(items, "conv_huge")) as url:
        cli = start_cli(tmp_path, "items", "conv_huge", "--base-url", url, "--jsonl")
        async with viewer(url, "conv_huge") as v:
            await v.wait_for_conversation()
            await v.settle()
            await v.wait_for_words("4 items · all loaded")
            await v.pilot.press("j")
            await v.wait_for_words("ten megabytes ten megabytes")
            await v.pilot.press("j")
            await v.wait_for_words("xxxxxxxxxxxxxxxx")
            assert max(len(line) for line in v.drawn().splitlines()) <= 120
            app_ids = v.ids()
        result = finish_cli(cli)
    expected = [i["id"] for i in items]
    assert result.returncode == 0 and result.ids == expected and app_ids == expected
    assert len(result.stdout.split("\n")[1]) > 10_000_000
    row.saw = "CLI: every byte written, one line per item · app: both items shown, rows and the detail pane cut to the screen width"
    row.expected, row.held = "4", held(len(result.ids), len(app_ids))


HOSTILE = "\x1b[31mred\x1b[0m \x1b]0;pwned title\x07 \x1b]52;c;Y2xpcGJvYXJk\x07 \u202egnp.exe\u202c \x9b2J \x07bell [bold]markup[/bold]"


async def test_control_escape_osc_bidi_in_every_text_field(fault_server, tmp_path, matrix):
    row = matrix("B08", "control, escape, OSC and bidi characters (and [markup]) in every text field")
    url = fault_server()
    items = [
        message(HOSTILE),
        {"type": "function_call", "call_id": "call" + HOSTILE, "name": "fn" + HOSTILE, "arguments": HOSTILE},
        {"type": "function_call_output", "call_id": "call" + HOSTILE, "output": HOSTILE},
    ]
    conversation = create_conversation(url, items, metadata={"title": HOSTILE, "k" + HOSTILE[:8]: HOSTILE})
    expected = truth(url, conversation)
    jsonl = start_cli(tmp_path, "items", conversation, "--base-url", url, "--jsonl")
    readable = start_cli(tmp_path, "items", conversation, "--base-url", url)
    async with viewer(url, conversation) as v:
        await v.wait_for_conversation()
        await v.settle()
        await wait_until(v.pilot, lambda: v.engine.conversation is not None, timeout=10)
        await v.wait_for_words("gnp.exe")
        for _ in range(3):
            await v.pilot.press("j")
            await v.pilot.pause()
        drawn = v.drawn()
        assert not any(c in drawn for c in "\x1b\x07\x9b\u202e\u202c"), "nothing reaches the terminal raw"
        assert "[bold]markup[/bold]" in drawn, "markup is shown as text, never applied"
        assert v.app.title == "convoscope"
        app_ids = v.ids()
    out = finish_cli(jsonl)
    text = finish_cli(readable)
    for stream in (out.stdout, out.stderr, text.stdout, text.stderr):
        assert not any(c in stream for c in "\x1b\x07\x9b\u202e\u202c")
    assert out.ids == expected and app_ids == expected
    assert json.loads(out.stdout.split("\n")[0])["content"][0]["text"] == HOSTILE  # lossless, escaped
    row.saw = "no escape, OSC, C1 or bidi character drawn or written raw (app screen, CLI stdout/stderr); [markup] shown as text; --jsonl escapes them (lossless)"
    row.expected, row.held = "3", held(len(out.ids), len(app_ids))


async def test_ids_with_path_characters(tmp_path, matrix):
    row = matrix("B09", "ids with `? # ..` (conversation and items), `/` and spaces (items)")
    conversation = "..?c#d"
    items = _paged_items(3, prefix="msg ../x?y#z")
    paths: list[str] = []
    handler = serve_items(items, conversation)

    def recording(request) -> None:
        paths.append(request.path)
        handler(request)

    with stdlib_server(recording) as url:
        cli = start_cli(tmp_path, "items", conversation, "--base-url", url, "--jsonl")
        async with viewer(url, conversation) as v:
            await v.wait_for_conversation()
            await v.settle()
            await v.pilot.press("j")
            await v.wait_for_words("item 1")
            app_ids = v.ids()
        result = finish_cli(cli)
    encoded = "/v1/conversations/..%3Fc%23d"
    assert all(p.startswith(encoded) for p in paths if p.startswith("/v1/conversations/")), paths
    assert any(p.startswith(encoded + "/items/msg%20..%2Fx%3Fy%23z_0001") for p in paths)
    expected = [i["id"] for i in items]
    assert result.ids == expected and app_ids == expected
    row.saw = "nothing to notice: every id went out as one percent-encoded path segment (never another endpoint)"
    row.expected, row.held = "3", held(len(result.ids), len(app_ids))
