"""Small modal screens: the type filter, the include set, and the list of keys."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Collapsible, SelectionList, Static
from textual.widgets.selection_list import Selection

from convoscope.render.groups import ALL_ITEMS, Group, TypeFilter
from convoscope.render.text import visible
from convoscope.tui.commands import GENERIC_GROUP, KeyAction
from convoscope.tui.widgets.check_list import CheckList

MODAL_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{
    width: 80; max-width: 95%; height: auto; max-height: 90%;
    border: round $accent; background: $surface; padding: 0 1;
}}
{name} SelectionList {{ height: auto; max-height: 30; }}
{name} .menu-help {{ color: $text-muted; dock: bottom; }}  /* stays whole when the list is cut */
"""


class FilterMenu(ModalScreen["TypeFilter | None"]):
    """Choose which item groups and types the list shows.

    | Key | Action |
    | :- | :- |
    | `space` | Toggle the highlighted group or type. |
    | `enter` | Apply. |
    | `escape` | Cancel. |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "apply", "Apply", priority=True, id="filter.apply"),
        Binding("escape", "cancel", "Cancel", id="filter.cancel"),
    ]
    DEFAULT_CSS = MODAL_CSS.format(name="FilterMenu")

    def __init__(self, current: TypeFilter, seen_types: Iterable[str]) -> None:
        super().__init__()
        self.current = current
        self.seen_types = sorted(set(seen_types) | set(current.types))

    def compose(self) -> ComposeResult:
        selections: list[Selection[str]] = [
            Selection(f"▣ {group.value}", f"group:{group.name}", group in self.current.groups)
            for group in Group
        ]
        selections += [
            Selection(f"  {visible(item_type)}", f"type:{item_type}", item_type in self.current.types)
            for item_type in self.seen_types
        ]
        with Vertical():
            yield Static(Text("Show items of these groups and types (none ticked: all)", style="bold"))
            yield CheckList[str](*selections, id="filter-choices")
            yield Static("space toggles · enter applies · escape cancels", classes="menu-help")

    def action_apply(self) -> None:
        chosen = self.query_one(SelectionList).selected
        groups = frozenset(Group[v.split(":", 1)[1]] for v in chosen if v.startswith("group:"))
        types = frozenset(v.split(":", 1)[1] for v in chosen if v.startswith("type:"))
        if not groups and not types:
            self.dismiss(ALL_ITEMS)
            return
        names = [group.value for group in Group if group in groups] + sorted(types)
        name = ", ".join(names) if len(names) <= 3 else f"{', '.join(names[:3])} +{len(names) - 3}"
        self.dismiss(TypeFilter(name, groups, types))

    def action_cancel(self) -> None:
        self.dismiss(None)


class IncludeMenu(ModalScreen["frozenset[str] | None"]):
    """Choose the `include` values the detail pane asks for.

    | Key | Action |
    | :- | :- |
    | `space` | Toggle the highlighted value. |
    | `enter` | Apply and refetch the shown item. |
    | `escape` | Cancel. |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "apply", "Apply", priority=True, id="include.apply"),
        Binding("escape", "cancel", "Cancel", id="include.cancel"),
    ]
    DEFAULT_CSS = MODAL_CSS.format(name="IncludeMenu")

    def __init__(self, values: Iterable[str], current: frozenset[str]) -> None:
        super().__init__()
        self.values = list(values)
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text("Fields the server leaves out unless asked (include)", style="bold"))
            yield CheckList[str](*[Selection(v, v, v in self.current) for v in self.values])
            yield Static("space toggles · enter applies · escape cancels", classes="menu-help")

    def action_apply(self) -> None:
        self.dismiss(frozenset(self.query_one(SelectionList).selected))

    def action_cancel(self) -> None:
        self.dismiss(None)


WIDE_ENOUGH_FOR_IDS = 100  # columns: narrower, the ids would squeeze the descriptions


class KeysScreen(ModalScreen[None]):
    """Every key of the current screen, with what it does: the app's own first, grouped by where
    they act; Textual's generic ones (text input, scrolling) folded at the end.

    | Key | Action |
    | :- | :- |
    | `escape`, `q`, `?`, `f1` | Close. |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark,f1", "dismiss", "Close", id="keys.close"),
        Binding("j", "scroll('down')", "Scroll down", show=False, id="keys.down"),
        Binding("k", "scroll('up')", "Scroll up", show=False, id="keys.up"),
    ]
    DEFAULT_CSS = MODAL_CSS.format(name="KeysScreen") + """
    KeysScreen > Vertical { height: 90%; width: 110; }
    KeysScreen VerticalScroll { height: 1fr; }
    KeysScreen .keys-group { text-style: bold; color: $accent; margin-top: 1; }
    KeysScreen Collapsible { margin-top: 1; }
    """

    def __init__(self, actions: list[KeyAction]) -> None:
        super().__init__()
        self.actions = actions

    def compose(self) -> ComposeResult:
        own = [a for a in self.actions if not a.generic]
        generic = [a for a in self.actions if a.generic]
        with Vertical():
            yield Static(Text("Keys  (escape closes · ctrl+p finds any action by name)", style="bold"))
            show_ids = self.app.size.width >= WIDE_ENOUGH_FOR_IDS
            yield Static(
                Text("The right column is the id to remap a key with, in [keymap] of config.toml."
                     if show_ids else "A wider terminal shows the ids to remap keys with ([keymap] in config.toml)."),
                classes="menu-help",
            )
            with VerticalScroll():
                for group, actions in _by_group(own):
                    yield Static(Text(group), classes="keys-group")
                    yield Static(_keys_table(actions, ids=show_ids))
                if generic:
                    with Collapsible(title=f"{GENERIC_GROUP} ({len(generic)})", collapsed=True):
                        yield Static(_keys_table(generic, ids=show_ids, where=True))


    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()  # arrows, page keys and j/k scroll the list

    def action_scroll(self, direction: str) -> None:
        scroll = self.query_one(VerticalScroll)
        scroll.scroll_down() if direction == "down" else scroll.scroll_up()


def _by_group(actions: list[KeyAction]) -> list[tuple[str, list[KeyAction]]]:
    groups: dict[str, list[KeyAction]] = {}
    for action in actions:
        groups.setdefault(action.group, []).append(action)
    return list(groups.items())


def _keys_table(actions: list[KeyAction], *, ids: bool, where: bool = False) -> Table:
    table = Table(box=None, show_header=False, expand=True, padding=(0, 1))
    table.add_column("Keys", no_wrap=True, style="bold", width=14)
    table.add_column("Action", ratio=1)
    if ids:
        table.add_column("Id", style="dim", no_wrap=True)
    for action in actions:
        cells = [Text(action.keys_display), Text(visible(action.description))]
        if ids:
            cells.append(Text(action.binding_id or (type(action.node).__name__ if where else "")))
        table.add_row(*cells)
    return table
