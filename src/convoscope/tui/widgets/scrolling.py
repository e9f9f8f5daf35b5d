"""Scrolling a Line-API widget without repainting more than changed: its scrollable size set
without re-laying-out the whole screen, its scrollbar left alone while the thumb stays put."""

from __future__ import annotations

import math

from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar
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
    if old.height <= height and size.height <= height and old.width == size.width:
        return  # no thumb before or after: the scrollbar would draw the same, and 0 is in range
    widget._scroll_update(size)  # what Textual itself calls when a size changes without layout


def quiet_scrollbar(widget: Widget, scroll_y: float) -> None:
    """Move the vertical scrollbar's position to `scroll_y` without repainting it when its thumb
    would be drawn in the same eighths of a cell.

    Call it from `watch_scroll_y` before Textual's own, which then finds the position already
    set. On a long list the thumb moves once every few hundred lines, but Textual repaints the
    whole bar (a column the height of the list) on every scroll.
    """
    if not widget.show_vertical_scrollbar:
        return
    bar = widget.vertical_scrollbar
    position = bar.validate_position(scroll_y)
    if _thumb_eighths(bar, position) == _thumb_eighths(bar, bar.position):
        bar.set_reactive(ScrollBar.position, position)


def _thumb_eighths(bar: ScrollBar, position: float) -> tuple[int, int] | None:
    """Where the thumb starts and ends, in eighths of a cell: `ScrollBarRender.render_bar`'s sums."""
    size, virtual_size, window_size = bar.size.height, bar.window_virtual_size, bar.window_size
    if not (window_size and size and virtual_size and size != virtual_size) or virtual_size <= window_size:
        return None
    thumb_size = max(1, window_size / (virtual_size / size))
    start = int((size - thumb_size) * (position / (virtual_size - window_size)) * 8)
    return start, start + math.ceil(thumb_size * 8)
