"""One item → one transcript `Entry`: messages as prose, calls with their arguments and outputs as
code, reasoning summaries, shell runs with exit codes, images as bytes.

Works on the item's raw JSON (what the server sent), so nothing a typed model dropped is lost and
no type is unknown: a type without its own rule shows its fields as JSON. Never raises.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterator
from typing import Any

from convoscope.api.models import Item
from convoscope.render.detail.core import item_title
from convoscope.render.transcript.model import Block, Code, Entry, Fields, Image, Links, Prose, sniff_image
from convoscope.render.text import ansi_text, human_size

Rule = Callable[[dict[str, Any]], Iterator[Block]]
RULES: dict[str, Rule] = {}

# Fields every item may carry that the title or no reader needs.
_PLUMBING = {"id", "type", "status", "object", "created_by", "agent_reference", "response_id", "caller"}
FAILED_STATUSES = {"failed", "incomplete"}


def rule(*types: str) -> Callable[[Rule], Rule]:
    def register(function: Rule) -> Rule:
        for item_type in types:
            RULES[item_type] = function
        return function

    return register


def transcript_entry(item: Item, number: int) -> Entry:
    """The entry for one item. A rule that fails on odd data falls back to the item's JSON."""
    raw = item.raw if isinstance(item.raw, dict) else {"value": item.raw}
    item_type = raw.get("type") if isinstance(raw.get("type"), str) else "item"
    try:
        title = item_title(item)
    except Exception:
        title = item_type
    entry = Entry(number, _text(raw.get("id")), item_type, title,
                  failed=raw.get("status") in FAILED_STATUSES)
    try:
        entry.blocks = list(RULES.get(item_type, _generic)(raw))
    except Exception as error:  # data no rule foresaw: show it all rather than nothing
        entry.blocks = [Fields((("note", f"shown as JSON ({type(error).__name__})"),)), *_generic(raw)]
    return entry


# --- helpers ---------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else _json(value)


def _json(value: Any) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, indent=2, default=str)
    except Exception:
        return repr(value)


def _code_of(value: Any, caption: str) -> Code:
    """A string that holds JSON is shown pretty; other strings verbatim; other values as JSON."""
    if isinstance(value, str):
        stripped = value.strip()
        if stripped[:1] in "{[":
            try:
                return Code(_json(json.loads(stripped)), "json", caption)
            except ValueError:
                pass
        return Code(value, "", caption)
    return Code(_json(value), "json", caption)


def _terminal_output(text: str) -> str:
    """Shell output without its colour codes (other escapes stay, made visible later)."""
    return ansi_text(text).plain if "\x1b[" in text else text


def _rest(raw: dict[str, Any], shown: set[str]) -> Iterator[Block]:
    """Fields no rule showed, as JSON, so a transcript never hides what an item holds."""
    rest = {k: v for k, v in raw.items() if k not in shown and k not in _PLUMBING and v not in (None, [], {})}
    if rest:
        yield Code(_json(rest), "json", "other fields")


def _image_from_base64(payload: str, caption: str) -> Image | None:
    try:
        data = base64.b64decode(payload.strip(), validate=False)
    except (binascii.Error, ValueError):
        return None
    mime = sniff_image(data)
    return Image(data, mime, caption) if mime else None


def _image_from_url(url: Any, caption: str) -> Block | None:
    """A data URL becomes the image; any other URL is a link to it."""
    if not isinstance(url, str) or not url:
        return None
    if url.startswith("data:"):
        header, _, payload = url.partition(",")
        if header.endswith(";base64") and (image := _image_from_base64(payload, caption)):
            return image
        return Fields(((caption or "image", f"inline data, not an image ({human_size(len(url))})"),))
    return Links(caption or "image", ((url, url),))


def _reference(part: dict[str, Any], caption: str) -> Iterator[Block]:
    """An image or file part: the image itself when inline, else where it lives."""
    image = _image_from_url(part.get("image_url"), caption)
    if image is not None:
        yield image
    file_data = part.get("file_data")
    if isinstance(file_data, str) and file_data:
        yield Fields(((caption, f"inline file data ({human_size(len(file_data) * 3 // 4)})"),))
    elif image is None:
        where = [f"{key} {_text(part[key])}" for key in ("filename", "file_id", "file_url") if part.get(key)]
        yield Fields(((caption, ", ".join(where) or "(not included)"),))


