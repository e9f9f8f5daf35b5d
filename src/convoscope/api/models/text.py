"""Small text helpers for one-line summaries.

Summaries go into a list column, so they must be one line, bounded in length, and cheap to
compute even when an item carries megabytes of text. Control characters are left alone: the
render layer sanitises them. Newlines never survive, because every whitespace run (including
\\n, \\r, \\t, \\u2028, …) is collapsed to one space.
"""

import json
import re
from typing import Any

SUMMARY_LIMIT = 300
ELLIPSIS = "…"

# Parsing JSON only to compact it is pointless past this size: the summary shows a prefix anyway.
_MAX_JSON_TO_COMPACT = 20_000


# Colour and title sequences (CSI, OSC), as programs write them to a terminal.
ANSI_SEQUENCE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")


def without_terminal_sequences(program_output: str) -> str:
    """A program's output without its colour and title sequences, for a one-line summary.

    Only for program output, where colours are expected (`exit 1: FAILED`, not
    `exit 1: ␛[31mFAILED`). Escapes in messages stay, for the render layer to show as ␛: a
    message that carries them is worth seeing as it is. A stray ESC that starts no sequence stays.
    """
    return ANSI_SEQUENCE.sub("", program_output) if "\x1b" in program_output else program_output


def one_line(text: str, limit: int = SUMMARY_LIMIT) -> str:
    """Collapse all whitespace to single spaces and cut to `limit` characters (with "…")."""
    # Why a window: collapsing a megabyte of text only to keep 300 characters is wasteful.
    window = text[: limit * 4]
    flat = " ".join(window.split())
    if len(flat) > limit or len(window) < len(text):
        flat = flat[: limit - 1].rstrip() + ELLIPSIS
    return flat


_MARKDOWN = (
    (re.compile(r"!\[([^\]\n]*)\]\([^)\n]*\)"), r"\1"),  # ![alt](src) -> alt
    (re.compile(r"\[([^\]\n]+)\]\([^)\n]*\)"), r"\1"),  # [text](url) -> text
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),  # **bold**, __bold__
    (re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])"), r"\1"),  # *italic* (not a*b*c)
    (re.compile(r"~~(?=\S)(.+?)(?<=\S)~~"), r"\1"),  # ~~strike~~
    (re.compile(r"`+([^`\n]+?)`+"), r"\1"),  # `code`
    (re.compile(r"^[ \t]{0,3}(?:#{1,6}[ \t]+|>[ \t]?|[-*+][ \t]+(?:\[[ xX]\][ \t]+)?)", re.MULTILINE), ""),
)


def plain_markdown(text: str, limit: int = SUMMARY_LIMIT) -> str:
    """The text of Markdown without its markers (`**`, `#`, backticks, link targets), for a
    one-line summary. Only a window the summary can show is looked at."""
    window = text[: limit * 4]
    for pattern, replacement in _MARKDOWN:
        window = pattern.sub(replacement, window)
    return window + ("…" if len(text) > limit * 4 else "")


def first_line(text: str, limit: int = SUMMARY_LIMIT) -> str:
    """The first non-blank line of `text`, flattened; "…" when more lines follow."""
    lines = [line for line in text[: limit * 4].splitlines() if line.strip()]
    if not lines:
        return ""
    head = one_line(lines[0], limit)
    more = len(lines) > 1 or len(text) > limit * 4
    return head if not more or head.endswith(ELLIPSIS) else head + " " + ELLIPSIS


def compact_json_text(text: str) -> str:
    """Re-serialise a JSON string compactly; return non-JSON (or huge) text unchanged."""
    if len(text) > _MAX_JSON_TO_COMPACT:
        return text
    try:
        return json.dumps(json.loads(text), ensure_ascii=False, separators=(",", ":"))
    except Exception:  # not JSON, or pathological nesting: show it as it is
        return text


def to_json(value: Any) -> str:
    """Compact JSON for any value; never raises (falls back to repr)."""
    try:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    except Exception:
        return repr(value)


def preview_value(value: Any) -> str:
    """Text for a free-form value: strings as they are, anything else as compact JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return to_json(value)


def short(value: Any, limit: int = 40) -> str:
    """A short one-line rendering of any value (used in error messages)."""
    return one_line(to_json(value), limit)


# ---------------------------------------------------------------------------------------------
# Phrasing shared by the item summaries
# ---------------------------------------------------------------------------------------------

ARROW = "→"
OUTPUT_MARK = "↳"


def qualified(*names: str | None) -> str:
    """ "ns.name" from the parts that are present."""
    return ".".join(name for name in names if name)


def call_text(name: str, arguments: str | None, limit: int = SUMMARY_LIMIT) -> str:
    """`name({"compact":"json"})`, the arguments cut to `limit` characters."""
    return f"{name}({one_line(compact_json_text(arguments or ''), limit)})"


def answered(name: str | None, output: str) -> str:
    """`↳ name → output`, or `↳ output` when the output does not repeat the name."""
    return f"{OUTPUT_MARK} {name} {ARROW} {output}" if name else f"{OUTPUT_MARK} {output}"


def labelled(head: str, detail: str | None) -> str:
    """`head: detail`, or just `head` when there is no detail."""
    return f"{head}: {detail}" if detail else head


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
