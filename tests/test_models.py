"""Item models: what a user of the viewer would notice (right row text, pairing, tolerance)."""

import copy
import json
import subprocess
import sys
import time
import typing

import openai.types.conversations as sdk_conversations
import pydantic
import pytest

from convoscope.api.models import (
    ITEM_TYPES,
    Conversation,
    ConversationPage,
    FunctionCall,
    GenericItem,
    GenericPart,
    InputText,
    Item,
    ItemPage,
    Link,
    Message,
    parse_item,
)

from tests.item_samples import AZURE_SAMPLES, OPENAI_SAMPLES

ALL_SAMPLES = {**OPENAI_SAMPLES, **AZURE_SAMPLES}

# type: (model class name, summary, label, links as (key, role) pairs)
EXPECTED = {
    "message": ("Message", "user: What's the weather in Paris? [+2 parts]", "user", []),
    "function_call": (
        "FunctionCall",
        'get_weather({"city":"Paris"})',
        "get_weather",
        [("call:call_weather", "call")],
    ),
    "function_call_output": (
        "FunctionCallOutput",
        '↳ get_weather → {"temp": 21}',
        "get_weather",
        [("call:call_weather", "output")],
    ),
    "file_search_call": ("FileSearchCall", 'file_search "refund policy"; "returns" → 1 result', "file_search", []),
    "web_search_call": ("WebSearchCall", 'web_search "paris weather today"', "web_search", []),
    "image_generation_call": (
        "ImageGenerationCall",
        'image [1024x1024, png] "A watercolor of the Eiffel Tower"',
        "image_generation",
        [],
    ),
    "computer_call": ("ComputerCall", "computer click(812,64)", "computer", [("call:call_computer", "call")]),
    "computer_call_output": (
        "ComputerCallOutput",
        "↳ screenshot file_shot",
        "computer",
        [("call:call_computer", "output")],
    ),
    "tool_search_call": (
        "ToolSearchCall",
        'tool_search {"query":"calendar"}',
        "tool_search",
        [("call:call_search_tools", "call")],
    ),
    "tool_search_output": (
        "ToolSearchOutput",
        "↳ loaded 2 tools: create_event, list_events",
        "tool_search",
        [("call:call_search_tools", "output")],
    ),
    "additional_tools": ("AdditionalTools", "+tools (developer): lookup_order, web_search", "tools", []),
    "configuration_update": ("ConfigurationUpdate", "config: effort=high, format=json_schema:ticket", "config", []),
    "reasoning": ("Reasoning", "thinking: Checking the forecast …", "reasoning", []),
    "program": (
        "Program",
        "program (2 lines of JS): const w = await tools.get_weather({city: 'Paris'}); …",
        "program",
        [("call:call_program", "call"), ("program_caller:call_program", "call")],
    ),
    "program_output": ("ProgramOutput", "↳ program → 21", "program", [("call:call_program", "output")]),
    "compaction": ("Compaction", "[compacted context]", "compaction", []),
    "code_interpreter_call": ("CodeInterpreterCall", "python: import math … → 1 output", "code_interpreter", []),
    "local_shell_call": ("LocalShellCall", "$ ls -la /workspace", "local_shell", [("call:call_local_shell", "call")]),
    "local_shell_call_output": (
        "LocalShellCallOutput",
        '↳ {"stdout":"total 0","exit_code":0}',
        "local_shell",
        [("call:call_local_shell", "output")],
    ),
    "shell_call": ("ShellCall", "$ ls -la && pytest -q [cntr_1]", "shell", [("call:call_shell", "call")]),
    "shell_call_output": (
        "ShellCallOutput",
        "↳ exit 0: total 0; exit 1: 1 failed",
        "shell",
        [("call:call_shell", "output")],
    ),
    "apply_patch_call": ("ApplyPatchCall", "patch update src/api.py (+3 −1)", "apply_patch", [("call:call_patch", "call")]),
    "apply_patch_call_output": (
        "ApplyPatchCallOutput",
        "↳ patch completed: Updated src/api.py",
        "apply_patch",
        [("call:call_patch", "output")],
    ),
    "mcp_list_tools": ("McpListTools", "mcp[github] lists 2 tools: create_issue, search_code", "mcp github", []),
    "mcp_approval_request": (
        "McpApprovalRequest",
        '? approve mcp[github].create_issue({"title":"Bug"})',
        "mcp github.create_issue",
        [("mcp_approval:mcpr_1", "call")],
    ),
    "mcp_approval_response": (
        "McpApprovalResponse",
        "✗ denied: not now",
        "approval",
        [("mcp_approval:mcpr_1", "output")],
    ),
    "mcp_call": (
        "McpCall",
        'mcp[github].create_issue({"title":"Bug"}) → Created #42',
        "mcp github.create_issue",
        [("mcp_approval:mcpr_1", "output")],
    ),
    "custom_tool_call": (
        "CustomToolCall",
        "run_sql: SELECT * FROM orders",
        "run_sql",
        [("call:call_custom", "call"), ("program_caller:call_program", "child")],
    ),
    "custom_tool_call_output": (
        "CustomToolCallOutput",
        "↳ 3 rows",
        "output",
        [("call:call_custom", "output"), ("program_caller:call_program", "child")],
    ),
    "output_message": ("OutputMessage", "assistant: Hello from Foundry", "assistant", []),
    "bing_grounding_call": (
        "BingGroundingCall",
        'bing_grounding {"query":"paris weather"}',
        "bing_grounding",
        [("call:call_bing", "call")],
    ),
    "bing_grounding_call_output": (
        "BingGroundingCallOutput",
        '↳ {"results":3}',
        "bing_grounding",
        [("call:call_bing", "output")],
    ),
    "bing_custom_search_preview_call": (
        "BingCustomSearchCall",
        'bing_custom_search {"query":"docs"}',
        "bing_custom_search",
        [("call:call_bcs", "call")],
    ),
    "bing_custom_search_preview_call_output": (
        "BingCustomSearchCallOutput",
        "↳ 2 hits",
        "bing_custom_search",
        [("call:call_bcs", "output")],
    ),
    "sharepoint_grounding_preview_call": (
        "SharepointGroundingCall",
        'sharepoint_grounding {"query":"roadmap"}',
        "sharepoint_grounding",
        [("call:call_sp", "call")],
    ),
    "sharepoint_grounding_preview_call_output": (
        "SharepointGroundingCallOutput",
        '↳ ["Roadmap.docx"]',
        "sharepoint_grounding",
        [("call:call_sp", "output")],
    ),
    "azure_ai_search_call": (
        "AzureAISearchCall",
        'azure_ai_search {"query":"hotels"}',
        "azure_ai_search",
        [("call:call_as", "call")],
    ),
    "azure_ai_search_call_output": (
        "AzureAISearchCallOutput",
        "↳ 5 documents",
        "azure_ai_search",
        [("call:call_as", "output")],
    ),
    "fabric_dataagent_preview_call": (
        "FabricDataAgentCall",
        'fabric_dataagent {"question":"sales?"}',
        "fabric_dataagent",
        [("call:call_fd", "call")],
    ),
    "fabric_dataagent_preview_call_output": (
        "FabricDataAgentCallOutput",
        "↳ 42",
        "fabric_dataagent",
        [("call:call_fd", "output")],
    ),
    "browser_automation_preview_call": (
        "BrowserAutomationCall",
        'browser_automation {"url":"https://example.com"}',
        "browser_automation",
        [("call:call_ba", "call")],
    ),
    "browser_automation_preview_call_output": (
        "BrowserAutomationCallOutput",
        "↳ page loaded",
        "browser_automation",
        [("call:call_ba", "output")],
    ),
    "openapi_call": ("OpenApiCall", 'openapi getPet {"id":7}', "openapi getPet", [("call:call_oa", "call")]),
    "openapi_call_output": (
        "OpenApiCallOutput",
        '↳ {"name":"Rex"}',
        "openapi getPet",
        [("call:call_oa", "output")],
    ),
    "azure_function_call": (
        "AzureFunctionCall",
        'azure_function resize {"w":64}',
        "azure_function resize",
        [("call:call_af", "call")],
    ),
    "azure_function_call_output": (
        "AzureFunctionCallOutput",
        "↳ ok",
        "azure_function resize",
        [("call:call_af", "output")],
    ),
    "a2a_preview_call": ("A2ACall", 'a2a travel-agent {"task":"book"}', "a2a travel-agent", [("call:call_a2a", "call")]),
    "a2a_preview_call_output": (
        "A2ACallOutput",
        "↳ booked",
        "a2a travel-agent",
        [("call:call_a2a", "output")],
    ),
    "memory_search_call": ("MemorySearchCall", "memory search → 2 memories", "memory_search", []),
    "memory_search_preview_call": ("MemorySearchCall", "memory search → 0 memories", "memory_search", []),
    "workflow_action": ("WorkflowAction", "workflow InvokeAzureAgent act_2 [completed]", "workflow", []),
    "workflow_preview_action": ("WorkflowPreviewAction", "workflow SetVariable act_3 [in_progress]", "workflow", []),
    "structured_outputs": ("StructuredOutputs", 'structured output {"ticket":42}', "structured_output", []),
    "oauth_consent_request": (
        "OAuthConsentRequest",
        "consent needed for github: https://login.example.com/consent",
        "oauth",
        [],
    ),
    "item_reference": ("ItemReference", "→ item msg_1", "reference", []),
    "memory_command_preview_call": (
        "MemoryCommandItem",
        'memory_command {"call_id":"call_mc","command":"remember"}',
        "memory_command",
        [("call:call_mc", "call")],
    ),
    "memory_command_preview_call_output": (
        "MemoryCommandItem",
        '↳ memory_command {"call_id":"call_mc","output":"stored"}',
        "memory_command",
        [("call:call_mc", "output")],
    ),
}


