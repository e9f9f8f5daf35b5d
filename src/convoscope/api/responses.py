"""From a `resp_…` id (or a dashboard or portal URL holding one) to its conversation.

The OpenAI API cannot list conversations, so users hold response ids from their logs. A response
names the conversation it was added to (`"conversation": {"id": "conv_…"}`) and lists the items
it produced (`output`), which live in that conversation under the same ids.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from convoscope.api.errors import APIError, BadResponseError, one_line

RESPONSE_ID = re.compile(r"(?<![A-Za-z0-9_])resp_[A-Za-z0-9_\-]+")


class NoConversationError(APIError):
    """The response exists but belongs to no conversation."""


@dataclass(frozen=True)
class ResponseLocation:
    response_id: str
    conversation_id: str
    item_ids: tuple[str, ...]
    """The response's output items, oldest first: where to open the conversation."""

    @property
    def first_item_id(self) -> str | None:
        return self.item_ids[0] if self.item_ids else None


def response_id_in(text: str) -> str | None:
    """The response id in pasted text: a bare `resp_…`, or one inside a URL."""
    match = RESPONSE_ID.search(text.strip())
    return match.group() if match else None


async def locate_response(client: Any, response_id: str) -> ResponseLocation:
    """`GET /responses/{id}`: its conversation and output items. Raises the client's errors,
    `NoConversationError` when it has no conversation, `BadResponseError` for a malformed one."""
    data = await client.retrieve_response(response_id)
    if not isinstance(data, dict):
        raise BadResponseError(f"expected a response object, got {type(data).__name__}")
    conversation = data.get("conversation")
    conversation_id = conversation.get("id") if isinstance(conversation, dict) else conversation
    if not isinstance(conversation_id, str) or not conversation_id:
        raise NoConversationError(
            f"response {one_line(response_id, 80)} belongs to no conversation "
            "(it was created without one, so there is nothing to open)"
        )
    output = data.get("output")
    item_ids = tuple(
        entry["id"] for entry in output if isinstance(entry, dict) and isinstance(entry.get("id"), str)
    ) if isinstance(output, list) else ()
    return ResponseLocation(response_id, conversation_id, item_ids)
