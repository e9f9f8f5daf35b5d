"""Copy a conversation to another server (or profile): plan, write in order, resume, verify.

1. `plan_copy` reads every source item (through the paging walk) and asks the target, one type at
   a time, whether it accepts that type: it creates a scratch conversation holding one real item
   of the type and deletes it at once. A 400/422 means refused. Nothing else is written.
2. `run_copy` creates the conversation (the source's metadata, plus `copied_from`) and appends
   the items in order with create-items, at most 20 per request. The journal names the target
   conversation; a rerun lists what the target already holds, checks it is the copy's own
   beginning, and continues after it, so nothing is written twice (even a batch the server stored
   whose answer never arrived).
3. `verify_copy` lists the target and compares item by item, type and content, ids aside.
"""

from __future__ import annotations

import collections
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from convoscope.api import APIError, APIStatusError, NotFoundError
from convoscope.api.client import MAX_ITEMS_PER_CREATE
from convoscope.api.files import UNREADABLE_TYPE, FileSource
from convoscope.api.models import Conversation
from convoscope.paging import WalkStop, WalkSummary, walk_items
from convoscope.transfer.compare import content_key, item_type, sendable
from convoscope.transfer.journal import Journal

REFUSED_STATUSES = (400, 422)
MAX_METADATA_PAIRS = 16
MAX_METADATA_VALUE = 512
PROBE_METADATA = {"convoscope": "probe: which item types this server accepts (deleted at once)"}

Progress = Callable[[int, int], None]


class CopyError(Exception):
    """The copy cannot go on; the message says why and what to do."""


