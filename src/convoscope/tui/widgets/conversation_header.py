"""The conversation screen's header: id, metadata, created time, items loaded, which ends are done."""

from __future__ import annotations

from datetime import UTC, datetime

from rich.text import Text
from textual.widgets import Static

from convoscope.paging.engine import Edge, EdgeState, PagingEngine
from convoscope.render.text import visible
from convoscope.tui.widgets.conversation_list import shorten

MIN_ID = 20  # the id is shortened (in the middle) to make room for the title, never below this

END_MARKS = {
    EdgeState.IDLE: "…",
    EdgeState.LOADING: "⟳",
    EdgeState.DONE: "✓",
    EdgeState.FAILED: "✗",
    EdgeState.STOPPED: "⊘",
}


class ConversationHeader(Static):
    DEFAULT_CSS = """
    ConversationHeader {
        height: 2;
        text-wrap: nowrap;
        text-overflow: ellipsis;
        padding: 0 1;
        background: $panel;
    }
    """

    def __init__(self, engine: PagingEngine, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.engine = engine
        self.problem: str | None = None
        self.filter_name: str | None = None  # the active type filter, if any
        self.include: frozenset[str] = frozenset()
        self.search: tuple[str, int | None, int] | None = None  # (term, which match, how many)

    def show(self) -> None:
        """Redraw from the engine's state (cheap: no layout)."""
        self.update(self._text(), layout=False)

    def on_resize(self) -> None:
        self.show()

    def _fitted_id(self, title: str) -> str:
        """The id, shortened in the middle when it would leave the title less than half the line."""
        conversation_id = visible(self.engine.conversation_id)
        width = self.content_region.width
        if not width or len(conversation_id) + 2 + len(title) <= width:
            return conversation_id
        title_room = min(len(title), width // 2)
        return shorten(conversation_id, max(MIN_ID, width - 2 - title_room))

    def _text(self) -> Text:
        engine = self.engine
        conversation = engine.conversation
        # Two fixed lines: long metadata is cut with an ellipsis, never wrapped over line two.
        text = Text(no_wrap=True, overflow="ellipsis")
        title = (conversation.metadata or {}).get("title") if conversation is not None else None
        title = visible(str(title)) if title else ""
        text.append(self._fitted_id(title), style="bold")
        if conversation is not None:
            if title:
                text.append(f"  {title}")
            others = {k: v for k, v in (conversation.metadata or {}).items() if k != "title"}
            if others:
                pairs = "  ".join(f"{k}={v}" for k, v in others.items())
                text.append(f"  {visible(pairs)}", style="dim")
        if self.problem:
            text.append(f"  {visible(self.problem)}", style="bold red")
        text.append("\n")
        if self.search is not None:  # first: the line is cut at its end on a narrow terminal
            text.append(f"{_search_count(*self.search)} · ", style="bold")
        if conversation is not None and isinstance(conversation.created_at, int):
            created = datetime.fromtimestamp(conversation.created_at, UTC)
            text.append(f"created {created:%Y-%m-%d %H:%M} UTC · ", style="dim")
        loaded = len(engine.index)
        if engine.complete:
            text.append(f"{loaded:,} items · all loaded", style="dim")
        else:
            head, tail = engine.status[Edge.HEAD].state, engine.status[Edge.TAIL].state
            text.append(
                f"{loaded:,} items loaded · start {END_MARKS[head]} · end {END_MARKS[tail]}",
                style="dim",
            )
            if EdgeState.STOPPED in (head, tail):
                text.append(" · may be incomplete", style="bold yellow")
        if self.filter_name:
            text.append(f" · filter: {self.filter_name}", style="bold cyan")
        if self.include:
            text.append(f" · include: {len(self.include)}", style="cyan")
        if engine.following:
            text.append(" · following", style="bold green")
        if engine.duplicates:
            text.append(f" · {engine.duplicates:,} repeated ids dropped", style="yellow")
        if engine.notice:
            text.append(f" · {visible(engine.notice)}", style="yellow")
        return text


def _search_count(term: str, position: int | None, total: int) -> str:
    quoted = visible(term)
    if total == 0:
        return f"no match for “{quoted}” in what is loaded"
    if position is None:
        return f"{total:,} match{'es' if total != 1 else ''} for “{quoted}”"
    return f"match {position:,} of {total:,} for “{quoted}”"