def _content_parts(parts: Any) -> Iterator[Block]:
    """Message content, or a tool output given as a list of parts."""
    if isinstance(parts, str):
        yield Prose(parts)
        return
    if not isinstance(parts, list):
        if parts is not None:
            yield Code(_json(parts), "json")
        return
    for part in parts:
        if not isinstance(part, dict):
            yield Code(_json(part), "json")
            continue
        kind = part.get("type")
        if kind in ("input_text", "output_text", "text", "summary_text", "reasoning_text"):
            yield Prose(_text(part.get("text")))
            yield from _annotations(part.get("annotations"))
        elif kind == "refusal":
            yield Prose(_text(part.get("refusal")), caption="refusal")
        elif kind in ("input_image", "computer_screenshot"):
            yield from _reference(part, "image")
        elif kind == "input_file":
            yield from _reference(part, "file")
        else:
            yield Code(_json(part), "json", str(kind or "part"))


def _annotations(annotations: Any) -> Iterator[Block]:
    if not isinstance(annotations, list) or not annotations:
        return
    links: list[tuple[str, str]] = []
    facts: list[tuple[str, str]] = []
    for note in annotations:
        if not isinstance(note, dict):
            continue
        if isinstance(note.get("url"), str):
            links.append((_text(note.get("title") or note["url"]), note["url"]))
        else:
            name = note.get("filename") or note.get("file_id") or note.get("container_id")
            facts.append((_text(note.get("type") or "citation"), _text(name)))
    links = list(dict.fromkeys(links))
    if links:
        yield Links("sources", tuple(links))
    if facts:
        yield Fields(tuple(dict.fromkeys(facts)))


def _arguments(raw: dict[str, Any]) -> Iterator[Block]:
    if "arguments" in raw:
        yield _code_of(raw["arguments"], "arguments")
    if "input" in raw:
        yield _code_of(raw["input"], "input")


def _output(value: Any, caption: str = "output") -> Iterator[Block]:
    if isinstance(value, list) and any(isinstance(p, dict) and "type" in p for p in value):
        yield from _content_parts(value)
    elif value is not None:
        yield _code_of(value, caption)


# --- rules -----------------------------------------------------------------------------------------


@rule("message", "output_message")
def _message(raw: dict[str, Any]) -> Iterator[Block]:
    if raw.get("phase"):
        yield Fields((("phase", _text(raw["phase"])),))
    yield from _content_parts(raw.get("content"))
    yield from _rest(raw, {"role", "content", "phase"})


@rule("reasoning")
def _reasoning(raw: dict[str, Any]) -> Iterator[Block]:
    yield from _content_parts(raw.get("summary"))
    yield from _content_parts(raw.get("content"))
    encrypted = raw.get("encrypted_content")
    if isinstance(encrypted, str) and encrypted:
        yield Fields((("encrypted reasoning", f"{human_size(len(encrypted))} (not readable)"),))
    if not raw.get("summary") and not raw.get("content") and not encrypted:
        yield Fields((("summary", "(none)"),))
    yield from _rest(raw, {"summary", "content", "encrypted_content"})


@rule("compaction")
def _compaction(raw: dict[str, Any]) -> Iterator[Block]:
    encrypted = raw.get("encrypted_content")
    size = human_size(len(encrypted)) if isinstance(encrypted, str) else "?"
    yield Fields((("compacted context", f"{size}, encrypted (not readable)"),))
    yield from _rest(raw, {"encrypted_content"})


@rule(
    "function_call", "custom_tool_call", "mcp_approval_request", "azure_function_call",
    "openapi_call", "a2a_preview_call", "bing_grounding_call", "bing_custom_search_preview_call",
    "sharepoint_grounding_preview_call", "azure_ai_search_call", "fabric_dataagent_preview_call",
    "browser_automation_preview_call", "memory_command_preview_call",
)
def _call(raw: dict[str, Any]) -> Iterator[Block]:
    facts = tuple((k, _text(raw[k])) for k in ("namespace", "server_label", "call_id") if raw.get(k))
    if facts:
        yield Fields(facts)
    yield from _arguments(raw)
    yield from _rest(raw, {"name", "namespace", "server_label", "call_id", "arguments", "input"})


@rule(
    "function_call_output", "custom_tool_call_output", "azure_function_call_output",
    "openapi_call_output", "a2a_preview_call_output", "bing_grounding_call_output",
    "bing_custom_search_preview_call_output", "sharepoint_grounding_preview_call_output",
    "azure_ai_search_call_output", "fabric_dataagent_preview_call_output",
    "browser_automation_preview_call_output", "memory_command_preview_call_output",
    "apply_patch_call_output", "structured_outputs",
)
def _call_output(raw: dict[str, Any]) -> Iterator[Block]:
    if raw.get("call_id"):
        yield Fields((("call_id", _text(raw["call_id"])),))
    yield from _output(raw.get("output"))
    yield from _rest(raw, {"name", "namespace", "call_id", "output"})