@dataclass
class CopyPlan:
    source_label: str  # "conv_x on https://…" or the file's path
    conversation: Conversation | None
    items: list[dict[str, Any]]  # every source item the copy is about (after --type), oldest first
    refused: dict[str, int] = field(default_factory=dict)  # type -> count the target refuses
    refusal_reasons: dict[str, str] = field(default_factory=dict)
    source_incomplete: str | None = None  # why the source walk stopped early, if it did

    def to_write(self, skip_unsupported: bool) -> list[dict[str, Any]]:
        if self.refused and not skip_unsupported:
            raise CopyError(self.refusal_report() + "; nothing was written. Rerun with "
                            "--skip-unsupported to copy the rest, or choose types with --type")
        return [item for item in self.items if item_type(item) not in self.refused]

    def refusal_report(self) -> str:
        """`the target refuses 3 bing_grounding_call, 1 a2a_preview_call` (or counts, when long)."""
        parts = [f"{count} {kind}" for kind, count in sorted(self.refused.items())]
        if len(parts) > 4:
            return f"the target refuses {sum(self.refused.values())} items of {len(parts)} types"
        return "the target refuses " + ", ".join(parts)

    def requests(self, skip_unsupported: bool = True) -> int:
        count = len([i for i in self.items if item_type(i) not in self.refused])
        return 1 + -(-count // MAX_ITEMS_PER_CREATE)


@dataclass
class CopyResult:
    conversation_id: str
    written: int  # by this run
    already_there: int  # found on the target from an earlier run


@dataclass
class Verification:
    expected: int
    found: int
    differences: list[str]

    @property
    def ok(self) -> bool:
        return not self.differences

    def describe(self) -> str:
        if self.ok:
            return f"verified: all {self.expected:,} items match (type and content, ids aside)"
        shown = "; ".join(self.differences[:5]) + ("; …" if len(self.differences) > 5 else "")
        return f"verification failed ({len(self.differences)} differences): {shown}"


def describe_source(client: Any, conversation_id: str) -> str:
    """Where a copy comes from, for `copied_from`: `conv_x on https://…`, or the saved file."""
    if isinstance(client, FileSource):
        original = client.original_id
        return f"{original} (file {conversation_id})" if original else f"file {conversation_id}"
    return f"{conversation_id} on {client.profile.base_url}"


async def read_source(client: Any, conversation_id: str, types: Iterable[str] = ()) -> tuple[Conversation | None, list[dict[str, Any]], str | None]:
    """(conversation, raw items oldest first, why the walk stopped early or None)."""
    wanted = set(types)
    conversation = await client.retrieve_conversation(conversation_id)
    summary = WalkSummary()
    # The profile's `include` (say, encrypted reasoning) travels with the items it belongs to.
    include = getattr(client.profile, "default_include", ())
    items = [
        item.raw async for item in walk_items(client, conversation_id, summary=summary, include=include)
        if not wanted or item.type in wanted
    ]
    stopped = None if summary.stop in (WalkStop.COMPLETE, None) else summary.stop.value
    return conversation, items, stopped


async def plan_copy(
    source: Any, conversation_id: str, target: Any, *, types: Iterable[str] = (), label: str = ""
) -> CopyPlan:
    conversation, items, stopped = await read_source(source, conversation_id, types)
    plan = CopyPlan(label or conversation_id, conversation, items, source_incomplete=stopped)
    samples: dict[str, dict[str, Any]] = {}
    counts = collections.Counter(item_type(item) for item in items)
    for item in items:
        samples.setdefault(item_type(item), item)
    for kind, sample in samples.items():
        reason = UNREADABLE_TYPE if kind == UNREADABLE_TYPE else await _refusal(target, sample)
        if reason is not None:
            plan.refused[kind] = counts[kind]
            plan.refusal_reasons[kind] = reason if kind != UNREADABLE_TYPE else "lines of the file that are not items"
    return plan


async def _refusal(target: Any, sample: dict[str, Any]) -> str | None:
    """Why the target refuses an item like `sample`, or None when it accepts it."""
    try:
        probe = await target.create_conversation(items=[sendable(sample)], metadata=PROBE_METADATA)
    except APIStatusError as error:
        if error.status_code in REFUSED_STATUSES:
            return error.server_message or str(error)
        raise
    if probe.id:
        try:
            await target.delete_conversation(probe.id)
        except APIError as error:
            raise CopyError(f"could not delete the probe conversation {probe.id} on the target: {error}") from None
    return None


async def run_copy(
    plan: CopyPlan,
    target: Any,
    journal: Journal,
    *,
    skip_unsupported: bool = False,
    on_progress: Progress = lambda done, total: None,
    on_warning: Callable[[str], None] = lambda message: None,
) -> CopyResult:
    """Write the plan's items to the target, continuing the journal's copy if there is one."""
    items = plan.to_write(skip_unsupported)
    entry = journal.entry
    already = 0
    if entry.target_conversation_id:
        already = await _resume_point(target, entry.target_conversation_id, items)
        if already is None:
            on_warning(f"the earlier copy {entry.target_conversation_id} is gone from the target; starting again")
            entry.target_conversation_id, entry.written = None, 0
            already = 0
    if not entry.target_conversation_id:
        created = await target.create_conversation(metadata=_metadata(plan, target))
        entry.target_conversation_id = created.id
        if not created.id:
            raise CopyError("the target created a conversation but sent no id")
    conversation_id = entry.target_conversation_id
    entry.total, entry.written, entry.done = len(items), already, False
    _save(journal, on_warning)
    on_progress(already, len(items))
    position = already
    while position < len(items):
        batch = items[position:position + MAX_ITEMS_PER_CREATE]
        await target.create_items(conversation_id, [sendable(item) for item in batch])
        position += len(batch)
        entry.written = position
        _save(journal, on_warning)
        on_progress(position, len(items))
    entry.done = True
    _save(journal, on_warning)
    return CopyResult(conversation_id, position - already, already)


async def _resume_point(target: Any, conversation_id: str, items: list[dict[str, Any]]) -> int | None:
    """How many of `items` the target conversation already holds (None: it is gone)."""
    try:
        found = [item.raw async for item in walk_items(target, conversation_id)]
    except NotFoundError:
        return None
    if len(found) > len(items) or any(
        content_key(have) != content_key(want) for have, want in zip(found, items, strict=False)
    ):
        raise CopyError(
            f"the target conversation {conversation_id} holds items that are not this copy's "
            "beginning (was it changed?); not writing to it. Delete the journal "
            "(see `convoscope locate`) to start a new copy"
        )
    return len(found)


async def verify_copy(target: Any, conversation_id: str, expected: list[dict[str, Any]]) -> Verification:
    found = [item.raw async for item in walk_items(target, conversation_id)]
    differences = [
        f"item {n + 1} ({item_type(want)}) differs" + ("" if item_type(have) == item_type(want) else f": it is a {item_type(have)}")
        for n, (have, want) in enumerate(zip(found, expected, strict=False))
        if content_key(have) != content_key(want)
    ]
    if len(found) < len(expected):
        differences.append(f"{len(expected) - len(found)} items missing on the target")
    elif len(found) > len(expected):
        differences.append(f"{len(found) - len(expected)} extra items on the target")
    return Verification(len(expected), len(found), differences)


def _metadata(plan: CopyPlan, target: Any) -> dict[str, str]:
    """The source's metadata, plus where the copy came from when there is room (16 pairs)."""
    metadata = dict((plan.conversation.metadata or {}) if plan.conversation else {})
    if len(metadata) < MAX_METADATA_PAIRS and "copied_from" not in metadata:
        metadata["copied_from"] = plan.source_label[:MAX_METADATA_VALUE]
    return metadata


def _save(journal: Journal, on_warning: Callable[[str], None]) -> None:
    try:
        journal.save()
    except OSError as error:
        on_warning(f"could not write the copy journal {journal.path}: {error.strerror or error}")
