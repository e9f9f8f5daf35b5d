"""The paging engine: loads one conversation from both ends, ahead of where the user looks.

It knows cursors, not widgets. A view tells it which lines are visible (`viewport`) or where the
user jumped (`jump_to_end`, `jump_to_start`); the engine keeps at most one request in flight per
edge, prefetches when the viewport comes within a page of a loaded edge, cancels requests nothing
needs any more, and calls `on_change` after every change a view should draw.

Lines are the rows of the index plus one `GapLine` standing for what is not loaded yet.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from convoscope.api import APIError, ConversationsClient, RetryEvent
from convoscope.api.client import MAX_PAGE_LIMIT
from convoscope.api.models import Conversation, Item
from convoscope.paging.cursor import CursorWalk, WalkStop
from convoscope.paging.index import AddResult, ItemIndex
from convoscope.paging.rows import Row, row_from_item

log = logging.getLogger("convoscope.paging")

MAX_REFRESH_PER_POLL = 10


class Edge(enum.Enum):
    HEAD = "start"  # walking forward from the oldest item
    TAIL = "end"  # walking backward from the newest item


class EdgeState(enum.Enum):
    IDLE = "idle"  # more to load, nothing in flight
    LOADING = "loading"
    DONE = "done"  # nothing more to load from this edge
    FAILED = "failed"  # the last request failed; `retry()` tries again
    STOPPED = "stopped"  # the server broke paging here; retrying would not help


@dataclass
class EdgeStatus:
    state: EdgeState = EdgeState.IDLE
    message: str = ""
    pages: int = 0
    error: APIError | None = None  # the last failure, for callers that act on its kind (401)
    started_at: float = 0.0  # time.monotonic() when the request in flight was sent

    @property
    def busy(self) -> bool:
        return self.state is EdgeState.LOADING

    @property
    def waited_s(self) -> float:
        """How long the request in flight has been waiting (0 when none is)."""
        return time.monotonic() - self.started_at if self.busy and self.started_at else 0.0

    @property
    def advice(self) -> str:
        """What the user can do about a failure: retry, or check something retrying cannot fix."""
        if self.state is EdgeState.FAILED:
            return self.error.advice() if self.error is not None else "press r to retry"
        return ""


@dataclass(frozen=True)
class GapLine:
    """The line that stands for items not loaded yet (and says why, when loading stopped)."""

    head: EdgeStatus
    tail: EdgeStatus
    tail_started: bool


Line = Row | GapLine


class PagingEngine:
    """Both-ends paging over one conversation, for a view of `lines`."""

    def __init__(
        self,
        client: ConversationsClient,
        conversation_id: str,
        *,
        include: Iterable[str] = (),
        item_type: str | None = None,
        page_size: int = MAX_PAGE_LIMIT,
        on_change: Callable[[], None] = lambda: None,
        honours_after: bool | None = None,
    ) -> None:
        """`honours_after` is `Capabilities.honours_after`: False stops each edge after one page."""
        self.client = client
        self.conversation_id = conversation_id
        self.include = tuple(include)
        self.item_type = item_type
        self.page_size = page_size
        self.honours_after = honours_after
        self.on_change = on_change
        self.index = ItemIndex()
        self.version = 0  # bumped on every change to the rows, so views know to recompute
        self.conversation: Conversation | None = None
        self._notices: dict[str, str] = {}  # per request path: its retry notice, while retrying
        self.duplicates = 0  # ids the server sent more than once (dropped, counted)
        self._load_all_interrupted = False  # `L` stopped at a failure: `r` carries on with it
        self.status = {Edge.HEAD: EdgeStatus(), Edge.TAIL: EdgeStatus()}
        self._walks = {edge: self._new_walk(edge) for edge in Edge}
        self._tasks: dict[Edge, asyncio.Task[None]] = {}
        self._follow_task: asyncio.Task[None] | None = None
        self._tail_started = False
        self._loading_all = False  # pipeline page requests: the user asked for everything
        # Called with each page's full items before they shrink to rows (the reading view keeps
        # a bounded number of them, so it need not fetch again what a page just brought).
        self.page_listeners: list[Callable[[list[Item]], None]] = []
        client.add_retry_listener(self._on_retry)

    @property
    def notice(self) -> str:
        """The newest retry notice of a request still retrying ("" when none is)."""
        return next(reversed(self._notices.values()), "")

    @notice.setter
    def notice(self, text: str) -> None:
        # Set by hand (follow failures); cleared with every retry notice when empty.
        if text:
            self._notices["(engine)"] = text
        else:
            self._notices.clear()

    def _new_walk(self, edge: Edge) -> CursorWalk:
        return CursorWalk(
            self.client,
            self.conversation_id,
            order="asc" if edge is Edge.HEAD else "desc",
            include=self.include,
            item_type=self.item_type,
            page_size=self.page_size,
            honours_after=self.honours_after,
        )

    # --- what a view draws -----------------------------------------------------------------------

    @property
    def loading_all(self) -> bool:
        return self._loading_all

    @property
    def complete(self) -> bool:
        return not self.index.gap_open

    @property
    def gap_line_index(self) -> int | None:
        """Where the gap line sits, or None when everything is loaded."""
        return self.index.head_count if self.index.gap_open else None

    def line_count(self) -> int:
        return len(self.index) + (1 if self.index.gap_open else 0)

    def line(self, number: int) -> Line:
        gap = self.gap_line_index
        if gap is None or number < gap:
            return self.index.row(number)
        if number == gap:
            return GapLine(self.status[Edge.HEAD], self.status[Edge.TAIL], self._tail_started)
        return self.index.row(number - 1)

    def line_of(self, item_id: str) -> int | None:
        """The line number of an item, counting the gap line."""
        position = self.index.index_of(item_id)
        if position is None:
            return None
        gap = self.gap_line_index
        return position + 1 if gap is not None and position >= gap else position

    # --- what a view asks for --------------------------------------------------------------------

    def start(self) -> None:
        """Open at the oldest item: load the first page from the start."""
        self.request(Edge.HEAD)

    def viewport(self, first: int, last: int) -> None:
        """Lines first..last are visible: prefetch an edge the user is within a page of."""
        gap = self.gap_line_index
        if gap is None:
            return
        # The head edge is the line above the gap; the tail edge the line below it.
        # Right after a jump to the end the view sits on the gap line until the first tail page
        # lands: that is no request for more from the start.
        # Until the end has loaded (or while its request failed), the gap line at the bottom
        # stands for the end the user jumped to: looking at it is no request for the start,
        # or a failed `G` would page through the whole conversation from the start.
        tail = self.status[Edge.TAIL].state
        jumping = (
            self._tail_started
            and not self.index.tail_count
            and tail in (EdgeState.LOADING, EdgeState.FAILED, EdgeState.IDLE)
        )
        if first <= gap and last >= gap - self.page_size and not jumping:
            self.request(Edge.HEAD)
        if self._tail_started and last >= gap and first <= gap + self.page_size:
            self.request(Edge.TAIL)

    def jump_to_end(self) -> None:
        """Show the newest items now: page from the end instead of walking the whole gap."""
        if not self.index.gap_open:
            return
        self._cancel(Edge.HEAD)
        self._tail_started = True
        self.request(Edge.TAIL)

    def jump_to_start(self) -> None:
        if self.index.gap_open:
            self._cancel(Edge.TAIL)

    def retry(self, *, restart_stalled: bool = True) -> None:
        """Try again at every edge whose last request failed, or is still waiting (stalled).

        A request that stalls is abandoned and sent again. Only what the view needs is asked
        for; a load-all that a failure interrupted carries on (`resume_load_all`).
        """
        for edge, status in self.status.items():
            stalled = restart_stalled and status.state is EdgeState.LOADING
            if stalled:
                self._cancel(edge)  # abandon it; the cursor has not moved
            if stalled or status.state is EdgeState.FAILED:
                status.state, status.message, status.error = EdgeState.IDLE, "", None
                self.request(edge)
        self.on_change()

    @property
    def resume_load_all(self) -> bool:
        """A load-all ended at a failure: a retry should carry on with it."""
        return self._load_all_interrupted and self.index.gap_open

    def request(self, edge: Edge) -> None:
        """Load the next page at `edge`, unless one is in flight or the edge has nothing more."""
        if self.status[edge].state is not EdgeState.IDLE or not self.index.gap_open:
            return
        if edge is Edge.TAIL:
            self._tail_started = True
        # Mark it now, not when the task first runs: a second request before then must see it.
        self.status[edge].state = EdgeState.LOADING
        self.status[edge].started_at = time.monotonic()
        self._tasks[edge] = asyncio.create_task(self._load_page(edge), name=f"page-{edge.value}")

    async def load_all(self) -> None:
        """Walk from both ends at once until the walks meet (or an edge fails or stops)."""
        self._tail_started = True
        self._loading_all = True
        self._load_all_interrupted = False
        try:
            while self.index.gap_open:
                for edge in Edge:
                    self.request(edge)
                running = [task for task in self._tasks.values() if not task.done()]
                if not running:
                    # Both edges failed or stopped: nothing more will come until a retry.
                    self._load_all_interrupted = any(
                        s.state is EdgeState.FAILED for s in self.status.values()
                    )
                    return
                await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
        finally:
            self._loading_all = False

    async def close(self) -> None:
        """Cancel everything in flight (the user switched conversation or quit)."""
        self.client.remove_retry_listener(self._on_retry)
        self.stop_following()
        for edge in Edge:
            self._cancel(edge)
        pending = [t for t in [*self._tasks.values(), self._follow_task] if t is not None]
        for task in pending:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    # --- live follow -----------------------------------------------------------------------------

    def follow(self, interval_s: float = 2.0) -> None:
        """Poll for items added after the newest loaded one; refresh in-progress rows."""
        if self._follow_task is None or self._follow_task.done():
            self._follow_task = asyncio.create_task(self._follow_loop(interval_s), name="follow")

    def stop_following(self) -> None:
        if self._follow_task is not None:
            self._follow_task.cancel()
            self._follow_task = None

    @property
    def following(self) -> bool:
        return self._follow_task is not None and not self._follow_task.done()

    async def poll_newest(self) -> int:
        """One follow step; returns how many new items arrived."""
        if self.index.gap_open and not self._tail_started:
            self.jump_to_end()
        await self._settle(Edge.TAIL)
        if self.index.gap_open and not self.index.tail_count:
            return 0  # the end is not loaded yet: "newest" would be the middle
        newest = self.index.newest_id()
        walk = self._new_walk(Edge.HEAD)
        walk.after = newest
        added = 0
        while not walk.done:
            page = await walk.next_page()
            rows = [row_from_item(item) for item in page.data]
            result = self.index.add_newest(rows)
            added += result.added
            if page.data and not result.added:
                break  # a server that ignores the cursor: nothing new here
        await self._refresh_in_progress()
        if added:
            self._changed()
        return added

    async def _follow_loop(self, interval_s: float) -> None:
        while True:
            try:
                await self.poll_newest()
            except APIError as error:
                self.notice = f"follow: {error}"
                self.on_change()
            else:
                if self._notices.pop("(engine)", None) is not None:
                    self.on_change()  # following works again: the failure notice is no longer true
            await asyncio.sleep(interval_s)

    async def _refresh_in_progress(self) -> None:
        stale = sorted(self.index.in_progress_ids)[:MAX_REFRESH_PER_POLL]
        changed = False
        for item_id in stale:
            item = await self.client.retrieve_item(
                self.conversation_id, item_id, include=self.include
            )
            changed |= self.index.replace(row_from_item(item))
        if changed:
            self._changed()

    # --- loading ---------------------------------------------------------------------------------

    async def _settle(self, edge: Edge) -> None:
        task = self._tasks.get(edge)
        if task is not None and not task.done():
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _cancel(self, edge: Edge) -> None:
        task = self._tasks.get(edge)
        if task is not None and not task.done():
            task.cancel()
            if self.status[edge].state is EdgeState.LOADING:
                self.status[edge].state = EdgeState.IDLE

    async def _load_page(self, edge: Edge) -> None:
        status, walk = self.status[edge], self._walks[edge]
        self.on_change()
        try:
            page = await walk.next_page()
        except asyncio.CancelledError:
            # `_cancel` already set the edge back to idle; the cursor did not move.
            raise
        except APIError as error:
            status.state, status.message, status.error = EdgeState.FAILED, str(error), error
            log.warning("loading from the %s failed: %s", edge.value, error)
            self.on_change()
            return
        status.pages += 1
        if self._loading_all and not walk.done and self.index.gap_open:
            # The next cursor is known already: ask for the next page before processing this
            # one, so the server works while we parse. Still one request in flight per edge.
            self.status[edge].started_at = time.monotonic()
            self._tasks[edge] = asyncio.create_task(self._load_page(edge), name=f"page-{edge.value}")
        for listener in self.page_listeners:
            listener(page.data)
        rows = [row_from_item(item) for item in page.data]
        finished = walk.stop is not None and walk.stop.complete
        # Everything from the start again (a server ignoring the cursor): the ids held already
        # are expected there, not repeats.
        expected = sum(1 for row in rows if row.id in self.index) if walk.unpaged else 0
        if edge is Edge.HEAD:
            result = self.index.add_head(rows, reached_end=finished)
        else:
            result = self.index.add_tail(rows, reached_start=finished)
        self.duplicates += max(result.duplicates - expected, 0)
        self._after_page(edge, walk, page.data != [], result)
        self._changed()

    def _after_page(self, edge: Edge, walk: CursorWalk, had_items: bool, result: AddResult) -> None:
        status = self.status[edge]
        if not self.index.gap_open:
            # The walks met: whatever is still in flight brings only duplicates.
            for each in Edge:
                self._cancel_unless_current(each)
                self.status[each].state = EdgeState.DONE
            return
        if had_items and not result.added and not result.met and not walk.done:
            walk.end(WalkStop.CURSOR_IGNORED)
        if walk.stop is not None and not walk.stop.complete:
            self._cancel_unless_current(edge)  # a page asked for ahead is no use now
            status.state, status.message = EdgeState.STOPPED, walk.stop.value
        elif walk.done:
            status.state = EdgeState.DONE
        elif not self._pipelined(edge):
            status.state = EdgeState.IDLE

    def _pipelined(self, edge: Edge) -> bool:
        task = self._tasks.get(edge)
        return task is not None and task is not asyncio.current_task() and not task.done()

    def _cancel_unless_current(self, edge: Edge) -> None:
        if self._tasks.get(edge) is not asyncio.current_task():
            self._cancel(edge)

    def _changed(self) -> None:
        self.version += 1
        self.on_change()

    def _on_retry(self, event: RetryEvent) -> None:
        # A notice lasts exactly as long as its request is retrying.
        if event.finished:
            if self._notices.pop(event.path, None) is None:
                return
        else:
            self._notices.pop(event.path, None)
            self._notices[event.path] = event.describe()
        self.on_change()
