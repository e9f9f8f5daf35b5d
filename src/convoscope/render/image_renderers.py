"""textual-image's renderable classes, loaded without asking the terminal anything.

Importing the package `textual_image.renderable` runs its `__init__`, which asks the terminal
whether it speaks Sixel and then Kitty graphics, and reads each answer from stdin with a 0.1 s
timeout. convoscope chooses its renderer itself (see `tui/images.py`), so the probe only costs:
0.2 s of every start in a terminal that does not answer, and answers read as keys once Textual
owns the terminal. Here each renderable module is imported on its own, under a bare package
module that does not run that `__init__`.

Drawing a picture also needs the terminal's cell size in pixels. textual-image asks the terminal
with an escape sequence when the kernel does not know it, and once Textual reads the terminal
the answer would land among the keys too. `settle_cell_size` fills textual-image's cached answer
from the kernel alone, or with textual-image's own default.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import sys
import threading
import types
from typing import Any

log = logging.getLogger(__name__)

PACKAGE = "textual_image.renderable"
RENDERER_MODULES = {
    "halfcell": f"{PACKAGE}.halfcell",
    "kitty": f"{PACKAGE}.tgp",
    "unicode": f"{PACKAGE}.unicode",
}
DEFAULT_CELL_SIZE = (10, 20)  # pixels: textual-image's own guess (a VT340's cell)

_lock = threading.Lock()


def renderer_class(name: str) -> Any:
    """textual-image's renderable class for `name` (a key of RENDERER_MODULES)."""
    with _lock:
        _register_package_without_probe()
        settle_cell_size()
        return importlib.import_module(RENDERER_MODULES[name]).Image


def _register_package_without_probe() -> None:
    if PACKAGE in sys.modules:
        return  # imported already (by textual-image's own users, or by us)
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        log.info("textual-image's layout is not the one expected: importing it as it is")
        return
    package = types.ModuleType(PACKAGE, "textual-image's renderables, without the terminal probe")
    package.__path__ = list(spec.submodule_search_locations)
    package.__package__ = PACKAGE
    sys.modules[PACKAGE] = package
    setattr(sys.modules["textual_image"], "renderable", package)


def settle_cell_size() -> None:
    """Give textual-image the terminal's cell size from the kernel (TIOCGWINSZ), or its default,
    so that drawing a picture never writes a question to the terminal."""
    from textual_image import _terminal

    if hasattr(_terminal.get_cell_size, "_result"):
        return
    width, height = _cell_size_from_kernel() or DEFAULT_CELL_SIZE
    _terminal.get_cell_size._result = _terminal.CellSize(width, height)  # its cache of the answer


def _cell_size_from_kernel() -> tuple[int, int] | None:
    try:
        import fcntl
        import struct
        import termios

        stream = sys.__stdout__
        if stream is None or not stream.isatty():
            return None
        rows, columns, x_pixels, y_pixels = struct.unpack(
            "HHHH", fcntl.ioctl(stream.fileno(), termios.TIOCGWINSZ, b"\0" * 8)
        )
    except (ImportError, OSError, ValueError):  # not a Unix terminal, or stdout closed
        return None
    if not (rows and columns and x_pixels and y_pixels):
        return None  # many terminals (and most over SSH) leave the pixel size at 0
    return x_pixels // columns, y_pixels // rows
