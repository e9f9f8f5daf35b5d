"""The network and the server misbehaving in time: latency, rate limits, 5xx, stalls, outages."""

from __future__ import annotations

import json
import threading

from convoscope.paging.engine import Edge, EdgeState
from tests.faults.conftest import cli_env, finish_cli, send, start_cli, stdlib_server
from tests.faults.helpers import client_for, held, truth, viewer
from tests.tui_helpers import isolated_data_dir, wait_until  # noqa: F401  (autouse fixture)

CONV = "conv_synth_150"


async def test_latency_2_s(fault_server, demo_url, tmp_path, matrix):
    row = matrix("N01", "every request takes 2 s")
    conversation = "conv_synth_30"
    expected = truth(demo_url, conversation)
    url = fault_server(latency_ms=2000)
    cli = start_cli(tmp_path, "items", conversation, "--base-url", url, "--jsonl")
    async with viewer(url, conversation) as v:
        await v.wait_for_conversation()
        assert v.engine.status[Edge.HEAD].busy
        await v.pilot.press("t")  # keys are answered while the first page is on its way
        await v.wait_for_words("filter: messages")
        assert v.engine.status[Edge.HEAD].busy
        await v.pilot.press("t", "t")
        await v.settle()
        await v.wait_for_words("30 items · all loaded")
        assert v.ids() == expected
    result = finish_cli(cli)
    assert result.returncode == 0 and result.ids == expected
    row.saw = "app: a spinner on the gap line, keys answered meanwhile (the filter changed at once); then \"30 items · all loaded\""
    row.expected, row.held = str(len(expected)), held(len(result.ids), len(v.last_ids))


async def test_429_retry_after_2(fault_server, demo_url, tmp_path, matrix):
    row = matrix("N02", "429 with Retry-After: 2 on every 2nd request")
    expected = truth(demo_url, CONV)
    cli_url, app_url = fault_server(rate_limit_every=2, retry_after_s=2), fault_server(rate_limit_every=2, retry_after_s=2)
    cli = start_cli(tmp_path, "items", CONV, "--base-url", cli_url, "--jsonl")
    async with viewer(app_url, CONV) as v:
        await v.wait_for_conversation()
        await v.wait_for_words("rate limited, retrying in 2.0 s (attempt 2 of 4)")
        await v.pilot.press("L")
        await wait_until(v.pilot, lambda: v.engine.complete, timeout=30, what="everything")
        await v.settle()
        await wait_until(v.pilot, lambda: "retrying" not in v.drawn(), timeout=15, what="the notice to go")
        assert v.ids() == expected
    result = finish_cli(cli)
    assert result.returncode == 0 and result.ids == expected
    assert "convoscope: rate limited, retrying in 2.0 s (attempt 2 of 5)" in result.stderr
    row.saw = "CLI: \"rate limited, retrying in 2.0 s (attempt 2 of 5)\" · app header: the same while waiting, gone once the retry succeeded"
    row.expected, row.held = str(len(expected)), held(len(result.ids), len(v.last_ids))


async def test_429_retry_after_200(fault_server, tmp_path, matrix):
    row = matrix("N03", "429 with Retry-After: 200 (beyond what we wait)")
    url = fault_server(rate_limit_every=1, retry_after_s=200)
    cli = start_cli(tmp_path, "items", CONV, "--base-url", url, "--jsonl")
    async with viewer(url, CONV) as v:
        await v.wait_for_conversation()
        await v.settle()
        await v.wait_for_words("the server asks to wait 200 s before retrying")
        await v.wait_for_words("try again after")
    result = finish_cli(cli)
    assert result.returncode == 1
    assert "429 Too Many Requests" in result.stderr
    assert "the server asks to wait 200 s before retrying (longer than convoscope waits on its own): try again after" in result.stderr
    row.saw = "both: \"429 Too Many Requests …: the server asks to wait 200 s before retrying …: try again after HH:MM:SS\", at once"
    row.expected, row.held = "— (server refuses)", held(0, 0)


async def test_5xx_at_30_percent(fault_server, demo_url, tmp_path, matrix):
    row = matrix("N04", "500/502/503 on 30% of requests")
    expected = truth(demo_url, CONV)
    rates = {"error_rates": {500: 0.1, 502: 0.1, 503: 0.1}, "seed": 7}
    cli_url, app_url = fault_server(**rates), fault_server(**rates)
    cli = start_cli(tmp_path, "items", CONV, "--base-url", cli_url, "--jsonl")
    async with viewer(app_url, CONV) as v:
        await v.wait_for_conversation()
        await v.pilot.press("L")
        await wait_until(v.pilot, lambda: v.engine.complete, timeout=30, what="everything")
        await v.settle()
        await v.wait_for_words("150 items · all loaded")
        assert v.ids() == expected
    result = finish_cli(cli)
    assert result.returncode == 0 and result.ids == expected
    row.saw = "a retry line per failed request (\"50x …, retrying in … (attempt 2 of 5)\"); everything arrives"
    row.expected, row.held = str(len(expected)), held(len(result.ids), len(v.last_ids))


