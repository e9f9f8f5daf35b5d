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


IMAGE_CONVERSATION = "conv_68fdbad412fc0672365d236925d5bc4dda10fcda675a9efb"  # image-and-code
TERMINAL_QUESTIONS = {
    b"\x1b[c": "device attributes (textual-image's Sixel probe)",
    b"\x1b_G": "a Kitty graphics query",
    b"\x1b[16t": "the cell size in pixels",
}


def test_starting_and_drawing_a_picture_ask_the_terminal_nothing(tmp_path):
    """Each question costs a start 0.1 s in a terminal that does not answer, and once Textual
    reads the terminal an answer arrives as keys: the renderer is chosen from the environment
    and the cell size comes from the kernel, so no question is ever written."""
    env = {
        **os.environ,
        "TERM": "xterm-256color",
        "CONVOSCOPE_DATA_DIR": str(tmp_path / "data"),
        "CONVOSCOPE_CONFIG_DIR": str(tmp_path / "config"),
    }
    env.pop("TMUX", None)
    terminal = Terminal([sys.executable, "-m", "convoscope", "--demo", IMAGE_CONVERSATION], env)
    try:
        terminal.read_until(lambda out: b"all loaded" in out, "the conversation")
        start = len(terminal.output)
        terminal.send("jj")  # the first image_generation_call, whose picture is drawn in half-blocks
        terminal.read_until(lambda out: out[start:].count("▀".encode()) > 200, "the picture drawn")
        asked = [what for question, what in TERMINAL_QUESTIONS.items() if question in terminal.output]
        assert not asked, f"the app asked the terminal for {asked}"
    finally:
        terminal.close()
