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

import os
import sys
from collections.abc import Mapping
from typing import Any

from convoscope.render.image_renderers import RENDERER_MODULES, renderer_class


def choose_renderer_name(env: Mapping[str, str], *, is_terminal: bool) -> str:
    """The renderer for a terminal described by `env` (pure: tests call it directly)."""
    chosen = env.get("CONVOSCOPE_IMAGES", "").strip().lower()
    if chosen in RENDERER_MODULES:
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
    """Choose the renderer pictures are drawn with, from the environment alone.

    Nothing is asked of the terminal, now or later (see `render/image_renderers.py`): half-blocks,
    the usual choice, are loaded when the first picture is drawn; Kitty graphics now, with the
    cell size the kernel knows.
    """
    env = os.environ if env is None else env
    is_terminal = bool(sys.__stdout__ and sys.__stdout__.isatty())
    name = choose_renderer_name(env, is_terminal=is_terminal)
    if name == "halfcell":
        if (images := sys.modules.get("convoscope.render.images")) is not None:
            images.use_renderer(None)  # back to the default, loaded when first needed
        return  # not imported yet: the render layer starts with its default
    from convoscope.render.images import use_renderer

    use_renderer(renderer_class(name))