def links_of(item: Item) -> list[tuple[str, str]]:
    return [(link.key, link.role) for link in item.links()]


# ---------------------------------------------------------------------------------------------
# One sample per type
# ---------------------------------------------------------------------------------------------


def test_every_registered_type_has_a_sample_and_an_expectation():
    assert set(ITEM_TYPES) == set(ALL_SAMPLES) == set(EXPECTED)


@pytest.mark.parametrize("item_type", sorted(ALL_SAMPLES))
def test_sample_gets_its_model_summary_label_and_links(item_type):
    sample = ALL_SAMPLES[item_type]
    class_name, summary, label, links = EXPECTED[item_type]

    item = parse_item(sample)

    assert type(item).__name__ == class_name
    assert item.type == item_type
    assert item.summary() == summary
    assert item.label == label
    assert links_of(item) == links
    assert item.spec_warnings() == []
    assert item.validation_error is None
    assert item.raw is sample


@pytest.mark.parametrize("item_type", sorted(OPENAI_SAMPLES))
def test_openai_sample_is_valid_for_the_sdk_union(item_type):
    # Keeps the samples (and so the expectations above) faithful to the real API shapes.
    validated = pydantic.TypeAdapter(sdk_conversations.ConversationItem).validate_python(OPENAI_SAMPLES[item_type])
    assert validated.type == item_type


