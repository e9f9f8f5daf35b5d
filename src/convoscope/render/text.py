"""Make untrusted text safe to put on a terminal.

Server text may hold ANSI escapes, other control characters, or bidi overrides that reorder what
follows. None of them may reach the terminal raw: each becomes a visible stand-in.

Besides the one-line `visible()` used by list rows, this module has the building blocks of the
detail renderers: multi-line safe text, SGR-only ANSI decoding, size-limited truncation with a
visible marker, and pretty JSON. Nothing here ever treats server text as Rich markup.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from rich._wrap import divide_line
from rich.cells import cell_len
from rich.console import Console, Group, JustifyMethod, OverflowMethod, RenderableType
from rich.containers import Lines
from rich.style import Style
from rich.text import Span, Text

if TYPE_CHECKING:
    from rich.syntax import Syntax

# C0 controls except tab, DEL, C1 controls, and the Unicode format characters that can hide or
# reorder text (zero-width, bidi marks/embeddings/overrides/isolates, invisible operators,
# interlinear annotations, line/paragraph separators). Lone surrogates (JSON "\ud800") are here
# too: they cannot be encoded for the terminal at all.
TERMINAL_UNSAFE_CHARS = (
    r"\x7f-\x9f\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069"
    r"\ufeff\ufff9-\ufffb\ud800-\udfff"
)
_UNSAFE = re.compile(rf"[\x00-\x08\x0a-\x1f{TERMINAL_UNSAFE_CHARS}]")
# The same, but keeping line feeds (tabs are not in either class).
_UNSAFE_BLOCK = re.compile(rf"[\x00-\x08\x0b-\x1f{TERMINAL_UNSAFE_CHARS}]")

MIN_HANGING_WIDTH = 16  # narrower than this, a hanging indent leaves too little room: plain wrap

_NAMED = {"\x1b": "␛", "\n": "␤", "\r": "␍", "\x00": "␀", "\x7f": "␡"}


def _stand_in(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # the Control Pictures block: ␁ ␂ …
    return f"<U+{code:04X}>"


def visible(text: str) -> str:
    """`text` with every unsafe character replaced by a visible stand-in; tabs become spaces."""
    return _UNSAFE.sub(_stand_in, text).replace("\t", "    ")


def visible_block(text: str) -> str:
    """Multi-line `text` made safe: keeps line feeds and tabs, shows every other control char.

    CRLF line ends become plain line feeds; a lone carriage return is shown as ␍.
    """
    if "\r\n" in text:
        text = text.replace("\r\n", "\n")
    return _UNSAFE_BLOCK.sub(_stand_in, text)


def safe_text(text: str, style: str | Style | None = None) -> Text:
    """A Rich Text of untrusted `text` (never parsed as markup), control chars made visible."""
    return Text(visible_block(text), style=style or "", tab_size=4)


# ---------------------------------------------------------------------------------------------
# ANSI: only SGR (colour / bold / …) sequences are honoured
# ---------------------------------------------------------------------------------------------

_SGR = re.compile(r"\x1b\[([0-9;:]*)m")

_SGR_STYLES: dict[int, str] = {
    1: "bold",
    2: "dim",
    3: "italic",
    4: "underline",
    7: "reverse",
    9: "strike",
    21: "underline2",
    22: "not dim not bold",
    23: "not italic",
    24: "not underline",
    27: "not reverse",
    29: "not strike",
    39: "default",
    49: "on default",
    53: "overline",
    55: "not overline",
}
# Deliberately absent: 5/6 (blink) and 8 (conceal, which would hide text).
for _code in range(8):
    _SGR_STYLES[30 + _code] = f"color({_code})"
    _SGR_STYLES[40 + _code] = f"on color({_code})"
    _SGR_STYLES[90 + _code] = f"color({_code + 8})"
    _SGR_STYLES[100 + _code] = f"on color({_code + 8})"

_STYLE_CACHE: dict[str, Style] = {}


def _apply_sgr(current: Style, params: str) -> Style:
    """`current` updated by one SGR parameter string ("1;31", "38;5;208", "" = reset)."""
    codes: list[int] = []
    for part in params.replace(":", ";").split(";"):
        if part == "":
            codes.append(0)
        elif part.isdigit():
            codes.append(min(int(part), 255))
    if not codes:
        codes = [0]
    style = current
    index = 0
    while index < len(codes):
        code = codes[index]
        index += 1
        if code == 0:
            style = Style.null()
        elif code in _SGR_STYLES:
            name = _SGR_STYLES[code]
            parsed = _STYLE_CACHE.get(name)
            if parsed is None:
                parsed = _STYLE_CACHE[name] = Style.parse(name)
            style = style + parsed
        elif code in (38, 48) and index < len(codes):
            mode = codes[index]
            index += 1
            color = None
            if mode == 5 and index < len(codes):
                color = f"color({codes[index]})"
                index += 1
            elif mode == 2 and index + 2 < len(codes):
                red, green, blue = codes[index : index + 3]
                color = f"rgb({red},{green},{blue})"
                index += 3
            if color is not None:
                style = style + Style.parse(color if code == 38 else f"on {color}")
    return style


def ansi_text(text: str, style: str | Style | None = None) -> Text:
    """Terminal output as Rich Text: SGR sequences (ESC[…m) become styles.

    Every other escape sequence and control character (cursor movement, OSC titles and links,
    bells, …) is shown visibly, never passed through.
    """
    result = Text(style=style or "", tab_size=4)
    current = Style.null()
    position = 0
    for match in _SGR.finditer(text):
        if match.start() > position:
            result.append(visible_block(text[position : match.start()]), current or None)
        current = _apply_sgr(current, match.group(1))
        position = match.end()
    if position < len(text):
        result.append(visible_block(text[position:]), current or None)
    return result


# ---------------------------------------------------------------------------------------------
# Truncation
# ---------------------------------------------------------------------------------------------


class Limits(Protocol):
    """Anything with per-field limits (the detail RenderContext is one)."""

    char_limit: int
    line_limit: int


@dataclass(frozen=True)
class DefaultLimits:
    char_limit: int = 100_000
    line_limit: int = 2_000


DEFAULT_LIMITS = DefaultLimits()

MORE_HINT = "+ shows more, o opens the whole item in $PAGER"


def human_size(size: int) -> str:
    """1234 → "1.2 KB"; 10_485_760 → "10.0 MB"."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def _utf8_size(text: str) -> int:
    if text.isascii():
        return len(text)
    return len(text.encode("utf-8", "surrogatepass"))


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}" if number == 1 else f"{number:,} {noun}s"


