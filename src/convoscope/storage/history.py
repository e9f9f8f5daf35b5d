"""Recently opened conversations, remembered per server.

A JSON file under the data dir. A corrupt file is never fatal: it is kept aside as a backup, the
history starts fresh, and `problem` says what happened so the picker can tell the user. Writes
are atomic (temp file + rename) so a crash mid-write cannot corrupt it.
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
        self.problem: str | None = None  # set when the file was unreadable and set aside
        self._entries = self._load()

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

    def forget(self, server: str, conversation_id: str, *, save: bool = True) -> None:
        self._entries = [
            e
            for e in self._entries
            if not (e.server == server and e.conversation_id == conversation_id)
        ]
        if save:
            self.save()

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        payload = {"version": FORMAT_VERSION, "entries": [asdict(e) for e in self._entries]}
        fd, temp = tempfile.mkstemp(dir=self.path.parent, prefix=".history-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as file:
                json.dump(payload, file, ensure_ascii=False, indent=1)
            os.replace(temp, self.path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise

    def _load(self) -> list[HistoryEntry]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        except OSError as error:
            self.problem = f"could not read history ({error.strerror}); starting fresh"
            return []
        try:
            data = json.loads(text)
            raw_entries = data["entries"]
            if not isinstance(raw_entries, list):
                raise TypeError("entries is not a list")
        except (ValueError, KeyError, TypeError) as error:
            backup = self._set_aside()
            self.problem = f"history file was corrupt ({error}); kept it as {backup.name}, starting fresh"
            return []
        return [e for e in map(HistoryEntry.from_json, raw_entries) if e is not None]

    def _set_aside(self) -> Path:
        backup = self.path.with_name(f"{self.path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
        os.replace(self.path, backup)
        return backup