def sdk_item_types() -> set[str]:
    union = typing.get_args(sdk_conversations.ConversationItem)[0]  # Annotated[Union[...], PropertyInfo]
    return {typing.get_args(member.model_fields["type"].annotation)[0] for member in typing.get_args(union)}


def test_every_sdk_item_type_has_a_typed_model():
    types = sdk_item_types()
    assert len(types) == 29
    for item_type in types:
        assert item_type in ITEM_TYPES
        assert not issubclass(ITEM_TYPES[item_type], GenericItem)


@pytest.mark.parametrize("item_type", sorted(set(ALL_SAMPLES) - {"memory_command_preview_call", "memory_command_preview_call_output"}))
def test_model_dump_reproduces_the_sample(item_type):
    # Items built in code (raw falls back to a dump) look like the API's JSON.
    item = parse_item(ALL_SAMPLES[item_type])
    assert item.model_dump(by_alias=True, exclude_none=True, mode="json") == ALL_SAMPLES[item_type]


def test_foundry_fields_are_on_every_item():
    item = parse_item(AZURE_SAMPLES["bing_grounding_call"])
    assert item.agent_reference.name == "support-agent"
    assert item.agent_reference.version == "3"
    assert item.response_id == "resp_1"


# ---------------------------------------------------------------------------------------------
# Tolerance: parse_item never raises, keeps raw, explains rejections
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [None, 42, "message", ["type", "message"], 3.5, True])
def test_non_object_becomes_generic_item(value):
    item = parse_item(value)
    assert isinstance(item, GenericItem)
    assert item.raw is value
    assert item.label == "item"
    assert "expected a JSON object" in item.validation_error
    assert "\n" not in item.summary()


