"""Decoding a 2xx body into JSON without trusting it: bad bytes, deep nesting, or not JSON at all.

`decode_body` never raises RecursionError or UnicodeDecodeError. What it had to repair is
reported per place in the document (`Decoded.repairs`, keyed by path, e.g. `("data", 3)`), so the
client can flag exactly the items concerned and show everything else as sent:

- invalid UTF-8 is decoded with U+FFFD in place of the bad bytes;
- a value nested deeper than `MAX_DEPTH` is replaced by a string holding the start of its raw
  text (readable, truncated), parsed by an iterative parser that cannot overflow the stack;
- a body that is not JSON at all is described: an HTML page (with its title) or plain text.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from typing import Any

MAX_DEPTH = 200
"""Deeper than any real item; Python's own decoder overflows at about 1,000."""
CUT_TEXT_CHARS = 2_000
"""How much raw text of a too-deep value is kept, so it can still be read."""
INVALID_UTF8 = "the server sent invalid UTF-8 (bad bytes shown as \ufffd)"

Path = tuple[str | int, ...]
_LEVELS = "{levels}"


@dataclass
class Decoded:
    data: Any
    repairs: dict[Path, str] = field(default_factory=dict)
    depths: dict[Path, int] = field(default_factory=dict)  # of each cut, from the document's root

    def repair_for(self, prefix: Path) -> str | None:
        """One line naming every repair at or under `prefix` (None when nothing was repaired).

        Depths are counted from `prefix` (the item), not from the page around it.
        """
        found = [
            why.replace(_LEVELS, f"{self.depths.get(path, 0) - len(prefix):,}")
            for path, why in self.repairs.items()
            if path[: len(prefix)] == prefix
        ]
        return "; ".join(dict.fromkeys(found)) or None


class NotJSONError(ValueError):
    """The body is not JSON; `description` says what it looks like instead."""

    def __init__(self, description: str, *, will_change: bool) -> None:
        super().__init__(description)
        self.description = description
        self.will_change = will_change  # a cut-off body may come whole next time; a page will not


def decode_body(content: bytes, content_type: str = "") -> Decoded:
    try:
        return Decoded(json.loads(content))
    except UnicodeDecodeError:
        pass
    except RecursionError:
        return _decode_deep(content.decode("utf-8", errors="replace"), {})
    except ValueError:
        raise _not_json(content, content_type) from None
    # Invalid UTF-8: keep the bad bytes as surrogates while parsing, so we know where they were.
    text = content.decode("utf-8", errors="surrogateescape")
    repairs: dict[Path, str] = {}
    try:
        data = json.loads(text)
    except RecursionError:
        return _decode_deep(text, repairs)
    except ValueError:
        raise _not_json(content, content_type) from None
    return Decoded(_replace_surrogates(data, repairs), repairs)


# --- invalid UTF-8 --------------------------------------------------------------------------------

_SURROGATES = re.compile("[\udc80-\udcff]+")


def _replace_surrogates(root: Any, repairs: dict[Path, str]) -> Any:
    """Replace escaped bad bytes by U+FFFD everywhere (iteratively), noting the paths."""

    def fix(value: str, path: Path) -> str:
        if _SURROGATES.search(value):
            repairs[path] = INVALID_UTF8
            return _SURROGATES.sub("\ufffd", value)
        return value

    if isinstance(root, str):
        return fix(root, ())
    stack: list[tuple[Any, Path]] = [(root, ())]
    while stack:
        container, path = stack.pop()
        if isinstance(container, dict):
            for key in list(container):
                value = container.pop(key) if isinstance(key, str) and _SURROGATES.search(key) else None
                if value is not None:
                    key_fixed = fix(key, (*path, key))
                    container[key_fixed] = value
                    key = key_fixed
                value = container[key]
                if isinstance(value, str):
                    container[key] = fix(value, (*path, key))
                elif isinstance(value, dict | list):
                    stack.append((value, (*path, key)))
        elif isinstance(container, list):
            for index, value in enumerate(container):
                if isinstance(value, str):
                    container[index] = fix(value, (*path, index))
                elif isinstance(value, dict | list):
                    stack.append((value, (*path, index)))
    return root


# --- too deep: an iterative parser that cuts at MAX_DEPTH ------------------------------------------

_TOKEN = re.compile(
    r'\s*(?:(?P<string>"(?:[^"\\]|\\.)*")|(?P<number>-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)'
    r"|(?P<word>true|false|null)|(?P<punct>[{}\[\]:,]))",
    re.DOTALL,
)
_WORDS = {"true": True, "false": False, "null": None}


def _decode_deep(text: str, repairs: dict[Path, str]) -> Decoded:
    parser = _Parser(text, repairs)
    try:
        data = parser.parse()
    except (ValueError, IndexError) as error:
        raise NotJSONError(f"the server sent a malformed JSON body ({error})", will_change=True) from None
    return Decoded(_replace_surrogates(data, repairs), repairs, parser.depths)


