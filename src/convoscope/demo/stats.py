"""Request statistics, served at GET /v1/_demo/stats so tests can see what a client did."""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any

LIST_CALLS_KEPT = 1000


@dataclass
class Stats:
    requests: int = 0
    by_path: Counter[str] = field(default_factory=Counter)
    by_status: Counter[int] = field(default_factory=Counter)
    in_flight: int = 0
    in_flight_max: int = 0
    list_calls: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=LIST_CALLS_KEPT))
    """Item-list requests that reached the handler: conversation_id, order, after, before, limit."""
    conversation_list_calls: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=LIST_CALLS_KEPT))

    def request_started(self, path: str) -> None:
        self.requests += 1
        self.by_path[path] += 1
        self.in_flight += 1
        self.in_flight_max = max(self.in_flight_max, self.in_flight)

    def request_finished(self, status: int | None) -> None:
        self.in_flight -= 1
        if status is not None:
            self.by_status[status] += 1

    def reset(self) -> None:
        """Forget everything except requests still in flight (they will still finish)."""
        self.requests = 0
        self.by_path.clear()
        self.by_status.clear()
        self.in_flight_max = self.in_flight
        self.list_calls.clear()
        self.conversation_list_calls.clear()

    def to_json(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "by_path": dict(self.by_path),
            "by_status": {str(status): n for status, n in self.by_status.items()},
            "in_flight": self.in_flight,
            "in_flight_max": self.in_flight_max,
            "list_calls": list(self.list_calls),
            "conversation_list_calls": list(self.conversation_list_calls),
        }
