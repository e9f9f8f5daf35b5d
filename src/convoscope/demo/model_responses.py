"""`GET /v1/responses/{id}`: the model responses that wrote the bundled conversations.

Users hold `resp_` ids from their logs, not `conv_` ids, and a response names its conversation
(`"conversation": {"id": ...}`). The demo server derives a response per turn of each bundled
conversation: the items after a user message, up to the next one (or, where items carry a
`response_id`, as Foundry's do, the items sharing it). Ids are a hash of the conversation and
the turn's first item, so they never change. One extra response belongs to no conversation,
as one created without `conversation` does.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

STANDALONE_RESPONSE_ID = "resp_demo0standalone0no0conversation"
DEMO_MODEL = "gpt-demo"


def response_index(conversations: Mapping[str, tuple[dict[str, Any], Iterable[dict[str, Any]]]]) -> dict[str, dict[str, Any]]:
    """Every response, by id, for conversations given as {id: (conversation, items)}."""
    responses: dict[str, dict[str, Any]] = {}
    for conversation_id, (conversation, items) in conversations.items():
        created = conversation.get("created_at") if isinstance(conversation.get("created_at"), int) else 0
        for turn, output in enumerate(_turns(list(items))):
            response_id = _response_id(conversation_id, output)
            responses[response_id] = _response(response_id, created + turn, output, conversation_id)
    responses[STANDALONE_RESPONSE_ID] = _response(
        STANDALONE_RESPONSE_ID,
        1761200000,
        [{"id": "msg_demo0standalone", "type": "message", "role": "assistant", "status": "completed",
          "content": [{"type": "output_text", "text": "This response was created without a conversation.",
                       "annotations": []}]}],
        None,
    )
    return responses


def response_id_of(conversation_id: str, items: list[dict[str, Any]], item_id: str) -> str | None:
    """The id of the response that produced `item_id` (for tests and tools)."""
    for output in _turns(items):
        if any(item.get("id") == item_id for item in output):
            return _response_id(conversation_id, output)
    return None


def _turns(items: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Each response's output items, oldest first."""
    turns: list[list[dict[str, Any]]] = []
    current: list[dict[str, Any]] = []
    current_key: object = None
    for item in items:
        key = item.get("response_id")
        if isinstance(key, str):
            if key != current_key and current:
                turns.append(current)
                current = []
            current_key = key
            current.append(item)
        elif item.get("type") == "message" and item.get("role") in ("user", "system", "developer"):
            if current:
                turns.append(current)
            current, current_key = [], None
        else:
            current.append(item)
    if current:
        turns.append(current)
    return turns


def _response_id(conversation_id: str, output: list[dict[str, Any]]) -> str:
    existing = output[0].get("response_id")
    if isinstance(existing, str) and existing.startswith("resp_"):
        return existing
    digest = hashlib.sha256(f"{conversation_id}/{output[0].get('id')}".encode()).hexdigest()
    return "resp_" + digest[:48]


def _response(response_id: str, created_at: int, output: list[dict[str, Any]], conversation_id: str | None) -> dict[str, Any]:
    return {
        "id": response_id,
        "object": "response",
        "created_at": created_at,
        "status": "completed",
        "model": DEMO_MODEL,
        "conversation": {"id": conversation_id} if conversation_id else None,
        "output": output,
        "error": None,
        "incomplete_details": None,
    }
