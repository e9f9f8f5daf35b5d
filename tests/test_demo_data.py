"""Checks on the bundled demo conversations (src/convoscope/demo/data/*.json).

Every OpenAI item must validate against the official SDK's ``ConversationItem`` union and come back as the
class the SDK uses for its ``type``, without losing or inventing fields. Azure/Foundry items (not in the SDK
union) must carry the fields that Microsoft's agentserver TypedDicts mark as required. Together the files
must cover every item type, pair every call with its output, and carry the include-gated fields in full.
"""

from __future__ import annotations

import base64
import json
import typing
from collections import Counter
from importlib.resources import files
from typing import Any

import pytest
from openai.types.conversations import ConversationItem
from pydantic import BaseModel, TypeAdapter

DATA = files("convoscope.demo") / "data"

# type -> SDK class name (openai 3.54.0, see shared/reference/sdk_item_fields.txt)
SDK_CLASS = {
    "message": "Message",
    "function_call": "ResponseFunctionToolCallItem",
    "function_call_output": "ResponseFunctionToolCallOutputItem",
    "file_search_call": "ResponseFileSearchToolCall",
    "web_search_call": "ResponseFunctionWebSearch",
    "image_generation_call": "ImageGenerationCall",
    "computer_call": "ResponseComputerToolCall",
    "computer_call_output": "ResponseComputerToolCallOutputItem",
    "tool_search_call": "ResponseToolSearchCall",
    "tool_search_output": "ResponseToolSearchOutputItem",
    "additional_tools": "AdditionalTools",
    "configuration_update": "ResponseConfigurationUpdateItem",
    "reasoning": "ResponseReasoningItem",
    "program": "Program",
    "program_output": "ProgramOutput",
    "compaction": "ResponseCompactionItem",
    "code_interpreter_call": "ResponseCodeInterpreterToolCall",
    "local_shell_call": "LocalShellCall",
    "local_shell_call_output": "LocalShellCallOutput",
    "shell_call": "ResponseFunctionShellToolCall",
    "shell_call_output": "ResponseFunctionShellToolCallOutput",
    "apply_patch_call": "ResponseApplyPatchToolCall",
    "apply_patch_call_output": "ResponseApplyPatchToolCallOutput",
    "mcp_list_tools": "McpListTools",
    "mcp_approval_request": "McpApprovalRequest",
    "mcp_approval_response": "McpApprovalResponse",
    "mcp_call": "McpCall",
    "custom_tool_call": "ResponseCustomToolCall",
    "custom_tool_call_output": "ResponseCustomToolCallOutput",
}

# Azure / Foundry item types and their required fields (azure-ai-agentserver-responses 2.3.0 TypedDicts;
# output_message from its OutputItemType; the *_preview_* spellings from the Foundry v1 ItemType enum).
_CALL = ("id", "type", "call_id", "arguments", "status")
_OUT = ("id", "type", "call_id", "status")
AZURE_REQUIRED: dict[str, tuple[str, ...]] = {
    "output_message": ("id", "type", "role", "content", "status"),
    "bing_grounding_call": _CALL,
    "bing_grounding_call_output": _OUT,
    "bing_custom_search_preview_call": _CALL,
    "bing_custom_search_preview_call_output": _OUT,
    "sharepoint_grounding_preview_call": _CALL,
    "sharepoint_grounding_preview_call_output": _OUT,
    "azure_ai_search_call": _CALL,
    "azure_ai_search_call_output": _OUT,
    "fabric_dataagent_preview_call": _CALL,
    "fabric_dataagent_preview_call_output": _OUT,
    "browser_automation_preview_call": _CALL,
    "browser_automation_preview_call_output": _OUT,
    "openapi_call": (*_CALL, "name"),
    "openapi_call_output": (*_OUT, "name"),
    "azure_function_call": (*_CALL, "name"),
    "azure_function_call_output": (*_OUT, "name"),
    "a2a_preview_call": (*_CALL, "name"),
    "a2a_preview_call_output": (*_OUT, "name"),
    "memory_search_call": ("id", "type", "status"),
    "memory_search_preview_call": ("id", "type", "status"),
    "workflow_action": ("id", "type", "kind", "action_id", "status"),
    "workflow_preview_action": ("id", "type", "kind", "action_id", "status"),
    "structured_outputs": ("id", "type", "output"),
    "oauth_consent_request": ("id", "type", "consent_link", "server_label"),
}
TOOL_CALL_STATUS = {"in_progress", "completed", "incomplete", "failed"}
FOUNDRY_EXTRAS = {"agent_reference", "response_id"}