@rule("mcp_call")
def _mcp_call(raw: dict[str, Any]) -> Iterator[Block]:
    yield from _call({k: v for k, v in raw.items() if k not in ("output", "error", "approval_request_id")})
    yield from _output(raw.get("output"))
    if raw.get("error") is not None:
        yield _code_of(raw["error"], "error")


@rule("mcp_approval_response")
def _mcp_approval_response(raw: dict[str, Any]) -> Iterator[Block]:
    verdict = "approved" if raw.get("approve") is True else "denied" if raw.get("approve") is False else "?"
    rows = [("decision", verdict), ("request", _text(raw.get("approval_request_id")))]
    if raw.get("reason"):
        rows.append(("reason", _text(raw["reason"])))
    yield Fields(tuple(rows))
    yield from _rest(raw, {"approve", "approval_request_id", "reason"})


@rule("mcp_list_tools", "additional_tools", "tool_search_output")
def _tools(raw: dict[str, Any]) -> Iterator[Block]:
    tools = raw.get("tools")
    if isinstance(tools, list):
        names = [_text(t.get("name") or t.get("server_label") or t.get("type")) for t in tools if isinstance(t, dict)]
        yield Fields((("tools", ", ".join(names) or "(none)"),))
        if tools:
            yield Code(_json(tools), "json", "tool definitions")
    yield from _rest(raw, {"tools", "role", "server_label", "execution", "call_id"})


@rule("tool_search_call", "configuration_update", "workflow_action", "workflow_preview_action",
      "oauth_consent_request", "item_reference")
def _facts(raw: dict[str, Any]) -> Iterator[Block]:
    yield from _arguments(raw)
    yield from _rest(raw, {"arguments", "input"})


@rule("shell_call")
def _shell_call(raw: dict[str, Any]) -> Iterator[Block]:
    action = raw.get("action") if isinstance(raw.get("action"), dict) else {}
    commands = action.get("commands")
    if isinstance(commands, list):
        yield Code("\n".join(f"$ {_text(command)}" for command in commands), "sh", "commands")
    environment = raw.get("environment")
    if isinstance(environment, dict) and environment.get("container_id"):
        yield Fields((("container", _text(environment["container_id"])),))
    yield from _rest(raw, {"action", "environment", "call_id"})


@rule("shell_call_output")
def _shell_call_output(raw: dict[str, Any]) -> Iterator[Block]:
    runs = raw.get("output")
    if not isinstance(runs, list):
        yield from _output(runs)
        return
    for number, run in enumerate(runs, 1):
        if not isinstance(run, dict):
            yield Code(_json(run), "json", f"command {number}")
            continue
        yield Fields(((f"command {number}", _outcome(run.get("outcome"))),))
        for stream in ("stdout", "stderr"):
            if isinstance(run.get(stream), str) and run[stream]:
                yield Code(_terminal_output(run[stream]), "", stream)
    yield from _rest(raw, {"output", "call_id", "max_output_length"})


def _outcome(outcome: Any) -> str:
    if isinstance(outcome, dict):
        if outcome.get("type") == "exit":
            return f"exit code {_text(outcome.get('exit_code'))}"
        if outcome.get("type") == "timeout":
            return "timed out"
        return _json(outcome)
    return "(no outcome)" if outcome is None else _text(outcome)


@rule("local_shell_call")
def _local_shell_call(raw: dict[str, Any]) -> Iterator[Block]:
    action = raw.get("action") if isinstance(raw.get("action"), dict) else {}
    command = action.get("command")
    if isinstance(command, list):
        yield Code("$ " + " ".join(_text(part) for part in command), "sh", "command")
    facts = tuple((k, _text(action[k])) for k in ("working_directory", "user", "timeout_ms") if action.get(k))
    if facts:
        yield Fields(facts)
    yield from _rest(raw, {"action", "call_id"})


@rule("local_shell_call_output")
def _local_shell_call_output(raw: dict[str, Any]) -> Iterator[Block]:
    output = raw.get("output")
    parsed: Any = None
    if isinstance(output, str):
        try:
            parsed = json.loads(output)
        except ValueError:
            parsed = None
    if isinstance(parsed, dict):
        if "exit_code" in parsed:
            yield Fields((("exit code", _text(parsed["exit_code"])),))
        for key in ("output", "stdout", "stderr"):
            if isinstance(parsed.get(key), str) and parsed[key]:
                yield Code(_terminal_output(parsed[key]), "", key)
        rest = {k: v for k, v in parsed.items() if k not in ("exit_code", "output", "stdout", "stderr")}
        if rest:
            yield Code(_json(rest), "json", "other output fields")
    else:
        yield from _output(output)
    yield from _rest(raw, {"output"})


