"""The config file: named profiles and the default one, typed, with errors that point at a line.

```toml
default_profile = "work"
[profiles.work]
kind = "azure-openai"          # openai | azure-openai | foundry | compatible
base_url = "https://my-resource.openai.azure.com/openai/v1"
auth = "api-key"               # bearer | api-key | none (default: per kind)
include = ["reasoning.encrypted_content"]
[profiles.work.headers]
"x-ms-user-isolation-key" = "..."
[keymap]                       # binding id = keys (the ids `?` and the README list)
"conversation.raw" = "x"
conversation.load_all = "ctrl+l,L"
```

A missing file is an empty config. Keys never live here: a key-like field (`api_key`, `token`,
an `Authorization` header, ...) is refused with a pointer to the keyring and the environment.
tomllib reports no positions for values, so `_KeyLines` finds the line of each key by scanning
the text; every message reads `<file>:<line>: <dotted.key>: <what was expected>, got <value>`.
"""

from __future__ import annotations

import difflib
import json
import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator

from convoscope.api.include import INCLUDE_VALUES
from convoscope.storage.errors import SetupError
from convoscope.storage.paths import config_path

ConfigKind = Literal["openai", "azure-openai", "foundry", "compatible"]
ConfigAuth = Literal["bearer", "api-key", "none"]
KINDS: tuple[str, ...] = ("openai", "azure-openai", "foundry", "compatible")
BUILTIN_PROFILE_NAMES: tuple[str, ...] = ("openai", "azure")
IncludeValue = Literal[INCLUDE_VALUES]  # type: ignore[valid-type]  # the tuple's values, as a Literal

SECRETS_ADVICE = "keys live in the keyring (`convoscope auth login`) or the environment, not in this file"
# Field and header names that would put a credential in the file (compared lower-case, `-` as `_`).
SECRET_FIELD_NAMES = frozenset(
    {"api_key", "apikey", "key", "token", "access_token", "ad_token", "azure_ad_token",
     "secret", "password", "bearer"}
)
CREDENTIAL_HEADERS = frozenset({"authorization", "proxy_authorization", "api_key", "x_api_key"})

_PROFILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # an RFC 9110 token


class ConfigError(SetupError):
    """The config file is unreadable or invalid; `problems` holds one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


class ProfileConfig(BaseModel):
    """One `[profiles.NAME]` table. Unset fields fall back to the kind's (or built-in's) defaults."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: ConfigKind | None = None
    base_url: str | None = None
    auth: ConfigAuth | None = None
    key_env: str | None = None  # the environment variable holding this profile's key
    organization: str | None = None
    project: str | None = None
    include: tuple[IncludeValue, ...] = ()
    headers: dict[str, str] = {}
    unpaged_limit: int | None = Field(default=None, ge=1)
    """Items to ask for in one request from a server that ignores the paging cursor."""

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not re.match(r"https?://[^/\s]+", value) or any(c.isspace() for c in value):
            raise ValueError("expected an http:// or https:// URL")
        return value.rstrip("/")

    @field_validator("key_env")
    @classmethod
    def _env_name(cls, value: str) -> str:
        if not _ENV_NAME.fullmatch(value):
            raise ValueError("expected an environment variable name such as MY_API_KEY")
        return value

    @field_validator("headers")
    @classmethod
    def _header_names(cls, headers: dict[str, str]) -> dict[str, str]:
        for name, value in headers.items():
            if not _HEADER_NAME.fullmatch(name):
                raise ValueError(f"{_render(name)} is not a valid header name")
            if any(c in value for c in "\r\n\0"):
                raise ValueError(f"the value of header {_render(name)} contains a line break")
        return headers


@dataclass(frozen=True)
class KeymapEntry:
    """One `[keymap]` line: a binding id, the keys it gets (None: not a string), and where it is
    written (`<file>:<line>`), for messages. Checked against the app's bindings by the TUI."""

    binding_id: str
    keys: str | None
    where: str