async def test_5xx_at_100_percent(fault_server, tmp_path, matrix):
    row = matrix("N05", "500, 502 or 503 on every request")
    url = fault_server(error_rates={500: 0.34, 502: 0.33, 503: 0.33})
    cli = start_cli(tmp_path, "items", CONV, "--base-url", url, "--jsonl")
    async with viewer(url, CONV) as v:
        await v.wait_for_conversation()
        await wait_until(v.pilot, lambda: v.engine.status[Edge.HEAD].state is EdgeState.FAILED, timeout=30)
        await v.wait_for_words("press r to retry · 50")
        await v.wait_for_words("Loading from the start failed: 50")
    result = finish_cli(cli)
    assert result.returncode == 1 and "error: 50" in result.stderr
    assert result.stderr.count("retrying in") == 4
    row.saw = "CLI: 4 retry lines, then \"error: 50x …\", exit 1 · app: gap line \"press r to retry · 50x …\" and the whole message in a notification"
    row.expected, row.held = "— (server down)", held(0, 0)


async def test_a_retry_notice_lasts_while_it_is_true(fault_server, demo_url, tmp_path, matrix):
    row = matrix("N06", "503 once on a get-item after everything loaded (the retry succeeds)")
    from tests.faults.helpers import set_faults

    expected = truth(demo_url, "conv_synth_30")
    url = fault_server()
    async with viewer(url, "conv_synth_30") as v:
        await v.wait_for_conversation()
        await v.settle()
        await wait_until(v.pilot, lambda: v.engine.conversation is not None, timeout=15)
        await v.wait_for_words("30 items · all loaded")
        # The items next to the first are prefetched on opening; the last one is not.
        await wait_until(v.pilot, lambda: not v.screen.prefetcher.in_flight, timeout=15, what="the prefetch")
        set_faults(url, fail_next=[503])
        await v.pilot.press("G")  # its get-item fails once, then succeeds
        second = expected[-1]
        await wait_until(v.pilot, lambda: getattr(v.screen.shown_item, "id", None) == second, timeout=15,
                         what="the item, fetched after a retry")
        assert not v.engine.notice
        await wait_until(v.pilot, lambda: "retrying" not in v.drawn(), timeout=10, what="the notice to go")
        assert v.ids() == expected
    row.saw = "app header: \"503 Service Unavailable, retrying in … (attempt 2 of 4)\" while retrying, gone once the retry succeeded"
    row.expected, row.held = str(len(expected)), held("—", len(v.last_ids))


def _stalling_server(release: threading.Event, stall_s: float):
    """Pages 40 items; the first page request waits `stall_s` (or until `release`)."""
    from tests.faults.test_bodies import _paged_items, serve_items

    items = _paged_items(40)
    handler = serve_items(items, "conv_stall")
    first = threading.Lock()

    def handle(request) -> None:
        if "/items?" in request.path and first.acquire(blocking=False):
            release.wait(stall_s)
        handler(request)

    return handle, items


async def test_a_stalled_request(tmp_path, matrix):
    row = matrix("N07", "the first page stalls (no answer for a minute)")
    release = threading.Event()
    handle, items = _stalling_server(release, 60)
    cli_handle, _ = _stalling_server(threading.Event(), 2.5)
    env = cli_env(tmp_path, CONVOSCOPE_STALL_NOTE_S="1")
    try:
        with stdlib_server(handle) as url, stdlib_server(cli_handle) as cli_url:
            cli = start_cli(tmp_path, "items", "conv_stall", "--base-url", cli_url, "--jsonl", env=env)
            async with viewer(url, "conv_stall") as v:
                await v.wait_for_conversation()
                await v.wait_for_words("r starts it again)", timeout=20)
                assert "(waited " in v.drawn_words()
                await v.pilot.press("t")  # keys are answered while it stalls
                await v.wait_for_words("filter: messages")
                await v.pilot.press("t", "t")
                await v.pilot.press("r")  # abandon the stalled request, send it again
                await v.settle()
                await v.wait_for_words("40 items · all loaded")
                app_ids = v.ids()
            result = finish_cli(cli)
    finally:
        release.set()
    expected = [i["id"] for i in items]
    assert app_ids == expected and result.ids == expected and result.returncode == 0
    assert "still waiting for the server: no answer for 1 s" in result.stderr
    row.saw = "app: \"loading… (waited N s · r starts it again)\", keys answered, r resent it · CLI: \"still waiting for the server: no answer for 10 s\" (1 s in this test)"
    row.expected, row.held = str(len(expected)), held(len(result.ids), len(app_ids))