def test_missing_type_becomes_generic_item():
    raw = {"id": "x_1", "foo": "bar"}
    item = parse_item(raw)
    assert isinstance(item, GenericItem)
    assert item.raw is raw
    assert item.id == "x_1"
    assert item.label == "item"
    assert item.validation_error == "item: missing field 'type'"


def test_non_string_type_becomes_generic_item():
    raw = {"type": ["message"], "id": "x_1"}
    item = parse_item(raw)
    assert isinstance(item, GenericItem)
    assert item.label == "item"
    assert item.validation_error == "item: field 'type': expected a string, got [\"message\"]"


def test_unknown_type_is_generic_without_error_and_keeps_everything():
    raw = {"type": "hologram_call", "id": "h_1", "call_id": "call_h", "status": "beaming", "power": 9000}
    item = parse_item(raw)
    assert isinstance(item, GenericItem)
    assert item.validation_error is None
    assert item.spec_warnings() == []
    assert item.raw is raw
    assert item.label == "hologram_call"
    assert item.status == "beaming"
    assert item.model_extra["power"] == 9000
    assert item.summary() == 'hologram_call {"id":"h_1","call_id":"call_h","status":"beaming","power":9000}'
    # A call_id still pairs: future Azure tools follow the <x>_call / <x>_call_output pattern.
    assert item.links() == (Link("call:call_h", "call"),)
    assert parse_item({"type": "hologram_call_output", "call_id": "call_h"}).links() == (Link("call:call_h", "output"),)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (
            {"type": "function_call", "id": "fc", "call_id": "c", "name": "f", "arguments": 12, "status": "completed"},
            "function_call: field 'arguments': expected a string, got 12",
        ),
        (
            {"type": "message", "id": "m", "role": "user", "status": "completed", "content": "hello"},
            "message: field 'content': expected a list, got \"hello\"",
        ),
        (
            {"type": "local_shell_call", "call_id": "c", "action": {"type": "exec", "command": "ls", "env": {}}},
            "local_shell_call: field 'action.command': expected a list, got \"ls\"",
        ),
        (
            {"type": "function_call_output", "call_id": "c", "output": {"temp": 21}},
            "function_call_output: field 'output': expected a string or a list, got {\"temp\":21}",
        ),
        (
            {"type": "mcp_approval_response", "approval_request_id": "r", "approve": "maybe", "id": 7},
            "mcp_approval_response: field 'id': expected a string, got 7 (+1 more)",
        ),
    ],
)
def test_wrong_field_type_gives_generic_item_with_readable_reason(raw, reason):
    original = copy.deepcopy(raw)
    item = parse_item(raw)
    assert isinstance(item, GenericItem)
    assert item.validation_error == reason
    assert item.spec_warnings() == [reason]
    assert item.raw is raw
    assert raw == original  # parsing never mutates the JSON
    assert item.label == raw["type"]
    assert "\n" not in item.summary()


def test_generic_item_keeps_well_typed_common_fields_only():
    raw = {"type": "function_call", "id": 12, "status": "completed", "arguments": 1}
    item = parse_item(raw)
    assert item.id is None
    assert item.status == "completed"


