"""Detail renderers: every bundled item renders, shows what a user looks for, and stays safe.

"Safe" means: server text is never Rich markup, and no control or escape character reaches the
terminal except the SGR styles we create. Big fields are cut before anything is built.
"""

from __future__ import annotations

import copy
import io
import json
import re
import time
from importlib import resources
from typing import Any

import pytest
from rich.console import Console
from rich.text import Text

from convoscope.api.models import ITEM_TYPES, GenericItem, parse_item
from convoscope.render.detail import (
    REGISTRY,
    Document,
    RenderContext,
    Section,
    image_payload,
    render_item,
    render_raw,
    searchable_text,
)
from convoscope.render.text import (
    ansi_text,
    json_block,
    json_renderable,
    safe_text,
    truncate,
    visible,
    visible_block,
)

from tests.item_samples import AZURE_SAMPLES, OPENAI_SAMPLES

DATA = resources.files("convoscope.demo") / "data"
DEMO_FILES = sorted(entry.name for entry in DATA.iterdir() if entry.name.endswith(".json"))


def demo_items() -> list[tuple[str, int, dict]]:
    found = []
    for name in DEMO_FILES:
        items = json.loads((DATA / name).read_text(encoding="utf-8"))["items"]
        found.extend((name, position, raw) for position, raw in enumerate(items))
    return found


DEMO_ITEMS = demo_items()
DEMO_BY_ID = {raw["id"]: raw for _, _, raw in DEMO_ITEMS}


def first_demo(item_type: str, where=lambda raw: True) -> dict:
    return next(raw for _, _, raw in DEMO_ITEMS if raw["type"] == item_type and where(raw))


# ---------------------------------------------------------------------------------------------
# Rendering helpers
# ---------------------------------------------------------------------------------------------


def plain_console(width: int = 100) -> Console:
    return Console(width=width, file=io.StringIO(), force_terminal=False, color_system=None)


def section_text(section: Section, width: int = 100) -> str:
    console = plain_console(width)
    console.print(section.body)
    return console.file.getvalue()


def document_text(doc: Document, width: int = 100) -> str:
    parts = [doc.title, *doc.notes]
    for section in doc.sections:
        parts.append(section.title)
        parts.append(section_text(section, width))
    return "\n".join(parts)


def terminal_output(doc: Document, width: int = 100) -> str:
    """What a colour terminal would receive (the lead's detail pane renders like this)."""
    console = Console(
        width=width,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        markup=False,
        highlight=False,
        emoji=False,
    )
    console.print(Text(visible(doc.title)))
    for note in doc.notes:
        console.print(Text(visible(note)))
    for section in doc.sections:
        console.print(Text(visible(section.title)))
        console.print(section.body)
    return console.file.getvalue()


def squash(text: str) -> str:
    """Without any whitespace: wrapping and folding at the console width do not matter."""
    return re.sub(r"\s+", "", text)


def section(doc: Document, title: str) -> Section:
    return next(s for s in doc.sections if s.title == title)


def titles(doc: Document) -> list[str]:
    return [s.title for s in doc.sections]


SGR = re.compile(r"\x1b\[[0-9;]*m")
UNSAFE_OUTPUT = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]")


def assert_terminal_safe(output: str) -> None:
    """Only SGR sequences (styles we made) and line feeds may be control characters."""
    leftover = SGR.sub("", output)
    found = UNSAFE_OUTPUT.search(leftover)
    if found is not None:
        context = leftover[max(found.start() - 40, 0) : found.end() + 40]
        raise AssertionError(f"raw control char {found.group()!r} in output near {context!r}")


# ---------------------------------------------------------------------------------------------
# What a user looks for, per type (derived from the raw item)
# ---------------------------------------------------------------------------------------------

_WORD = re.compile(r"^[A-Za-z]{5,}$")


def words(text: str, count: int = 6) -> list[str]:
    """Plain words that survive markdown rendering and wrapping."""
    return [word for word in text.split() if _WORD.match(word)][:count]


