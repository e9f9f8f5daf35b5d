"""Our own files and the process: history and config that cannot be read or written, signals, pipes."""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import subprocess
import time
from pathlib import Path

import pytest

from convoscope.tui.screens.picker import PickerScreen
from tests.faults.conftest import PYTHON, CliResult, cli_env, run_cli, start_cli
from tests.faults.helpers import held, truth, viewer
from tests.tui_helpers import isolated_data_dir, type_text, wait_until  # noqa: F401  (autouse fixture)

CONV = "conv_synth_30"
GOOD_HISTORY = {"version": 1, "entries": []}


def _history(data_dir: Path) -> Path:
    data_dir.mkdir(parents=True, exist_ok=True)
    return data_dir / "history.json"


async def test_history_is_a_directory(demo_url, isolated_data_dir, matrix):
    row = matrix("F01", "history.json is a directory")
    history = _history(isolated_data_dir)
    history.mkdir()
    (history / "keep-me").write_text("precious")
    async with viewer(demo_url, CONV) as v:
        await v.wait_for_words("could not read the history file (it is a directory)")
        await v.wait_for_conversation()
        await v.settle()
        ids = v.ids()
    backups = list(isolated_data_dir.glob("history.json.unreadable-*"))
    assert len(backups) == 1 and (backups[0] / "keep-me").read_text() == "precious"
    assert ids == truth(demo_url, CONV)
    row.saw = "app: \"could not read the history file (it is a directory); kept it as history.json.unreadable-…, starting fresh\"; nothing lost"
    row.expected, row.held = "30", held("—", len(ids))


async def test_history_is_not_utf8(demo_url, isolated_data_dir, matrix):
    row = matrix("F02", "history.json is not UTF-8")
    history = _history(isolated_data_dir)
    history.write_bytes(b'{"version": 1, "entries": [{"title": "caf\xe9"}]}')
    async with viewer(demo_url, CONV) as v:
        await v.wait_for_words("could not read the history file (it is not UTF-8 text)")
        await v.wait_for_conversation()
        await v.settle()
        ids = v.ids()
    backups = list(isolated_data_dir.glob("history.json.unreadable-*"))
    assert len(backups) == 1 and backups[0].read_bytes().endswith(b'caf\xe9"}]}')
    assert ids == truth(demo_url, CONV)
    row.saw = "app: \"could not read the history file (it is not UTF-8 text); kept it as history.json.unreadable-…\"; the bytes kept"
    row.expected, row.held = "30", held("—", len(ids))


async def test_history_is_unreadable(demo_url, isolated_data_dir, matrix):
    row = matrix("F03", "history.json cannot be read (no permission; a symlink loop when running as root)")
    history = _history(isolated_data_dir)
    if os.geteuid() == 0:
        history.symlink_to(history.name)  # root reads anything: a loop is what it cannot read
    else:
        history.write_text(json.dumps(GOOD_HISTORY))
        history.chmod(0)
    try:
        async with viewer(demo_url, CONV) as v:
            await v.wait_for_words("could not read the history file")
            await v.wait_for_conversation()
            await v.settle()
            ids = v.ids()
    finally:
        for path in isolated_data_dir.glob("history.json*"):
            if not path.is_symlink():
                path.chmod(0o600)
    assert len(list(isolated_data_dir.glob("history.json.unreadable-*"))) == 1, "set aside, not overwritten"
    assert ids == truth(demo_url, CONV)
    row.saw = "app: \"could not read the history file (…); kept it as history.json.unreadable-…, starting fresh\"; never overwritten"
    row.expected, row.held = "30", held("—", len(ids))


