"""One direction of cursor paging through a conversation.

`CursorWalk` is the single piece of code that talks to the list endpoint: the CLI's walk and both
edges of the viewer's engine use it. It moves the `after` cursor and notices the ways a server can
break paging (an empty page with `has_more`, no cursor, the same cursor twice); callers notice
repeated ids, because only they know what has been loaded already.
"""

from __future__ import annotations

import enum
from collections.abc import Container, Iterable

from convoscope.api.client import MAX_PAGE_LIMIT, ConversationsClient, Order
from convoscope.api.models import Item, ItemPage


class WalkStop(enum.Enum):
    COMPLETE = "complete"
    CURSOR_IGNORED = "the server ignored the paging cursor (it sent items already loaded)"
    NO_CURSOR = "the server said there is more but gave no cursor to continue from"
    CURSOR_IGNORED_KNOWN = "this server ignores the paging cursor (detected)"
    """Capability detection found the server ignores `after`: only the first page is real."""


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
    ) -> None:
        """`honours_after=False` (from capability detection) stops after the first page."""
        self.client = client
        self.conversation_id = conversation_id
        self.order: Order = order
        self.include = tuple(include)
        self.item_type = item_type
        self.page_size = page_size
        self.honours_after = honours_after
        self.after: str | None = None
        self.pages = 0
        self.stop: WalkStop | None = None

    @property
    def done(self) -> bool:
        return self.stop is not None

    async def next_page(self) -> ItemPage:
        """Fetch the page after the cursor and move the cursor past it."""
        assert not self.done, "next_page() after the walk ended"
        page = await self.client.list_items(
            self.conversation_id,
            limit=self.page_size,
            order=self.order,
            after=self.after,
            include=self.include,
            item_type=self.item_type,
        )
        self.pages += 1
        self._advance(page)
        return page

    def _advance(self, page: ItemPage) -> None:
        if not page.has_more or not page.data:
            self.stop = WalkStop.COMPLETE
            return
        cursor = page.last_id or page.data[-1].id
        if self.honours_after is False:
            self.stop = WalkStop.CURSOR_IGNORED_KNOWN
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
    """(items whose id is not in `known`, how many were dropped). Id-less items always pass."""
    fresh = [item for item in items if item.id is None or item.id not in known]
    return fresh, len(items) - len(fresh)