def leaves(value: Any, count: int = 4) -> list[str]:
    """A few simple scalar values from JSON (or from a JSON string)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return [value[:60]]
    found: list[str] = []

    def walk(node: Any) -> None:
        if len(found) >= count:
            return
        if isinstance(node, dict):
            for member in node.values():
                walk(member)
        elif isinstance(node, list):
            for member in node:
                walk(member)
        elif isinstance(node, str) and node and re.fullmatch(r"[\w .,:/@#()+-]{1,80}", node):
            found.append(node)
        elif isinstance(node, (int, float)) and not isinstance(node, bool):
            found.append(json.dumps(node))

    walk(value)
    return found


def strip_ansi(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def expected_content(raw: dict) -> list[str]:
    kind = raw["type"]
    expected: list[str] = []
    if kind in ("message", "output_message"):
        for part in raw["content"]:
            if part["type"] in ("input_text", "output_text"):
                text = part["text"]
                expected += words(text) if not text.lstrip().startswith("{") else leaves(text)
                for annotation in part.get("annotations") or ():
                    if annotation["type"] == "url_citation":
                        expected += [annotation["url"], *words(annotation["title"], 3)]
                    else:
                        expected.append(annotation.get("filename") or annotation["file_id"])
            elif part["type"] == "refusal":
                expected += words(part["refusal"])
            elif part["type"] in ("input_image", "computer_screenshot"):
                url = part["image_url"]
                expected.append("data:image/png;base64" if url.startswith("data:") else url)
            elif part["type"] == "input_file":
                expected.append(part["filename"])
    elif kind == "function_call":
        expected += [raw["name"], *leaves(raw["arguments"], 2)]
    elif kind in ("function_call_output", "custom_tool_call_output"):
        output = raw["output"]
        if isinstance(output, str):
            expected += leaves(output, 3)
        else:
            for part in output:
                if part["type"] == "input_text":
                    expected += words(part["text"])
                elif part["type"] == "input_file":
                    expected.append(part["filename"])
                else:
                    expected.append("data:image/png;base64")
    elif kind == "custom_tool_call":
        expected += [raw["name"], raw["input"]]
    elif kind == "tool_search_call":
        expected += leaves(raw["arguments"])
    elif kind in ("tool_search_output", "additional_tools"):
        expected += [tool.get("name") or tool["type"] for tool in raw["tools"]]
    elif kind == "program":
        expected.append(raw["code"].splitlines()[0])
    elif kind == "program_output":
        expected += leaves(raw["result"])
    elif kind == "reasoning":
        for part in raw["summary"]:
            expected += words(part["text"])
        if raw.get("encrypted_content"):
            expected.append("encrypted content present")
    elif kind == "compaction":
        expected.append("encrypted content present")
    elif kind == "shell_call":
        expected += raw["action"]["commands"]
    elif kind == "shell_call_output":
        for output in raw["output"]:
            for stream in ("stdout", "stderr"):
                lines = [line for line in strip_ansi(output[stream]).splitlines() if line.strip()]
                if lines:
                    expected.append(lines[0][:60])
            outcome = output["outcome"]
            expected.append(f"exit {outcome['exit_code']}" if outcome["type"] == "exit" else "timed out")
    elif kind == "local_shell_call":
        expected += [raw["action"]["command"][0], raw["action"]["working_directory"]]
    elif kind == "local_shell_call_output":
        expected.append(json.loads(raw["output"])["output"].splitlines()[0])
    elif kind == "code_interpreter_call":
        expected.append(raw["code"].splitlines()[0])
        for output in raw.get("outputs") or ():
            if output["type"] == "logs":
                expected += words(output["logs"], 3)
    elif kind == "web_search_call":
        action = raw["action"]
        expected += [value for key, value in action.items() if key in ("query", "url", "pattern")]
        expected += [source["url"] for source in action.get("sources") or ()]
    elif kind == "file_search_call":
        expected += raw["queries"]
        for result in raw["results"]:
            expected += [result["filename"], f"{result['score']:.4f}", *words(result["text"], 3)]
    elif kind == "computer_call":
        actions = raw.get("actions") or [raw["action"]]
        for action in actions:
            expected.append(action["type"].replace("_", " "))
            if "x" in action:
                expected.append(f"({action['x']}, {action['y']})")
            if action["type"] == "type":
                expected.append(action["text"])
        expected += [check["code"] for check in raw["pending_safety_checks"]]
    elif kind == "computer_call_output":
        expected.append(raw["output"]["file_id"])
        expected += [check["code"] for check in raw.get("acknowledged_safety_checks") or ()]
    elif kind == "image_generation_call":
        expected += [raw["size"], raw["quality"]]
        if raw.get("revised_prompt"):
            expected += words(raw["revised_prompt"])
        if raw.get("result"):
            expected.append("PNG")
        if raw.get("error"):
            expected += [raw["error"]["code"], *words(raw["error"]["message"])]
    elif kind == "apply_patch_call":
        expected.append(raw["operation"]["path"])
        diff = raw["operation"].get("diff")
        if diff:
            expected.append(diff.splitlines()[0])
    elif kind == "apply_patch_call_output":
        expected.append(raw["output"])
    elif kind == "mcp_list_tools":
        expected += [raw["server_label"], *(tool["name"] for tool in raw["tools"])]
    elif kind == "mcp_approval_request":
        expected += [raw["server_label"], raw["name"], *leaves(raw["arguments"], 2)]
    elif kind == "mcp_approval_response":
        expected.append("approved" if raw["approve"] else "denied")
        if raw.get("reason"):
            expected += words(raw["reason"])
    elif kind == "mcp_call":
        expected += [raw["server_label"], raw["name"], *leaves(raw["arguments"], 2)]
        if raw.get("output"):
            expected += leaves(raw["output"], 2)
        error = raw.get("error")
        if isinstance(error, dict):
            expected += words(error.get("message") or error["content"][0]["text"], 4)
    elif kind == "configuration_update":
        if raw.get("reasoning"):
            expected.append(raw["reasoning"]["effort"])
        expected.append(raw["text"]["format"]["type"])
    elif kind.endswith("_call") and "arguments" in raw:
        expected += leaves(raw["arguments"], 3)
        if raw.get("name"):
            expected.append(raw["name"])
    elif kind.endswith("_call_output"):
        expected += leaves(raw["output"], 3)
    elif kind in ("memory_search_call", "memory_search_preview_call"):
        for result in raw["results"]:
            expected += [result["memory_item"]["kind"], *words(result["memory_item"]["content"], 3)]
    elif kind in ("workflow_action", "workflow_preview_action"):
        expected += [raw["kind"], raw["action_id"]]
        expected += [raw[key] for key in ("parent_action_id", "previous_action_id") if key in raw]
    elif kind == "structured_outputs":
        expected += leaves(raw["output"])
    elif kind == "oauth_consent_request":
        expected += [raw["server_label"], raw["consent_link"]]
    else:
        raise AssertionError(f"no expectations written for {kind}")
    if "agent_reference" in raw:
        expected += [raw["agent_reference"]["name"], raw["response_id"]]
    return [value for value in expected if value]


@pytest.mark.parametrize(
    ("name", "position", "raw"),
    DEMO_ITEMS,
    ids=[f"{name}:{position}:{raw['type']}" for name, position, raw in DEMO_ITEMS],
)
def test_every_demo_item_renders_its_key_content(name: str, position: int, raw: dict) -> None:
    doc = render_item(parse_item(raw))
    assert not [note for note in doc.notes if "renderer failed" in note]
    assert doc.sections
    text = squash(document_text(doc))
    missing = [value for value in expected_content(raw) if squash(value) not in text]
    assert not missing, f"missing {missing} in:\n{document_text(doc)}"
    assert raw["type"] in doc.title


def test_every_registered_type_has_a_sample_that_renders() -> None:
    samples = {**OPENAI_SAMPLES, **AZURE_SAMPLES}
    for item_type in ITEM_TYPES:
        doc = render_item(parse_item(samples[item_type]))
        assert not [note for note in doc.notes if "failed" in note], (item_type, doc.notes)
        assert_terminal_safe(terminal_output(doc))
    # Every typed model has a renderer of its own (the generic-model types aside).
    unregistered = {
        item_type
        for item_type, model in ITEM_TYPES.items()
        if item_type not in REGISTRY and not issubclass(model, GenericItem)
    }
    assert not unregistered


def test_title_names_type_label_and_status() -> None:
    doc = render_item(parse_item(OPENAI_SAMPLES["function_call"]))
    assert doc.title == "function_call · get_weather · completed"


# ---------------------------------------------------------------------------------------------
# Safety
# ---------------------------------------------------------------------------------------------

EVIL = (
    "[bold red]x[/] \x1b[2J\x1b]0;title\x07\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\ "
    "\r\x00\x08\x7f\x9b\u202e\u2066\u200b\ud800 [link=http://e]y[/link]\t"
)


def poison(value: Any, key: str | None = None) -> Any:
    """Every string (but `type` tags) with escapes, controls, bidi and markup prepended."""
    if isinstance(value, dict):
        return {
            key + ("\x1b[31m" if key not in ("type", "id", "call_id") else ""): poison(member, key)
            for key, member in value.items()
        }
    if isinstance(value, list):
        return [poison(member) for member in value]
    if isinstance(value, str) and key not in ("type",):
        return EVIL + value
    return value


@pytest.mark.parametrize("item_type", sorted({raw["type"] for _, _, raw in DEMO_ITEMS}))
def test_poisoned_strings_never_reach_the_terminal_raw(item_type: str) -> None:
    raw = first_demo(item_type)
    for variant in (poison(raw), _poison_values_only(raw), _poison_nested_keys(raw)):
        item = parse_item(variant)
        for doc in (render_item(item), render_item(item, RenderContext(partner=item)), render_raw(item)):
            assert not [note for note in doc.notes if "renderer failed" in note], doc.notes
            output = terminal_output(doc)
            assert_terminal_safe(output)
            assert "\x1b]" not in output and "\x07" not in output
            # Markup in data is shown as typed, never applied (compaction shows only a size).
            assert "[bold red]x[/]" in document_text(doc) or item_type == "compaction"


def _poison_values_only(raw: dict) -> dict:
    """Poisoned values but clean keys, so typed models still validate and typed renderers run."""

    def walk(value: Any, key: str | None = None) -> Any:
        if isinstance(value, dict):
            return {k: walk(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(member) for member in value]
        if isinstance(value, str) and key not in ("type", "action", "role"):
            return EVIL + value
        return value

    return walk(copy.deepcopy(raw))


def _poison_nested_keys(raw: dict) -> dict:
    """Clean top-level keys, poisoned keys and values below them (extras in nested parts)."""
    poisoned = _poison_values_only(raw)
    return {
        key: poison(value, key) if isinstance(value, (dict, list)) else value
        for key, value in poisoned.items()
    }


def test_escapes_inside_json_strings_stay_visible() -> None:
    inner = {
        "output": "\x1b]0;x\x07done",
        "metadata": {"exit_code": "\x1b[2J", "\x1b]k\u202e": 1},
        "\x1b[5m": "z",
    }
    raw = {**OPENAI_SAMPLES["local_shell_call_output"], "output": json.dumps(inner)}
    doc = render_item(parse_item(raw))
    output = terminal_output(doc)
    assert_terminal_safe(output)
    assert "␛]0;x␇done" in document_text(doc)


def test_markup_in_text_appears_literally() -> None:
    raw = {
        "type": "message",
        "id": "m",
        "role": "assistant",
        "status": "completed",
        "content": [
            {
                "type": "output_text",
                "text": "Look: [bold red]x[/] and [link=http://evil]y[/link]",
                "annotations": [],
            },
            {"type": "refusal", "refusal": "[bold red]no[/]"},
        ],
    }
    doc = render_item(parse_item(raw))
    text = document_text(doc)
    assert "[bold red]x[/]" in text
    assert "[link=http://evil]y[/link]" in text
    assert "[bold red]no[/]" in text
    marked = {**OPENAI_SAMPLES["function_call"], "name": "[bold]f[/]", "arguments": '{"a": "[red]b[/]"}'}
    call = render_item(parse_item(marked))
    assert "[bold]f[/]" in call.title
    assert "[red]b[/]" in document_text(call)


def test_helpers_make_text_safe() -> None:
    assert visible_block("a\r\nb\tc\x1b[31m\u202e") == "a\nb\tc␛[31m<U+202E>"
    assert visible("a\nb") == "a␤b"
    assert safe_text("[bold]x[/]").plain == "[bold]x[/]"
    assert "\ud800" not in visible("x\ud800y")
    block = json_block('{"a": [1, 2]', what="arguments")
    assert block.notes == ["arguments: not valid JSON"]
    assert isinstance(block.body, Text) and block.body.plain == '{"a": [1, 2]'
    console = plain_console()
    console.print(json_renderable({"k": "[b]v[/b]"}))
    assert '"k": "[b]v[/b]"' in console.file.getvalue()


def test_ansi_colour_becomes_style_and_other_escapes_are_visible() -> None:
    text = ansi_text("\x1b[1;31mFAILED\x1b[0m ok \x1b]0;title\x07 \x1b[2K\x1b[38;5;208morange\x1b[m")
    assert text.plain == "FAILED ok ␛]0;title␇ ␛[2Korange"
    styles = {text.plain[span.start : span.end]: span.style for span in text.spans}
    assert styles["FAILED"].bold and styles["FAILED"].color.number == 1
    assert styles["orange"].color.number == 208

    raw = copy.deepcopy(OPENAI_SAMPLES["shell_call_output"])
    raw["output"][0]["stdout"] = "\x1b[32mpassed\x1b[0m\n\x1b]0;pwned\x07done\n"
    doc = render_item(parse_item(raw))
    stdout = next(s for s in doc.sections if s.title.startswith("stdout"))
    body = stdout.body
    assert isinstance(body, Text)
    assert any(body.plain[span.start : span.end] == "passed" for span in body.spans)
    assert "␛]0;pwned␇done" in section_text(stdout)
    output = terminal_output(doc)
    assert_terminal_safe(output)
    assert "\x1b]0;pwned" not in output


# ---------------------------------------------------------------------------------------------
# include-gated fields
# ---------------------------------------------------------------------------------------------

GATED = [
    ("reasoning", {"encrypted_content": None}, "reasoning.encrypted_content", "Encrypted content"),
    ("code_interpreter_call", {"outputs": None}, "code_interpreter_call.outputs", "Outputs"),
    ("file_search_call", {"results": None}, "file_search_call.results", "Results"),
    (
        "computer_call_output",
        {"output": {"type": "computer_screenshot", "file_id": "file_1"}},
        "computer_call_output.output.image_url",
        "Screenshot",
    ),
]


@pytest.mark.parametrize(("item_type", "change", "include", "title"), GATED, ids=[g[0] for g in GATED])
def test_include_gated_fields_say_not_included(item_type: str, change: dict, include: str, title: str) -> None:
    raw = {key: value for key, value in OPENAI_SAMPLES[item_type].items() if change.get(key, "") is not None}
    raw.update({key: value for key, value in change.items() if value is not None})
    item = parse_item(raw)
    without = section_text(section(render_item(item), title))
    assert "(not included)" in without
    included = section_text(section(render_item(item, RenderContext(include=frozenset({include}))), title))
    assert "(not included)" not in included


def test_web_search_sources_not_included() -> None:
    raw = copy.deepcopy(OPENAI_SAMPLES["web_search_call"])
    raw["action"].pop("sources", None)
    assert "(not included)" in section_text(section(render_item(parse_item(raw)), "Sources"))
    ctx = RenderContext(include=frozenset({"web_search_call.action.sources"}))
    assert "(not included)" not in section_text(section(render_item(parse_item(raw), ctx), "Sources"))


def test_message_logprobs_and_image_url_not_included() -> None:
    raw = {
        "type": "message",
        "id": "m",
        "role": "assistant",
        "status": "completed",
        "content": [
            {"type": "output_text", "text": "Hello", "annotations": []},
            {"type": "input_image", "detail": "auto", "file_id": "file_9"},
        ],
    }
    doc = render_item(parse_item(raw))
    assert "logprobs: (not included)" in section_text(section(doc, "Text 1"))
    assert "(not included)" in section_text(section(doc, "Image 2"))
    ctx = RenderContext(include=frozenset({"message.output_text.logprobs", "message.input_image.image_url"}))
    doc = render_item(parse_item(raw), ctx)
    assert "(not included)" not in document_text(doc)


def test_logprobs_are_a_table() -> None:
    raw = first_demo("message", lambda r: any("logprobs" in p for p in r["content"]))
    doc = render_item(parse_item(raw), RenderContext(include=frozenset({"message.output_text.logprobs"})))
    text = section_text(section(doc, "Logprobs"))
    assert "-0.0412" in text and "“ yet”" in text and "“No”" in text


def test_data_urls_are_summarised_not_dumped() -> None:
    raw = first_demo("computer_call_output", lambda r: r["output"]["image_url"].startswith("data:"))
    text = document_text(render_item(parse_item(raw)))
    assert "data:image/png;base64 (" in text
    assert raw["output"]["image_url"][30:60] not in text


# ---------------------------------------------------------------------------------------------
# Limits
# ---------------------------------------------------------------------------------------------


def _timed(raw: dict) -> tuple[Document, float, str]:
    start = time.perf_counter()
    doc = render_item(parse_item(raw))
    text = document_text(doc)
    return doc, time.perf_counter() - start, text


def test_a_ten_megabyte_output_is_cut_with_a_marker() -> None:
    raw = {**OPENAI_SAMPLES["function_call_output"], "output": "a line of tool output\n" * 500_000}
    doc, seconds, text = _timed(raw)
    print(f"10 MB output rendered in {seconds:.3f}s")
    output = section(doc, "Output")
    assert output.truncated
    assert "more lines" in text and "$PAGER" in text
    assert len(text) < 200_000


def test_a_ten_megabyte_json_output_is_pretty_and_cut() -> None:
    rows = [{"row": index, "text": "abcdefghij" * 8} for index in range(100_000)]
    raw = {**OPENAI_SAMPLES["function_call_output"], "output": json.dumps(rows)}
    doc, seconds, text = _timed(raw)
    print(f"10 MB JSON output rendered in {seconds:.3f}s")
    assert section(doc, "Output").truncated
    assert '"row": 0,' in text and "more not shown" in text


def test_a_one_megabyte_single_line_is_cut() -> None:
    raw = {**OPENAI_SAMPLES["function_call"], "arguments": json.dumps({"blob": "q" * 1_000_000})}
    doc, seconds, text = _timed(raw)
    print(f"1 MB single-line arguments rendered in {seconds:.3f}s")
    assert section(doc, "Arguments").truncated
    assert "more" in text and len(text) < 200_000
    raw = {**OPENAI_SAMPLES["custom_tool_call_output"], "output": "z" * 1_000_000}
    doc, seconds, text = _timed(raw)
    print(f"1 MB single-line output rendered in {seconds:.3f}s")
    assert section(doc, "Output").truncated
    assert "900,000 more characters" in text


def test_huge_shell_stdout_and_markdown_are_cut() -> None:
    raw = copy.deepcopy(OPENAI_SAMPLES["shell_call_output"])
    raw["output"][0]["stdout"] = "\x1b[32mok\x1b[0m line\n" * 800_000
    doc, seconds, text = _timed(raw)
    print(f"10 MB ANSI stdout rendered in {seconds:.3f}s")
    assert any(s.truncated for s in doc.sections if s.title.startswith("stdout"))
    message = {
        "type": "message",
        "id": "m",
        "role": "assistant",
        "status": "completed",
        "content": [{"type": "output_text", "text": "# h\n\nsome *text*\n\n" * 500_000, "annotations": []}],
    }
    doc, seconds, text = _timed(message)
    print(f"10 MB markdown rendered in {seconds:.3f}s")
    assert section(doc, "Text").truncated and "more lines" in text


def test_limits_come_from_the_context() -> None:
    raw = {**OPENAI_SAMPLES["function_call_output"], "output": "\n".join(f"line {n}" for n in range(100))}
    doc = render_item(parse_item(raw), RenderContext(line_limit=10))
    text = section_text(section(doc, "Output"))
    assert "line 9" in text and "line 10\n" not in text and "90 more lines" in text
    head, cut = truncate("abcdef", RenderContext(char_limit=3))
    assert cut and head.startswith("abc\n…")


def test_raw_view_is_pretty_json_and_limited() -> None:
    raw = OPENAI_SAMPLES["function_call"]
    doc = render_raw(parse_item(raw))
    text = document_text(doc)
    assert '"call_id": "call_weather"' in text
    big = render_raw(parse_item({**raw, "arguments": "x" * 1_000_000}))
    assert big.sections[0].truncated


# ---------------------------------------------------------------------------------------------
# Generic and failing renderers
# ---------------------------------------------------------------------------------------------


def test_unknown_type_renders_as_a_tree() -> None:
    raw = {"type": "hologram_call", "id": "h1", "status": "done", "payload": {"depth": 3, "tags": ["a", "b"]}}
    doc = render_item(parse_item(raw))
    text = document_text(doc)
    assert "Fields" in titles(doc)
    assert "payload" in text and "depth: 3" in text and '"a"' in text
    assert doc.title.startswith("hologram_call")


def test_invalid_item_renders_as_a_tree_with_its_problem() -> None:
    raw = {**OPENAI_SAMPLES["function_call"], "arguments": 12}
    item = parse_item(raw)
    assert isinstance(item, GenericItem)
    doc = render_item(item)
    assert "Fields" in titles(doc)
    assert any("arguments" in note and "expected a string" in note for note in doc.notes)
    assert "get_weather" in document_text(doc)


def test_missing_required_fields_are_notes() -> None:
    raw = {key: value for key, value in OPENAI_SAMPLES["function_call"].items() if key != "call_id"}
    doc = render_item(parse_item(raw))
    assert "missing required field 'call_id'" in doc.notes


def test_a_failing_renderer_falls_back_to_the_tree(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(item, ctx):
        raise RuntimeError("boom")

    monkeypatch.setitem(REGISTRY, "function_call", broken)
    doc = render_item(parse_item(OPENAI_SAMPLES["function_call"]))
    assert any(note.startswith("renderer failed: RuntimeError: boom") for note in doc.notes)
    assert "Fields" in titles(doc)


def test_odd_nested_parts_do_not_break_rendering() -> None:
    raw = {
        "type": "message",
        "id": "m",
        "role": "user",
        "status": "completed",
        "content": [{"type": "hologram", "depth": 3}, 42, {"type": "input_text", "text": 5}],
    }
    doc = render_item(parse_item(raw))
    assert not [note for note in doc.notes if "renderer failed" in note]
    text = document_text(doc)
    assert "hologram" in text and "42" in text


def test_deep_and_wide_generic_items_are_limited() -> None:
    deep: Any = "bottom"
    for _ in range(200):
        deep = {"d": deep}
    raw = {"type": "mystery", "deep": deep, "wide": list(range(10_000)), "long": "y" * 100_000}
    doc = render_item(parse_item(raw))
    assert section(doc, "Fields").truncated
    assert len(document_text(doc)) < 100_000


# ---------------------------------------------------------------------------------------------
# Partners, images, search
# ---------------------------------------------------------------------------------------------


def test_function_call_shows_its_output_when_the_partner_is_loaded() -> None:
    call_raw = first_demo("function_call", lambda r: r["name"] == "read_file")
    output_raw = first_demo("function_call_output", lambda raw: raw["call_id"] == call_raw["call_id"])
    call, output = parse_item(call_raw), parse_item(output_raw)

    alone = render_item(call)
    assert "not loaded (p jumps to it when it is)" in section_text(section(alone, "Output"))

    paired = render_item(call, RenderContext(partner=output))
    text = section_text(section(paired, "Output"))
    assert "p jumps to it" in text
    assert "parse_duration" in text and "DurationError" in text

    answered = render_item(output, RenderContext(partner=call))
    assert "read_file(" in section_text(section(answered, "Call"))


def test_shell_output_names_commands_when_the_call_is_known() -> None:
    call = parse_item(first_demo("shell_call"))
    output = parse_item(first_demo("shell_call_output", lambda raw: raw["call_id"] == call.call_id))
    doc = render_item(output, RenderContext(partner=call))
    assert "stdout · command 1: git -C /workspace/tempo log --oneline -5" in titles(doc)
    assert "stdout · command 1" in titles(render_item(output))


def test_image_payload_returns_png_bytes() -> None:
    raw = first_demo("image_generation_call", lambda r: r.get("result"))
    payload = image_payload(parse_item(raw))
    assert payload is not None
    name, data = payload
    assert name.endswith(".png") and data.startswith(b"\x89PNG\r\n\x1a\n")
    assert image_payload(parse_item(first_demo("image_generation_call", lambda r: r.get("error")))) is None
    assert image_payload(parse_item(OPENAI_SAMPLES["function_call"])) is None
    text = document_text(render_item(parse_item(raw)))
    assert "PNG" in text and "s saves it" in text


def test_searchable_text_has_titles_bodies_and_notes() -> None:
    raw = {key: value for key, value in OPENAI_SAMPLES["function_call"].items() if key != "call_id"}
    text = searchable_text(render_item(parse_item(raw)))
    assert "function_call · get_weather" in text
    assert "Arguments" in text and '"city": "Paris"' in text
    assert "missing required field 'call_id'" in text


def test_foundry_section_for_items_with_agent_reference() -> None:
    raw = first_demo("message", lambda r: "agent_reference" in r)
    doc = render_item(parse_item(raw))
    text = section_text(section(doc, "Foundry"))
    assert "contoso-travel-planner (version 12)" in text and raw["response_id"] in text


def test_patch_diff_is_coloured() -> None:
    raw = first_demo("apply_patch_call", lambda r: r["operation"]["type"] == "update_file")
    doc = render_item(parse_item(raw))
    diff = next(s for s in doc.sections if s.title.startswith("Diff · "))
    assert isinstance(diff.body, Text)
    styles = {str(span.style) for span in diff.body.spans}
    assert {"green", "red", "cyan"} <= styles


def test_a_program_partner_is_named_as_such() -> None:
    program = parse_item(first_demo("program"))
    child_raw = first_demo("function_call_output", lambda r: (r.get("caller") or {}).get("type") == "program")
    child = parse_item(child_raw)
    doc = render_item(child, RenderContext(partner=program))
    assert "not loaded" in section_text(section(doc, "Call"))
    assert "program (" in section_text(section(doc, "Called by program"))
    parent = render_item(program, RenderContext(partner=child))
    assert "not loaded" in section_text(section(parent, "Output"))
    assert "Tool call from this program" in titles(parent)