# call type -> output type, linked by call_id (reference §2.2 and §6.4)
CALL_PAIRS = {
    "function_call": "function_call_output",
    "custom_tool_call": "custom_tool_call_output",
    "computer_call": "computer_call_output",
    "shell_call": "shell_call_output",
    "apply_patch_call": "apply_patch_call_output",
    "tool_search_call": "tool_search_output",
    "program": "program_output",
    **{t: t + "_output" for t in AZURE_REQUIRED if t.endswith("_call") and t + "_output" in AZURE_REQUIRED},
}

ADAPTER: TypeAdapter[Any] = TypeAdapter(ConversationItem)


def _load() -> list[tuple[str, dict[str, Any]]]:
    docs = []
    for entry in DATA.iterdir():
        if entry.name.endswith(".json"):
            docs.append((entry.name, json.loads(entry.read_text(encoding="utf-8"))))
    return sorted(docs)


DOCS = _load()
ALL_ITEMS = [(name, i, item) for name, doc in DOCS for i, item in enumerate(doc["items"])]
SDK_ITEMS = [(n, i, it) for n, i, it in ALL_ITEMS if it["type"] in SDK_CLASS]
AZURE_ITEMS = [(n, i, it) for n, i, it in ALL_ITEMS if it["type"] not in SDK_CLASS]


def _walk(value: Any):
    """Yield every dict nested anywhere in value (including value itself)."""
    if isinstance(value, dict):
        yield value
        for v in value.values():
            yield from _walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from _walk(v)


def _texts(item: dict[str, Any]) -> list[str]:
    """Every string anywhere in an item (message text, outputs, logs, arguments, ...)."""
    out: list[str] = []

    def rec(v: Any) -> None:
        if isinstance(v, str):
            out.append(v)
        elif isinstance(v, dict):
            for x in v.values():
                rec(x)
        elif isinstance(v, list):
            for x in v:
                rec(x)

    rec(item)
    return out


def _texts_of(by_type: dict[str, list[dict]], kind: str) -> list[str]:
    return [t for item in by_type.get(kind, []) for t in _texts(item)]


def _extras(model: BaseModel, top: bool = True) -> list[str]:
    """Names of fields the SDK models did not declare (pydantic keeps them as extras)."""
    found = [k for k in (model.model_extra or {}) if not (top and k in FOUNDRY_EXTRAS)]
    for name in type(model).model_fields:
        found += _extras_in(getattr(model, name))
    return found


def _extras_in(value: Any) -> list[str]:
    if isinstance(value, BaseModel):
        return _extras(value, top=False)
    if isinstance(value, (list, tuple)):
        return [e for v in value for e in _extras_in(v)]
    if isinstance(value, dict):
        return [e for v in value.values() for e in _extras_in(v)]
    return []


# ------------------------------------------------------------------ files and conversations


def test_at_least_seven_conversations_with_15_to_60_items():
    assert len(DOCS) >= 7
    for name, doc in DOCS:
        assert 15 <= len(doc["items"]) <= 60, (name, len(doc["items"]))


@pytest.mark.parametrize("name,doc", DOCS, ids=[n for n, _ in DOCS])
def test_conversation_resource_shape(name, doc):
    conv = doc["conversation"]
    assert set(doc) == {"conversation", "items"}
    assert conv["id"].startswith("conv_")
    assert conv["object"] == "conversation"
    assert type(conv["created_at"]) is int and conv["created_at"] > 1_700_000_000
    meta = conv["metadata"]
    assert isinstance(meta, dict) and 0 < len(meta) <= 16
    assert {"title", "agent"} <= set(meta)
    for key, value in meta.items():
        assert isinstance(key, str) and len(key) <= 64
        assert isinstance(value, str) and len(value) <= 512, (name, key)


def test_ids_are_unique_across_all_files():
    ids = [doc["conversation"]["id"] for _, doc in DOCS]
    for _, _, item in ALL_ITEMS:
        assert isinstance(item.get("id"), str) and item["id"], item["type"]
        ids.append(item["id"])
    dupes = [i for i, n in Counter(ids).items() if n > 1]
    assert not dupes


def test_call_ids_are_unique_per_call():
    call_ids = [item["call_id"] for _, _, item in ALL_ITEMS
                if item["type"] in CALL_PAIRS or item["type"] == "local_shell_call"]
    assert len(call_ids) == len(set(call_ids))


