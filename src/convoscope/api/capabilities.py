"""What a server supports, found out with a handful of cheap requests.

Servers that speak the Conversations API differ (reference §1, §6.2, §6.3): only Foundry (and the
demo server) lists conversations and knows `before` and `item_type`; Azure OpenAI v1's spec
declares the comma form `include=a,b` where the SDK sends `include[]=a&include[]=b`; and some
servers ignore the paging cursor. A strict server rejects a parameter it does not know (400), a
lenient one silently ignores it, so every probe checks what came back, not just the status.

`detect_capabilities` makes at most 7 requests, one at a time, through the client's ordinary
calls (so its bounded retry policy applies, and nothing else): 1 for the listing, and with a
conversation to look at 1 for a first page, 1 each for `after`, `before` and `item_type`, and 1
or 2 for the include form. A probe that fails for any reason other than the tell-tale answer
leaves its field None ("not known"); an authentication, connection or rate-limit failure (after
the client's own retries) ends detection.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, fields
from typing import Any, Literal

from convoscope.api.client import ConversationsClient, IncludeForm
from convoscope.api.errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    AuthenticationError,
    PermissionDeniedError,
    RateLimitError,
)
from convoscope.api.include import INCLUDE_VALUES
from convoscope.api.models import Item

log = logging.getLogger("convoscope.api")

FORMAT_VERSION = 1
MAX_PROBE_REQUESTS = 7
PROBE_PAGE_SIZE = 20
"""Items in the one unfiltered page every item-level probe is judged against."""

REJECTED_STATUSES = (400, 422)
"""How servers refuse a parameter they do not define: 400 (OpenAI-style), 422 (FastAPI)."""
FALLBACK_ITEM_TYPES = ("message", "function_call")

_BOOL_FIELDS = ("lists_conversations", "item_type_filter", "before_cursor", "honours_after")


@dataclass(frozen=True)
class Capabilities:
    """What one server supports. None in a field means "not probed (or not found out) yet"."""

    lists_conversations: bool | None = None
    item_type_filter: bool | None = None
    before_cursor: bool | None = None
    include_form: Literal["brackets", "comma"] | None = None
    """Which `include` form the server honours; None = unknown (keep the SDK's brackets)."""
    honours_after: bool | None = None
    checked_at: float = 0.0
    """time.time() when detected."""

    @classmethod
    def unknown(cls) -> Capabilities:
        return cls()

    @property
    def item_level_known(self) -> bool:
        """Whether the probes that need a conversation have run (any of them found something)."""
        return any(
            value is not None
            for value in (self.item_type_filter, self.before_cursor, self.include_form, self.honours_after)
        )

    def describe(self) -> str:
        """One line for a header: `listing ✓ · item_type ✗ · before ✗ · after ✓ · include=a,b`."""
        parts = [
            f"listing {_mark(self.lists_conversations)}",
            f"item_type {_mark(self.item_type_filter)}",
            f"before {_mark(self.before_cursor)}",
            f"after {_mark(self.honours_after)}",
            {"brackets": "include[]", "comma": "include=a,b"}.get(self.include_form or "", "include ?"),
        ]
        return " · ".join(parts)

    def merge(self, newer: Capabilities) -> Capabilities:
        """`newer`'s findings over this one's, keeping what `newer` did not find out."""
        values = {
            f.name: getattr(newer, f.name) if getattr(newer, f.name) is not None else getattr(self, f.name)
            for f in fields(self)
            if f.name != "checked_at"
        }
        return Capabilities(**values, checked_at=max(self.checked_at, newer.checked_at))

    def apply(self, client: ConversationsClient) -> None:
        """Make `client` send `include` in the form this server honours (when known)."""
        if self.include_form is not None:
            client.include_form = self.include_form

    def to_json(self) -> dict[str, Any]:
        return {
            "version": FORMAT_VERSION,
            **{name: getattr(self, name) for name in _BOOL_FIELDS},
            "include_form": self.include_form,
            "checked_at": self.checked_at,
        }

    @classmethod
    def from_json(cls, data: object) -> Capabilities:
        """Tolerant: a field of the wrong type reads as None. ValueError if not an object."""
        if not isinstance(data, dict):
            raise ValueError(f"capabilities: expected a JSON object, got {type(data).__name__}")
        values: dict[str, Any] = {
            name: data.get(name) if isinstance(data.get(name), bool) else None for name in _BOOL_FIELDS
        }
        form = data.get("include_form")
        values["include_form"] = form if form in ("brackets", "comma") else None
        checked = data.get("checked_at")
        ok = isinstance(checked, int | float) and not isinstance(checked, bool)
        values["checked_at"] = float(checked) if ok else 0.0
        return cls(**values)


def _mark(value: bool | None) -> str:
    return "?" if value is None else "✓" if value else "✗"


class _StopDetection(Exception):
    """Internal: the server cannot be reached or refuses us; further probes would fail too."""


async def detect_capabilities(
    client: ConversationsClient, probe_conversation_id: str | None = None
) -> Capabilities:
    """Probe the server behind `client` (at most `MAX_PROBE_REQUESTS` requests, sequential).

    Item-level probes look at `probe_conversation_id` (say, the conversation being opened), or
    else at the first conversation the server lists; with neither they stay None.
    """
    known = getattr(client, "known_capabilities", None)
    if isinstance(known, Capabilities):
        return known  # a saved file says what it offers; there is nothing to probe
    found: dict[str, Any] = {}
    try:
        listed_id = await _probe_listing(client, found)
        conversation_id = probe_conversation_id or listed_id
        if conversation_id:
            await _probe_items(client, conversation_id, found)
    except _StopDetection as stop:
        log.info("capability detection stopped: %s", stop)
    return Capabilities(**found, checked_at=time.time())


async def _probe_listing(client: ConversationsClient, found: dict[str, Any]) -> str | None:
    """GET /conversations?limit=1: 404/405 (client gives None) means no listing."""
    try:
        page = await client.list_conversations(limit=1)
    except APIError as error:
        _stop_if_hopeless(error)
        return None
    found["lists_conversations"] = page is not None
    if page is None or not page.data:
        return None
    return page.data[0].id


async def _probe_items(client: ConversationsClient, conversation_id: str, found: dict[str, Any]) -> None:
    try:
        base = (await client.list_items(conversation_id, limit=PROBE_PAGE_SIZE, order="asc")).data
    except APIError as error:
        _stop_if_hopeless(error)
        return
    ids = [item.id for item in base]
    if len(base) >= 2 and ids[0] and ids[1]:
        found["honours_after"] = await _probe(client, _after_probe(conversation_id, ids))
        found["before_cursor"] = await _probe(client, _before_probe(conversation_id, ids))
    if base and ids[0]:
        found["item_type_filter"] = await _probe(client, _item_type_probe(conversation_id, base))
    found["include_form"] = await _probe_include_form(client, conversation_id, base)


Probe = Callable[[ConversationsClient], Awaitable[bool]]


async def _probe(client: ConversationsClient, probe: Probe) -> bool | None:
    """Run one probe: its verdict, False when the server refuses the parameter, else None."""
    try:
        return await probe(client)
    except APIStatusError as error:
        if error.status_code in REJECTED_STATUSES:
            return False
        _stop_if_hopeless(error)
        return None
    except APIError as error:
        _stop_if_hopeless(error)
        return None


def _after_probe(conversation_id: str, ids: list[str | None]) -> Probe:
    """after=<1st id>, limit=1 must start at the 2nd item; a server repeating page one fails."""

    async def probe(client: ConversationsClient) -> bool:
        page = await client.list_items(conversation_id, limit=1, order="asc", after=ids[0])
        return bool(page.data) and page.data[0].id == ids[1]

    return probe


def _before_probe(conversation_id: str, ids: list[str | None]) -> Probe:
    """before=<2nd id>, limit=2 must bring the 1st item only; ignoring it brings both."""

    async def probe(client: ConversationsClient) -> bool:
        page = await client.list_items(conversation_id, limit=2, order="asc", before=ids[1])
        return [item.id for item in page.data] == ids[:1]

    return probe


def _item_type_probe(conversation_id: str, base: list[Item]) -> Probe:
    """Filter on a type other than the first item's: an ignoring server sends the first item."""
    first_type = base[0].type
    wanted = next((item.type for item in base[1:] if item.type != first_type), None)
    if wanted is None:
        wanted = next(t for t in FALLBACK_ITEM_TYPES if t != first_type)

    async def probe(client: ConversationsClient) -> bool:
        page = await client.list_items(conversation_id, limit=5, order="asc", item_type=wanted)
        return all(item.type == wanted for item in page.data)

    return probe


async def _probe_include_form(
    client: ConversationsClient, conversation_id: str, base: list[Item]
) -> IncludeForm | None:
    """Retrieve an item whose include-gated field the plain listing left out, in each form."""
    candidate = _include_candidate(base)
    if candidate is None:
        return None
    item_id, value, has_field = candidate
    other = next(v for v in INCLUDE_VALUES if v != value)
    for form in ("brackets", "comma"):
        try:
            # Two values, so the comma form is tested as it will be used (`include=a,b`).
            item = await client.retrieve_item(
                conversation_id, item_id, include=(value, other), include_form=form
            )
        except APIError as error:
            _stop_if_hopeless(error)
            continue
        if has_field(item.raw):
            return form
    return None


def _include_candidate(base: list[Item]) -> tuple[str, str, Callable[[Any], bool]] | None:
    """(item id, include value, test for the field) for the most promising item, or None."""
    for value, item_type, has_field in _GATED_FIELDS:
        for item in base:
            if item.type == item_type and item.id and isinstance(item.raw, dict) and not has_field(item.raw):
                if item_type != "message" or _has_part(item.raw, _PART_OF[value]):
                    return item.id, value, has_field
    return None


def _has_part(raw: dict[str, Any], part_type: str) -> bool:
    content = raw.get("content")
    return isinstance(content, list) and any(
        isinstance(part, dict) and part.get("type") == part_type for part in content
    )


def _part_field(part_type: str, key: str) -> Callable[[Any], bool]:
    def has(raw: Any) -> bool:
        content = raw.get("content") if isinstance(raw, dict) else None
        return isinstance(content, list) and any(
            isinstance(part, dict) and part.get("type") == part_type and part.get(key)
            for part in content
        )

    return has


def _nested(*path: str) -> Callable[[Any], bool]:
    def has(raw: Any) -> bool:
        for key in path:
            if not isinstance(raw, dict):
                return False
            raw = raw.get(key)
        return raw is not None and raw != [] and raw != ""

    return has


_PART_OF = {"message.input_image.image_url": "input_image"}

# Most reliable first: the field a server fills whenever the item has it at all.
_GATED_FIELDS: tuple[tuple[str, str, Callable[[Any], bool]], ...] = (
    ("reasoning.encrypted_content", "reasoning", _nested("encrypted_content")),
    ("web_search_call.action.sources", "web_search_call", _nested("action", "sources")),
    ("computer_call_output.output.image_url", "computer_call_output", _nested("output", "image_url")),
    ("code_interpreter_call.outputs", "code_interpreter_call", _nested("outputs")),
    ("file_search_call.results", "file_search_call", _nested("results")),
    ("message.input_image.image_url", "message", _part_field("input_image", "image_url")),
)


def _stop_if_hopeless(error: APIError) -> None:
    if isinstance(error, AuthenticationError | PermissionDeniedError | RateLimitError | APIConnectionError):
        raise _StopDetection(str(error)) from None
    log.info("capability probe failed: %s", error)
