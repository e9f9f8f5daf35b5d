"""Fetching the items around the cursor before the user gets there.

At 800 ms a request, walking down a conversation would show each item's one-line summary for a
second before the item. The items just ahead of (and just behind) the cursor are fetched with
get-item, with the include set the user chose, so the common step finds its item in the cache.

Bounded: only a small window around the cursor is ever in flight. Cancelled: a fetch for an item
the cursor has left behind is dropped when the window moves on. Shared: the detail pane's own
fetch of the selected item joins a prefetch in flight instead of asking a second time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterable

from convoscope.api import APIError
from convoscope.api.models import Item
from convoscope.paging.items import ItemCache

Key = tuple[str, frozenset[str]]

log = logging.getLogger(__name__)


class Prefetcher:
    def __init__(self, cache: ItemCache, on_fetched: Callable[[Item], None] | None = None) -> None:
        """`on_fetched`: called with each item a fetch brings (not for one already cached)."""
        self.cache = cache
        self.on_fetched = on_fetched
        self._tasks: dict[Key, asyncio.Task[Item]] = {}

    @property
    def in_flight(self) -> set[str]:
        """Ids being fetched now."""
        return {item_id for (item_id, _), task in self._tasks.items() if not task.done()}

    def keep_only(self, item_ids: Iterable[str], include: Iterable[str], *, start: bool = True) -> None:
        """Drop every fetch but these items'; with `start`, fetch those not cached or on their way.

        `start=False` first, then `get` the selected item, then `start=True`: the item the user
        waits for is asked for before its neighbours, and fetches still useful are kept.
        """
        include = frozenset(include)
        wanted = [(item_id, include) for item_id in dict.fromkeys(item_ids)]
        for key in [key for key in self._tasks if key not in wanted]:
            self._tasks.pop(key).cancel()
        if not start:
            return
        for key in wanted:
            if key not in self._tasks and self.cache.cached(*key) is None:
                self._start(key)

    async def get(self, item_id: str, include: Iterable[str]) -> Item:
        """The item: from the cache, from a fetch in flight, or fetched now (raises APIError)."""
        key = (item_id, frozenset(include))
        if (item := self.cache.cached(*key)) is not None:
            return item
        task = self._tasks.get(key) or self._start(key)
        # The caller may be cancelled (the cursor moved on); the fetch is the window's to cancel.
        return await asyncio.shield(task)

    def close(self) -> None:
        for task in self._tasks.values():
            task.cancel()
        self._tasks.clear()

    def _start(self, key: Key) -> asyncio.Task[Item]:
        task = asyncio.create_task(self._fetch(key), name=f"get-item-{key[0]}")
        self._tasks[key] = task
        task.add_done_callback(lambda done: self._finished(key, done))
        return task

    async def _fetch(self, key: Key) -> Item:
        item = await self.cache.get(*key)
        # Told in the same step that cached it: whoever sees the item cached sees what
        # `on_fetched` set off (a done callback would run a loop iteration later).
        if self.on_fetched is not None:
            try:
                self.on_fetched(item)
            except Exception:  # the fetch succeeded; a listener's failure is its own
                log.exception("a listener of fetched items failed")
        return item

    def _finished(self, key: Key, task: asyncio.Task[Item]) -> None:
        if self._tasks.get(key) is task:
            del self._tasks[key]
        if not task.cancelled():
            # A failed prefetch is not news: the pane fetches the item again when it is selected
            # and says what went wrong then. Reading the exception keeps asyncio from logging it.
            with contextlib.suppress(APIError, Exception):
                task.exception()