def test_timestamps_are_ints():
    for name, doc in DOCS:
        for d in _walk(doc):
            for key in ("created_at", "updated_at"):
                if key in d:
                    assert type(d[key]) is int, (name, key, d[key])


# ------------------------------------------------------------------ OpenAI items through the SDK


def test_sdk_class_table_matches_the_installed_sdk():
    union = typing.get_args(ConversationItem)[0]
    sdk = {typing.get_args(m.model_fields["type"].annotation)[0]: m.__name__ for m in typing.get_args(union)}
    assert sdk == SDK_CLASS


@pytest.mark.parametrize("name,index,item", SDK_ITEMS, ids=[f"{n}[{i}]:{it['type']}" for n, i, it in SDK_ITEMS])
def test_openai_item_validates_as_its_sdk_class(name, index, item):
    result = ADAPTER.validate_python(item)
    assert result.type == item["type"]
    assert type(result).__name__ == SDK_CLASS[item["type"]]
    # nothing misspelled or invented: only Foundry's two top-level extras may be undeclared
    assert _extras(result) == []
    # and nothing lost or coerced on the way through the SDK model
    assert result.model_dump(mode="json", by_alias=True, exclude_unset=True) == item


# ------------------------------------------------------------------ Azure / Foundry items


@pytest.mark.parametrize("name,index,item", AZURE_ITEMS, ids=[f"{n}[{i}]:{it['type']}" for n, i, it in AZURE_ITEMS])
def test_azure_item_has_required_fields(name, index, item):
    kind = item["type"]
    assert kind in AZURE_REQUIRED, f"unknown item type {kind!r}"
    missing = [f for f in AZURE_REQUIRED[kind] if f not in item]
    assert not missing
    ref = item.get("agent_reference")
    assert ref is not None and ref["type"] == "agent_reference" and isinstance(ref["name"], str)
    assert isinstance(item.get("response_id"), str)
    if kind.endswith("_call") or kind.endswith("_call_output"):
        assert item["status"] in TOOL_CALL_STATUS
    if "arguments" in item:
        assert isinstance(item["arguments"], str)
        json.loads(item["arguments"])
    if kind.endswith("_call_output"):
        assert isinstance(item.get("output"), (dict, list, str))
    if kind == "output_message":
        assert item["role"] == "assistant"
        assert {p["type"] for p in item["content"]} <= {"output_text", "refusal"}
        as_message = ADAPTER.validate_python({**item, "type": "message"})
        assert type(as_message).__name__ == "Message"
    if kind in ("memory_search_call", "memory_search_preview_call"):
        assert item["status"] in {"in_progress", "searching", "completed", "incomplete", "failed"}
        for result in item.get("results") or []:
            mem = result["memory_item"]
            assert mem["kind"] in {"user_profile", "chat_summary"}
            assert isinstance(mem["memory_id"], str) and type(mem["updated_at"]) is int
            assert isinstance(mem["scope"], str) and isinstance(mem["content"], str)
    if kind in ("workflow_action", "workflow_preview_action"):
        assert item["status"] in {"completed", "failed", "in_progress", "cancelled"}


def test_workflow_actions_link_to_earlier_actions():
    for name, doc in DOCS:
        seen: set[str] = set()
        for item in doc["items"]:
            if item["type"] in ("workflow_action", "workflow_preview_action"):
                for link in ("parent_action_id", "previous_action_id"):
                    if link in item:
                        assert item[link] in seen, (name, item["action_id"], link)
                seen.add(item["action_id"])


# ------------------------------------------------------------------ coverage


def test_every_item_type_is_covered():
    seen = {item["type"] for _, _, item in ALL_ITEMS}
    assert set(SDK_CLASS) - seen == set()
    assert set(AZURE_REQUIRED) - seen == set()
    assert len(SDK_CLASS) == 29


# ------------------------------------------------------------------ pairing


@pytest.mark.parametrize("name,doc", DOCS, ids=[n for n, _ in DOCS])
def test_calls_are_paired_with_outputs(name, doc):
    items = doc["items"]
    outputs_of = {v: k for k, v in CALL_PAIRS.items()}
    calls: dict[str, tuple[int, dict]] = {}
    outputs: dict[str, list[tuple[int, dict]]] = {}
    for pos, item in enumerate(items):
        if item["type"] in CALL_PAIRS:
            calls[item["call_id"]] = (pos, item)
        elif item["type"] in outputs_of:
            outputs.setdefault(item["call_id"], []).append((pos, item))
    for call_id, (pos, call) in calls.items():
        outs = outputs.get(call_id, [])
        assert len(outs) == 1, (name, call["type"], call_id)
        out_pos, out = outs[0]
        assert out["type"] == CALL_PAIRS[call["type"]]
        assert out_pos > pos, (name, call_id, "output before its call")
        if "name" in out and "name" in call:
            assert out["name"] == call["name"]
        if call["type"] == "shell_call":
            assert len(out["output"]) == len(call["action"]["commands"])
        if call["type"] == "computer_call":
            pending = {c["id"] for c in call["pending_safety_checks"]}
            acked = {c["id"] for c in out.get("acknowledged_safety_checks") or []}
            assert pending == acked, (name, call_id)
    assert set(outputs) <= set(calls), (name, "output without a call")