async def test_network_down_then_G_then_back(restartable, tmp_path, matrix):
    row = matrix("N08", "server stopped, G pressed, server restarted on the same port, r")
    conversation = "conv_synth_5000"
    server = restartable()
    expected = truth(server.url, conversation)
    # The outage is the fault here, not how often we knock: give up after two attempts.
    async with viewer(server.url, conversation, client=client_for(server.url, attempts=2)) as v:
        await v.wait_for_conversation()
        await v.settle()
        head = len(v.ids())
        server.stop()
        await v.pilot.press("G")
        await wait_until(v.pilot, lambda: v.engine.status[Edge.TAIL].state is EdgeState.FAILED, timeout=30)
        await v.wait_for_words("press r to retry · could not connect")
        server.start()
        calls_before = len(server.app.state.stats.list_calls)
        await v.pilot.press("r")
        await wait_until(v.pilot, lambda: v.engine.index.tail_count > 0, timeout=15, what="the end")
        await v.settle()
        ids = v.ids()
        calls = len(server.app.state.stats.list_calls) - calls_before
    assert calls <= 2, f"recovery loads what the view needs, not {calls} pages"
    tail = len(ids) - head
    assert tail <= 200 and ids == expected[:head] + expected[-tail:]
    row.saw = "app: \"press r to retry · could not connect to 127.0.0.1 …\"; after r only the end was loaded (a page or two), not the 5,000 items"
    row.expected, row.held = f"{len(expected)}", held("—", "the pages in view at both ends (≤ 400), in order")


async def test_a_failed_load_all_resumes_on_r(restartable, tmp_path, matrix):
    row = matrix("N09", "server stopped during L, restarted on the same port, r")
    conversation = "conv_synth_600"
    server = restartable()
    expected = truth(server.url, conversation)
    # The outage is the fault here, not how often we knock: give up after two attempts.
    async with viewer(server.url, conversation, client=client_for(server.url, attempts=2)) as v:
        await v.wait_for_conversation()
        await v.settle()
        server.stop()
        await v.pilot.press("L")
        await wait_until(v.pilot, lambda: all(s.state is EdgeState.FAILED for s in v.engine.status.values()), timeout=30)
        server.start()
        await v.pilot.press("r")
        await wait_until(v.pilot, lambda: v.engine.complete, timeout=30, what="everything")
        await v.wait_for_words("600 items · all loaded")
        assert v.ids() == expected
    row.saw = "app: \"press r to retry · could not connect …\" at both ends; r carried on with the load-all to \"600 items · all loaded\""
    row.expected, row.held = str(len(expected)), held("—", len(v.last_ids))


async def test_cli_across_a_restart(restartable, tmp_path, matrix):
    row = matrix("N10", "server down when the CLI starts, back on the same port a moment later")
    server = restartable()
    expected = truth(server.url, CONV)
    server.stop()
    cli = start_cli(tmp_path, "items", CONV, "--base-url", server.url, "--jsonl")
    first_line = cli.stderr.readline()  # the first retry: the server is down
    server.start()
    result = finish_cli(cli)
    stderr = first_line + result.stderr
    assert result.returncode == 0 and result.ids == expected
    assert "could not connect to 127.0.0.1" in first_line
    assert first_line.rstrip().endswith("(attempt 2 of 5)"), "the retry line is whole, never cut"
    row.saw = "CLI: \"could not connect to 127.0.0.1: … retrying in 0.5 s (attempt 2 of 5)\" (whole line), then every item"
    assert "Traceback" not in stderr
    row.expected, row.held = str(len(expected)), held(len(result.ids), "—")


def _long_400(request) -> None:
    message = "The request was refused because " + "of a very long explanation " * 20 + "END-OF-MESSAGE"
    send(request, 400, json.dumps({"error": {"message": message, "type": "invalid_request_error"}}).encode())


async def test_a_long_error_is_shown_whole(tmp_path, matrix):
    row = matrix("N11", "a 400 whose message is 600 characters long")
    with stdlib_server(_long_400) as url:
        cli = start_cli(tmp_path, "items", CONV, "--base-url", url, "--jsonl")
        async with viewer(url, CONV) as v:
            await v.wait_for_conversation()
            await v.settle()
            await v.wait_for_words("END-OF-MESSAGE")
            await v.wait_for_words("retrying will not help")
            assert "press r to retry" not in v.drawn()
        result = finish_cli(cli)
    assert result.returncode == 1 and "END-OF-MESSAGE" in result.stderr
    row.saw = "CLI: the whole message on stderr · app: the whole message in a notification (the gap line cuts it), \"retrying will not help: check the base URL and the profile\""
    row.expected, row.held = "— (refused)", held(0, 0)
