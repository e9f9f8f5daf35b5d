"""The command line's arguments (issue 8 §3): global options anywhere, one conversation parser,
base URLs checked at once, item types checked, `auth status` without a key, `q` documented.

Real processes (the `cli` fixture: isolated config, data and keyring) against the demo server on
loopback, or `--demo` in-process.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from convoscope.api.locators import conversation_id_in
from convoscope.cli import viewer
from tests.test_auth_cli import Cli, local_profile

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    runner = Cli(tmp_path)
    yield runner
    assert "Traceback" not in "\n".join(runner.outputs)


def item_ids(result: subprocess.CompletedProcess) -> list[str]:
    assert result.returncode == 0, result.stderr
    return [json.loads(line)["id"] for line in result.stdout.splitlines()]


# --- global options before or after the command ---------------------------------------------------


def test_global_options_go_before_the_command(cli, demo_url):
    assert len(item_ids(cli("--demo", "items", "conv_synth_10", "--jsonl"))) == 10
    cli.write_config(local_profile(demo_url, "work") + 'auth = "none"\n')
    assert len(item_ids(cli("--profile", "work", "items", "conv_synth_4", "--jsonl"))) == 4
    assert len(item_ids(cli("--profile=work", "items", "conv_synth_4", "--jsonl"))) == 4
    assert len(item_ids(cli("--base-url", demo_url, "items", "conv_synth_3", "--jsonl"))) == 3
    status = cli("--profile", "work", "auth", "status")
    assert status.returncode == 0, status.stderr
    assert "profile: work" in status.stdout


def test_global_options_after_the_command_still_work(cli):
    assert len(item_ids(cli("items", "conv_synth_6", "--jsonl", "--demo"))) == 6


def test_an_option_a_command_does_not_take_says_so(cli):
    result = cli("--demo", "locate")
    assert result.returncode == 2
    assert "unrecognized arguments: --demo" in result.stderr


# --- one conversation parser -----------------------------------------------------------------------


URLS = [
    "conv_synth_7",
    "  conv_synth_7 ",
    "http://127.0.0.1:8765/v1/conversations/conv_synth_7",
    "http://127.0.0.1:8765/v1/conversations/conv_synth_7/items?limit=5",
    "https://platform.openai.com/logs/conv_synth_7",
    "https://ai.azure.com/projects/p/conversations/conv_synth_7?wsid=/subscriptions/x",
]


@pytest.mark.parametrize("text", URLS)
def test_items_takes_the_same_ids_and_urls_as_the_picker(cli, text):
    assert conversation_id_in(text) == "conv_synth_7"
    assert len(item_ids(cli("items", text, "--demo", "--jsonl"))) == 7


@pytest.mark.parametrize("text", URLS)
def test_the_viewer_takes_the_same_ids_and_urls(text):
    assert viewer.build_parser().parse_args([text]).conversation_id == "conv_synth_7"


def test_the_picker_uses_the_shared_parser():
    from convoscope.tui.screens import picker

    assert picker.conversation_id_in is conversation_id_in


def test_a_url_without_a_conversation_is_refused_at_once(cli):
    result = cli("items", "https://example.com/", "--demo")
    assert result.returncode == 2
    assert "no conversation id" in result.stderr


# --- base URLs -------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["notaurl", "ftp://example.com/v1", "http://", "http://host:port/v1"])
@pytest.mark.parametrize("command", [["items", "conv_1"], [], ["auth", "status"]])
def test_a_base_url_that_is_not_one_is_refused_at_once(cli, bad, command):
    result = cli(*command, "--base-url", bad)
    assert result.returncode == 2, result.stderr
    assert "is not a base URL" in result.stderr
    assert "https://api.openai.com/v1" in result.stderr  # what one looks like
    assert "retry" not in result.stderr


def test_a_base_url_from_the_environment_is_checked_too(cli):
    result = cli("items", "conv_1", OPENAI_BASE_URL="localhost:8000/v1", OPENAI_API_KEY="x")
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert "$OPENAI_BASE_URL" in result.stderr and "is not a base URL" in result.stderr


# --- item types ------------------------------------------------------------------------------------


def test_an_unknown_type_is_refused_with_did_you_mean(cli):
    result = cli("items", "conv_synth_10", "--demo", "--type", "funtion_call")
    assert result.returncode == 2
    assert result.stdout == ""
    assert "unknown item type 'funtion_call'" in result.stderr
    assert "did you mean function_call?" in result.stderr


def test_an_unknown_type_on_a_server_with_its_own_types_is_a_warning(cli, demo_url):
    cli.write_config(local_profile(demo_url) + 'auth = "none"\n')
    result = cli("items", "conv_synth_40", "--profile", "local", "--type", "function_call,my_own_call", "--jsonl")
    assert result.returncode == 0, result.stderr
    assert "warning: 'my_own_call' is not an item type convoscope knows" in result.stderr
    assert {json.loads(line)["type"] for line in result.stdout.splitlines()} == {"function_call"}


# --- auth status without a key ---------------------------------------------------------------------


def test_auth_status_on_a_profile_without_a_key(cli, demo_url):
    cli.write_config(local_profile(demo_url) + 'auth = "none"\n')
    result = cli("auth", "status", "--profile", "local")
    assert result.returncode == 0, result.stderr
    assert "key:     none used (auth = \"none\")" in result.stdout
    assert "check:   ok, the server answered" in result.stdout
    assert "accepted the key" not in result.stdout


def test_auth_status_without_a_key_says_when_the_server_does_not_answer(cli):
    cli.write_config(local_profile("http://127.0.0.1:9/v1") + 'auth = "none"\n')
    result = cli("auth", "status", "--profile", "local")
    assert result.returncode == 1
    assert "the server did not answer" in result.stderr
    assert "key" not in result.stderr.split("did not answer")[1]


# --- q ---------------------------------------------------------------------------------------------


def test_the_readme_documents_q():
    readme = (ROOT / "README.md").read_text()
    keys = readme.split("### The viewer", 1)[1].split("\n### ", 1)[0]
    assert "| `q` |" in keys or "`q`" in keys.split("| Key | Action |", 1)[1]


# --- commands that draw nothing never import Textual (issue 13) ------------------------------------

NO_TEXTUAL = """
import sys
from convoscope.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as exit:
    code = exit.code
