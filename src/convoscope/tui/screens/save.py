"""Asking where to save an item's images: a folder, the downloads folder under the data dir first."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from convoscope.render.text import visible


class SaveImagesScreen(ModalScreen["Path | None"]):
    """A folder to save `count` images into. Dismisses with the folder, or None when cancelled.

    | Key | Action |
    | :- | :- |
    | `enter` | Save into this folder (created if missing). |
    | `escape` | Cancel: nothing is written. |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="save.cancel"),
    ]
    DEFAULT_CSS = """
    SaveImagesScreen { align: center middle; }
    SaveImagesScreen > Vertical {
        width: 90; max-width: 95%; height: auto;
        border: round $accent; background: $surface; padding: 0 1;
    }
    SaveImagesScreen .save-help { color: $text-muted; }
    """

    def __init__(self, names: list[str], folder: Path) -> None:
        super().__init__()
        self.names = names
        self.folder = folder

    def compose(self) -> ComposeResult:
        count = len(self.names)
        what = "1 image" if count == 1 else f"{count:,} images"
        shown = ", ".join(self.names[:3]) + (f", … ({count - 3:,} more)" if count > 3 else "")
        with Vertical():
            yield Static(Text(f"Save {what} into this folder:", style="bold"))
            yield Input(str(self.folder), id="save-folder")
            yield Static(Text(visible(shown)), classes="save-help")
            yield Static("enter saves (the folder is created; nothing is overwritten) · escape cancels",
                         classes="save-help")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted, "#save-folder")
    def submitted(self, event: Input.Submitted) -> None:
        folder = event.value.strip()
        if folder:
            self.dismiss(Path(folder).expanduser())

    def action_cancel(self) -> None:
        self.dismiss(None)