def test_unknown_fields_are_kept_on_typed_items_and_parts():
    raw = copy.deepcopy(OPENAI_SAMPLES["function_call"]) | {"priority": "high"}
    raw_message = copy.deepcopy(OPENAI_SAMPLES["message"])
    raw_message["content"][0]["language"] = "en"
    assert parse_item(raw).model_extra == {"priority": "high"}
    assert parse_item(raw_message).content[0].model_extra == {"language": "en"}


def test_status_role_and_other_enums_are_free_strings():
    raw = OPENAI_SAMPLES["function_call"] | {"status": "queued_for_review"}
    assert parse_item(raw).status == "queued_for_review"
    message = parse_item(OPENAI_SAMPLES["message"] | {"role": "narrator", "phase": "epilogue"})
    assert isinstance(message, Message)
    assert message.summary().startswith("narrator [epilogue]: ")


def test_odd_content_parts_do_not_make_the_message_generic():
    raw = {
        "type": "message",
        "id": "m",
        "role": "assistant",
        "status": "completed",
        "content": [
            {"type": "output_text", "text": 5, "annotations": []},
            {"type": "hologram", "frames": 3},
            "just a string",
            {"type": "output_text", "text": "The answer is 42", "annotations": [{"type": "new_citation"}]},
        ],
    }
    item = parse_item(raw)
    assert isinstance(item, Message)
    broken, unknown, bare, good = item.content
    assert isinstance(broken, GenericPart)
    assert broken.validation_error == "output_text: field 'text': expected a string, got 5"
    assert isinstance(unknown, GenericPart) and unknown.validation_error is None
    assert unknown.model_extra == {"frames": 3}
    assert isinstance(bare, GenericPart) and bare.model_extra == {"value": "just a string"}
    assert isinstance(good.annotations[0], GenericPart)
    assert item.summary() == "assistant: The answer is 42 [+3 parts]"


def test_odd_nested_union_members_stay_inside_their_item():
    computer = parse_item(
        OPENAI_SAMPLES["computer_call"] | {"action": None, "actions": [{"type": "teleport"}, {"type": "type", "text": "hi"}]}
    )
    assert computer.summary() == 'computer 2 actions: [teleport], type "hi"'
    mcp = parse_item(OPENAI_SAMPLES["mcp_call"] | {"output": None, "error": {"type": "http_error", "code": 502, "message": "Bad gateway"}})
    assert mcp.summary() == 'mcp[github].create_issue({"title":"Bug"}) → error: HTTP 502: Bad gateway'
    old_style = parse_item(OPENAI_SAMPLES["mcp_call"] | {"output": None, "error": "timeout"})
    assert old_style.summary().endswith("→ error: timeout")


def test_async_field_uses_its_json_name():
    item = parse_item(OPENAI_SAMPLES["function_call"] | {"async": True})
    assert item.async_ is True
    built = FunctionCall(id="fc_2", call_id="c2", name="f", arguments="{}", status="completed", async_=False)
    assert built.raw["async"] is False


def test_raw_of_an_item_built_in_code_is_its_json():
    built = Message(id="m1", role="user", status="completed", content=[InputText(text="hi")])
    assert built.raw == {
        "type": "message",
        "id": "m1",
        "role": "user",
        "status": "completed",
        "content": [{"type": "input_text", "text": "hi"}],
    }
    assert built.summary() == "user: hi"


def test_spec_warnings_name_missing_required_fields():
    item = parse_item({"type": "function_call", "name": "f", "arguments": "{}"})
    assert isinstance(item, FunctionCall)
    assert item.spec_warnings() == [
        "missing required field 'id'",
        "missing required field 'call_id'",
        "missing required field 'status'",
    ]
    assert parse_item({"type": "reasoning", "id": "rs"}).spec_warnings() == ["missing required field 'summary'"]
    # Azure: openapi calls require a name, bing calls do not.
    assert "missing required field 'name'" in parse_item({"type": "openapi_call", "arguments": "{}"}).spec_warnings()
    assert "missing required field 'name'" not in parse_item({"type": "bing_grounding_call"}).spec_warnings()