class _Parser:
    """A stack-based JSON parser; values deeper than MAX_DEPTH become their (cut) raw text."""

    def __init__(self, text: str, repairs: dict[Path, str]) -> None:
        self.text = text
        self.pos = 0
        self.repairs = repairs
        self.depths: dict[Path, int] = {}

    def _token(self) -> tuple[str, str]:
        match = _TOKEN.match(self.text, self.pos)
        if match is None:
            raise ValueError(f"unexpected text at character {self.pos}")
        self.pos = match.end()
        kind = match.lastgroup or ""
        return kind, match.group(kind)

    def _scalar(self, kind: str, value: str) -> Any:
        if kind == "string":
            return json.loads(value)
        if kind == "number":
            return json.loads(value)
        return _WORDS[value]

    def parse(self) -> Any:
        # Each frame: [container, path, pending key (objects), expecting a value?]
        stack: list[list[Any]] = []
        root: Any = None
        have_root = False
        while True:
            kind, value = self._token()
            if kind == "punct" and value in "]}":
                if not stack:
                    raise ValueError("unbalanced brackets")
                container = stack.pop()[0]
                if not stack:
                    root, have_root = container, True
                    break
                continue
            if kind == "punct" and value in ",:":
                continue  # separators carry nothing the stack does not know already
            frame = stack[-1] if stack else None
            path: Path = ()
            if frame is not None:
                container = frame[0]
                if isinstance(container, dict) and frame[2] is None:
                    if kind != "string":
                        raise ValueError("object key is not a string")
                    frame[2] = self._scalar(kind, value)
                    continue
                key = frame[2] if isinstance(container, dict) else len(container)
                path = (*frame[1], key)
            if kind == "punct":  # "[" or "{"
                if len(stack) >= MAX_DEPTH:
                    parsed: Any = self._cut(path, value)
                else:
                    new: Any = [] if value == "[" else {}
                    if frame is None:
                        stack.append([new, (), None])
                        continue
                    self._put(frame, new)
                    stack.append([new, path, None])
                    continue
            else:
                parsed = self._scalar(kind, value)
            if frame is None:
                root, have_root = parsed, True
                break
            self._put(frame, parsed)
        if not have_root:
            raise ValueError("empty body")
        return root

    @staticmethod
    def _put(frame: list[Any], value: Any) -> None:
        container = frame[0]
        if isinstance(container, dict):
            container[frame[2]] = value
            frame[2] = None
        else:
            container.append(value)

    def _cut(self, path: Path, opener: str) -> str:
        """Skip the value that starts just before `pos`; return its raw text, cut."""
        start = self.pos - 1
        depth, pos, text = 1, self.pos, self.text
        in_string = escaped = False
        while depth and pos < len(text):
            char = text[pos]
            if in_string:
                if escaped:
                    escaped = False
                elif char == "\\":
                    escaped = True
                elif char == '"':
                    in_string = False
            elif char == '"':
                in_string = True
            elif char in "[{":
                depth += 1
            elif char in "]}":
                depth -= 1
            pos += 1
        if depth:
            raise ValueError("unbalanced brackets")
        self.pos = pos
        raw = text[start:pos]
        self.depths[path] = _max_depth(raw) + MAX_DEPTH - 1
        self.repairs[path] = (
            f"the server sent JSON nested {_LEVELS} levels deep; "
            f"shown as raw text from level {MAX_DEPTH} (cut to {CUT_TEXT_CHARS:,} characters)"
        )
        return raw[:CUT_TEXT_CHARS] + ("…" if len(raw) > CUT_TEXT_CHARS else "")


def _max_depth(raw: str) -> int:
    depth = deepest = 0
    in_string = escaped = False
    for char in raw:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


# --- not JSON at all ------------------------------------------------------------------------------

_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


def _not_json(content: bytes, content_type: str) -> NotJSONError:
    description, will_change = _describe_not_json(content, content_type)
    return NotJSONError(description, will_change=will_change)


def _describe_not_json(content: bytes, content_type: str) -> tuple[str, bool]:
    """(what the body is, whether asking again may give a different answer)."""
    head = content.lstrip()[:200].lower()
    if "html" in content_type.lower() or head.startswith((b"<!doctype", b"<html", b"<head", b"<body")):
        title = _TITLE.search(content[:65536])
        name = " ".join(html.unescape(title.group(1).decode("utf-8", "replace")).split()) if title else ""
        described = "the server answered with an HTML page, not JSON: is the base URL right?"
        return (described + (f" (title: {name[:120]})" if name else ""), False)
    if head[:1] in (b"{", b"["):
        # The start of JSON that does not parse: most likely cut off on the way (proxy, reset).
        return (f"the server sent a malformed JSON body ({len(content):,} bytes)", True)
    if not head:
        return ("the server answered with an empty body, not JSON", True)
    snippet = " ".join(content[:120].decode("utf-8", "replace").split())
    return (
        f"the server answered with plain text, not JSON: is the base URL right? ({snippet!r})",
        False,
    )