def more_marker(rest: str | None = None, *, size: int | None = None, whole_lines: bool = False) -> str:
    """The line shown where text was cut: what is missing and how to see it.

    `rest` is the text not shown (`whole_lines`: it starts at a line start); without it, `size`
    is the size of the whole value.
    """
    if rest is None:
        whole = f" (the whole value is {human_size(size)})" if size is not None else ""
        return f"… more not shown{whole} — {MORE_HINT}"
    lines = rest.count("\n") + (0 if rest.endswith("\n") else 1)
    if lines <= 1 and not whole_lines:
        what = _count(len(rest), "more character")
    else:
        what = _count(lines, "more line")
    return f"… {what} ({human_size(_utf8_size(rest))}) — {MORE_HINT}"


def cut(text: str, limits: Limits = DEFAULT_LIMITS) -> tuple[str, str | None]:
    """`text` cut to the limits, and the marker line to show after it (None when nothing was cut).

    Cheap on huge input: at most `char_limit` characters are scanned for line ends.
    """
    char_limit = max(int(limits.char_limit), 1)
    line_limit = max(int(limits.line_limit), 1)
    end = min(len(text), char_limit)
    # Find the end of line number `line_limit` within the first `end` characters.
    position = -1
    for _ in range(line_limit):
        position = text.find("\n", position + 1, end)
        if position < 0:
            break
    else:
        end = position  # the line_limit-th newline: keep everything before it
    if end >= len(text) or text[end:] == "\n":
        return text, None
    head, rest = text[:end], text[end:]
    whole_lines = rest.startswith("\n")
    if whole_lines:
        rest = rest[1:]
    return head, more_marker(rest, whole_lines=whole_lines)


