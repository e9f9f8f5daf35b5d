"""Which of textual-image's renderers draws pictures in this terminal.

The detail pane and the reading view draw lines (the Line API), so a renderer must turn a
picture into cells: Kitty's graphics protocol does (the image is sent once, the cells are
placeholders that show it), and so do Unicode half-blocks, which work everywhere, tmux
included. Sixel paints over the screen outside the cell grid and cannot live in a line, so a
Sixel terminal gets half-blocks here.

`CONVOSCOPE_IMAGES=halfcell|kitty|unicode` overrides the choice; anything not a terminal (tests,
pipes) gets half-blocks.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
from collections.abc import Mapping
from typing import Any

log = logging.getLogger(__name__)

RENDERER_CLASSES = {
    "halfcell": "textual_image.renderable.halfcell",
    "kitty": "textual_image.renderable.tgp",
    "unicode": "textual_image.renderable.unicode",
}


def renderer_class(name: str) -> Any:
    return importlib.import_module(RENDERER_CLASSES[name]).Image


def choose_renderer_name(env: Mapping[str, str], *, is_terminal: bool) -> str:
    """The renderer for a terminal described by `env` (pure: tests call it directly)."""
    chosen = env.get("CONVOSCOPE_IMAGES", "").strip().lower()
    if chosen in RENDERER_CLASSES:
        return chosen
    if not is_terminal or env.get("TMUX"):
        return "halfcell"  # tmux does not pass Kitty graphics through by default
    if env.get("TERM") == "xterm-kitty" or env.get("KITTY_WINDOW_ID"):
        return "kitty"
    return "halfcell"


def choose_renderer(env: Mapping[str, str], *, is_terminal: bool) -> Any:
    """The renderer class for a terminal described by `env`."""
    return renderer_class(choose_renderer_name(env, is_terminal=is_terminal))


def set_up_images(env: Mapping[str, str] | None = None) -> None:
    """Choose the renderer; call before the app takes over the terminal.

    It must run, and load textual-image, before Textual reads the terminal: on a terminal,
    importing textual-image asks the terminal whether it has Sixel and reads the answer from
    stdin. Imported later (lazily, when a conversation opens), that answer lands in Textual's
    input as keys (`?` opened the help screen) and the question can hang the first frame.
    Kitty graphics also need the terminal's cell size, asked here for the same reason.
    """
    env = os.environ if env is None else env
    is_terminal = bool(sys.__stdout__ and sys.__stdout__.isatty())
    name = choose_renderer_name(env, is_terminal=is_terminal)
    from convoscope.render.images import use_renderer

    renderer = renderer_class(name)
    if is_terminal and name == "kitty":
        try:
            from textual_image._terminal import get_cell_size

            get_cell_size()
        except Exception as error:  # a terminal that does not answer: half-blocks need no size
            log.info("could not ask the terminal for its cell size: %s", error)
            renderer = renderer_class("halfcell")
    use_renderer(renderer)
