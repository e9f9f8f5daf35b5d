"""The conversation's item list: one line per item over the paging engine's lines."""

from __future__ import annotations

import bisect
from collections.abc import Callable
from typing import ClassVar

from rich.style import Style
from textual.strip import Strip

from convoscope.paging.engine import EdgeState, EdgeStatus, GapLine, PagingEngine
from convoscope.paging.rows import Row
from convoscope.paging.view import FilteredView, FullView, LineView, find_line
from convoscope.render.groups import Group
from convoscope.render.rows import row_line
from convoscope.render.text import visible
from convoscope.tui.widgets.line_list import LineList, text_strip

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
LABEL_WIDTH = 18
LEAD_WIDTH = 5  # status mark, type glyph, space, pair mark, space
MIN_SUMMARY = 32  # the label column gives way before the summary gets narrower than this
MIN_LABEL = 8  # a label column narrower than this says too little: drop it

GROUP_CLASSES = {group: f"item-list--{group.name.lower().replace('_', '-')}" for group in Group}
STALL_SHOWN_S = 2.0  # a request waiting longer than this shows its waited time


class ItemList(LineList):
    """Items of one conversation, oldest at the top; loads more as you approach an edge.

    | Key | Action |
    | :- | :- |
    | `G`, `end` | Show the newest items (pages from the end, without walking the middle). |
    | `g`, `home` | Back to the oldest item. |
    """

    # Colours are theme variables (see tui/palette.py): one theme file restyles every row.
    DEFAULT_CSS = """
    ItemList > .item-list--message { color: $item-message; }
    ItemList > .item-list--tool-call { color: $item-tool-call; }
    ItemList > .item-list--tool-output { color: $item-tool-output; }
    ItemList > .item-list--reasoning { color: $item-reasoning; text-style: italic; }
    ItemList > .item-list--shell { color: $item-shell; }
    ItemList > .item-list--hosted { color: $item-hosted; }
    ItemList > .item-list--mcp { color: $item-mcp; }
    ItemList > .item-list--other { color: $item-other; }
    ItemList > .item-list--label { text-style: bold; }
    ItemList > .item-list--status { color: $status-incomplete; }
    ItemList > .item-list--status-failed { color: $status-failed; text-style: bold; }
    ItemList > .item-list--status-incomplete { color: $status-incomplete; text-style: bold; }
    ItemList > .item-list--status-in-progress { color: $status-in-progress; text-style: bold; }
    ItemList > .item-list--problem { color: $status-failed; text-style: bold; }
    ItemList > .item-list--pair { background: $pair-background; }
    ItemList > .item-list--match { background: $match-background; }
    ItemList > .item-list--match-term { color: $match-foreground; text-style: bold underline; }
    ItemList > .item-list--gap { color: $list-muted; }
    ItemList > .item-list--gap-error { color: $status-failed; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        *GROUP_CLASSES.values(),
        "item-list--label",
        "item-list--status",
        "item-list--status-failed",
        "item-list--status-incomplete",
        "item-list--status-in-progress",
        "item-list--problem",
        "item-list--pair",
        "item-list--match",
        "item-list--match-term",
        "item-list--gap",
        "item-list--gap-error",
    }

    def __init__(self, engine: PagingEngine, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.engine = engine
        self.view: LineView = FullView(engine)
        self.pair_keys: frozenset[str] = frozenset()  # links of the row under the cursor
        self.search_term = ""  # rows whose text contains it (casefolded) are marked
        self.search_also: frozenset[str] = frozenset()  # ids matching in their fetched JSON
        self._match_lines: tuple[object, list[int]] | None = None  # (what it was computed for, lines)
        self._spin = 0
        self._stick_to_end = False  # after G: keep the newest item in view as pages arrive
        # (first visible item id, its offset from the top, the cursor's item id)
        self._anchor: tuple[str | None, int, str | None] = (None, 0, None)

    def on_mount(self) -> None:
        self.set_interval(0.1, self._tick_spinner)

    # --- lines -----------------------------------------------------------------------------------

    def line_count(self) -> int:
        return self.view.line_count()

    def line_key(self, index: int) -> object:
        line = self.view.line(index)
        if isinstance(line, GapLine):
            # A snapshot: GapLine holds the engine's live EdgeStatus objects, so comparing the
            # line itself with an old key would always say "unchanged".
            head, tail = line.head, line.tail
            return ("gap", head.state, head.message, tail.state, tail.message,
                    line.tail_started, self._spin, self.engine.notice)
        return (line, self._is_paired(line), self._is_match(line), self.search_term)

    def render_line_at(self, index: int, width: int, cursor: bool) -> Strip:
        line = self.view.line(index)
        if isinstance(line, GapLine):
            return self._gap_strip(line)
        return self._row_strip(line, width)

    def _is_paired(self, row: Row) -> bool:
        return bool(self.pair_keys) and any(link.key in self.pair_keys for link in row.links)

    def _row_strip(self, row: Row, width: int) -> Strip:
        """Status mark and type glyph first (they must show at any width), then the label column
        (which gives way first on a narrow list), then the summary."""
        parts = row_line(row)
        style = self.get_component_rich_style(GROUP_CLASSES[parts.group])
        label_style = style + self.get_component_rich_style("item-list--label")
        status_style = (
            self.get_component_rich_style(f"item-list--status-{parts.status_kind.replace('_', '-')}")
            if parts.status_kind
            else style
        )
        glyph = self._glyphs.get(parts.group, parts.glyph)
        pieces: list[tuple[str, Style]] = [
            (parts.status_mark, status_style),
            (f"{glyph} ", style),
            (parts.pair_mark + " ", style),
        ]
        label_width = _label_width(width)
        if label_width:
            pieces.extend(self._marked(_fit(parts.label, label_width) + " ", label_style))
        if parts.problem:
            pieces.append(("⚠ ", self.get_component_rich_style("item-list--problem")))
        pieces.extend(self._marked(parts.text, style))
        if parts.status:
            pieces.append((f"  [{parts.status}]", status_style))
        return text_strip(pieces)

    @property
    def _glyphs(self) -> dict[Group, str]:
        """The theme's glyph per item group (a theme file may replace them)."""
        return getattr(self.app, "glyphs", {})

    def line_background(self, index: int) -> Style | None:
        line = self.view.line(index)
        if not isinstance(line, Row):
            return None
        if self._is_match(line):
            return self.get_component_rich_style("item-list--match")
        if self._is_paired(line):
            return self.get_component_rich_style("item-list--pair")
        return None

    def _is_match(self, row: Row) -> bool:
        term = self.search_term
        return bool(term) and (
            term in row.text.casefold() or term in row.label.casefold() or row.id in self.search_also
        )

    def _marked(self, text: str, style: Style) -> list[tuple[str, Style]]:
        """`text` in `style`, with each occurrence of the search term marked (bold, underlined)."""
        term = self.search_term
        folded = text.casefold()
        if not term or len(folded) != len(text):  # casefold changed lengths (ß): mark nothing
            return [(text, style)]
        mark = style + self.get_component_rich_style("item-list--match-term")
        pieces, start = [], 0
        while (found := folded.find(term, start)) >= 0:
            pieces += [(text[start:found], style), (text[found : found + len(term)], mark)]
            start = found + len(term)
        pieces.append((text[start:], style))
        return pieces

    def _matching_lines(self) -> list[int]:
        """Lines of the view whose row matches the search, ascending (the packed index searches
        its texts, so no row is built for this)."""
        engine = self.engine
        index, gap = engine.index, engine.gap_line_index
        also = {p for item_id in self.search_also if (p := index.index_of(item_id)) is not None}
        lines = []
        for position in sorted(set(index.text_matches(self.search_term, 0)) | also):
            engine_line = position + 1 if gap is not None and position >= gap else position
            if (line := self.view.line_of_engine_line(engine_line)) is not None:
                lines.append(line)
        return lines

    def match_position(self) -> tuple[int | None, int]:
        """(which match the cursor is on, 1-based, or None; how many loaded rows match)."""
        key = (self.view, self.engine.version, self.search_term, self.search_also)
        if self._match_lines is None or self._match_lines[0] != key:
            self._match_lines = (key, self._matching_lines())
        lines = self._match_lines[1]
        position = bisect.bisect_left(lines, self.cursor)
        on_match = position < len(lines) and lines[position] == self.cursor
        return (position + 1 if on_match else None), len(lines)

    def _gap_strip(self, gap: GapLine) -> Strip:
        error = _edge_problem(gap.head) or _edge_problem(gap.tail)
        if error:
            style = self.get_component_rich_style("item-list--gap-error")
            return text_strip([(f" ⚠ {visible(error)}", style)])
        style = self.get_component_rich_style("item-list--gap")
        loading = gap.head.busy or gap.tail.busy
        notice = visible(self.engine.notice)
        if loading:
            waited = max(gap.head.waited_s, gap.tail.waited_s)
            # A stalled request says how long it has waited, and what `r` does about it.
            stalled = f"(waited {waited:.0f} s · r starts it again) " if waited >= STALL_SHOWN_S else ""
            text = f" {SPINNER[self._spin % len(SPINNER)]} loading… {stalled}{notice}"
        elif gap.tail_started:
            text = " ⋯ items not loaded yet: scroll here to load them"
        else:
            text = " ⋯ more items: scroll down to load, G for the newest"
        return text_strip([(text, style)])

    # --- engine changes --------------------------------------------------------------------------

    def engine_changed(self) -> None:
        """The engine loaded or changed rows: keep the same items in view, redraw.

        The anchor was taken when the view last settled: by now the rows under the old line
        numbers may be others (a page landed above them).
        """
        top_id, top_offset, cursor_id = self._anchor
        # Report the viewport only once it is back where the user was looking, or a page that
        # lands above the view would look like a request for the next one.
        self.lines_changed(report_viewport=False)
        if self._stick_to_end:
            self.move_cursor(self.line_count() - 1)
        else:
            if top_id is not None and (line := self.view.line_of(top_id)) is not None:
                self.scroll_to(y=max(line - top_offset, 0), animate=False)
            if cursor_id is not None and (line := self.view.line_of(cursor_id)) is not None:
                self.cursor = line
        self._report_viewport()

    def _remember_anchor(self) -> None:
        top_id, top_offset = self._first_visible_item()
        self._anchor = (top_id, top_offset, self._item_id_at(self.cursor))

    def _item_id_at(self, index: int) -> str | None:
        if index >= self.line_count():
            return None
        line = self.view.line(index)
        return line.id if isinstance(line, Row) else None

    def _first_visible_item(self) -> tuple[str | None, int]:
        """The first visible line with an item id, and how far below the top it is."""
        top = self.scroll_offset.y
        for offset in range(self.size.height):
            if (item_id := self._item_id_at(top + offset)) is not None:
                return item_id, offset
        return None, 0

    def move_cursor(self, index: int, *, scroll: bool = True) -> None:
        super().move_cursor(index, scroll=scroll)
        self._update_pairs()
        self._remember_anchor()

    def _update_pairs(self) -> None:
        line = self.view.line(self.cursor) if self.line_count() else None
        keys = frozenset(link.key for link in line.links) if isinstance(line, Row) else frozenset()
        if keys != self.pair_keys:
            changed = keys | self.pair_keys
            self.pair_keys = keys
            self._refresh_visible_lines_linked_to(changed)

    def _refresh_visible_lines_linked_to(self, keys: frozenset[str]) -> None:
        """Repaint only the visible lines whose pair highlight may have changed."""
        if not keys:
            return
        top = self.scroll_offset.y
        for index in range(top, min(top + self.size.height, self.line_count())):
            line = self.view.line(index)
            if isinstance(line, Row) and any(link.key in keys for link in line.links):
                self.refresh_line(index)

    def viewport_changed(self, first: int, last: int) -> None:
        self._remember_anchor()
        self.view.viewport(first, last)

    # --- filter, search, pairs --------------------------------------------------------------------

    @property
    def current_row(self) -> Row | None:
        line = self.view.line(self.cursor) if self.line_count() else None
        return line if isinstance(line, Row) else None

    def use_engine(self, engine: PagingEngine) -> None:
        """Show another engine's lines (a server-side filtered one, or back to all items)."""
        if engine is self.engine:
            return
        self.engine = engine
        self.view = FullView(engine)
        self._stick_to_end = False
        self.lines_changed(report_viewport=False)
        self.cursor = 0
        self.scroll_to(y=0, animate=False)
        self._update_pairs()
        self._report_viewport()
        self.announce_cursor()

    def set_filter(self, accepts: Callable[[str], bool] | None) -> None:
        """Show only rows whose type `accepts` (None: all), keeping the cursor near its item."""
        engine_line = self.view.engine_line(self.cursor) if self.line_count() else 0
        self.view = FullView(self.engine) if accepts is None else FilteredView(self.engine, accepts)
        self.lines_changed(report_viewport=False)
        self.cursor = self.view.nearest(engine_line) if self.line_count() else 0
        self.scroll_to(y=max(self.cursor - self.page_height // 2, 0), animate=False)
        self._update_pairs()
        self._report_viewport()
        self.announce_cursor()

    def set_search(self, term: str, also: frozenset[str] = frozenset()) -> None:
        """Mark rows matching `term` (and the items `also`, which match in their fetched JSON)."""
        self.search_term = term.casefold()
        self.search_also = also
        self.refresh_changed_lines()

    def find(self, term: str, *, backwards: bool = False, also: set[str] = frozenset()) -> bool:
        """Move to the next (or previous) loaded row whose text contains `term`.

        `also`: ids that match in their full, fetched text though not in their summary.
        """
        line = find_line(self.view, term, self.cursor, backwards=backwards, also=also)
        if line is None:
            return False
        self.move_cursor(line)
        return True

    def go_to_item(self, item_id: str) -> bool:
        line = self.view.line_of(item_id)
        if line is None:
            return False
        self._stick_to_end = False
        self.move_cursor(line)
        return True

    # --- actions ---------------------------------------------------------------------------------

    def action_last(self) -> None:
        self._stick_to_end = True
        self.engine.jump_to_end()
        super().action_last()

    def action_first(self) -> None:
        self._stick_to_end = False
        self.engine.jump_to_start()
        super().action_first()

    def action_cursor_up(self) -> None:
        self._stick_to_end = False
        super().action_cursor_up()

    def action_page_up(self) -> None:
        self._stick_to_end = False
        super().action_page_up()

    def action_half_page_up(self) -> None:
        self._stick_to_end = False
        super().action_half_page_up()

    def _tick_spinner(self) -> None:
        gap = self.view.gap_line_index
        if gap is None:
            return
        status = self.view.line(gap)
        if isinstance(status, GapLine) and (status.head.busy or status.tail.busy):
            self._spin += 1
            self.refresh_index(gap)


def _edge_problem(status: EdgeStatus) -> str | None:
    if status.state is EdgeState.FAILED:
        return f"{status.advice} · {status.message}"
    if status.state is EdgeState.STOPPED:
        return f"stopped: {status.message}"
    return None


def _label_width(width: int) -> int:
    """The label column's width on a list `width` cells wide: the summary keeps MIN_SUMMARY."""
    room = width - LEAD_WIDTH - 1 - MIN_SUMMARY
    label = min(LABEL_WIDTH, room)
    return label if label >= MIN_LABEL else 0


def _fit(text: str, width: int) -> str:
    return text[: width - 1] + "…" if len(text) > width else text.ljust(width)
