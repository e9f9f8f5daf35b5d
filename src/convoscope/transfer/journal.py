"""The copy journal: which target conversation a copy writes to, so a rerun continues it.

One small JSON file per (source, target, type filter) under `<data dir>/copies/`. It records the
target conversation and how many items were confirmed written; the target's own items are the
final word on a rerun (a batch the server stored but whose answer was lost is found there, not
written twice). A journal that cannot be read is set aside, never fatal; one that cannot be
written is reported by the caller and the copy goes on (a rerun then starts a new conversation).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from convoscope.storage.paths import data_dir

FORMAT_VERSION = 1


@dataclass
class JournalEntry:
    source: str
    target: str
    types: list[str]
    target_conversation_id: str | None = None
    written: int = 0
    total: int = 0
    done: bool = False
    updated_at: float = 0.0


class Journal:
    def __init__(self, source: str, target: str, types: list[str], directory: Path | None = None) -> None:
        self.directory = directory or data_dir() / "copies"
        key = hashlib.sha256(json.dumps([source, target, sorted(types)]).encode()).hexdigest()[:24]
        self.path = self.directory / f"copy-{key}.json"
        self.problem: str | None = None
        self.entry = self._load() or JournalEntry(source, target, sorted(types))

    @classmethod
    def for_copy(cls, source_server: str, conversation_id: str, target_profile: str, target_server: str,
                 types: list[str]) -> Journal:
        """The journal of copying `conversation_id` from `source_server` to a target (CLI and TUI alike)."""
        return cls(f"{source_server}|{conversation_id}", f"{target_profile}|{target_server}", types)

    def _load(self) -> JournalEntry | None:
        try:
            data: Any = json.loads(self.path.read_text(encoding="utf-8"))
            entry = JournalEntry(**{k: v for k, v in data.items() if k != "version"})
            if not isinstance(entry.target_conversation_id, (str, type(None))) or not isinstance(entry.written, int):
                raise TypeError("wrong field types")
            return entry
        except FileNotFoundError:
            return None
        except (OSError, ValueError, TypeError, AttributeError) as error:
            self.problem = f"the copy journal {self.path} could not be read ({error}); starting a new copy"
            try:
                os.replace(self.path, self.path.with_suffix(f".corrupt-{int(time.time())}"))
            except OSError:
                pass
            return None

    def save(self) -> None:
        """Write atomically. Raises OSError (the caller reports it and carries on)."""
        self.entry.updated_at = time.time()
        self.directory.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=self.directory, prefix=".copy-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as file:
                json.dump({"version": FORMAT_VERSION, **asdict(self.entry)}, file, indent=1)
            os.replace(temp, self.path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