def test_items_with_only_a_type_still_summarise():
    for item_type in ITEM_TYPES:
        item = parse_item({"type": item_type})
        assert not isinstance(item, GenericItem) or item.validation_error is None
        assert item.summary()
        assert item.label
        assert item.links() == ()


GARBAGE = [None, 0, -1, 3.5, True, "", "x\ny", [], [None], ["a", 1], {}, {"type": 5}, {"type": "text"}]


@pytest.mark.parametrize("item_type", sorted(ALL_SAMPLES))
def test_garbage_in_any_field_never_raises(item_type):
    sample = ALL_SAMPLES[item_type]
    for key in sample:
        for value in GARBAGE:
            item = parse_item(sample | {key: value})
            assert "\n" not in item.summary()
            assert isinstance(item.label, str)
            item.links()
            item.spec_warnings()
            assert item.raw is not None


# ---------------------------------------------------------------------------------------------
# Pairing
# ---------------------------------------------------------------------------------------------


def shared_keys(first: Item, second: Item) -> dict[str, tuple[str, str]]:
    roles = {link.key: link.role for link in first.links()}
    return {link.key: (roles[link.key], link.role) for link in second.links() if link.key in roles}


@pytest.mark.parametrize(
    ("call_type", "output_type"),
    [
        ("function_call", "function_call_output"),
        ("custom_tool_call", "custom_tool_call_output"),
        ("computer_call", "computer_call_output"),
        ("shell_call", "shell_call_output"),
        ("apply_patch_call", "apply_patch_call_output"),
        ("local_shell_call", "local_shell_call_output"),
        ("tool_search_call", "tool_search_output"),
        ("program", "program_output"),
    ],
)
def test_openai_call_and_output_share_a_call_key(call_type, output_type):
    call, output = parse_item(OPENAI_SAMPLES[call_type]), parse_item(OPENAI_SAMPLES[output_type])
    shared = {key: roles for key, roles in shared_keys(call, output).items() if key.startswith("call:")}
    assert list(shared.values()) == [("call", "output")]


def test_local_shell_output_pairs_through_its_own_id():
    call = parse_item(OPENAI_SAMPLES["local_shell_call"])
    output = parse_item(OPENAI_SAMPLES["local_shell_call_output"])
    assert call.call_id == output.id
    assert output.links() == (Link("call:" + call.call_id, "output"),)


def test_mcp_approval_flow_links_request_response_and_call():
    request = parse_item(OPENAI_SAMPLES["mcp_approval_request"])
    response = parse_item(OPENAI_SAMPLES["mcp_approval_response"])
    call = parse_item(OPENAI_SAMPLES["mcp_call"])
    assert request.links() == (Link("mcp_approval:mcpr_1", "call"),)
    assert response.links() == (Link("mcp_approval:mcpr_1", "output"),)
    assert call.links() == (Link("mcp_approval:mcpr_1", "output"),)
    assert parse_item(OPENAI_SAMPLES["mcp_call"] | {"approval_request_id": None}).links() == ()


def test_tool_calls_made_by_a_program_link_to_it_as_children():
    program = parse_item(OPENAI_SAMPLES["program"])
    child = parse_item(OPENAI_SAMPLES["function_call"] | {"caller": {"type": "program", "caller_id": "call_program"}})
    direct = parse_item(OPENAI_SAMPLES["function_call"] | {"caller": {"type": "direct"}})
    assert shared_keys(program, child) == {"program_caller:call_program": ("call", "child")}
    assert [link.key for link in direct.links()] == ["call:call_weather"]
    for item_type in ("shell_call", "shell_call_output", "apply_patch_call", "apply_patch_call_output", "function_call_output"):
        item = parse_item(OPENAI_SAMPLES[item_type] | {"caller": {"type": "program", "caller_id": "call_program"}})
        assert Link("program_caller:call_program", "child") in item.links()


