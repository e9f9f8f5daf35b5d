"""What the user can do on a screen: the keys help (`?`, F1) and the command palette share one list.

Every binding of the screen, its widgets and the app is described once, with the keys it has now
(after the user's keymap). The app's own bindings come first, grouped by where they act; the
generic ones Textual brings (text input editing, sideways scrolling, focus) are marked so the help
can fold them at the end and the palette can leave them out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from textual.binding import Binding, BindingsMap
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode
from textual.keys import key_to_character
from textual.screen import Screen

OWN_PACKAGE = "convoscope."
# Textual's bindings that are part of how this app is used, listed with the app's own keys.
ADOPTED_ACTIONS = frozenset({"command_palette"})

# Where a binding acts, as the help names it; in the order the help lists the groups.
GROUP_TITLES: dict[str, str] = {
    "PickerScreen": "Picker",
    "ConversationList": "The list",
    "ConversationScreen": "Conversation",
    "ItemList": "The list",
    "DetailPane": "The detail pane (tab)",
    "ReadingView": "The reading view (R)",
    "ConvoscopeApp": "Everywhere",
}
GENERIC_GROUP = "Generic keys: text input, scrolling, focus"


@dataclass(frozen=True)
class KeyAction:
    """One thing the user can do: the keys for it, what it does, and where it acts."""

    group: str
    keys: tuple[str, ...]
    description: str
    node: DOMNode
    action: str
    generic: bool
    binding_id: str | None = None  # what a [keymap] entry names

    @property
    def keys_display(self) -> str:
        return " ".join(self.keys)

    def run(self) -> None:
        self.node.call_later(self.node.run_action, self.action)


@dataclass(frozen=True)
class PaletteCommand:
    """A command only the palette offers (a screen's `palette_commands`), such as one view."""

    title: str
    help: str
    run: Callable[[], object]


def key_actions(screen: Screen) -> list[KeyAction]:
    """Every described binding of `screen`, its widgets and the app: the app's own first."""
    app = screen.app
    nodes = list(dict.fromkeys([screen, *screen.query("*"), app]))
    taken = _priority_keys(app)
    consumed = _consumed_by_focus(screen)
    found: dict[tuple[int, str], KeyAction] = {}
    for node in nodes:
        own_actions = _own_actions(type(node))
        bindings = _bindings_as_remapped(node)
        for key, key_bindings in bindings.key_to_bindings.items():
            for binding in key_bindings:
                if not binding.description:
                    continue
                if node is not app and taken.get(key, binding.action) != binding.action:
                    continue  # the app takes this key first: listing it would contradict the footer
                if key in consumed and not binding.priority:
                    continue  # the focused input types this key (the picker's filter types `q`)
                generic = binding.action not in own_actions
                group = GENERIC_GROUP if generic else GROUP_TITLES.get(type(node).__name__, type(node).__name__)
                slot = (id(node), binding.action)
                display = app.get_key_display(binding)
                if slot in found:
                    action = found[slot]
                    if display not in action.keys:
                        found[slot] = _with_key(action, display)
                    continue
                found[slot] = KeyAction(
                    group, (display,), binding.tooltip or binding.description, node, binding.action, generic,
                    binding.id,
                )
    return sorted(found.values(), key=lambda a: (a.generic, _group_rank(a.node)))


def _with_key(action: KeyAction, display: str) -> KeyAction:
    return KeyAction(
        action.group, (*action.keys, display), action.description, action.node, action.action, action.generic,
        action.binding_id,
    )


def _group_rank(node: DOMNode) -> int:
    names = list(GROUP_TITLES)
    name = type(node).__name__
    return names.index(name) if name in names else len(names)


def _own_actions(cls: type) -> set[str]:
    """Actions bound in convoscope's own classes (not inherited from Textual's)."""
    actions: set[str] = set(ADOPTED_ACTIONS)
    for klass in cls.__mro__:
        if not klass.__module__.startswith(OWN_PACKAGE):
            continue
        for binding in klass.__dict__.get("BINDINGS", []):
            actions.add(binding.action if isinstance(binding, Binding) else binding[1])
    return actions


def _bindings_as_remapped(node: DOMNode) -> BindingsMap:
    """The node's bindings with the user's keymap applied, as Textual applies it on a key press."""
    bindings = node._bindings.copy()
    keymap = node.app._keymap
    if keymap:
        bindings.apply_keymap(keymap)
    return bindings


def _priority_keys(app) -> dict[str, str]:  # noqa: ANN001 - the App
    """Keys the app takes before any widget sees them, and the action each runs."""
    return {
        key: binding.action
        for key, bindings in _bindings_as_remapped(app).key_to_bindings.items()
        for binding in bindings
        if binding.priority
    }


def _consumed_by_focus(screen: Screen) -> set[str]:
    """Printable keys the focused widget (the picker's filter) types rather than passes on."""
    focused = screen.focused
    if focused is None:
        return set()
    keys = {
        key
        for node in [screen, *screen.query("*"), screen.app]
        for key in _bindings_as_remapped(node).key_to_bindings
    }
    return {key for key in keys if focused.check_consume_key(key, key_to_character(key))}


class ScreenActions(Provider):
    """The screen's actions (the same list `?` shows, without the generic keys), by name."""

    def _commands(self) -> Iterator[tuple[str, str, Callable[[], object]]]:
        for action in key_actions(self.screen):
            if not action.generic and action.action != "command_palette":
                yield action.description, f"key: {action.keys_display}", action.run
        extra = getattr(self.screen, "palette_commands", None)
        for command in extra() if extra is not None else []:
            yield command.title, command.help, command.run

    async def discover(self) -> Hits:
        for title, help_text, run in self._commands():
            yield DiscoveryHit(title, run, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, run in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), run, help=help_text)
