"""The command line as a user runs it: a real process against a real server on loopback."""

import json
import subprocess
import sys

import pytest

PYTHON = sys.executable


def run_cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, "-m", "convoscope", *args], capture_output=True, text=True, timeout=timeout
    )


def test_items_jsonl_writes_every_item_in_order(demo_url):
    result = run_cli("items", "conv_synth_2500", "--base-url", demo_url, "--jsonl")
    assert result.returncode == 0, result.stderr
    items = [json.loads(line) for line in result.stdout.splitlines()]
    ids = [item["id"] for item in items]
    assert len(ids) == len(set(ids)) == 2500
    assert result.stderr == ""


def test_items_desc_is_the_reverse(demo_url):
    asc = run_cli("items", "conv_synth_300", "--base-url", demo_url, "--jsonl").stdout.splitlines()
    desc = run_cli("items", "conv_synth_300", "--base-url", demo_url, "--jsonl", "--order", "desc").stdout.splitlines()
    assert desc == list(reversed(asc))


def test_items_type_filter(demo_url):
    result = run_cli("items", "conv_synth_600", "--base-url", demo_url, "--jsonl",
                     "--type", "function_call,function_call_output")
    types = {json.loads(line)["type"] for line in result.stdout.splitlines()}
    assert types == {"function_call", "function_call_output"}


def test_items_readable_lines_are_terminal_safe_and_demo_works_in_process():
    listing = run_cli("items", "conv_synth_40", "--demo")
    assert listing.returncode == 0, listing.stderr
    lines = listing.stdout.splitlines()
    assert len(lines) == 40
    assert all("\x1b" not in line for line in lines)


def test_include_values_are_checked(demo_url):
    result = run_cli("items", "conv_synth_10", "--base-url", demo_url, "--include", "everything")
    assert result.returncode == 2
    assert "unknown --include value 'everything'" in result.stderr


def test_unknown_conversation_is_one_line_on_stderr(demo_url):
    result = run_cli("items", "conv_nope", "--base-url", demo_url, "--jsonl")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith("convoscope: error: 404 Not Found")
    assert "Traceback" not in result.stderr


def test_closed_pipe_is_not_a_traceback(demo_url):
    result = subprocess.run(
        f"{PYTHON} -m convoscope items conv_synth_20000 --base-url {demo_url} --jsonl | head -n 3",
        shell=True, capture_output=True, text=True, timeout=120,
    )
    assert len(result.stdout.splitlines()) == 3
    assert "Traceback" not in result.stderr and "BrokenPipe" not in result.stderr


def test_broken_cursor_server_is_reported_once(fault_server):
    url = fault_server(repeat_first_page=True)
    result = run_cli("items", "conv_synth_500", "--base-url", url, "--jsonl")
    assert result.returncode == 3  # it still says "more": the output may be incomplete
    assert len(result.stdout.splitlines()) == 500
    assert result.stderr.count("ignores the paging cursor") == 1


def test_retries_are_reported_on_stderr(fault_server):
    url = fault_server(fail_next=[429], retry_after_s=0.1)
    result = run_cli("items", "conv_synth_30", "--base-url", url, "--jsonl")
    assert result.returncode == 0
    assert "rate limited, retrying in 0.1 s" in result.stderr
    assert len(result.stdout.splitlines()) == 30


@pytest.mark.parametrize("flag", ["--help", "--version"])
def test_help_and_version(flag):
    result = run_cli(flag)
    assert result.returncode == 0
    assert "convoscope" in result.stdout


def test_jsonl_escapes_what_a_terminal_would_act_on_or_cannot_encode(fault_server):
    import httpx

    url = fault_server()
    text = "bidi \u202e gnp.exe, lone \ud800 surrogate, \x9b C1, \u2066 isolate"
    body = json.dumps({"items": [{"type": "message", "role": "user",
                                  "content": [{"type": "input_text", "text": text}]}]})
    conversation = httpx.post(f"{url}/conversations", content=body,
                              headers={"content-type": "application/json"}).json()
    result = run_cli("items", conversation["id"], "--base-url", url, "--jsonl")
    assert result.returncode == 0, result.stderr
    line = result.stdout.strip()
    assert not any(c in line for c in "\u202e\x9b\u2066")
    assert json.loads(line)["content"][0]["text"] == text  # lossless