@pytest.mark.parametrize("call_type", sorted(t for t in AZURE_SAMPLES if t + "_output" in AZURE_SAMPLES))
def test_azure_call_and_output_share_a_call_key(call_type):
    call = parse_item(AZURE_SAMPLES[call_type])
    output = parse_item(AZURE_SAMPLES[call_type + "_output"])
    assert list(shared_keys(call, output).values()) == [("call", "output")]


# ---------------------------------------------------------------------------------------------
# Summaries: one line, bounded
# ---------------------------------------------------------------------------------------------

MULTILINE = "first line\nsecond\r\nthird\tcolumn\u2028fourth   spaced"
LONG = "word " * 5000


@pytest.mark.parametrize("item_type", sorted(ALL_SAMPLES))
@pytest.mark.parametrize("text", [MULTILINE, LONG, json.dumps({"text": LONG})])
def test_summary_is_one_bounded_line_for_any_text_field(item_type, text):
    sample = ALL_SAMPLES[item_type]
    for key, value in sample.items():
        if key != "type" and isinstance(value, str):
            summary = parse_item(sample | {key: text}).summary()
            assert "\n" not in summary and "\r" not in summary and "\u2028" not in summary
            assert len(summary) <= 300


def test_summary_collapses_newlines_and_cuts_with_an_ellipsis():
    message = parse_item(
        {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "hello\n\n  world\n" + LONG}]}
    )
    summary = message.summary()
    assert summary.startswith("user: hello world word word")
    assert summary.endswith("…")
    assert len(summary) <= 300


def test_long_multi_part_message_keeps_its_part_count():
    content = [{"type": "input_text", "text": LONG}, {"type": "input_image", "detail": "auto"}]
    summary = parse_item({"type": "message", "role": "user", "content": content}).summary()
    assert summary.endswith("… [+1 part]")


def test_function_arguments_are_compacted_and_invalid_json_is_shown_as_is():
    pretty = json.dumps({"city": "Paris", "days": [1, 2]}, indent=2)
    assert parse_item(OPENAI_SAMPLES["function_call"] | {"arguments": pretty}).summary() == (
        'get_weather({"city":"Paris","days":[1,2]})'
    )
    assert parse_item(OPENAI_SAMPLES["function_call"] | {"arguments": "{city: Paris\n"}).summary() == (
        "get_weather({city: Paris)"
    )


@pytest.mark.parametrize(
    ("overrides", "summary"),
    [
        ({"summary": [], "encrypted_content": "gAAA"}, "[encrypted reasoning]"),
        ({"summary": [], "content": [{"type": "reasoning_text", "text": "Let me think"}]}, "thinking: Let me think"),
    ],
)
def test_reasoning_without_summary(overrides, summary):
    assert parse_item(OPENAI_SAMPLES["reasoning"] | overrides).summary() == summary


def test_message_refusal_and_phase_are_marked():
    raw = {
        "type": "message",
        "role": "assistant",
        "phase": "final_answer",
        "content": [{"type": "refusal", "refusal": "I can't help with that."}],
    }
    assert parse_item(raw).summary() == "assistant [final_answer]: [refusal] I can't help with that."


def test_web_search_actions():
    def summary(action):
        return parse_item(OPENAI_SAMPLES["web_search_call"] | {"action": action}).summary()

    assert summary({"type": "open_page", "url": "https://example.com"}) == "open https://example.com"
    assert summary({"type": "find_in_page", "url": "https://e.com", "pattern": "price"}) == 'find "price" in https://e.com'
    assert summary({"type": "search", "queries": ["a", "b"]}) == 'web_search "a; b"'


def test_inline_screenshot_shows_size_not_base64():
    output = {"type": "computer_screenshot", "image_url": "data:image/png;base64," + "A" * 4096}
    summary = parse_item(OPENAI_SAMPLES["computer_call_output"] | {"output": output}).summary()
    assert summary == "↳ screenshot (image/png, 4 KB inline)"


# ---------------------------------------------------------------------------------------------
# Pages and conversations
# ---------------------------------------------------------------------------------------------


