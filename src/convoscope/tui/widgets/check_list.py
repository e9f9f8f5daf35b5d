"""A selection list whose ticks read without colour: `[x]` ticked, `[ ]` not."""

from __future__ import annotations

from typing import Generic

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widgets import OptionList, SelectionList
from textual.widgets.option_list import OptionDoesNotExist
from textual.widgets.selection_list import SelectionType

TICKED = "[x] "
UNTICKED = "[ ] "


class CheckList(SelectionList[SelectionType], Generic[SelectionType]):
    """Textual's SelectionList draws both states as `▐X▌`, told apart by colour only."""

    DEFAULT_CSS = """
    CheckList {
        & > .selection-list--button { color: $list-muted; background: transparent; }
        & > .selection-list--button-highlighted { color: $list-muted; background: transparent; }
        & > .selection-list--button-selected { color: $text-success; background: transparent; text-style: bold; }
        & > .selection-list--button-selected-highlighted { color: $text-success; background: transparent; text-style: bold; }
    }
    """

    def _get_left_gutter_width(self) -> int:
        return len(TICKED)

    def render_line(self, y: int) -> Strip:
        line = OptionList.render_line(self, y)  # the prompt, without Textual's coloured box
        index = self.scroll_offset.y + y
        try:
            selection = self.get_option_at_index(index)
        except OptionDoesNotExist:
            return line
        ticked = selection.value in self._selected
        component = "selection-list--button" + ("-selected" if ticked else "")
        if self.highlighted == index:
            component += "-highlighted"
        underlying = next(iter(line)).style or self.rich_style
        mark = self.get_component_rich_style(component)
        # The mark sits on the row's own background (the cursor's, on the highlighted row).
        style = underlying + Style(color=mark.color, bold=mark.bold, meta={"option": index})
        return Strip([Segment(TICKED if ticked else UNTICKED, style), *line])
