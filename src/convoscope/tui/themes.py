"""Themes as TOML files: the bundled ones (top-level `themes/`) and the user's (`convoscope locate`).

A theme file names Textual's base colours, may set any of convoscope's colour variables (item
types, statuses, the cursor, pair and match highlights; see tui/palette.py) and Textual's own,
and may replace the item-type glyphs:

```toml
name = "convoscope-dark"
dark = true
primary = "#0178D4"
foreground = "#E0E0E0"
background = "#121212"
surface = "#1E1E1E"
# ... secondary, accent, warning, error, success, panel, boost

[variables]
cursor-background = "#0F4B79"
item-tool-output = "#C8EDFF"

[glyphs]
tool-call = ">"
```

A file that cannot be read or is invalid is skipped and reported once, with its path, the line
and the reason; the app then uses the default theme. Variables a theme leaves out are derived
from its base colours, checked for contrast (palette.derived_variables).
"""

from __future__ import annotations

import re
import sys
import sysconfig
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.cells import cell_len
from textual.color import Color, ColorParseError
from textual.theme import Theme

from convoscope.render.groups import GLYPHS, Group
from convoscope.storage.config import _KeyLines
from convoscope.storage.paths import themes_dir

DEFAULT_THEME = "convoscope-dark"

BASE_COLOURS = (
    "primary", "secondary", "accent", "warning", "error", "success",
    "foreground", "background", "surface", "panel", "boost",
)
REQUIRED = ("name", "primary")
GLYPH_KEYS: dict[str, Group] = {
    "message": Group.MESSAGE,
    "tool-call": Group.TOOL_CALL,
    "tool-output": Group.TOOL_OUTPUT,
    "reasoning": Group.REASONING,
    "shell": Group.SHELL,
    "hosted": Group.HOSTED,
    "mcp": Group.MCP,
    "other": Group.OTHER,
}
TEXT_STYLE_WORDS = frozenset({"bold", "italic", "underline", "reverse", "dim", "strike", "none"})
_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
_VARIABLE = re.compile(r"[a-z][a-z0-9-]{0,63}")


@dataclass(frozen=True)
class ThemeFile:
    theme: Theme
    glyphs: dict[Group, str] = field(default_factory=dict)
    path: Path | None = None


