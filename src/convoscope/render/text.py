"""Make untrusted text safe to put on a terminal.

Server text may hold ANSI escapes, other control characters, or bidi overrides that reorder what
follows. None of them may reach the terminal raw: each becomes a visible stand-in.
"""

from __future__ import annotations

import re

# C0 controls except tab, DEL, C1 controls, and the Unicode format characters that can hide or
# reorder text (zero-width, bidi embeddings/overrides/isolates, line/paragraph separators).
_UNSAFE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]")

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