class Config(BaseModel):
    """The whole file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    default_profile: str | None = None
    theme: str | None = None  # the viewer's theme, by name (bundled or in the themes directory)
    profiles: dict[str, ProfileConfig] = {}
    keymap: dict[str, Any] = {}  # binding id -> keys; dotted ids may be written as nested keys
    _keymap_entries: tuple[KeymapEntry, ...] = PrivateAttr(default=())

    @property
    def keymap_entries(self) -> tuple[KeymapEntry, ...]:
        return self._keymap_entries


def load_config(path: Path | None = None) -> Config:
    """The config at `path` (default: the platform location). A missing file is an empty config."""
    path = config_path() if path is None else path
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Config()
    except UnicodeDecodeError:
        raise ConfigError([f"{path}: not UTF-8 text"]) from None
    except OSError as error:
        raise ConfigError([f"{path}: cannot read it: {error.strerror or error}"]) from None
    return parse_config(text, path)


def parse_config(text: str, path: Path | str = "config.toml") -> Config:
    """Validate TOML `text`; `path` only names the file in error messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError([_syntax_problem(path, str(error))]) from None
    lines = _KeyLines(text)
    problems = list(_secret_fields(data))
    cleaned = _without(data, [loc for loc, _ in problems])
    config: Config | None = None
    try:
        config = Config.model_validate(cleaned)
    except ValidationError as error:
        problems.extend((tuple(e["loc"]), _describe(e)) for e in error.errors())
    if config is not None:
        problems.extend(_cross_field_problems(config))
    if problems:
        located = sorted(((lines.line_of(loc), loc, message) for loc, message in problems),
                         key=lambda problem: problem[0] or 0)
        raise ConfigError([_format(path, line, loc, message) for line, loc, message in located])
    assert config is not None
    config._keymap_entries = tuple(_keymap_entries(config.keymap, lines, path))
    return config


def _keymap_entries(keymap: Mapping[str, Any], lines: _KeyLines, path: Path | str) -> Iterator[KeymapEntry]:
    """`conversation.raw = "x"` (a dotted key, so a nested table) and `"conversation.raw" = "x"`
    both name the binding `conversation.raw`."""
    for loc, value in _flatten(keymap, ("keymap",)):
        line = lines.line_of(loc)
        where = f"{path}:{line}" if line else str(path)
        binding_id = ".".join(str(part) for part in loc[1:])
        yield KeymapEntry(binding_id, value if isinstance(value, str) else None, where)


def _flatten(table: Mapping[str, Any], loc: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Any]]:
    for key, value in table.items():
        if isinstance(value, Mapping):
            yield from _flatten(value, (*loc, key))
        else:
            yield (*loc, key), value


# --- checks pydantic cannot express ----------------------------------------------------------------

Loc = tuple[str | int, ...]


def _secret_fields(data: Mapping[str, Any]) -> Iterator[tuple[Loc, str]]:
    """Key-like fields anywhere they could appear; reported instead of 'unknown key'."""
    for key in data:
        if _normal(key) in SECRET_FIELD_NAMES:
            yield (key,), SECRETS_ADVICE
    profiles = data.get("profiles")
    if not isinstance(profiles, dict):
        return
    for name, table in profiles.items():
        if not isinstance(table, dict):
            continue
        for key in table:
            if _normal(key) in SECRET_FIELD_NAMES:
                yield ("profiles", name, key), SECRETS_ADVICE
        headers = table.get("headers")
        for header in headers if isinstance(headers, dict) else ():
            if _normal(header) in CREDENTIAL_HEADERS:
                yield ("profiles", name, "headers", header), f"a credential header; {SECRETS_ADVICE}"


def _cross_field_problems(config: Config) -> Iterator[tuple[Loc, str]]:
    for name, profile in config.profiles.items():
        if not _PROFILE_NAME.fullmatch(name):
            yield ("profiles", name), "a profile name is letters, digits, '_', '.', '-' (at most 64)"
        if profile.kind is None and name not in BUILTIN_PROFILE_NAMES:
            yield ("profiles", name, "kind"), f"required: one of {', '.join(KINDS)}"
        if profile.kind == "compatible" and profile.base_url is None:
            yield ("profiles", name, "base_url"), "required for kind compatible"
    known = [*BUILTIN_PROFILE_NAMES, *(n for n in config.profiles if n not in BUILTIN_PROFILE_NAMES)]
    if config.default_profile is not None and config.default_profile not in known:
        yield ("default_profile",), (
            f"no profile named {_render(config.default_profile)}{_did_you_mean(config.default_profile, known)}; "
            f"known: {', '.join(known)}"
        )