assert not [m for m in sys.modules if m == "textual" or m.startswith("textual.")], "textual imported"
print("exit", code, file=sys.stderr)
"""


@pytest.mark.parametrize(
    "args",
    [["--version"], ["--help"], ["locate"], ["profiles"], ["items", "conv_synth_3", "--demo"],
     ["--demo", "items", "--help"], ["auth", "status", "--profile", "nope"]],
)
def test_commands_that_draw_nothing_do_not_import_textual(cli, args):
    result = subprocess.run([sys.executable, "-c", NO_TEXTUAL, *args], capture_output=True, text=True,
                            timeout=60, cwd=ROOT, env=cli.env)
    assert "textual imported" not in result.stderr
    assert result.stderr.rstrip().splitlines()[-1] in ("exit 0", "exit 1"), result.stderr


# --- the viewer's start loads what the first screen needs, no more (issue 13) ------------------------

FIRST_SCREEN_ONLY = """
import sys
import textual.app

def stop_before_running(self, *args, **kwargs):
    print("loaded:", *sorted(set(sys.modules)), file=sys.stderr)

textual.app.App.run = stop_before_running
from convoscope.cli import main
main(sys.argv[1:])
"""
NOT_AT_START = {
    "convoscope.api.models.registry": "every item model (the picker lists conversations)",
    "convoscope.tui.screens.conversation": "the conversation screen",
    "textual_image.renderable": "textual-image (its package asks the terminal about graphics)",
    "PIL.Image": "Pillow",
    "pygments": "Pygments (code blocks in the detail pane)",
    "click": "httpx's command-line tool",
    "uvicorn": "the demo server's runner (--demo serves in-process)",
    "keyring": "the keyring (the demo needs no key)",
}


def test_the_viewer_starts_without_what_its_first_screen_does_not_need(cli):
    result = subprocess.run([sys.executable, "-c", FIRST_SCREEN_ONLY, "--demo"], capture_output=True,
                            text=True, timeout=60, cwd=ROOT, env=cli.env)
    loaded = set(result.stderr.split("loaded:", 1)[1].split())
    assert "convoscope.tui.app" in loaded, result.stderr
    early = {what for module, what in NOT_AT_START.items() if module in loaded}
    assert not early, f"loaded before the first frame: {early}"
