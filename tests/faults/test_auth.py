"""Refusals: 401, 403, a 401 that echoes the key, a conversation that does not exist."""

from __future__ import annotations

import json

from convoscope.tui.screens.login import LoginScreen
from tests.conftest import FAKE_KEY
from tests.faults.conftest import finish_cli, send, start_cli, stdlib_server
from tests.faults.helpers import held, viewer
from tests.tui_helpers import isolated_data_dir, wait_until  # noqa: F401  (autouse fixture)

CONV = "conv_synth_30"


def _refusing(status: int, echo_key: bool = False):
    def handle(request) -> None:
        message = "You do not have access to this project." if status == 403 else "Incorrect API key provided."
        if echo_key:
            message = f"Incorrect API key provided: {request.headers.get('authorization', '')}."
        body = {"error": {"message": message, "type": "invalid_request_error", "code": "invalid_api_key"}}
        send(request, status, json.dumps(body).encode())

    return handle


async def test_401_and_escape_on_the_key_prompt(tmp_path, matrix, monkeypatch):
    row = matrix("A01", "401 for a key set in OPENAI_API_KEY; Escape on the key prompt")
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)
    with stdlib_server(_refusing(401)) as url:
        cli = start_cli(tmp_path, "items", CONV, "--base-url", url, "--jsonl")
        async with viewer(url, CONV) as v:
            await wait_until(v.pilot, lambda: isinstance(v.app.screen, LoginScreen), timeout=15, what="the key prompt")
            await v.wait_for_words("The server rejected the key: 401 Unauthorized")
            await v.pilot.press("escape")
            await v.wait_for_words("The server rejected the key from $OPENAI_API_KEY")
            assert "No key:" not in v.drawn_words()
        result = finish_cli(cli)
    assert result.returncode == 1 and "401 Unauthorized" in result.stderr
    row.saw = "app: key prompt \"The server rejected the key: 401 …\"; after Escape \"The server rejected the key from $OPENAI_API_KEY: requests will fail until it is replaced\" · CLI: \"error: 401 Unauthorized …\", exit 1"
    row.expected, row.held = "— (refused)", held(0, 0)


async def test_403(tmp_path, matrix):
    row = matrix("A02", "403 Forbidden")
    with stdlib_server(_refusing(403)) as url:
        cli = start_cli(tmp_path, "items", CONV, "--base-url", url, "--jsonl")
        async with viewer(url, CONV) as v:
            await v.wait_for_conversation()
            await v.settle()
            await v.wait_for_words("this key may not read it: check the profile, the project and the key's permissions")
            assert "press r to retry" not in v.drawn()
        result = finish_cli(cli)
    assert result.returncode == 1 and "403 Forbidden: You do not have access to this project." in result.stderr
    assert "retrying" not in result.stderr
    row.saw = "CLI: \"error: 403 Forbidden: You do not have access to this project.\" · app: \"this key may not read it: check the profile, the project and the key's permissions\" (no \"press r\")"
    row.expected, row.held = "— (refused)", held(0, 0)


async def test_a_401_that_echoes_the_key(tmp_path, matrix):
    row = matrix("A03", "a 401 whose body echoes the key back")
    with stdlib_server(_refusing(401, echo_key=True)) as url:
        cli = start_cli(tmp_path, "items", CONV, "--base-url", url, "--jsonl")
        async with viewer(url, CONV) as v:
            await wait_until(v.pilot, lambda: isinstance(v.app.screen, LoginScreen), timeout=15, what="the key prompt")
            await v.wait_for_words("Incorrect API key provided: Bearer ****")
            assert FAKE_KEY not in v.drawn() and FAKE_KEY[:12] not in v.drawn()
            await v.pilot.press("escape")
        result = finish_cli(cli)
    assert result.returncode == 1
    assert FAKE_KEY not in result.stderr + result.stdout and "Bearer ****" in result.stderr
    row.saw = "both: \"401 Unauthorized: Incorrect API key provided: Bearer ****.\" (the key never shown)"
    row.expected, row.held = "— (refused)", held(0, 0)


async def test_404_conversation(demo_url, tmp_path, matrix):
    row = matrix("A04", "a conversation id the server does not have (404)")
    cli = start_cli(tmp_path, "items", "conv_nope", "--base-url", demo_url, "--jsonl")
    async with viewer(demo_url, "conv_nope") as v:
        await v.wait_for_conversation()
        await v.settle()
        await v.wait_for_words("not found; retrying will not help: check the conversation id, the profile (--profile) and the base URL")
        assert "press r to retry" not in v.drawn_words()
    result = finish_cli(cli)
    assert result.returncode == 1 and "404 Not Found" in result.stderr
    row.saw = "CLI: \"error: 404 Not Found: …\", exit 1 · app: \"not found; retrying will not help: check the conversation id, the profile (--profile) and the base URL\" (no \"press r\")"
    row.expected, row.held = "0", held(0, 0)