def _without(data: dict[str, Any], locs: list[Loc]) -> dict[str, Any]:
    """A copy of `data` without the fields at `locs` (already reported, so not 'unknown key' too)."""
    copy = _deep_copy(data)
    for loc in locs:
        table = copy
        for part in loc[:-1]:
            table = table[part]
        table.pop(loc[-1], None)
    return copy


def _deep_copy(value: Any) -> Any:
    return {k: _deep_copy(v) for k, v in value.items()} if isinstance(value, dict) else value


# --- messages --------------------------------------------------------------------------------------

_TYPE_EXPECTED = {
    "string_type": "a string",
    "list_type": "a list",
    "tuple_type": "a list",
    "dict_type": "a table",
    "model_type": "a table",
    "model_attributes_type": "a table",
    "bool_type": "true or false",
    "int_type": "an integer",
}


def _describe(error: Mapping[str, Any]) -> str:
    """One pydantic error as 'expected X, got Y'."""
    kind, value, ctx = error["type"], error.get("input"), error.get("ctx") or {}
    if kind == "extra_forbidden":
        return _unknown_key(tuple(error["loc"]))
    if kind == "missing":
        return "required"
    if kind == "literal_error":
        choices = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        hint = _did_you_mean(value, choices) if isinstance(value, str) else ""
        return f"expected one of {', '.join(choices)}, got {_render(value)}{hint}"
    if kind == "value_error":
        message = str(ctx.get("error", error["msg"]))
        # Our validators phrase a bad value as "expected an ..." and anything else in full.
        return f"{message}, got {_render(value)}" if message.startswith("expected an") else message
    if kind in _TYPE_EXPECTED:
        return f"expected {_TYPE_EXPECTED[kind]}, got {_render(value)}"
    return str(error["msg"])


def _unknown_key(loc: Loc) -> str:
    key = str(loc[-1])
    if len(loc) == 1:
        known = list(Config.model_fields)
    elif len(loc) == 3 and loc[0] == "profiles":
        known = list(ProfileConfig.model_fields)
    else:
        return "unknown key"
    return f"unknown key{_did_you_mean(key, known)}; expected one of {', '.join(known)}"


def _did_you_mean(value: str, choices: list[str]) -> str:
    # A cut-off word ("azur") is as likely as a typo ("bas_url"), and difflib misses the former.
    close = [c for c in choices if value and c.startswith(value)][:1] or difflib.get_close_matches(
        value, choices, n=1, cutoff=0.6
    )
    return f" (did you mean {_render(close[0])}?)" if len(close) == 1 else ""