def truncate(text: str, limits: Limits = DEFAULT_LIMITS) -> tuple[str, bool]:
    """`text` cut to the limits with the marker line appended, and whether it was cut."""
    head, marker = cut(text, limits)
    if marker is None:
        return text, False
    return f"{head}\n{marker}", True


def marker_text(marker: str) -> Text:
    return Text(marker, style="dim italic")


# ---------------------------------------------------------------------------------------------
# JSON
# ---------------------------------------------------------------------------------------------

SYNTAX_THEME = "ansi_dark"

# Parsing a JSON string only to show its first 100,000 characters: past this many characters
# per allowed character, the text is shown as it is instead.
_PARSE_FACTOR = 200
_MAX_DEPTH = 64


def syntax(code: str, lexer: str, *, line_numbers: bool = False) -> Syntax:
    """A highlighted block of already safe, already cut `code`."""
    from rich.syntax import Syntax  # with Pygments, 15 ms: not before the first code block

    return Syntax(
        code,
        lexer,
        theme=SYNTAX_THEME,
        background_color="default",
        word_wrap=True,
        line_numbers=line_numbers,
        tab_size=4,
    )


_JSON_TOKEN = re.compile(
    # A string (or a key when a colon follows). A string cut by truncation ends at the line end:
    # matching it anyway keeps the scan linear instead of retrying from every quote inside.
    r'("(?:[^"\\\n]|\\.)*(?:"|\\?$))(\s*:)?'
    r"|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)"  # a number
    r"|\b(true|false|null)\b",
    re.MULTILINE,
)
JSON_STYLES = {"key": "bold blue", "string": "green", "number": "cyan", "constant": "italic magenta"}