async def test_data_dir_is_read_only(demo_url, tmp_path, monkeypatch, matrix):
    row = matrix("F04", "the data dir is read-only (history cannot be saved)")
    if os.geteuid() == 0:
        read_only = Path("/sys")  # sysfs refuses new files even to root
    else:
        read_only = tmp_path / "ro"
        read_only.mkdir()
        read_only.chmod(0o555)
    monkeypatch.setenv("CONVOSCOPE_DATA_DIR", str(read_only))
    async with viewer(demo_url, CONV) as v:
        await v.wait_for_conversation()
        await v.settle()
        await v.wait_for_words("could not save the history in")
        await v.wait_for_words("this session's history will not be kept")
        await v.pilot.press("j", "j")
        ids = v.ids()
    assert ids == truth(demo_url, CONV)
    row.saw = "app: \"could not save the history in … (Permission denied); this session's history will not be kept\"; the session goes on"
    row.expected, row.held = "30", held("—", len(ids))


def test_a_broken_config_file(demo_url, tmp_path, matrix):
    row = matrix("F05", "a broken config file (bad TOML, then a wrong value)")
    config = tmp_path / "cli-config"
    config.mkdir()
    (config / "config.toml").write_text('default_profile = "work"\n[profiles.work\nkind = "compatible"\n')
    items = run_cli(tmp_path, "items", CONV, "--jsonl")
    viewer_run = run_cli(tmp_path, CONV)
    (config / "config.toml").write_text('[profiles.work]\nkind = "llama"\nbase_url = "http://x/v1"\n')
    wrong = run_cli(tmp_path, "items", CONV, "--profile", "work")
    for result in (items, viewer_run, wrong):
        assert result.returncode == 1 and result.stderr.startswith("convoscope: error: ")
        assert "config.toml" in result.stderr and result.stdout == ""
    assert "config.toml:2" in items.stderr
    assert "kind" in wrong.stderr and "expected" in wrong.stderr
    row.saw = "CLI and viewer: \"error: …/config.toml:2: …\" naming the line and what was expected; exit 1, no traceback"
    row.expected, row.held = "— (setup)", held(0, "— (not started)")


# --- signals on the viewer: the terminal must be restored ---------------------------------------------


def _run_viewer_in_a_pty(tmp_path: Path, signum: int) -> bytes:
    pid, fd = pty.fork()
    if pid == 0:  # the child: the real viewer on the bundled demo, in a terminal
        env = cli_env(tmp_path, TERM="xterm-256color", COLUMNS="100", LINES="30")
        os.execve(PYTHON, [PYTHON, "-m", "convoscope", "--demo", CONV], env)
    output = b""
    deadline = time.monotonic() + 30
    try:
        while b"items" not in output and time.monotonic() < deadline:  # the header is drawn
            output += _read(fd, 0.5)
        assert b"items" in output, output[-500:]
        os.kill(pid, signum)
        while time.monotonic() < deadline:
            chunk = _read(fd, 0.5)
            if chunk is None:
                break
            output += chunk
        _, status = os.waitpid(pid, 0)
    finally:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.close(fd)
    assert os.WIFEXITED(status), f"killed by signal {os.WTERMSIG(status)}: the terminal was left as the app set it"
    return output


def _read(fd: int, timeout: float) -> bytes | None:
    ready, _, _ = select.select([fd], [], [], timeout)
    if not ready:
        return b""
    try:
        data = os.read(fd, 65536)
    except OSError:
        return None
    return data or None


@pytest.mark.parametrize(("case", "signum"), [("S01", signal.SIGTERM), ("S02", signal.SIGHUP)])
def test_a_signal_restores_the_terminal(case, signum, tmp_path, matrix):
    name = signal.Signals(signum).name
    row = matrix(case, f"{name} sent to the running viewer")
    output = _run_viewer_in_a_pty(tmp_path, signum)
    tail = output[output.rfind(b"items"):]
    assert b"\x1b[?1049l" in tail, "back to the main screen"
    assert b"\x1b[?25h" in tail, "cursor shown"
    assert b"\x1b[?1000l" in tail, "mouse tracking off"
    assert b"Traceback" not in output
    row.saw = "the viewer exits cleanly: main screen back, cursor shown, mouse tracking off, no traceback"
    row.expected, row.held = "—", held("—", "—")


