"""Changing a Line-API widget's scrollable size without re-laying-out the whole screen."""

from __future__ import annotations

from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.widget import Widget


def set_virtual_size(widget: ScrollView, size: Size) -> None:
    """Set `widget.virtual_size`; a full layout only when the vertical scrollbar comes or goes.

    `virtual_size` is a layout reactive: assigning it re-lays-out the screen (about 40 ms on a
    busy screen), and a list that grows by a page, or a pane that shows another item, changes it
    all the time. Only a scrollbar appearing or disappearing changes any geometry.
    """
    old = widget.virtual_size
    if size == old:
        return
    height = widget.scrollable_content_region.height
    if (old.height > height) != (size.height > height) or not widget.is_mounted:
        widget.virtual_size = size
        return
    widget.set_reactive(Widget.virtual_size, size)
    widget._scroll_update(size)  # what Textual itself calls when a size changes without layout
