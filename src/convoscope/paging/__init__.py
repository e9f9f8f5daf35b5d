"""Paging: walks conversation items with cursors. Knows the client, never widgets."""

from convoscope.paging.cursor import CursorWalk, WalkStop
from convoscope.paging.walk import WalkSummary, walk_items

__all__ = ["CursorWalk", "WalkStop", "WalkSummary", "walk_items"]