# --- the command line as a process ---------------------------------------------------------------------


def test_ctrl_c_on_the_cli(fault_server, tmp_path, matrix):
    row = matrix("S03", "Ctrl-C (SIGINT) in the middle of `items --jsonl`")
    url = fault_server(latency_ms=300)
    cli = start_cli(tmp_path, "items", "conv_synth_2000", "--base-url", url, "--jsonl")
    first = cli.stdout.readline()
    cli.send_signal(signal.SIGINT)
    # Read on through the same reader: communicate() would skip what readline() buffered.
    stdout, stderr = cli.stdout.read(), cli.stderr.read()
    result = CliResult(cli.wait(timeout=30), stdout, stderr)
    lines = [first, *result.stdout.split("\n")]
    assert result.returncode == 130
    assert all(json.loads(line)["id"] for line in lines if line.strip()), "only whole lines"
    assert "Traceback" not in result.stderr and "KeyboardInterrupt" not in result.stderr
    row.saw = "CLI: stops at once, only whole JSON lines written, exit 130, no traceback"
    row.expected, row.held = "2000", held("the lines before the stop, all whole", "—")


def test_sigterm_on_the_cli(fault_server, tmp_path, matrix):
    row = matrix("S04", "SIGTERM in the middle of `items --jsonl`")
    url = fault_server(latency_ms=300)
    cli = start_cli(tmp_path, "items", "conv_synth_2000", "--base-url", url, "--jsonl")
    first = cli.stdout.readline()
    cli.send_signal(signal.SIGTERM)
    stdout, stderr = cli.stdout.read(), cli.stderr.read()  # not communicate(): see S03
    cli.wait(timeout=30)
    lines = [first, *stdout.split("\n")]
    assert cli.returncode == 128 + signal.SIGTERM
    assert all(json.loads(line)["id"] for line in lines if line.strip())
    assert "Traceback" not in stderr
    row.saw = "CLI: ends at once, only whole JSON lines written (the last one too), exit 143, no traceback"
    row.expected, row.held = "2000", held("the lines before the stop, all whole", "—")


def test_a_closed_pipe(demo_url, tmp_path, matrix):
    row = matrix("S05", "`items --jsonl | head -n 3` (the reader goes away)")
    result = subprocess.run(
        f"{PYTHON} -m convoscope items conv_synth_2000 --base-url {demo_url} --jsonl | head -n 3",
        shell=True, capture_output=True, text=True, timeout=60, env=cli_env(tmp_path), cwd=tmp_path,
    )
    assert result.stdout.count("\n") == 3  # three whole lines (JSON text may hold U+2028: no splitlines)
    assert "Traceback" not in result.stderr and "BrokenPipe" not in result.stderr and result.stderr == ""
    row.saw = "3 lines, nothing on stderr, no traceback"
    row.expected, row.held = "3 (asked for)", held(3, "—")


async def test_dot_ids_are_refused(demo_url, tmp_path, matrix):
    row = matrix("S06", "conversation ids `.` and `..` (typed in the picker, on the command line)")
    cli = run_cli(tmp_path, "items", "..", "--base-url", demo_url, "--jsonl")
    assert cli.returncode == 1 and "error: not a valid id: '..'" in cli.stderr
    async with viewer(demo_url, "..") as v:
        await v.wait_for_words("not a valid id: '..'")
        assert isinstance(v.app.screen, PickerScreen)
        await type_text(v.pilot, ".")
        await v.pilot.press("enter")
        await v.wait_for_words("not a valid id: '.'")
        assert isinstance(v.app.screen, PickerScreen), "still running, still on the picker"
    row.saw = "both: \"not a valid id: '..'\" (and '.'); the app stays on the picker"
    row.expected, row.held = "—", held(0, 0)
