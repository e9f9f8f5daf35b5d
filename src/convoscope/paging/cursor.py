"""One direction of cursor paging through a conversation.

`CursorWalk` is the single piece of code that talks to the list endpoint: the CLI's walk and both
edges of the viewer's engine use it. It moves the `after` cursor and notices the ways a server can
break paging (an empty page with `has_more`, no cursor, the same cursor twice); callers notice
repeated ids, because only they know what has been loaded already.

A server that ignores the cursor (found by capability detection, by a repeated page, or by
checking a full first page that says "no more") can only be read in one request: the walk asks
for everything at once, up to `unpaged_limit` items, and says when that may not be everything.
"""

from __future__ import annotations

import enum
from collections.abc import Container, Iterable

from convoscope.api.client import MAX_PAGE_LIMIT, ConversationsClient, Order
from convoscope.api.errors import APIStatusError
from convoscope.api.models import Item, ItemPage


DEFAULT_UNPAGED_LIMIT = 10_000
"""How many items to ask for at once from a server that ignores the paging cursor."""


class WalkStop(enum.Enum):
    COMPLETE = "complete"
    CURSOR_IGNORED = "the server ignored the paging cursor (it sent items already loaded)"
    NO_CURSOR = "the server said there is more but gave no cursor to continue from"
    UNPAGED_COMPLETE = "complete"
    """The server ignores the cursor, but one large request brought everything."""
    UNPAGED_INCOMPLETE = (
        "this server ignores the paging cursor and more items exist than one request brings: "
        "the list may be incomplete"
    )
    LIMIT_REFUSED = (
        "this server ignores the paging cursor and refuses a larger limit: only the first page "
        "could be loaded, the list may be incomplete"
    )
    EMPTY_PAGE = "the server said there is more but sent an empty page: the list may be incomplete"

    @property
    def complete(self) -> bool:
        return self in (WalkStop.COMPLETE, WalkStop.UNPAGED_COMPLETE)


class CursorWalk:
    """Pages through one conversation in one order, remembering where it is."""

    def __init__(
        self,
        client: ConversationsClient,
        conversation_id: str,
        *,
        order: Order,
        include: Iterable[str] = (),
        item_type: str | None = None,
        page_size: int = MAX_PAGE_LIMIT,
        honours_after: bool | None = None,
        unpaged_limit: int | None = None,
    ) -> None:
        """`honours_after=False` (from capability detection) asks for everything at once.

        A server not known to honour `after` is watched: a first page of exactly `page_size`
        items that says `has_more: false` is checked with one more request, and a server found
        ignoring the cursor is asked for up to `unpaged_limit` items in one request.
        """
        self.client = client
        self.conversation_id = conversation_id
        self.order: Order = order
        self.include = tuple(include)
        self.item_type = item_type
        self.page_size = page_size
        self.honours_after = honours_after
        if unpaged_limit is None:
            unpaged_limit = getattr(client.profile, "unpaged_limit", DEFAULT_UNPAGED_LIMIT)
        self.unpaged_limit = max(unpaged_limit, page_size)
        self.after: str | None = None
        self.pages = 0
        self.stop: WalkStop | None = None
        self.unpaged = False  # the last page came from one request for everything

    @property
    def done(self) -> bool:
        return self.stop is not None

    async def next_page(self) -> ItemPage:
        """Fetch the page after the cursor and move the cursor past it.

        From a server that ignores the cursor the page is everything it sends in one request,
        from the start: callers drop the ids they already hold.
        """
        assert not self.done, "next_page() after the walk ended"
        if self.honours_after is False:
            return await self._everything_at_once()
        page = await self._list(self.page_size, self.after)
        self.pages += 1
        if self._suspect(page) and await self._ignores_cursor(page):
            return await self._everything_at_once()
        self._advance(page)
        if self.stop is WalkStop.CURSOR_IGNORED:
            return await self._everything_at_once()
        return page

    async def _list(self, limit: int, after: str | None) -> ItemPage:
        return await self.client.list_items(
            self.conversation_id,
            limit=limit,
            order=self.order,
            after=after,
            include=self.include,
            item_type=self.item_type,
        )

    def _suspect(self, page: ItemPage) -> bool:
        """A full first page that says "no more", from a server not known to honour `after`."""
        return (
            self.pages == 1
            and self.honours_after is not True
            and not page.has_more
            and len(page.data) == self.page_size
            and bool(page.data[-1].id)
        )

    async def _ignores_cursor(self, page: ItemPage) -> bool:
        """Ask for one item after the page: nothing (true end), new items, or the page again."""
        last_id = page.data[-1].id
        probe = await self._list(1, last_id)
        if not probe.data:
            return False
        seen = {item.id for item in page.data}
        if probe.data[0].id in seen:
            return True
        # The server said "no more" but there is more: carry on paging from here.
        page.has_more = True
        return False

    async def _everything_at_once(self) -> ItemPage:
        """One request with a large limit, from the start: the only complete answer possible."""
        try:
            page = await self._list(self.unpaged_limit, None)
        except APIStatusError as error:
            if error.status_code not in (400, 422):
                raise
            page = await self._list(self.page_size, None)
            self.pages += 1
            self.unpaged = True
            whole = not page.has_more and len(page.data) < self.page_size
            self.stop = WalkStop.COMPLETE if whole else WalkStop.LIMIT_REFUSED
            return page
        self.pages += 1
        self.unpaged = True
        full = len(page.data) >= self.unpaged_limit
        if page.has_more or full:
            self.stop = WalkStop.UNPAGED_INCOMPLETE
        else:
            self.stop = WalkStop.UNPAGED_COMPLETE
        return page

    def _advance(self, page: ItemPage) -> None:
        if not page.has_more:
            self.stop = WalkStop.COMPLETE
            return
        cursor = page.last_id or (page.data[-1].id if page.data else None)
        if not page.data and (not cursor or cursor == self.after):
            # `has_more` with nothing in it and nowhere to go: the SDK stops silently; we say so.
            self.stop = WalkStop.EMPTY_PAGE
        elif not cursor:
            self.stop = WalkStop.NO_CURSOR
        elif cursor == self.after:
            self.stop = WalkStop.CURSOR_IGNORED
        else:
            self.after = cursor

    def end(self, stop: WalkStop) -> None:
        """A caller found the walk broken (e.g. only repeated ids): stop here."""
        self.stop = stop


def split_fresh(items: list[Item], known: Container[str]) -> tuple[list[Item], int]:
    """(items whose id is neither in `known` nor earlier in `items`, how many were dropped).

    Id-less items always pass: nothing says two of them are the same.
    """
    fresh: list[Item] = []
    in_page: set[str] = set()
    for item in items:
        if item.id is not None:
            if item.id in known or item.id in in_page:
                continue
            in_page.add(item.id)
        fresh.append(item)
    return fresh, len(items) - len(fresh)
