"""Comparing items across servers: the same content, whatever ids and bookkeeping a server added.

Two servers never agree on ids, and each fills in its own bookkeeping: when and by whom an item
was made, which response made it, its status, defaults such as an empty `annotations` list. An
item's *content* is what is left without those; `content_key` makes it hashable so sequences can
be aligned, and `field_diff` says which fields of two items differ.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

SERVER_FIELDS = frozenset({"id", "object", "status", "created_at", "created_by", "response_id", "agent_reference"})
"""Top-level fields a server assigns: never compared, never sent when writing an item."""
SENT_ASIDE = frozenset({"id", "object", "created_at", "created_by", "response_id", "agent_reference"})
"""Fields left out of an item written to another server (it assigns its own)."""
MISSING = object()


def sendable(raw: dict[str, Any]) -> dict[str, Any]:
    """The item as input for create-items on another server (its ids and bookkeeping left out)."""
    return {key: value for key, value in raw.items() if key not in SENT_ASIDE}


def content(raw: Any) -> Any:
    """The item without server-assigned fields, and with empty defaults dropped at every level."""
    if not isinstance(raw, dict):
        return raw
    return {key: _normal(value) for key, value in raw.items() if key not in SERVER_FIELDS and not _empty(value)}


def _normal(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _normal(v) for key, v in value.items() if not _empty(v)}
    if isinstance(value, list):
        return [_normal(v) for v in value]
    return value


def _empty(value: Any) -> bool:
    return value is None or value == [] or value == {}


def content_key(raw: Any) -> str:
    """A string equal for two items exactly when their content is equal."""
    return json.dumps(content(raw), sort_keys=True, ensure_ascii=True, separators=(",", ":"), default=str)


def item_type(raw: Any) -> str:
    kind = raw.get("type") if isinstance(raw, dict) else None
    return kind if isinstance(kind, str) else "?"


@dataclass(frozen=True)
class FieldChange:
    path: str  # `content[0].text`
    before: Any  # MISSING when the field is only in the second item
    after: Any  # MISSING when the field is only in the first item


def field_diff(a: Any, b: Any, path: str = "") -> list[FieldChange]:
    """Every field whose content differs between two items, deepest first found, in order."""
    a, b = (content(a), content(b)) if not path else (a, b)
    if isinstance(a, dict) and isinstance(b, dict):
        changes: list[FieldChange] = []
        for key in [*a, *(k for k in b if k not in a)]:
            sub = f"{path}.{key}" if path else str(key)
            if key not in b:
                changes.append(FieldChange(sub, a[key], MISSING))
            elif key not in a:
                changes.append(FieldChange(sub, MISSING, b[key]))
            else:
                changes.extend(field_diff(a[key], b[key], sub))
        return changes
    if isinstance(a, list) and isinstance(b, list):
        changes = []
        for index in range(max(len(a), len(b))):
            sub = f"{path}[{index}]"
            if index >= len(b):
                changes.append(FieldChange(sub, a[index], MISSING))
            elif index >= len(a):
                changes.append(FieldChange(sub, MISSING, b[index]))
            else:
                changes.extend(field_diff(a[index], b[index], sub))
        return changes
    return [] if a == b else [FieldChange(path or "(item)", a, b)]


def changed_region(before: str, after: str, context: int = 20) -> tuple[str, str]:
    """The differing middle of two strings with a little context, `…` where text was cut."""
    start = 0
    limit = min(len(before), len(after))
    while start < limit and before[start] == after[start]:
        start += 1
    end = 0
    while end < limit - start and before[len(before) - 1 - end] == after[len(after) - 1 - end]:
        end += 1
    lo = max(start - context, 0)

    def cut(text: str) -> str:
        hi = min(len(text) - end + context, len(text))
        return ("…" if lo > 0 else "") + text[lo:hi] + ("…" if hi < len(text) else "")

    return cut(before), cut(after)