@pytest.mark.parametrize("name,doc", DOCS, ids=[n for n, _ in DOCS])
def test_local_shell_output_id_is_the_call_id(name, doc):
    items = doc["items"]
    calls = {it["call_id"]: pos for pos, it in enumerate(items) if it["type"] == "local_shell_call"}
    outs = {it["id"]: pos for pos, it in enumerate(items) if it["type"] == "local_shell_call_output"}
    assert set(calls) == set(outs)
    for call_id, pos in calls.items():
        assert outs[call_id] > pos
    for it in items:
        if it["type"] == "local_shell_call_output":
            payload = json.loads(it["output"])
            assert "output" in payload


@pytest.mark.parametrize("name,doc", DOCS, ids=[n for n, _ in DOCS])
def test_mcp_approval_flow_is_linked(name, doc):
    items = doc["items"]
    requests = {it["id"]: pos for pos, it in enumerate(items) if it["type"] == "mcp_approval_request"}
    responses = {it["approval_request_id"]: (pos, it) for pos, it in enumerate(items)
                 if it["type"] == "mcp_approval_response"}
    assert set(requests) == set(responses)
    for req_id, (pos, _) in responses.items():
        assert pos > requests[req_id]
    listed = {it["server_label"] for it in items if it["type"] == "mcp_list_tools"}
    for pos, it in enumerate(items):
        if it["type"] in ("mcp_call", "mcp_approval_request"):
            assert it["server_label"] in listed
            json.loads(it["arguments"])
        if it["type"] == "mcp_call" and it.get("approval_request_id"):
            resp_pos, resp = responses[it["approval_request_id"]]
            assert resp["approve"] is True and pos > resp_pos


@pytest.mark.parametrize("name,doc", DOCS, ids=[n for n, _ in DOCS])
def test_program_callers_point_at_an_enclosing_program(name, doc):
    items = doc["items"]
    span = {}
    for pos, it in enumerate(items):
        if it["type"] == "program":
            span[it["call_id"]] = [pos, None]
        elif it["type"] == "program_output":
            span[it["call_id"]][1] = pos
    for pos, it in enumerate(items):
        caller = it.get("caller")
        if caller and caller["type"] == "program":
            start, end = span[caller["caller_id"]]
            assert start < pos < end, (name, it["id"])


# ------------------------------------------------------------------ include-gated fields and features


def test_include_gated_fields_are_present():
    kinds = Counter()
    for _, _, item in ALL_ITEMS:
        kind = item["type"]
        if kind == "web_search_call" and item["action"]["type"] == "search":
            assert item["action"]["sources"], item["id"]
            kinds["sources"] += 1
        elif kind == "file_search_call":
            assert item["results"], item["id"]
            kinds["results"] += 1
        elif kind == "code_interpreter_call":
            assert item["outputs"], item["id"]
            kinds["outputs"] += 1
        elif kind == "computer_call_output":
            assert item["output"]["image_url"], item["id"]
            kinds["image_url"] += 1
        elif kind == "reasoning":
            assert item["encrypted_content"], item["id"]
            kinds["encrypted"] += 1
        elif kind in ("message", "output_message"):
            for part in item["content"]:
                if part["type"] == "input_image":
                    assert part["image_url"], item["id"]
                    kinds["input_image"] += 1
                if part.get("logprobs"):
                    kinds["logprobs"] += 1
    assert set(kinds) == {"sources", "results", "outputs", "image_url", "encrypted", "input_image", "logprobs"}


