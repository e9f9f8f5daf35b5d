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

import logging
import os
import sys
from collections.abc import Mapping
from typing import Any

from textual_image.renderable.halfcell import Image as HalfcellImage
from textual_image.renderable.tgp import Image as TGPImage
from textual_image.renderable.unicode import Image as UnicodeImage

from convoscope.render.images import use_renderer

log = logging.getLogger(__name__)

RENDERERS: dict[str, Any] = {"halfcell": HalfcellImage, "kitty": TGPImage, "unicode": UnicodeImage}


def choose_renderer(env: Mapping[str, str], *, is_terminal: bool) -> Any:
    """The renderer class for a terminal described by `env` (pure: tests call it directly)."""
    chosen = env.get("CONVOSCOPE_IMAGES", "").strip().lower()
    if chosen in RENDERERS:
        return RENDERERS[chosen]
    if not is_terminal or env.get("TMUX"):
        return HalfcellImage  # tmux does not pass Kitty graphics through by default
    if env.get("TERM") == "xterm-kitty" or env.get("KITTY_WINDOW_ID"):
        return TGPImage
    return HalfcellImage


def set_up_images(env: Mapping[str, str] | None = None) -> None:
    """Choose the renderer; call before the app takes over the terminal.

    textual-image asks the terminal for its cell size the first time it draws; once Textual
    reads the terminal's input, that question would hang, so it is asked here, first.
    """
    env = os.environ if env is None else env
    is_terminal = bool(sys.__stdout__ and sys.__stdout__.isatty())
    renderer = choose_renderer(env, is_terminal=is_terminal)
    if is_terminal:
        try:
            from textual_image._terminal import get_cell_size

            get_cell_size()
        except Exception as error:  # a terminal that does not answer: half-blocks need no size
            log.info("could not ask the terminal for its cell size: %s", error)
            renderer = HalfcellImage
    use_renderer(renderer)