class ThemeFileError(Exception):
    """A theme file that cannot be used; `problems` holds `<file>:<line>: <key>: <reason>` lines."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


# --- where themes live -------------------------------------------------------------------------


def bundled_themes_dir() -> Path | None:
    """The bundled themes: `themes/` of a source checkout (or editable install), else the copy
    a wheel installs under `<prefix>/share/convoscope/themes` (pyproject's data-files)."""
    checkout = Path(__file__).resolve().parents[3] / "themes"
    prefixes = [sysconfig.get_path("data"), sys.prefix]
    try:  # `pip install --user` puts data files under the user's base (~/.local)
        prefixes.append(sysconfig.get_path("data", sysconfig.get_preferred_scheme("user")))
    except (KeyError, ValueError):  # pragma: no cover - a platform without a user scheme
        pass
    candidates = [checkout, *(Path(prefix) / "share" / "convoscope" / "themes" for prefix in prefixes)]
    return next((path for path in candidates if path.is_dir()), None)


def load_all_themes(user_dir: Path | None = None) -> tuple[dict[str, ThemeFile], list[str]]:
    """Every usable theme by name (the user's replace bundled ones of the same name), and one
    problem line per file that could not be used."""
    themes: dict[str, ThemeFile] = {}
    problems: list[str] = []
    for directory in (bundled_themes_dir(), user_dir if user_dir is not None else themes_dir()):
        if directory is None:
            continue
        try:
            paths = sorted(directory.glob("*.toml"))
        except OSError as error:
            problems.append(f"{directory}: cannot list it: {error.strerror or error}")
            continue
        for path in paths:
            try:
                loaded = load_theme_file(path)
            except ThemeFileError as error:
                problems.extend(error.problems)
                continue
            themes[loaded.theme.name] = loaded
    return themes, problems


# --- one file ----------------------------------------------------------------------------------


def load_theme_file(path: Path) -> ThemeFile:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ThemeFileError([f"{path}: not UTF-8 text"]) from None
    except OSError as error:
        raise ThemeFileError([f"{path}: cannot read it: {error.strerror or error}"]) from None
    return parse_theme(text, path)


def parse_theme(text: str, path: Path | str = "theme.toml") -> ThemeFile:
    """A theme from TOML `text`; `path` only names the file in messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        line = re.search(r"line (\d+)", str(error))
        where = f"{path}:{line.group(1)}" if line else str(path)
        raise ThemeFileError([f"{where}: not valid TOML: {error}"]) from None
    lines = _KeyLines(text)
    problems: list[tuple[tuple[str, ...], str]] = []
    theme_fields = _base_fields(data, problems)
    variables = _variables(data.get("variables", {}), problems)
    glyphs = _glyphs(data.get("glyphs", {}), problems)
    if problems:
        raise ThemeFileError([f"{path}:{lines.line_of(loc) or 1}: {'.'.join(loc)}: {why}" for loc, why in problems])
    theme = Theme(**theme_fields, variables=variables)
    return ThemeFile(theme, glyphs, Path(path))


def _base_fields(data: dict[str, Any], problems: list) -> dict[str, Any]:
    known = {*BASE_COLOURS, "name", "dark", "variables", "glyphs"}
    for key in data:
        if key not in known:
            problems.append(((key,), f"unknown key (expected one of {', '.join(sorted(known))})"))
    for key in REQUIRED:
        if key not in data:
            problems.append(((key,), "missing"))
    fields: dict[str, Any] = {}
    name = data.get("name")
    if name is not None:
        if isinstance(name, str) and _NAME.fullmatch(name):
            fields["name"] = name
        else:
            problems.append((("name",), f"expected lower-case letters, digits and '-', got {name!r}"))
    dark = data.get("dark", True)
    if isinstance(dark, bool):
        fields["dark"] = dark
    else:
        problems.append((("dark",), f"expected true or false, got {dark!r}"))
    for key in BASE_COLOURS:
        if key in data:
            if _is_colour(data[key]):
                fields[key] = data[key]
            else:
                problems.append(((key,), f"expected a colour such as \"#1E1E1E\", got {data[key]!r}"))
    return fields


def _variables(table: Any, problems: list) -> dict[str, str]:
    if not isinstance(table, dict):
        problems.append((("variables",), "expected a table of name = \"colour\""))
        return {}
    variables = {}
    for name, value in table.items():
        if not _VARIABLE.fullmatch(name):
            problems.append((("variables", name), "expected a variable name such as cursor-background"))
        elif name.endswith("text-style"):
            if isinstance(value, str) and set(value.split()) <= TEXT_STYLE_WORDS and value.strip():
                variables[name] = value
            else:
                problems.append((("variables", name), f"expected a text style such as \"bold\", got {value!r}"))
        elif _is_colour(value):
            variables[name] = value
        else:
            problems.append((("variables", name), f"expected a colour such as \"#1E1E1E\", got {value!r}"))
    return variables


def _glyphs(table: Any, problems: list) -> dict[Group, str]:
    if not isinstance(table, dict):
        problems.append((("glyphs",), "expected a table of group = \"character\""))
        return {}
    glyphs = {}
    for key, value in table.items():
        if key not in GLYPH_KEYS:
            problems.append((("glyphs", key), f"unknown group (expected one of {', '.join(GLYPH_KEYS)})"))
        elif isinstance(value, str) and len(value) == 1 and value.isprintable() and cell_len(value) == 1:
            glyphs[GLYPH_KEYS[key]] = value
        else:
            problems.append((("glyphs", key), f"expected one printable character one cell wide, got {value!r}"))
    return glyphs


def _is_colour(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        Color.parse(value)
    except ColorParseError:
        return False
    return True


def glyphs_with(overrides: dict[Group, str]) -> dict[Group, str]:
    return {**GLYPHS, **overrides}
