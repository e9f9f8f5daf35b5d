"""A real terminal answers questions: the app must not read those answers as keys.

textual-image asks the terminal whether it has Sixel (`ESC [ c`) when it is imported. Once it
was imported lazily, after Textual had taken the terminal; the answer (`ESC [ ? 62 ; 4 c`)
then reached the app as keys, and its `?` opened the help screen over a conversation opened
from the command line (and the first frame waited for the question). This terminal answers the
way xterm and tmux do.
"""

from __future__ import annotations

import os
import sys

from tests.test_pager import Terminal

DEVICE_ATTRIBUTES_QUERY = b"\x1b[c"
DEVICE_ATTRIBUTES_ANSWER = "\x1b[?62;4c"  # a VT220 with Sixel graphics


def test_answers_to_terminal_queries_are_not_read_as_keys(tmp_path):
    env = {
        **os.environ,
        "TERM": "xterm-256color",
        "CONVOSCOPE_DATA_DIR": str(tmp_path / "data"),
        "CONVOSCOPE_CONFIG_DIR": str(tmp_path / "config"),
    }
    env.pop("TMUX", None)
    terminal = Terminal([sys.executable, "-m", "convoscope", "--demo", "conv_synth_5"], env)
    answered = 0

    def answering(out: bytes, until: bytes) -> bool:
        nonlocal answered
        while out.count(DEVICE_ATTRIBUTES_QUERY) > answered:
            terminal.send(DEVICE_ATTRIBUTES_ANSWER)
            answered += 1
        return until in out

    try:
        terminal.read_until(lambda out: answering(out, b"all loaded"), "the conversation")
        start = len(terminal.output)
        terminal.send("e")
        terminal.read_until(lambda out: answering(out[start:], b"Export the conversation"), "the export dialog")
        assert "Keys  (escape closes" not in terminal.plain(), "a terminal's answer was read as `?`"
    finally:
        terminal.close()