def test_item_page_keeps_a_bad_item_among_good_ones_in_order():
    bad = {"type": "function_call", "arguments": 12}
    page = ItemPage.from_json(
        {
            "object": "list",
            "data": [OPENAI_SAMPLES["message"], bad, "garbage", OPENAI_SAMPLES["function_call"]],
            "first_id": "msg_1",
            "last_id": "fc_1",
            "has_more": True,
        }
    )
    assert [type(item).__name__ for item in page.data] == ["Message", "GenericItem", "GenericItem", "FunctionCall"]
    assert page.data[1].raw is bad
    assert page.data[1].validation_error == "function_call: field 'arguments': expected a string, got 12"
    assert (page.first_id, page.last_id, page.has_more) == ("msg_1", "fc_1", True)


def test_foundry_item_page_has_no_object_and_tolerates_odd_page_fields():
    page = ItemPage.from_json({"data": [AZURE_SAMPLES["bing_grounding_call"]], "has_more": False, "first_id": 12})
    assert page.object is None
    assert page.first_id is None
    assert page.has_more is False
    assert page.data[0].label == "bing_grounding"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ([], "item list: expected a JSON object, got []"),
        ({"object": "list"}, "item list: missing field 'data'"),
        ({"data": {"0": {}}}, "item list: field 'data': expected a list, got {\"0\":{}}"),
    ],
)
def test_malformed_item_page_raises_value_error(raw, message):
    with pytest.raises(ValueError) as error:
        ItemPage.from_json(raw)
    assert str(error.value) == message


def test_conversation_keeps_raw_and_stringifies_metadata():
    raw = {"id": "conv_1", "object": "conversation", "created_at": 1700000000, "metadata": {"topic": "demo", "n": 3}}
    conversation = Conversation.from_json(raw)
    assert conversation.raw is raw
    assert conversation.metadata == {"topic": "demo", "n": "3"}
    assert conversation.validation_error is None


def test_conversation_with_a_bad_field_drops_it_and_says_why():
    conversation = Conversation.from_json({"id": "conv_1", "created_at": "yesterday", "metadata": None, "title": "x"})
    assert conversation.id == "conv_1"
    assert conversation.created_at is None
    assert conversation.model_extra == {"title": "x"}
    assert conversation.validation_error == "conversation: field 'created_at': expected an integer, got \"yesterday\""


def test_conversation_page_foundry_shape_skips_non_objects():
    page = ConversationPage.from_json(
        {
            "data": [
                {"id": "conv_1", "object": "conversation", "created_at": 1, "metadata": {}},
                "conv_2",
                {"id": "conv_3", "created_at": "bad"},
            ],
            "first_id": "conv_1",
            "last_id": "conv_3",
            "has_more": False,
        }
    )
    assert [conversation.id for conversation in page.data] == ["conv_1", "conv_3"]
    assert page.data[1].validation_error is not None
    with pytest.raises(ValueError, match="conversation list: missing field 'data'"):
        ConversationPage.from_json({"has_more": False})


# ---------------------------------------------------------------------------------------------
# Cost and layering
# ---------------------------------------------------------------------------------------------


def test_parsing_is_cheap_enough_for_long_walks():
    # About 0.2 s on the development machine; the bound only catches an order-of-magnitude slip
    # (say, a TypeAdapter built per item).
    raw = json.loads(json.dumps([list(ALL_SAMPLES.values())[i % len(ALL_SAMPLES)] for i in range(10_000)]))
    started = time.perf_counter()
    items = [parse_item(entry) for entry in raw]
    assert time.perf_counter() - started < 3.0
    assert not any(item.validation_error for item in items)


def test_models_do_not_import_textual():
    code = "import sys, convoscope.api.models; print('textual' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_shell_output_summaries_drop_terminal_colour_and_title_sequences():
    from convoscope.api.models.shell_items import ShellCommandOutput

    stdout = "ok\n\x1b[31m=====\x1b[0m \x1b[1m1 failed\x1b[0m \x1b]0;title\x07done \x1b stray\n"
    output = ShellCommandOutput(stdout=stdout, outcome={"type": "exit", "exit_code": 1})
    assert output.preview() == "exit 1: ===== 1 failed done \x1b stray"
