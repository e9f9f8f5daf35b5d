"""The export dialog: choose a format, the whole conversation or the current view, and a file;
the export runs in a worker with its progress shown here, and can be cancelled (no file left).
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, RadioButton, RadioSet, Static
from textual.worker import Worker, WorkerState

from convoscope.api import APIError, ConversationsClient
from convoscope.render.export import (
    FORMAT_NAMES,
    FORMATS,
    ExportRequest,
    ExportResult,
    export_conversation,
    format_for_path,
)
from convoscope.render.groups import TypeFilter
from convoscope.render.text import visible
from convoscope.storage.paths import data_dir
from convoscope.tui.screens.menus import MODAL_CSS

DEFAULT_FORMAT = "md"


class Choice(RadioButton):
    """A radio button whose state reads without colour: `(•)` chosen, `( )` not (Textual draws
    both as a coloured `▐●▌`)."""

    @property
    def _button(self) -> Content:
        return Content.styled("(•)" if self.value else "( )", self.get_visual_style("toggle--label"))


def default_export_folder() -> Path:
    """Where exports go unless the user says otherwise: `exports/` in the data folder."""
    return data_dir() / "exports"


class ExportDialog(ModalScreen["ExportResult | None"]):
    """Export the open conversation, or the current view of it, to a file.

    | Key | Action |
    | :- | :- |
    | `enter` | Export (replaces the file when the export completes). |
    | `escape` | Cancel; during an export, stop it (no file is left). |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "export", "Export", priority=True, id="export.run"),
        Binding("escape", "cancel", "Cancel", id="export.cancel"),
    ]
    DEFAULT_CSS = MODAL_CSS.format(name="ExportDialog") + """
    ExportDialog RadioSet { width: 100%; height: auto; border: none; padding: 0; }
    ExportDialog .label { margin-top: 1; color: $text-muted; }
    ExportDialog #export-status { margin-top: 1; }
    ExportDialog #export-path { width: 1fr; margin: 0; }
    """

    def __init__(
        self,
        client: ConversationsClient,
        conversation_id: str,
        *,
        view: TypeFilter | None = None,
        include: frozenset[str] = frozenset(),
        folder: Path | None = None,
    ) -> None:
        super().__init__()
        self.client = client
        self.conversation_id = conversation_id
        self.view = view if view is not None and not view.shows_all else None
        self.include = include
        self.folder = folder if folder is not None else default_export_folder()
        self.export_worker: Worker[ExportResult] | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text("Export the conversation", style="bold"))
            yield Static("Format", classes="label")
            with RadioSet(id="export-format"):
                for name in FORMATS:
                    yield Choice(FORMAT_NAMES[name], value=name == DEFAULT_FORMAT, name=name)
            if self.view is not None:
                yield Static("Items", classes="label")
                with RadioSet(id="export-scope"):
                    yield Choice(f"the current view: {visible(self.view.name)}", value=True, name="view")
                    yield Choice("the whole conversation", name="all")
            yield Static("File", classes="label")
            yield Input(str(self._default_path(DEFAULT_FORMAT)), id="export-path", select_on_focus=False)
            yield Static("enter exports · escape cancels", id="export-status", classes="menu-help")

    def on_mount(self) -> None:
        path_input = self.query_one("#export-path", Input)
        path_input.focus()
        self.call_after_refresh(self._show_file_name)

    def _show_file_name(self) -> None:
        """Scroll the path so its end (the file name, not the folder) is in view."""
        path_input = self.query_one("#export-path", Input)
        path_input.cursor_position = 0
        path_input.action_end()

    def _default_path(self, fmt: str) -> Path:
        stem = "".join(c if c.isalnum() or c in "-_." else "_" for c in self.conversation_id)[:120]
        return self.folder / f"{stem}{FORMATS[fmt]}"

    @property
    def chosen_format(self) -> str:
        pressed = self.query_one("#export-format", RadioSet).pressed_button
        return pressed.name if pressed is not None and pressed.name else DEFAULT_FORMAT

    @property
    def whole_conversation(self) -> bool:
        if self.view is None:
            return True
        pressed = self.query_one("#export-scope", RadioSet).pressed_button
        return pressed is not None and pressed.name == "all"

    @on(RadioSet.Changed, "#export-format")
    def format_changed(self) -> None:
        """Keep the file's extension in step with the format (when it names one)."""
        path_input = self.query_one("#export-path", Input)
        path = Path(path_input.value.strip() or str(self._default_path(self.chosen_format)))
        if format_for_path(path) is not None or not path.suffix:
            path_input.value = str(path.with_suffix(FORMATS[self.chosen_format]))

    @on(Input.Submitted, "#export-path")
    def path_submitted(self) -> None:
        self.action_export()

    def _status(self, text: str) -> None:
        self.query_one("#export-status", Static).update(Text(visible(text)))

    # --- running -----------------------------------------------------------------------------------

    def action_export(self) -> None:
        if self.export_worker is not None and self.export_worker.is_running:
            return
        raw_path = self.query_one("#export-path", Input).value.strip()
        if not raw_path:
            self._status("Give a file to write.")
            return
        path = Path(raw_path).expanduser()
        if path.is_dir():
            self._status(f"{path} is a folder: give a file name.")
            return
        view = None if self.whole_conversation else self.view
        request = ExportRequest(
            conversation_id=self.conversation_id,
            # A file name typed with a known extension says the format; otherwise the choice above.
            format=format_for_path(path) or self.chosen_format,
            path=path,
            include=tuple(sorted(self.include)),
            keep=(lambda item, view=view: view.accepts(item.type)) if view is not None else None,
            view=f"view: {view.name}" if view is not None else "",
        )
        self._status("Exporting…  (escape stops)")
        self.export_worker = self.run_export(request)

    @work(exclusive=True, group="export", name="export", exit_on_error=False)
    async def run_export(self, request: ExportRequest) -> ExportResult:
        request.path.parent.mkdir(parents=True, exist_ok=True)
        return await export_conversation(self.client, request, on_progress=self._progress)

    def _progress(self, items: int) -> None:
        self._status(f"Exporting… {items:,} items  (escape stops)")

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker is not self.export_worker:
            return
        if event.state == WorkerState.SUCCESS:
            self.dismiss(event.worker.result)
        elif event.state == WorkerState.ERROR:
            self._status(_failure(event.worker.error))
        elif event.state == WorkerState.CANCELLED:
            self._status("Export stopped; nothing was written.  enter exports · escape closes")

    def action_cancel(self) -> None:
        if self.export_worker is not None and self.export_worker.is_running:
            self.export_worker.cancel()
            return
        self.dismiss(None)


def _failure(error: BaseException | None) -> str:
    if isinstance(error, APIError):
        return f"Nothing written: {error}"
    if isinstance(error, OSError):
        return f"Cannot write there: {error.strerror or error}"
    return f"Export failed: {type(error).__name__}: {error}"


def describe_result(result: ExportResult) -> str:
    """One line for the notification after an export."""
    images = f" (images in {result.images_dir})" if result.images_dir else ""
    text = f"Exported {result.items:,} items to {result.path}{images}"
    if not result.complete and result.stop is not None:
        text += f" — incomplete: {result.stop.value}"
    return text
