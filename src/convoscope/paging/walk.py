"""Walk every item of a conversation in one order, exactly once (used by `convoscope items`).

Servers are not trusted to page correctly: one ignores `after` and returns the first page again,
another says `has_more` forever. The walk never yields an id twice and stops when a page brings
nothing new, saying why in its summary.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field

from convoscope.api.client import MAX_PAGE_LIMIT, ConversationsClient, Order
from convoscope.api.models import Item
from convoscope.paging.cursor import CursorWalk, WalkStop, split_fresh


@dataclass
class WalkSummary:
    pages: int = 0
    items: int = 0
    duplicates_dropped: int = 0
    stop: WalkStop | None = None
    unpaged: bool = False  # the server ignores the cursor: everything came in one request
    seen_ids: set[str] = field(default_factory=set, repr=False)

    @property
    def complete(self) -> bool:
        return self.stop is not None and self.stop.complete


async def walk_items(
    client: ConversationsClient,
    conversation_id: str,
    *,
    order: Order = "asc",
    include: Iterable[str] = (),
    page_size: int = MAX_PAGE_LIMIT,
    summary: WalkSummary | None = None,
    honours_after: bool | None = None,
    unpaged_limit: int | None = None,
) -> AsyncIterator[Item]:
    """Yield each item once, in `order`. Pass a `WalkSummary` to learn how the walk ended.

    `honours_after=False` (detected capability) stops after the first page, saying why.
    """
    summary = summary if summary is not None else WalkSummary()
    walk = CursorWalk(
        client, conversation_id, order=order, include=include, page_size=page_size,
        honours_after=honours_after, unpaged_limit=unpaged_limit,
    )
    while not walk.done:
        page = await walk.next_page()
        fresh, dropped = split_fresh(page.data, summary.seen_ids)
        summary.pages = walk.pages
        summary.unpaged = summary.unpaged or walk.unpaged
        if walk.unpaged and summary.seen_ids:
            # Everything again from the start: the ids held already are expected, not repeats.
            dropped -= sum(1 for item in page.data if item.id in summary.seen_ids)
        summary.duplicates_dropped += dropped
        if not walk.done and walk.pages > 1 and page.data and not any(item.id for item in fresh):
            # A repeated page: even its id-less items were yielded before.
            walk.end(WalkStop.CURSOR_IGNORED)
            break
        summary.seen_ids.update(item.id for item in fresh if item.id)
        summary.items += len(fresh)
        for item in fresh:
            yield item
    summary.stop = walk.stop
