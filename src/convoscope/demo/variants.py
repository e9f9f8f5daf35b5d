"""Two variants of one bundled conversation, before and after a change to its system prompt.

What `convoscope diff` is for: the same support run, once with the original policy and once
with a policy that makes goodwill credits need a human's approval. In the second run the
assistant does not issue the credit (two tool items fewer), its answer says so (one message
changed, along with the developer prompt), and the customer asks about it (two items more).
Neither variant is in the conversation listing; open them by id.
"""

from __future__ import annotations

import copy
import hashlib
from typing import Any

SOURCE_ID = "conv_68f9ebde9b5c904a3ef76e491c5db73da3cee9a5b4252e9e"  # the support bot
BEFORE_ID = "conv_demo_prompt_before"
AFTER_ID = "conv_demo_prompt_after"

OLD_POLICY = "Goodwill credits up to $25 need no approval."
NEW_POLICY = "Goodwill credits need a human agent's approval: offer to ask for one, never issue it yourself."
OLD_CREDIT = "- I've also added a **$15.00 credit** to your account for the trouble."
NEW_CREDIT = "- I've asked a colleague to approve a goodwill credit for the trouble; you'll hear back by email."


def prompt_variants(conversation: dict[str, Any], items: list[dict[str, Any]]) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """[(conversation, items)] for the before and after variants of the support conversation."""
    before = [_renamed(item, "before") for item in items]
    after: list[dict[str, Any]] = []
    for item in items:
        if item.get("type") in ("function_call", "function_call_output") and item.get("name") == "issue_credit":
            continue  # the new policy: no credit without approval
        item = _renamed(item, "after")
        _replace_text(item, OLD_POLICY, NEW_POLICY)
        _replace_text(item, OLD_CREDIT, NEW_CREDIT)
        after.append(item)
    after += [
        _message("user", "Will I still get something for the trouble?", "after-q"),
        _message("assistant", "Yes: a colleague reviews goodwill credits within a day, and you'll get an email.", "after-a"),
    ]
    metadata = dict(conversation.get("metadata") or {})
    return [
        (_conversation(conversation, BEFORE_ID, {**metadata, "title": "Prompt change: before", "variant": "before"}), before),
        (_conversation(conversation, AFTER_ID, {**metadata, "title": "Prompt change: after", "variant": "after"}), after),
    ]


def _conversation(original: dict[str, Any], conversation_id: str, metadata: dict[str, str]) -> dict[str, Any]:
    return {**copy.deepcopy(original), "id": conversation_id, "metadata": metadata}


def _renamed(item: dict[str, Any], tag: str) -> dict[str, Any]:
    """A deep copy with an id of its own (ids are per server, and each variant is its own run)."""
    item = copy.deepcopy(item)
    if isinstance(item.get("id"), str):
        prefix = item["id"].split("_", 1)[0]
        item["id"] = f"{prefix}_{hashlib.sha256((tag + item['id']).encode()).hexdigest()[:48]}"
    return item


def _replace_text(item: dict[str, Any], old: str, new: str) -> None:
    for part in item.get("content") or []:
        if isinstance(part, dict) and isinstance(part.get("text"), str) and old in part["text"]:
            part["text"] = part["text"].replace(old, new)


def _message(role: str, text: str, tag: str) -> dict[str, Any]:
    part_type = "output_text" if role == "assistant" else "input_text"
    part: dict[str, Any] = {"type": part_type, "text": text}
    if role == "assistant":
        part["annotations"] = []
    return {"id": f"msg_{hashlib.sha256(tag.encode()).hexdigest()[:48]}", "type": "message",
            "status": "completed", "role": role, "content": [part]}