@rule("apply_patch_call")
def _apply_patch_call(raw: dict[str, Any]) -> Iterator[Block]:
    operation = raw.get("operation")
    if isinstance(operation, dict):
        yield Fields(((_text(operation.get("type") or "operation"), _text(operation.get("path"))),))
        if isinstance(operation.get("diff"), str):
            yield Code(operation["diff"], "diff", "diff")
    else:
        yield from _output(operation, "operation")
    yield from _rest(raw, {"operation", "call_id"})


@rule("program")
def _program(raw: dict[str, Any]) -> Iterator[Block]:
    if isinstance(raw.get("code"), str):
        yield Code(raw["code"], "javascript", "code")
    yield from _rest(raw, {"code", "call_id", "fingerprint"})


@rule("program_output")
def _program_output(raw: dict[str, Any]) -> Iterator[Block]:
    yield from _output(raw.get("result"), "result")
    yield from _rest(raw, {"result", "call_id"})


@rule("code_interpreter_call")
def _code_interpreter_call(raw: dict[str, Any]) -> Iterator[Block]:
    if isinstance(raw.get("code"), str):
        yield Code(raw["code"], "python", "code")
    outputs = raw.get("outputs")
    for output in outputs if isinstance(outputs, list) else []:
        if isinstance(output, dict) and output.get("type") == "logs":
            yield Code(_terminal_output(_text(output.get("logs"))), "", "logs")
        elif isinstance(output, dict) and output.get("type") == "image":
            block = _image_from_url(output.get("url"), "image output")
            if block is not None:
                yield block
        else:
            yield Code(_json(output), "json", "output")
    yield from _rest(raw, {"code", "outputs", "container_id"})


@rule("image_generation_call")
def _image_generation_call(raw: dict[str, Any]) -> Iterator[Block]:
    if isinstance(raw.get("revised_prompt"), str):
        yield Prose(raw["revised_prompt"], caption="prompt")
    result = raw.get("result")
    if isinstance(result, str) and result:
        image = _image_from_base64(result, "generated image")
        yield image if image else Fields((("result", f"not an image ({human_size(len(result))} of base64)"),))
    facts = tuple((k, _text(raw[k])) for k in ("size", "quality", "background", "output_format") if raw.get(k))
    if facts:
        yield Fields(facts)
    if raw.get("error") is not None:
        yield _code_of(raw["error"], "error")
    yield from _rest(raw, {"revised_prompt", "result", "size", "quality", "background", "output_format",
                           "error", "action"})


@rule("computer_call")
def _computer_call(raw: dict[str, Any]) -> Iterator[Block]:
    for key in ("action", "actions"):
        if raw.get(key):
            yield Code(_json(raw[key]), "json", key)
    if raw.get("pending_safety_checks"):
        yield Code(_json(raw["pending_safety_checks"]), "json", "pending safety checks")
    yield from _rest(raw, {"action", "actions", "pending_safety_checks", "call_id"})


@rule("computer_call_output")
def _computer_call_output(raw: dict[str, Any]) -> Iterator[Block]:
    output = raw.get("output")
    if isinstance(output, dict):
        yield from _reference(output, "screenshot")
    else:
        yield from _output(output)
    yield from _rest(raw, {"output", "call_id"})


@rule("web_search_call")
def _web_search_call(raw: dict[str, Any]) -> Iterator[Block]:
    action = raw.get("action")
    if isinstance(action, dict):
        queries = action.get("queries") or ([action["query"]] if action.get("query") else [])
        rows = [("query", _text(query)) for query in queries]
        rows += [(key, _text(action[key])) for key in ("url", "pattern") if action.get(key)]
        if rows:
            yield Fields(tuple(rows))
        sources = [s.get("url") for s in action.get("sources") or [] if isinstance(s, dict)]
        links = tuple((url, url) for url in sources if isinstance(url, str))
        if links:
            yield Links("sources", links)
    yield from _rest(raw, {"action"})


@rule("file_search_call", "memory_search_call", "memory_search_preview_call")
def _search_call(raw: dict[str, Any]) -> Iterator[Block]:
    queries = raw.get("queries")
    if isinstance(queries, list) and queries:
        yield Fields(tuple(("query", _text(query)) for query in queries))
    if raw.get("results") is not None:
        yield Code(_json(raw["results"]), "json", "results")
    yield from _rest(raw, {"queries", "results"})


def _generic(raw: dict[str, Any]) -> Iterator[Block]:
    """A type without a rule: every field but the plumbing, as JSON."""
    yield from _arguments(raw)
    yield from _output(raw.get("output"))
    yield from _rest(raw, {"arguments", "input", "output"})