class HangingText(Text):
    """Text whose wrapped lines continue under their own line's indent, plus `hang` columns.

    Pretty JSON and indented snippets read as a tree; a long string wrapped back to column 0
    breaks the tree. Rich wraps every line to the full width; this wraps each line's first row
    to the full width and its continuation rows to the width left after the indent.
    """

    def __init__(self, *args: Any, hang: int = 2, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.hang = hang

    def wrap(
        self,
        console: Console,
        width: int,
        *,
        justify: JustifyMethod | None = None,
        overflow: OverflowMethod | None = None,
        tab_size: int = 8,
        no_wrap: bool | None = None,
    ) -> Lines:
        no_wrap = bool(no_wrap if no_wrap is not None else self.no_wrap) or overflow == "ignore"
        if no_wrap or width < MIN_HANGING_WIDTH:
            return super().wrap(console, width, justify=justify, overflow=overflow, tab_size=tab_size, no_wrap=no_wrap)
        fold = (overflow or self.overflow or "fold") == "fold"
        lines = Lines()
        for line in self.split(allow_blank=True):
            if "\t" in line.plain:
                line.expand_tabs(tab_size)
            lines.extend(self._hang(line, width, fold))
        return lines

    def _hang(self, line: Text, width: int, fold: bool) -> list[Text]:
        plain = line.plain
        if cell_len(plain) <= width:
            return [line]
        indent = min(len(plain) - len(plain.lstrip(" ")) + self.hang, width // 2)
        # Only the first row's break is needed from the whole width: look at a window, not a
        # megabyte-long line.
        offsets = divide_line(plain[: width * 4], width, fold=fold)
        first_end = offsets[0] if offsets else len(plain)
        head = line[:first_end]
        head.rstrip_end(width)
        head.truncate(width, overflow="fold")
        rows = [head]
        room = width - indent
        rest = line[first_end:]
        pad = " " * indent
        for piece in rest.divide(divide_line(rest.plain, room, fold=fold)):
            piece.rstrip_end(room)
            piece.truncate(room, overflow="fold")
            rows.append(Text(pad) + piece)
        return rows


def json_text(text: str) -> Text:
    """Highlighted pretty JSON (already safe, already cut) as Text.

    A regular expression over our own pretty-printed output: far cheaper than a Pygments lexer
    on thousands of lines, with the same look.
    """
    result = HangingText(text, tab_size=4)
    spans = result.spans
    key, string, number, constant = (
        Style.parse(JSON_STYLES[name]) for name in ("key", "string", "number", "constant")
    )
    for match in _JSON_TOKEN.finditer(text):
        if match.group(1) is not None:
            style = key if match.group(2) else string
            spans.append(Span(match.start(1), match.end(1), style))
        elif match.group(3) is not None:
            spans.append(Span(match.start(3), match.end(3), number))
        else:
            spans.append(Span(match.start(4), match.end(4), constant))
    return result


def _compact(value: Any) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except Exception:  # pathological nesting
        return "…"


_INLINE_WIDTH = 72
_INLINE_MEMBERS = 12


def _inline(value: dict | list, used: int) -> str | None:
    """A short container of scalars on one line (`["a", "b"]`, `{"type": "string"}`), if it fits."""
    if len(value) > _INLINE_MEMBERS:
        return None
    members = value.values() if isinstance(value, dict) else value
    if any(isinstance(member, (dict, list)) and member for member in members):
        return None
    text = json.dumps(value, ensure_ascii=False, default=str, separators=(", ", ": "))
    return text if used + len(text) <= _INLINE_WIDTH else None


def _pretty_lines(
    value: Any, indent: str = "", prefix: str = "", suffix: str = "", depth: int = 0
) -> Iterator[str]:
    """json.dumps(value, indent=2) line by line, lazily (so a huge value stops early).

    `prefix` goes before the first line's content (a member's key), `suffix` after the last
    line (a separating comma).
    """
    if isinstance(value, (dict, list)) and value and 0 < depth < _MAX_DEPTH:
        inline = _inline(value, len(indent) + len(prefix) + len(suffix))
        if inline is not None:
            yield f"{indent}{prefix}{inline}{suffix}"
            return
    if isinstance(value, dict) and value and depth < _MAX_DEPTH:
        yield f"{indent}{prefix}{{"
        inner = indent + "  "
        last = len(value) - 1
        for position, (key, member) in enumerate(value.items()):
            key_text = json.dumps(str(key), ensure_ascii=False) + ": "
            yield from _pretty_lines(member, inner, key_text, "," if position < last else "", depth + 1)
        yield f"{indent}}}{suffix}"
    elif isinstance(value, list) and value and depth < _MAX_DEPTH:
        yield f"{indent}{prefix}["
        inner = indent + "  "
        last = len(value) - 1
        for position, member in enumerate(value):
            yield from _pretty_lines(member, inner, "", "," if position < last else "", depth + 1)
        yield f"{indent}]{suffix}"
    else:
        yield f"{indent}{prefix}{_compact(value)}{suffix}"


def pretty_json(
    value: Any, limits: Limits = DEFAULT_LIMITS, *, total_size: int | None = None
) -> tuple[str, str | None]:
    """Indented JSON of `value`, cut to the limits; and the marker line if it was cut.

    `total_size` (the size of the JSON text the value came from, if known) goes in the marker.
    """
    lines: list[str] = []
    size = 0
    char_limit = max(int(limits.char_limit), 1)
    line_limit = max(int(limits.line_limit), 1)
    for line in _pretty_lines(value):
        lines.append(line)
        size += len(line) + 1
        if len(lines) > line_limit or size > char_limit:
            break
    else:
        return "\n".join(lines), None
    head, _marker = cut("\n".join(lines), limits)
    # How much is left is unknown without finishing the walk (which could take seconds).
    return head, more_marker(size=total_size)


@dataclass
class Block:
    """A renderable built from untrusted data, whether a field was cut, and notes about it."""

    body: RenderableType
    truncated: bool = False
    notes: list[str] = field(default_factory=list)


def _looks_like_json(text: str) -> bool:
    stripped = text.lstrip()[:1]
    return stripped in ("{", "[")


def too_large_to_parse(text: str, limits: Limits = DEFAULT_LIMITS) -> bool:
    """Whether parsing `text` as JSON would cost more than showing it is worth."""
    return len(text) > max(int(limits.char_limit), 1) * _PARSE_FACTOR


def parse_json_text(text: str, limits: Limits = DEFAULT_LIMITS) -> tuple[bool, Any]:
    """(True, value) when `text` is JSON (and not too big to be worth parsing), else (False, None)."""
    if too_large_to_parse(text, limits):
        return False, None
    try:
        return True, json.loads(text)
    except Exception:  # ValueError, RecursionError on absurd nesting
        return False, None


def json_block(value: Any, limits: Limits = DEFAULT_LIMITS, *, what: str = "", strict: bool = True) -> Block:
    """Pretty, highlighted JSON of a value or of a JSON string.

    A string that is not valid JSON is shown as safe text, with the note "<what>: not valid JSON"
    when `strict` (say for function arguments, which must be JSON). With strict=False a plain
    string (say a tool's text output) is simply shown as text.
    """
    total_size = None
    if isinstance(value, str):
        text = value
        total_size = _utf8_size(text)
        ok, parsed = parse_json_text(text, limits) if (strict or _looks_like_json(text)) else (False, None)
        if not ok or not isinstance(parsed, (dict, list)) and not strict:
            return text_block(text, limits, notes=_invalid_note(text, what, strict, limits))
        value = parsed
    try:
        body, marker = pretty_json(value, limits, total_size=total_size)
    except Exception:  # a value json cannot represent even with default=str
        return text_block(repr(value), limits)
    code = json_text(visible_block(body))
    if marker is None:
        return Block(code)
    return Block(Group(code, marker_text(marker)), truncated=True)


def _invalid_note(text: str, what: str, strict: bool, limits: Limits) -> list[str]:
    if not strict:
        return []
    if too_large_to_parse(text, limits):
        return [f"{what or 'value'}: too large to check as JSON ({human_size(len(text))})"]
    return [f"{what}: not valid JSON" if what else "not valid JSON"]


def json_renderable(value: Any, limits: Limits = DEFAULT_LIMITS) -> RenderableType:
    """Pretty, highlighted JSON of a value or a JSON string (invalid JSON: safe text + a note line)."""
    block = json_block(value, limits)
    if not block.notes:
        return block.body
    return Group(*(Text(note, style="yellow") for note in block.notes), block.body)


def text_block(
    text: str,
    limits: Limits = DEFAULT_LIMITS,
    *,
    style: str | Style | None = None,
    ansi: bool = False,
    notes: list[str] | None = None,
) -> Block:
    """Untrusted text, cut to the limits, made safe (and with SGR colours when `ansi`)."""
    head, marker = cut(text, limits)
    body = ansi_text(head, style) if ansi else safe_text(head, style)
    if marker is None:
        return Block(body, notes=list(notes or ()))
    return Block(Group(body, marker_text(marker)), truncated=True, notes=list(notes or ()))


def code_block(
    code: str, lexer: str, limits: Limits = DEFAULT_LIMITS, *, line_numbers: bool = False
) -> Block:
    """Highlighted source code, cut to the limits (one trailing line end is dropped)."""
    head, marker = cut(code, limits)
    if marker is None and head.endswith("\n"):
        head = head[:-1]
    body = syntax(visible_block(head), lexer, line_numbers=line_numbers)
    if marker is None:
        return Block(body)
    return Block(Group(body, marker_text(marker)), truncated=True)
