"""Recently opened conversations, remembered per server.

A JSON file under the data dir. A file that cannot be read (corrupt, not UTF-8, a directory, no
permission) is never fatal and never overwritten: it is set aside as a backup when that is
possible, otherwise this session does not save at all; `problem` says what happened so the app
can tell the user. A failed write (read-only data dir) is not fatal either: the session goes on
without saving. Writes are atomic (temp file + rename) so a crash mid-write cannot corrupt it.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

MAX_ENTRIES = 500
FORMAT_VERSION = 1


@dataclass
class HistoryEntry:
    conversation_id: str
    server: str  # base URL the conversation lives on
    title: str = ""
    metadata: dict[str, str] = field(default_factory=dict)
    created_at: int | None = None
    last_opened: float = 0.0

    @classmethod
    def from_json(cls, data: Any) -> HistoryEntry | None:
        if not isinstance(data, dict):
            return None
        conversation_id, server = data.get("conversation_id"), data.get("server")
        if not isinstance(conversation_id, str) or not isinstance(server, str):
            return None
        metadata = data.get("metadata")
        created = data.get("created_at")
        opened = data.get("last_opened")
        return cls(
            conversation_id=conversation_id,
            server=server,
            title=str(data.get("title") or ""),
            metadata={str(k): str(v) for k, v in metadata.items()} if isinstance(metadata, dict) else {},
            created_at=created if isinstance(created, int) else None,
            last_opened=float(opened) if isinstance(opened, int | float) else 0.0,
        )


class History:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.problem: str | None = None  # set when the file was unreadable, or cannot be saved
        self.saving = True  # False once saving would destroy something or cannot work
        self._told: str | None = None
        self._entries = self._load()

    def new_problem(self) -> str | None:
        """The problem, the first time it is asked for after it arose (for a one-off notice)."""
        if self.problem and self.problem != self._told:
            self._told = self.problem
            return self.problem
        return None

    def entries(self, server: str) -> list[HistoryEntry]:
        """This server's conversations, most recently opened first."""
        mine = [e for e in self._entries if e.server == server]
        return sorted(mine, key=lambda e: e.last_opened, reverse=True)

    def remember(
        self,
        server: str,
        conversation_id: str,
        *,
        metadata: dict[str, Any] | None = None,
        created_at: int | None = None,
    ) -> HistoryEntry:
        metadata = {str(k): str(v) for k, v in (metadata or {}).items()}
        self.forget(server, conversation_id, save=False)
        entry = HistoryEntry(
            conversation_id=conversation_id,
            server=server,
            title=metadata.get("title", ""),
            metadata=metadata,
            created_at=created_at,
            last_opened=time.time(),
        )
        self._entries.append(entry)
        self._entries = sorted(self._entries, key=lambda e: e.last_opened)[-MAX_ENTRIES:]
        self.save()
        return entry

    def forget(self, server: str, conversation_id: str, *, save: bool = True) -> HistoryEntry | None:
        """Drop the entry; returns it (for an undo), or None when there was none."""
        gone = [e for e in self._entries if e.server == server and e.conversation_id == conversation_id]
        self._entries = [e for e in self._entries if e not in gone]
        if save:
            self.save()
        return gone[0] if gone else None

    def restore(self, entry: HistoryEntry) -> None:
        """Put back an entry `forget` returned, exactly as it was (an undo)."""
        self.forget(entry.server, entry.conversation_id, save=False)
        self._entries = sorted([*self._entries, entry], key=lambda e: e.last_opened)[-MAX_ENTRIES:]
        self.save()

    def save(self) -> None:
        """Write the history; a failure is remembered in `problem`, never raised."""
        if not self.saving:
            return
        payload = {"version": FORMAT_VERSION, "entries": [asdict(e) for e in self._entries]}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(dir=self.path.parent, prefix=".history-", suffix=".tmp")
        except OSError as error:
            self._stop_saving(error)
            return
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as file:
                json.dump(payload, file, ensure_ascii=False, indent=1)
            os.replace(temp, self.path)
        except OSError as error:
            Path(temp).unlink(missing_ok=True)
            self._stop_saving(error)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise

    def _stop_saving(self, error: OSError) -> None:
        self.saving = False
        self.problem = (
            f"could not save the history in {self.path.parent} ({_reason(error)}); "
            "this session's history will not be kept"
        )

    def _load(self) -> list[HistoryEntry]:
        try:
            text = self.path.read_bytes().decode("utf-8")
            data = json.loads(text)
            raw_entries = data["entries"]
            if not isinstance(raw_entries, list):
                raise TypeError("entries is not a list")
        except FileNotFoundError:
            return []
        except (OSError, ValueError, KeyError, TypeError) as error:
            self._keep_aside(_read_problem(error))
            return []
        return [e for e in map(HistoryEntry.from_json, raw_entries) if e is not None]

    def _keep_aside(self, why: str) -> None:
        """Move the unreadable file out of the way; if that fails, never write over it."""
        backup = self.path.with_name(f"{self.path.name}.unreadable-{time.strftime('%Y%m%d-%H%M%S')}")
        try:
            os.replace(self.path, backup)
        except OSError:
            self.saving = False
            self.problem = (
                f"could not read the history file {self.path} ({why}); left it untouched, "
                "and this session's history will not be saved"
            )
            return
        self.problem = f"could not read the history file ({why}); kept it as {backup.name}, starting fresh"


def _reason(error: OSError) -> str:
    return error.strerror or type(error).__name__


def _read_problem(error: Exception) -> str:
    if isinstance(error, UnicodeDecodeError):
        return "it is not UTF-8 text"
    if isinstance(error, IsADirectoryError):
        return "it is a directory"
    if isinstance(error, OSError):
        return _reason(error)
    if isinstance(error, ValueError):
        return f"it is not valid JSON: {error}"
    return f"unexpected content: {error}"
