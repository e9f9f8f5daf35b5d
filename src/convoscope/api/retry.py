"""When to retry a request and how long to wait.

The policy follows the official SDK (reference §5.2) and goes further where a viewer needs it:
more attempts by default (a long walk should survive a burst of 429s), a total time budget, and
an observable event for every retry so the UI can say "rate limited, retrying in 3 s".

Only requests that are safe to repeat are retried after the server may have acted on them:
GETs always; POSTs (create items) only when the server cannot have applied them (connect
failures, 429, 408) or says so itself (`x-should-retry: true`). Retrying a create after a 500
could add the same items twice.
"""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass

RETRYABLE_STATUSES = frozenset({408, 409, 429})
SAFE_FOR_WRITES = frozenset({408, 429})


@dataclass(frozen=True)
class RetryEvent:
    """One retry about to happen; `reason` is short and human ("429 Too Many Requests")."""

    method: str
    path: str
    attempt: int  # the attempt that failed, 1-based
    max_attempts: int
    delay_s: float
    reason: str
    server_directed: bool  # the delay came from Retry-After / retry-after-ms
    finished: bool = False
    """The request's retries are over (it succeeded or failed): notices about it end now."""

    def describe(self) -> str:
        cause = "rate limited" if self.reason.startswith("429") else self.reason
        return (
            f"{cause}, retrying in {self.delay_s:.1f} s "
            f"(attempt {self.attempt + 1} of {self.max_attempts})"
        )


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    initial_delay_s: float = 0.5
    max_delay_s: float = 8.0
    max_server_delay_s: float = 120.0  # a longer Retry-After means "not now": give up, say when
    total_budget_s: float = 300.0  # never keep a user waiting longer than this on one call

    def status_is_retryable(
        self, method: str, status: int, headers: Mapping[str, str]
    ) -> bool:
        should = headers.get("x-should-retry", "").lower()
        if should == "true":
            return True
        if should == "false":
            return False
        if method.upper() != "GET":
            return status in SAFE_FOR_WRITES
        return status in RETRYABLE_STATUSES or status >= 500

    def backoff_delay(self, retries_taken: int, rng: random.Random | None = None) -> float:
        """Exponential with jitter: 0.5 s, 1 s, 2 s … capped, each at 75-100 % (SDK style)."""
        base = min(self.initial_delay_s * 2**retries_taken, self.max_delay_s)
        jitter = 1 - 0.25 * (rng or random).random()
        return base * jitter


def server_retry_delay(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds the server asked us to wait: `retry-after-ms`, then `Retry-After` (secs or date)."""
    raw_ms = headers.get("retry-after-ms")
    if raw_ms:
        try:
            return max(float(raw_ms) / 1000.0, 0.0)
        except ValueError:
            pass
    raw = headers.get("retry-after")
    if not raw:
        return None
    try:
        return max(float(raw), 0.0)
    except ValueError:
        pass
    parsed = email.utils.parsedate_tz(raw)
    if parsed is None:
        return None
    when = email.utils.mktime_tz(parsed)
    return max(when - (time.time() if now is None else now), 0.0)
