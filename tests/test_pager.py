"""`o` in a real terminal: the app hands the terminal to $PAGER and takes it back.

Run under a pseudo-terminal, as a user runs it: with `PAGER=cat` the JSON must be seen (the app
waits for Enter before it redraws over it) and end with a newline.
"""

from __future__ import annotations

import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import fcntl
import time

import pytest

CONVERSATION = "conv_synth_5"
TIMEOUT_S = 60.0  # generous: a busy machine starts Python slowly
ANSI = re.compile(rb"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>]|\x1b\][^\x07]*\x07")

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")


class Terminal:
    """A child process on a pseudo-terminal of 120x30; collects everything it writes."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 120, 0, 0))
        self.process = subprocess.Popen(
            argv, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True, close_fds=True
        )
        os.close(slave)
        self.output = b""

    def read_until(self, predicate, what: str) -> bytes:
        """Read until `predicate(everything so far)` holds; fail after TIMEOUT_S."""
        deadline = time.monotonic() + TIMEOUT_S
        while not predicate(self.output):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"timed out waiting for {what}; got:\n{self.plain()[-3000:]}")
            ready, _, _ = select.select([self.master], [], [], min(remaining, 0.5))
            if ready:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:
                    chunk = b""
                if not chunk:
                    if self.process.poll() is not None and not predicate(self.output):
                        raise AssertionError(f"the app exited waiting for {what}:\n{self.plain()[-3000:]}")
                    continue
                self.output += chunk
        return self.output

    def send(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def plain(self, data: bytes | None = None) -> str:
        return ANSI.sub(b"", self.output if data is None else data).decode("utf-8", "replace")

    def close(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        os.close(self.master)


def test_o_with_pager_cat_shows_the_json_until_enter_and_it_ends_with_a_newline(tmp_path):
    env = {
        **os.environ,
        "PAGER": "cat",
        "TERM": "xterm-256color",
        "CONVOSCOPE_DATA_DIR": str(tmp_path / "data"),
        "CONVOSCOPE_CONFIG_DIR": str(tmp_path / "config"),
    }
    terminal = Terminal([sys.executable, "-m", "convoscope", "--demo", CONVERSATION], env)
    try:
        terminal.read_until(lambda out: b"all loaded" in out, "the conversation")
        # `o` pages the fetched item: wait until the pane shows it, not its one-line summary
        # ("Nothing fetched to show yet" is the right answer before that, on a busy machine).
        terminal.read_until(lambda out: "Text ─" in terminal.plain(out), "the first item fetched and drawn")
        start = len(terminal.output)
        terminal.send("o")
        after_o = lambda: terminal.output[start:]  # noqa: E731
        terminal.read_until(lambda out: b"press Enter" in out[start:], "the pager's output and the prompt")
        shown = terminal.plain(after_o())
        body = shown[: shown.index("── end of")]
        assert '"id": ' in body and '"type": ' in body, shown  # indented JSON, one field a line
        assert b"\x1b[?1049h" not in after_o()  # the app has not drawn over it
        # The JSON's own final newline, then the blank line the prompt starts with.
        assert body.endswith("}\r\n\r\n"), repr(body[-40:])
        # The app waits: nothing is drawn over the JSON until Enter.
        time_to_look = len(terminal.output)
        terminal.send("\r")
        terminal.read_until(lambda out: b"\x1b[?1049h" in out[time_to_look:], "the app to take the screen back")
        terminal.read_until(lambda out: b"all loaded" in out[time_to_look:], "the app redrawn")
        terminal.send("q")
        assert terminal.process.wait(TIMEOUT_S) == 0
    finally:
        terminal.close()
