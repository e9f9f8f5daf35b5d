"""Fault injection for the demo server.

`Faults` is the switchboard (what should go wrong); `FaultInjector` turns it into a
decision per request. The injector keeps the request counter and the seeded RNG, and
restarts both whenever the `Faults` object it is looking at is replaced, so that
"every Nth request" and seeded error rates count from the moment a test (or
`POST /v1/_demo/faults`) installs new faults.
"""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Faults:
    latency_ms: float = 0.0
    """Added to every API request."""
    error_rates: dict[int, float] = field(default_factory=dict)
    """HTTP status -> probability per request, e.g. {500: 0.1, 503: 0.05}."""
    rate_limit_every: int = 0
    """Every Nth request answers 429 with Retry-After."""
    retry_after_s: float = 1.0
    """Value of Retry-After (and retry-after-ms) on injected 429s."""
    truncate_every: int = 0
    """Every Nth request answers 200 with its JSON body cut in half."""
    stall_every: int = 0
    """Every Nth request sleeps `stall_s` before answering (gives up if the client leaves)."""
    stall_s: float = 30.0
    ignore_after: bool = False
    """List endpoints ignore `after`/`before` and always say has_more: false."""
    repeat_first_page: bool = False
    """List endpoints ignore `after`/`before` and say has_more: true forever (a looping server)."""
    duplicate_every: int = 0
    """List pages send every Nth item of the page twice in a row (duplicate ids within a page)."""
    overlap_pages: int = 0
    """List pages after a cursor start N items early, repeating the end of the previous page."""
    deep_json_item: str = ""
    """The item with this id gets a field nested `deep_json_depth` arrays deep, wherever sent."""
    deep_json_depth: int = 5000
    invalid_utf8_item: str = ""
    """The item with this id gets a string field holding bytes that are not UTF-8."""
    html_200: bool = False
    """Every API request answers 200 with a web server's HTML welcome page (wrong base URL)."""
    fixed_page_size: int = 0
    """List endpoints ignore `limit` and always send this many items (when > 0)."""
    null_last_id: bool = False
    """List pages say `last_id: null` (clients must find the cursor in the data, or stop)."""
    append_on_list: int = 0
    """Each item-list request appends this many messages to the conversation first."""
    fail_next: list[int] = field(default_factory=list)
    """The next len(list) requests fail with these statuses, in order (consumed)."""
    seed: int = 0
    """Seeds the RNG behind `error_rates`, so runs are reproducible."""


FAULT_FIELDS = frozenset(f.name for f in dataclasses.fields(Faults))


def faults_from_json(body: dict[str, Any]) -> Faults:
    """Build Faults from a JSON object; JSON object keys are strings, so statuses are converted."""
    unknown = set(body) - FAULT_FIELDS
    if unknown:
        raise ValueError(f"unknown fault field(s): {', '.join(sorted(unknown))}")
    values = dict(body)
    if "error_rates" in values:
        values["error_rates"] = {int(status): float(p) for status, p in (values["error_rates"] or {}).items()}
    if "fail_next" in values:
        values["fail_next"] = [int(status) for status in values["fail_next"] or []]
    for name in ("latency_ms", "retry_after_s", "stall_s"):
        if name in values:
            values[name] = float(values[name])
    for name in ("rate_limit_every", "truncate_every", "stall_every", "seed", "duplicate_every",
                 "overlap_pages", "deep_json_depth", "fixed_page_size", "append_on_list"):
        if name in values:
            values[name] = int(values[name])
    for name in ("ignore_after", "repeat_first_page", "html_200", "null_last_id"):
        if name in values:
            values[name] = bool(values[name])
    return Faults(**values)


def faults_to_json(faults: Faults) -> dict[str, Any]:
    data = dataclasses.asdict(faults)
    data["error_rates"] = {str(status): p for status, p in faults.error_rates.items()}
    return data


@dataclass(frozen=True)
class FaultDecision:
    """What to do to one request. All fields default to "behave normally"."""

    delay_s: float = 0.0
    fail_status: int | None = None
    stall_s: float = 0.0
    truncate: bool = False


class FaultInjector:
    def __init__(self) -> None:
        self._watching: Faults | None = None
        self._count = 0
        self._rng = random.Random(0)

    def decide(self, faults: Faults) -> FaultDecision:
        if faults is not self._watching:
            self._restart(faults)
        self._count += 1
        n = self._count
        # Draw on every request (not only when nothing else fired) so the seeded
        # sequence lines up with request numbers and stays reproducible.
        random_status = self._draw_error_status(faults)
        return FaultDecision(
            delay_s=max(faults.latency_ms, 0.0) / 1000.0,
            fail_status=self._fail_status(faults, n, random_status),
            stall_s=faults.stall_s if _is_nth(n, faults.stall_every) else 0.0,
            truncate=_is_nth(n, faults.truncate_every),
        )

    def _restart(self, faults: Faults) -> None:
        self._watching = faults
        self._count = 0
        self._rng = random.Random(faults.seed)

    def _draw_error_status(self, faults: Faults) -> int | None:
        if not faults.error_rates:
            return None
        roll = self._rng.random()
        cumulative = 0.0
        for status in sorted(faults.error_rates):
            cumulative += faults.error_rates[status]
            if roll < cumulative:
                return status
        return None

    @staticmethod
    def _fail_status(faults: Faults, n: int, random_status: int | None) -> int | None:
        if faults.fail_next:
            return faults.fail_next.pop(0)
        if _is_nth(n, faults.rate_limit_every):
            return 429
        return random_status


def _is_nth(n: int, every: int) -> bool:
    return every > 0 and n % every == 0
