"""Full items fetched with get-item, cached (bounded) for the detail pane.

The list keeps only compact rows; the detail pane fetches the whole item when it is selected.
Moving back and forth through the list should not fetch the same item twice, and the cache must
not grow without limit on a 100,000-item conversation.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable

from convoscope.api import ConversationsClient
from convoscope.api.models import Item

DEFAULT_CAPACITY = 256


class ItemCache:
    def __init__(
        self, client: ConversationsClient, conversation_id: str, capacity: int = DEFAULT_CAPACITY
    ) -> None:
        self.client = client
        self.conversation_id = conversation_id
        self.capacity = capacity
        self._items: OrderedDict[tuple[str, frozenset[str]], Item] = OrderedDict()

    def cached(self, item_id: str, include: Iterable[str] = ()) -> Item | None:
        key = (item_id, frozenset(include))
        item = self._items.get(key)
        if item is not None:
            self._items.move_to_end(key)
        return item

    async def get(self, item_id: str, include: Iterable[str] = ()) -> Item:
        """The item, from the cache or the server (raises the client's errors)."""
        include = frozenset(include)
        if (item := self.cached(item_id, include)) is not None:
            return item
        item = await self.client.retrieve_item(self.conversation_id, item_id, include=sorted(include))
        self._items[(item_id, include)] = item
        while len(self._items) > self.capacity:
            self._items.popitem(last=False)
        return item

    def fetched(self) -> Iterable[Item]:
        """Every cached item (for searching full text)."""
        return list(self._items.values())
