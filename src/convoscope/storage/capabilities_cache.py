"""Detected server capabilities, remembered per profile and base URL (`capabilities.json`).

Detection costs a few requests, so its result is kept under the data dir and reused until it is
older than `max_age_s` (a week by default). The cache is a convenience: a missing, unreadable or
corrupt file reads as empty, a failed write is logged and forgotten, and writes are atomic
(temp file + rename).
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from convoscope.api.capabilities import Capabilities
from convoscope.storage.paths import data_dir

log = logging.getLogger("convoscope.storage")

FILE_NAME = "capabilities.json"
FORMAT_VERSION = 1
DEFAULT_MAX_AGE_S = 7 * 24 * 3600.0
CLOCK_SKEW_S = 300.0
"""A `checked_at` this far in the future means a wrong clock: treat the entry as stale."""


def cache_path() -> Path:
    return data_dir() / FILE_NAME


def cache_key(profile_name: str, base_url: str) -> str:
    """Unambiguous for any profile name: `["work", "https://example.com/v1"]`."""
    return json.dumps([profile_name, base_url.rstrip("/")], ensure_ascii=False)


def load(
    profile_name: str,
    base_url: str,
    *,
    max_age_s: float = DEFAULT_MAX_AGE_S,
    now: float | None = None,
    path: Path | None = None,
) -> Capabilities | None:
    """The cached capabilities, or None when there are none or they are older than `max_age_s`.

    `max_age_s=0` forces a refresh (nothing is fresh enough).
    """
    entry = _read(path or cache_path()).get(cache_key(profile_name, base_url))
    if entry is None:
        return None
    try:
        capabilities = Capabilities.from_json(entry.get("capabilities"))
    except ValueError:
        return None
    age = (time.time() if now is None else now) - capabilities.checked_at
    if age > max_age_s or age < -CLOCK_SKEW_S:
        return None
    return capabilities


def save(profile_name: str, base_url: str, capabilities: Capabilities, *, path: Path | None = None) -> bool:
    """Remember `capabilities` for this server; False (and a log line) if the file can't be written."""
    target = path or cache_path()
    entries = _read(target)
    entries[cache_key(profile_name, base_url)] = {
        "profile": profile_name,
        "base_url": base_url.rstrip("/"),
        "capabilities": capabilities.to_json(),
    }
    try:
        _write(target, {"version": FORMAT_VERSION, "entries": entries})
    except OSError as error:
        log.warning("could not save server capabilities to %s: %s", target, error)
        return False
    return True


def forget(profile_name: str, base_url: str, *, path: Path | None = None) -> None:
    """Drop one server's entry (e.g. a "re-detect" action)."""
    target = path or cache_path()
    entries = _read(target)
    if entries.pop(cache_key(profile_name, base_url), None) is not None:
        try:
            _write(target, {"version": FORMAT_VERSION, "entries": entries})
        except OSError as error:
            log.warning("could not update %s: %s", target, error)


def _read(path: Path) -> dict[str, dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        log.warning("ignoring unreadable capability cache %s: %s", path, error)
        return {}
    entries = data.get("entries") if isinstance(data, dict) else None
    if not isinstance(entries, dict):
        return {}
    return {key: value for key, value in entries.items() if isinstance(value, dict)}


def _write(path: Path, payload: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".capabilities-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            json.dump(payload, file, ensure_ascii=False, indent=1)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
