"""The user's `[keymap]`: binding ids to keys, checked against the app's bindings before use.

Textual applies a keymap by binding id (`App.set_keymap`). Here each entry of the config file is
checked first: an id no binding has, a value that is not keys, or keys that another binding on
the same screen already answers to are reported with the file and line, and left out (the
default keys keep working); every other entry is applied.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from textual.binding import Binding
from textual.keys import _normalize_key_list

from convoscope.storage.config import KeymapEntry

OWN_PACKAGE = "convoscope."
# A key as Textual names it: `x`, `X`, `f2`, `ctrl+shift+left`, `question_mark`.
KEY_NAME = re.compile(r"(?:(?:ctrl|shift|alt|meta|super|hyper)\+)*[A-Za-z0-9_]+")


@dataclass(frozen=True)
class BindingInfo:
    binding_id: str
    keys: tuple[str, ...]
    description: str
    where: str  # the class it belongs to


def checked_keymap(entries: Iterable[KeymapEntry]) -> tuple[dict[str, str], list[str]]:
    """(the keymap to apply, one problem line per entry left out)."""
    chains = binding_chains()
    known = {info.binding_id: info for chain in chains for info in chain}
    keymap: dict[str, str] = {}
    problems: dict[int, str] = {}  # by the entry's position: reported in the file's order
    candidates: list[tuple[int, KeymapEntry, str]] = []
    for position, entry in enumerate(entries):
        problem = _entry_problem(entry, known)
        if problem:
            problems[position] = f"{entry.where}: keymap.{entry.binding_id}: {problem}"
        else:
            assert entry.keys is not None
            candidates.append((position, entry, _normalize_key_list(entry.keys)))
    proposed = {entry.binding_id: keys for _, entry, keys in candidates}
    for position, entry, keys in candidates:
        clash = _clash(entry.binding_id, proposed, chains)
        if clash:
            problems[position] = f"{entry.where}: keymap.{entry.binding_id}: {clash}"
        else:
            keymap[entry.binding_id] = keys
    return keymap, [problems[position] for position in sorted(problems)]


def _entry_problem(entry: KeymapEntry, known: dict[str, BindingInfo]) -> str | None:
    if entry.binding_id not in known:
        close = difflib.get_close_matches(entry.binding_id, list(known), n=1, cutoff=0.6)
        hint = f" (did you mean {close[0]}?)" if close else " (`?` lists the keys; the README lists the ids)"
        return f"no binding has this id{hint}"
    if entry.keys is None:
        return 'expected keys as a string, such as "x" or "ctrl+n,f2"'
    keys = [key.strip() for key in entry.keys.split(",")]
    bad = [key for key in keys if not key or not (len(key) == 1 or KEY_NAME.fullmatch(key))]
    if bad:
        return f"{bad[0]!r} is not a key name (examples: x, X, f2, ctrl+n, question_mark)"
    return None


def _clash(binding_id: str, proposed: dict[str, str], chains: list[list[BindingInfo]]) -> str | None:
    """Another binding active together with this one that answers to one of its new keys."""
    mine = proposed[binding_id].split(",")
    for chain in chains:
        if not any(info.binding_id == binding_id for info in chain):
            continue
        for info in chain:
            if info.binding_id == binding_id:
                continue
            theirs = proposed[info.binding_id].split(",") if info.binding_id in proposed else info.keys
            shared = [key for key in mine if key in theirs]
            if shared:
                return f"{shared[0]!r} is already the key of {info.binding_id} ({info.description})"
    return None


def binding_chains() -> list[list[BindingInfo]]:
    """The bindings active together, screen by screen (what a key press can reach at once)."""
    from convoscope.tui.app import ConvoscopeApp
    from convoscope.tui.screens.conversation import ConversationScreen
    from convoscope.tui.screens.copy import CopyScreen
    from convoscope.tui.screens.export_dialog import ExportDialog
    from convoscope.tui.screens.login import LoginScreen
    from convoscope.tui.screens.menus import FilterMenu, IncludeMenu, KeysScreen
    from convoscope.tui.screens.picker import PickerScreen
    from convoscope.tui.screens.save import SaveImagesScreen
    from convoscope.tui.widgets.conversation_list import ConversationList
    from convoscope.tui.widgets.detail_pane import DetailPane
    from convoscope.tui.widgets.item_list import ItemList
    from convoscope.tui.widgets.reading_view import ReadingView

    chains = [
        (ItemList, ConversationScreen, ConvoscopeApp),
        (DetailPane, ConversationScreen, ConvoscopeApp),
        (ReadingView, ConversationScreen, ConvoscopeApp),
        (ConversationList, PickerScreen, ConvoscopeApp),
        (PickerScreen, ConvoscopeApp),
        *((modal, ConvoscopeApp) for modal in (
            KeysScreen, FilterMenu, IncludeMenu, SaveImagesScreen, LoginScreen, ExportDialog, CopyScreen,
        )),
    ]
    return [[info for cls in chain for info in own_bindings(cls)] for chain in chains]


def own_bindings(cls: type) -> Iterator[BindingInfo]:
    """The bindings convoscope's own classes declare for `cls` (not Textual's generic ones)."""
    seen: set[str] = set()
    for klass in cls.__mro__:
        if not klass.__module__.startswith(OWN_PACKAGE):
            continue
        for binding in klass.__dict__.get("BINDINGS", []):
            if isinstance(binding, Binding) and binding.id and binding.id not in seen:
                seen.add(binding.id)
                keys = tuple(_normalize_key_list(binding.key).split(","))
                yield BindingInfo(binding.id, keys, binding.tooltip or binding.description, cls.__name__)
