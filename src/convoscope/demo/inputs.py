"""Turning request bodies (input items, metadata) into stored conversation items.

Input items follow the Responses API `InputItem` shapes: a message may be the short form
`{"role": "user", "content": "hi"}`; tool items look like the items they become. The
server assigns every created item a fresh id and, where the type has a status, marks it
completed.
"""

from __future__ import annotations

import copy
import secrets
from typing import Any

from convoscope.demo.errors import ApiError, bad_request, invalid_value

MAX_ITEMS_PER_REQUEST = 20
MAX_METADATA_PAIRS = 16
MAX_METADATA_KEY = 64
MAX_METADATA_VALUE = 512

ID_PREFIXES: dict[str, str] = {
    "message": "msg",
    "function_call": "fc",
    "function_call_output": "fco",
    "file_search_call": "fs",
    "web_search_call": "ws",
    "image_generation_call": "ig",
    "computer_call": "cu",
    "computer_call_output": "cuo",
    "tool_search_call": "tsc",
    "tool_search_output": "tso",
    "additional_tools": "at",
    "configuration_update": "cfg",
    "reasoning": "rs",
    "program": "prg",
    "program_output": "prgo",
    "compaction": "cmp",
    "code_interpreter_call": "ci",
    "local_shell_call": "lsh",
    "local_shell_call_output": "lsho",
    "shell_call": "sh",
    "shell_call_output": "sho",
    "apply_patch_call": "apc",
    "apply_patch_call_output": "apco",
    "mcp_list_tools": "mcpl",
    "mcp_approval_request": "mcpr",
    "mcp_approval_response": "mcpa",
    "mcp_call": "mcp",
    "custom_tool_call": "ctc",
    "custom_tool_call_output": "ctco",
}
"""Every ConversationItem type the openai SDK knows, with the id prefix given to new items."""

TYPES_WITH_STATUS = frozenset({
    "message", "function_call", "function_call_output", "file_search_call", "web_search_call",
    "image_generation_call", "computer_call", "computer_call_output", "tool_search_call",
    "tool_search_output", "program_output", "code_interpreter_call", "local_shell_call",
    "local_shell_call_output", "shell_call", "shell_call_output", "apply_patch_call",
    "apply_patch_call_output", "mcp_call",
})

MESSAGE_ROLES = ("user", "assistant", "system", "developer")


def new_items(raw_items: Any, *, param: str = "items") -> list[dict[str, Any]]:
    """Validate an `items` array from a request body and build the items to store."""
    if not isinstance(raw_items, list):
        raise bad_request(f"Invalid type for '{param}': expected an array.", param=param, code="invalid_type")
    if len(raw_items) > MAX_ITEMS_PER_REQUEST:
        raise bad_request(
            f"Invalid '{param}': array too long. Expected an array with maximum length "
            f"{MAX_ITEMS_PER_REQUEST}, but got an array with length {len(raw_items)} instead.",
            param=param,
            code="array_above_max_length",
        )
    return [_new_item(raw, f"{param}[{i}]") for i, raw in enumerate(raw_items)]


def _new_item(raw: Any, param: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise bad_request(f"Invalid type for '{param}': expected an object.", param=param, code="invalid_type")
    item = copy.deepcopy(raw)  # never keep a reference into the caller's data
    item_type = item.setdefault("type", "message")
    if item_type == "item_reference":
        raise bad_request("item_reference items are not supported by the demo server.", param=param)
    if item_type not in ID_PREFIXES:
        raise invalid_value(f"{param}.type", item_type, sorted(ID_PREFIXES))
    if item_type == "message":
        _normalise_message(item, param)
    item.pop("id", None)
    if item_type in TYPES_WITH_STATUS:
        item.setdefault("status", "completed")
    del item["type"]
    return {"id": new_item_id(item_type), "type": item_type, **item}


def _normalise_message(item: dict[str, Any], param: str) -> None:
    role = item.get("role")
    if role not in MESSAGE_ROLES:
        raise invalid_value(f"{param}.role", role, list(MESSAGE_ROLES))
    content = item.get("content")
    if isinstance(content, str):
        item["content"] = [_text_part(role, content)]
    elif isinstance(content, list) and all(isinstance(p, dict) and isinstance(p.get("type"), str) for p in content):
        for part in content:
            if part["type"] == "output_text":
                part.setdefault("annotations", [])
    else:
        raise bad_request(
            f"Invalid '{param}.content': expected a string or an array of content parts.",
            param=f"{param}.content",
            code="invalid_type",
        )


def _text_part(role: str, text: str) -> dict[str, Any]:
    if role == "assistant":
        return {"type": "output_text", "text": text, "annotations": []}
    return {"type": "input_text", "text": text}


def new_item_id(item_type: str) -> str:
    return f"{ID_PREFIXES.get(item_type, 'item')}_{secrets.token_hex(24)}"


def validate_metadata(metadata: Any) -> dict[str, str]:
    if metadata is None:
        return {}
    if not isinstance(metadata, dict):
        raise bad_request("Invalid type for 'metadata': expected an object.", param="metadata", code="invalid_type")
    if len(metadata) > MAX_METADATA_PAIRS:
        raise bad_request(
            f"Invalid 'metadata': too many properties. Expected at most {MAX_METADATA_PAIRS}, got {len(metadata)}.",
            param="metadata",
            code="object_above_max_properties",
        )
    for key, value in metadata.items():
        if len(key) > MAX_METADATA_KEY:
            raise _metadata_error(f"key '{key[:20]}…' is longer than {MAX_METADATA_KEY} characters")
        if not isinstance(value, str):
            raise _metadata_error(f"value for '{key}' must be a string")
        if len(value) > MAX_METADATA_VALUE:
            raise _metadata_error(f"value for '{key}' is longer than {MAX_METADATA_VALUE} characters")
    return dict(metadata)


def _metadata_error(detail: str) -> ApiError:
    return bad_request(f"Invalid 'metadata': {detail}.", param="metadata", code="invalid_value")
