"""Getting an item out of the viewer: JSON text, the clipboard, $PAGER, image files."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

from textual.app import App

from convoscope.api.models import Item
from convoscope.storage.paths import data_dir


def item_json(item: Item, indent: int | None = None) -> str:
    """The item exactly as the server sent it. ASCII-escaped: no control character survives."""
    return json.dumps(item.raw, ensure_ascii=True, indent=indent)


# Pagers that hold the screen until the user quits them; any other command (cat, a script) prints
# and exits at once, so the app waits for Enter before it draws over what was printed.
INTERACTIVE_PAGERS = frozenset({"less", "more", "most", "moar", "ov", "bat", "batcat", "pg", "lv", "w3m",
                                "vi", "vim", "nvim", "view", "nano", "emacs"})


def open_in_pager(app: App, text: str) -> str | None:
    """Show `text` in $PAGER (default `less`), suspending the app; returns a problem, if any."""
    command = shlex.split(os.environ.get("PAGER") or "less") or ["less"]
    if not text.endswith("\n"):
        text += "\n"  # a file on a terminal ends with a newline, or the next prompt joins its last line
    try:
        with app.suspend():
            subprocess.run(command, input=text.encode(), check=False)
            if Path(command[0]).name not in INTERACTIVE_PAGERS:
                _wait_for_enter(Path(command[0]).name)
    except FileNotFoundError:
        return f"The pager {command[0]!r} was not found: set $PAGER."
    except Exception as error:  # SuspendNotSupported in a headless or web session
        return f"Cannot open a pager here ({type(error).__name__})."
    return None


def _wait_for_enter(pager: str) -> None:
    """Keep what a non-interactive pager printed on screen until the user has read it."""
    out, keyboard = sys.__stdout__, sys.__stdin__
    if out is None or keyboard is None:
        return
    out.write(f"\n── end of {pager}'s output · press Enter to return to convoscope ──")
    out.flush()
    try:
        keyboard.readline()
    except (OSError, ValueError):
        pass  # no terminal to read from: carry on


def images_folder() -> Path:
    """Where `s` offers to save images: a downloads folder under the data dir."""
    return data_dir() / "downloads"


def save_images(images: list[tuple[str, bytes]], folder: Path) -> list[Path]:
    """Write each (name, bytes) into `folder` (created if missing) under a name not yet taken."""
    folder.mkdir(parents=True, exist_ok=True)
    return [_write_new(folder, name, data) for name, data in images]


def _write_new(folder: Path, name: str, data: bytes) -> Path:
    target = folder / Path(name).name  # the name comes from server data: never a path
    stem, suffix, counter = target.stem, target.suffix, 1
    while True:
        try:
            with target.open("xb") as file:  # never over an existing file, even one made just now
                file.write(data)
            return target
        except FileExistsError:
            target = folder / f"{stem}-{counter}{suffix}"
            counter += 1
