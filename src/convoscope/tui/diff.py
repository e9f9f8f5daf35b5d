"""The diff screen: two conversations side by side, equal runs folded, differences marked.

A on the left, B on the right, one line per aligned pair: `~` changed (a pair of the same type
whose content differs), `-` only in A, `+` only in B. Runs of equal items fold into one line
(enter unfolds). The pane below shows, for a changed pair, which fields differ and how; for any
other line, the item itself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.strip import Strip
from textual.widgets import Footer, Static

from convoscope.api.models import parse_item
from convoscope.render.text import visible
from convoscope.transfer.compare import MISSING, FieldChange, changed_region
from convoscope.transfer.diff import Change, ConversationDiff, DiffRow
from convoscope.tui.palette import ConvoscopeVariables
from convoscope.tui.widgets.line_list import LineList, text_strip

FOLD_AT = 3
VALUE_CHARS = 2000
MARKS = {Change.EQUAL: " ", Change.CHANGED: "~", Change.REMOVED: "-", Change.ADDED: "+"}


@dataclass(frozen=True)
class Fold:
    """A run of equal rows shown as one line."""

    run: int  # which run of the diff
    rows: tuple[DiffRow, ...]


Line = DiffRow | Fold


class DiffList(LineList):
    """Aligned items of A and B.

    | Key | Action |
    | :- | :- |
    | `enter` | Unfold (or fold again) a run of equal items. |
    """

    DEFAULT_CSS = """
    DiffList > .diff-list--removed { background: $error 30%; }
    DiffList > .diff-list--added { background: $success 30%; }
    DiffList > .diff-list--changed { background: $warning 30%; }
    DiffList > .diff-list--fold { color: $text-muted; text-style: italic; }
    DiffList > .diff-list--number { color: $text-muted; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "diff-list--removed", "diff-list--added", "diff-list--changed", "diff-list--fold", "diff-list--number",
    }

    def __init__(self, result: ConversationDiff, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.result = result
        self.runs = list(result.runs())
        self.unfolded: set[int] = set()
        self.lines: list[Line] = []
        self._version = 0  # bumped when folding changes which line is where
        self._summaries: dict[int, str] = {}  # id(raw) -> one-line summary
        self._build()

    def _build(self) -> None:
        lines: list[Line] = []
        for number, (change, rows) in enumerate(self.runs):
            if change is Change.EQUAL and len(rows) >= FOLD_AT and number not in self.unfolded:
                lines.append(Fold(number, tuple(rows)))
            else:
                lines.extend(rows)
        self.lines = lines
        self._version += 1

    def run_of(self, row: DiffRow) -> int | None:
        for number, (_, rows) in enumerate(self.runs):
            if any(each is row for each in rows):
                return number
        return None

    def toggle_fold(self) -> None:
        line = self.current
        if isinstance(line, Fold):
            self.unfolded.add(line.run)
            anchor = line.rows[0]
        elif isinstance(line, DiffRow) and line.change is Change.EQUAL and (run := self.run_of(line)) in self.unfolded:
            self.unfolded.discard(run)
            anchor = self.runs[run][1][0]
        else:
            return
        self._build()
        self.lines_changed()
        self.move_cursor(self._index_of(anchor))

    def _index_of(self, row: DiffRow) -> int:
        for index, line in enumerate(self.lines):
            if line is row or (isinstance(line, Fold) and any(each is row for each in line.rows)):
                return index
        return 0

    @property
    def current(self) -> Line | None:
        return self.lines[self.cursor] if self.cursor < len(self.lines) else None

    def next_difference(self, step: int, *, start: int | None = None) -> bool:
        """Move to the nearest difference after (step 1) or before (step -1) the cursor, or at `start`."""
        index = self.cursor + step if start is None else start
        while 0 <= index < len(self.lines):
            line = self.lines[index]
            if isinstance(line, DiffRow) and line.change is not Change.EQUAL:
                self.move_cursor(index)
                return True
            index += step
        return False

    # --- drawing ---------------------------------------------------------------------------------

    def line_count(self) -> int:
        return len(self.lines)

    def line_key(self, index: int) -> object:
        return self._version

    def render_line_at(self, index: int, width: int, cursor: bool) -> Strip:
        line = self.lines[index]
        if isinstance(line, Fold):
            first, last = line.rows[0], line.rows[-1]
            text = (f"  ⋯ {len(line.rows):,} equal items (A {first.left_index + 1}–{last.left_index + 1}, "
                    f"B {first.right_index + 1}–{last.right_index + 1}) · enter shows them")
            return text_strip([(text, self.get_component_rich_style("diff-list--fold"))])
        half = max((width - 3) // 2, 10)
        style = self._style(line.change)
        number = self.get_component_rich_style("diff-list--number")
        return text_strip([
            *self._side(line.left, line.left_index, half, style if line.left else self.rich_style, number),
            (f" {MARKS[line.change]} ", style + Style(bold=True)),
            *self._side(line.right, line.right_index, half, style if line.right else self.rich_style, number),
        ])

    def _style(self, change: Change) -> Style:
        if change is Change.EQUAL:
            return self.rich_style
        return self.get_component_rich_style(f"diff-list--{change.name.lower()}")

    def _side(self, raw: dict | None, index: int | None, width: int, style: Style, number: Style) -> list[tuple[str, Style]]:
        if raw is None or index is None:
            return [(" " * width, style)]
        label = f"{index + 1:>4} "
        text = self._summary(raw)[: width - len(label)].ljust(width - len(label))
        return [(label, number + Style(bgcolor=style.bgcolor)), (text, style)]

    def _summary(self, raw: dict) -> str:
        key = id(raw)
        if key not in self._summaries:
            item = parse_item(raw)
            self._summaries[key] = visible(f"{item.type:<22.22} {item.summary()}")
        return self._summaries[key]


class DiffScreen(Screen[None]):
    """Two conversations side by side.

    | Key | Action |
    | :- | :- |
    | `n` / `N` | Next / previous difference. |
    | `enter` | Unfold a run of equal items. |
    | `q`, `escape` | Quit. |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "next_difference", "Next change", id="diff.next",
                tooltip="Move to the next difference"),
        Binding("N", "previous_difference", "Previous change", id="diff.previous",
                tooltip="Move to the previous difference"),
        Binding("escape,q", "quit", "Quit", id="diff.quit", tooltip="Leave the diff"),
    ]
    DEFAULT_CSS = """
    DiffScreen #diff-header { height: 3; padding: 0 1; background: $panel; }
    DiffScreen DiffList { height: 2fr; }
    DiffScreen #diff-detail-box { height: 1fr; border-top: solid $accent; }
    DiffScreen #diff-detail { padding: 0 1; }
    """

    def __init__(self, result: ConversationDiff, label_a: str, label_b: str) -> None:
        super().__init__()
        self.result = result
        self.label_a = label_a
        self.label_b = label_b

    def compose(self) -> ComposeResult:
        yield Static(self._header(), id="diff-header")
        yield DiffList(self.result, id="diff-list")
        with VerticalScroll(id="diff-detail-box"):
            yield Static("", id="diff-detail")
        yield Footer()

    def on_mount(self) -> None:
        diff_list = self.query_one(DiffList)
        diff_list.focus()
        diff_list.lines_changed()
        if not diff_list.next_difference(1, start=0):
            self.show_detail()

    def _header(self) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append("A ", style="bold")
        text.append(f"{visible(self.label_a)} ({self.result.left_count:,} items)\n")
        text.append("B ", style="bold")
        text.append(f"{visible(self.label_b)} ({self.result.right_count:,} items)\n")
        text.append(self.result.summary(), style="bold green" if self.result.equal else "bold yellow")
        return text

    @on(LineList.CursorMoved, "#diff-list")
    def show_detail(self) -> None:
        line = self.query_one(DiffList).current
        self.query_one("#diff-detail", Static).update(detail_text(line))

    @on(LineList.Selected, "#diff-list")
    def toggle_fold(self) -> None:
        self.query_one(DiffList).toggle_fold()
        self.show_detail()

    def action_next_difference(self) -> None:
        if not self.query_one(DiffList).next_difference(1):
            self.notify("No more differences below.", severity="warning")

    def action_previous_difference(self) -> None:
        if not self.query_one(DiffList).next_difference(-1):
            self.notify("No more differences above.", severity="warning")

    def action_quit(self) -> None:
        self.app.exit()


def detail_text(line: Line | None) -> Text:
    text = Text()
    if line is None:
        return text
    if isinstance(line, Fold):
        text.append(f"{len(line.rows):,} items equal in both (ids aside). Enter shows them.", style="dim")
        return text
    if line.change is Change.CHANGED:
        changes = line.fields()
        fields = "1 field differs" if len(changes) == 1 else f"{len(changes)} fields differ"
        text.append(f"{fields} (A → B):\n", style="bold")
        for change in changes:
            _append_change(text, change)
        return text
    where = {Change.EQUAL: "In both", Change.REMOVED: "Only in A", Change.ADDED: "Only in B"}[line.change]
    text.append(f"{where}:\n", style="bold")
    text.append(_json(line.left if line.left is not None else line.right))
    return text


def _append_change(text: Text, change: FieldChange) -> None:
    before, after = change.before, change.after
    if isinstance(before, str) and isinstance(after, str):
        before, after = changed_region(before, after, context=60)
    text.append(f"{visible(change.path)}\n", style="bold")
    if before is not MISSING:
        text.append(f"  - {_indented(_json(before))}\n", style="red")
    if after is not MISSING:
        text.append(f"  + {_indented(_json(after))}\n", style="green")


def _indented(text: str) -> str:
    return text.replace("\n", "\n    ")


def _json(value: Any) -> str:
    if isinstance(value, str):
        raw = value
    else:
        raw = json.dumps(value, ensure_ascii=False, indent=2)
    safe = "\n".join(visible(line) for line in raw.split("\n"))
    return safe if len(safe) <= VALUE_CHARS else safe[: VALUE_CHARS - 1] + "…"


class DiffApp(ConvoscopeVariables, App[None]):
    """`convoscope diff A B` in the terminal."""

    TITLE = "convoscope diff"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q,ctrl+c", "quit", "Quit", priority=True, id="diff_app.quit"),
    ]

    def __init__(self, result: ConversationDiff, label_a: str, label_b: str) -> None:
        super().__init__()
        self.result = result
        self.label_a = label_a
        self.label_b = label_b

    def on_mount(self) -> None:
        self.push_screen(DiffScreen(self.result, self.label_a, self.label_b))