def _render(value: Any) -> str:
    """A value as TOML would spell it, short, and masked when it looks like a key."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        if _looks_like_a_key(value):
            return '"****" (that looks like a key: ' + SECRETS_ADVICE + ")"
        text = json.dumps(value, ensure_ascii=False)
        return text if len(text) <= 80 else text[:76] + '…"'
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list | tuple):
        return "a list"
    return f"a {type(value).__name__}"


def _looks_like_a_key(value: str) -> bool:
    # A user who puts a key in the wrong field must not find it echoed in an error message.
    if value.startswith(("sk-", "sk_", "eyJ")) and len(value) >= 12:
        return True
    return len(value) >= 32 and re.fullmatch(r"[A-Za-z0-9_\-+/=]+", value) is not None


def _normal(key: str) -> str:
    return key.lower().replace("-", "_")


def _format(path: Path | str, line: int | None, loc: Loc, message: str) -> str:
    where = f"{path}:{line}" if line else str(path)
    dotted = _dotted(loc)
    return f"{where}: {dotted}: {message}" if dotted else f"{where}: {message}"


def _dotted(loc: Loc) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            name = part if re.fullmatch(r"[A-Za-z0-9_-]+", part) else json.dumps(part)
            text += f".{name}" if text else name
    return text


def _syntax_problem(path: Path | str, message: str) -> str:
    """tomllib says '... (at line 3, column 8)'; make it '<file>:3: ... (column 8)'."""
    found = re.search(r"\s*\(at line (\d+), column (\d+)\)$", message)
    if not found:
        return f"{path}: {message}"
    return f"{path}:{found.group(1)}: {message[: found.start()]} (column {found.group(2)})"


# --- where each key is written ---------------------------------------------------------------------

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_BASIC_KEY = re.compile(r'"((?:[^"\\]|\\.)*)"')
_LITERAL_KEY = re.compile(r"'([^']*)'")


class _KeyLines:
    """Line numbers of tables (`[a.b]`) and keys (`c = ...`) by their full dotted path."""

    def __init__(self, text: str) -> None:
        self._lines: dict[tuple[str, ...], int] = {}
        self._scan(text)

    def line_of(self, loc: Loc) -> int | None:
        """The line of `loc`, or of its nearest enclosing key or table that is written down."""
        path = tuple(part for part in loc if isinstance(part, str))
        while path:
            if path in self._lines:
                return self._lines[path]
            path = path[:-1]
        return None

    def _scan(self, text: str) -> None:
        table: tuple[str, ...] = ()
        open_string: str | None = None  # inside a multi-line string: its delimiter
        for number, line in enumerate(text.splitlines(), start=1):
            if open_string:
                if open_string in line:
                    open_string = None
                continue
            stripped = line.strip()
            if stripped.startswith("["):
                start = 2 if stripped.startswith("[[") else 1
                parsed = _parse_key(stripped, start)
                if parsed:
                    table = parsed[0]
                    self._lines.setdefault(table, number)
                continue
            parsed = _parse_key(stripped, 0)
            if not parsed or not stripped[parsed[1]:].startswith("="):
                continue
            self._lines.setdefault(table + parsed[0], number)
            value = stripped[parsed[1] + 1 :].strip()
            open_string = _opens_multiline_string(value)


def _parse_key(text: str, pos: int) -> tuple[tuple[str, ...], int] | None:
    """A dotted key at `pos`: its parts and the position after it (and after trailing spaces)."""
    parts: list[str] = []
    while True:
        while pos < len(text) and text[pos] in " \t":
            pos += 1
        for pattern in (_BASIC_KEY, _LITERAL_KEY, _BARE_KEY):
            found = pattern.match(text, pos)
            if found:
                part = found.group(1) if pattern is not _BARE_KEY else found.group(0)
                parts.append(part.replace('\\"', '"').replace("\\\\", "\\") if pattern is _BASIC_KEY else part)
                pos = found.end()
                break
        else:
            return None
        while pos < len(text) and text[pos] in " \t":
            pos += 1
        if pos < len(text) and text[pos] == ".":
            pos += 1
            continue
        return tuple(parts), pos


def _opens_multiline_string(value: str) -> str | None:
    for delimiter in ('"""', "'''"):
        if value.startswith(delimiter) and value.count(delimiter) == 1:
            return delimiter
    return None


# --- the one value the app writes back: the theme chosen in the viewer --------------------------

_TOP_LEVEL_THEME = re.compile(r"^theme\s*=.*$", re.MULTILINE)


def remember_theme(name: str, path: Path | None = None) -> str | None:
    """Set `theme = "NAME"` in the config file, keeping everything else as written.

    Returns None when saved, or why not (the file is unreadable or invalid: it is left alone).
    The new text is checked before it replaces the old, through a temporary file.
    """
    path = config_path() if path is None else path
    try:
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        parse_config(text, path)
    except (ConfigError, OSError, UnicodeDecodeError) as error:
        return f"the theme is used for this session only: {error}"
    line = f"theme = {json.dumps(name)}"
    first_table = re.search(r"^\s*\[", text, re.MULTILINE)
    top = text[: first_table.start()] if first_table else text
    if _TOP_LEVEL_THEME.search(top):
        new_text = _TOP_LEVEL_THEME.sub(line, top, count=1) + text[len(top):]
    else:
        new_text = f"{line}\n{text}"
    try:
        if parse_config(new_text, path).theme != name:
            return "the theme is used for this session only: the config file could not be updated safely"
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.tmp")
        temporary.write_text(new_text, encoding="utf-8")
        temporary.replace(path)
    except (ConfigError, OSError) as error:
        return f"the theme is used for this session only: cannot write {path}: {error}"
    return None