def test_demo_features_are_present():
    items = [item for _, _, item in ALL_ITEMS]
    by_type: dict[str, list[dict]] = {}
    for item in items:
        by_type.setdefault(item["type"], []).append(item)
    texts = [t for item in items for t in _texts(item)]

    # shell: stdout and stderr, a non-zero exit, a timeout, ANSI colours, a long payload
    shell_outputs = [o for it in by_type["shell_call_output"] for o in it["output"]]
    assert any(o["stdout"] for o in shell_outputs) and any(o["stderr"] for o in shell_outputs)
    assert any(o["outcome"]["type"] == "exit" and o["outcome"]["exit_code"] != 0 for o in shell_outputs)
    assert any(o["outcome"]["type"] == "timeout" for o in shell_outputs)
    assert any("\x1b[31mFAILED\x1b[0m" in o["stdout"] for o in shell_outputs)
    assert any(t.count("\n") >= 200 for t in texts)
    # apply_patch: all three operations, one failure
    assert {it["operation"]["type"] for it in by_type["apply_patch_call"]} == {"create_file", "update_file",
                                                                               "delete_file"}
    assert any(it["status"] == "failed" for it in by_type["apply_patch_call_output"])
    # text that must be shown literally
    assert any("[bold red]not markup[/]" in t for t in texts)
    assert any("\x1b[" in t for t in _texts_of(by_type, "message"))
    # messages: phases, roles, content parts, annotations, refusal
    messages = by_type["message"]
    assert {m.get("phase") for m in messages} >= {"commentary", "final_answer"}
    assert {m["role"] for m in messages} >= {"user", "assistant", "system", "developer"}
    parts = [p for m in messages for p in m["content"]]
    assert {p["type"] for p in parts} >= {"input_text", "output_text", "refusal", "input_image", "input_file",
                                          "computer_screenshot"}
    assert any(p["type"] == "input_image" and p["image_url"].startswith("data:image/png;base64,") for p in parts)
    annotations = {a["type"] for p in parts if p["type"] == "output_text" for a in p["annotations"]}
    assert annotations == {"url_citation", "file_citation", "container_file_citation", "file_path"}
    for p in parts:
        for a in p.get("annotations") or []:
            if "start_index" in a:
                assert 0 <= a["start_index"] < a["end_index"] <= len(p["text"])
            else:
                assert 0 <= a["index"] <= len(p["text"])
    # function outputs: JSON strings and a list of input_text + input_image + input_file
    fouts = by_type["function_call_output"]
    assert any(isinstance(o["output"], list) and {p["type"] for p in o["output"]} ==
               {"input_text", "input_image", "input_file"} for o in fouts)
    assert any(isinstance(json.loads(f["arguments"]).get(k), dict) for f in by_type["function_call"]
               for k in json.loads(f["arguments"]))
    # web search actions, computer actions
    assert {w["action"]["type"] for w in by_type["web_search_call"]} == {"search", "open_page", "find_in_page"}
    actions = [a for it in by_type["computer_call"] for a in ([it["action"]] if it.get("action") else [])
               + (it.get("actions") or [])]
    assert {a["type"] for a in actions} == {"click", "double_click", "drag", "keypress", "move", "screenshot",
                                            "scroll", "type", "wait"}
    assert any(it.get("action") for it in by_type["computer_call"])
    assert any(it.get("actions") for it in by_type["computer_call"])
    assert any(it["pending_safety_checks"] for it in by_type["computer_call"])
    # MCP errors of every kind, approve and deny
    assert {c["error"]["type"] for c in by_type["mcp_call"] if c.get("error")} == {
        "mcp_protocol_error", "mcp_tool_execution_error", "http_error"}
    assert {r["approve"] for r in by_type["mcp_approval_response"]} == {True, False}
    assert any(r.get("reason") for r in by_type["mcp_approval_response"] if not r["approve"])
    # image generation: small valid PNGs and one failure with an error
    for ig in by_type["image_generation_call"]:
        if ig["status"] == "completed":
            assert len(ig["result"]) < 2048
            assert base64.b64decode(ig["result"]).startswith(b"\x89PNG\r\n\x1a\n")
    assert any(ig["status"] == "failed" and ig.get("error") for ig in by_type["image_generation_call"])
    # reasoning with content text
    assert any(r.get("content") for r in by_type["reasoning"])
    # tool calls made from a program
    assert {it["type"] for it in items if (it.get("caller") or {}).get("type") == "program"} >= {
        "function_call", "function_call_output", "shell_call", "shell_call_output", "custom_tool_call",
        "custom_tool_call_output"}


def test_foundry_items_carry_agent_reference_and_response_id():
    foundry = [doc for name, doc in DOCS if any(it["type"] in AZURE_REQUIRED for it in doc["items"])]
    assert foundry
    for doc in foundry:
        for item in doc["items"]:
            assert item["agent_reference"]["type"] == "agent_reference"
            assert item["response_id"].startswith("resp_")
