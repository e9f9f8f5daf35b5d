"""`include[]`: parsing the query parameter, and hiding include-gated fields unless asked for.

Stored items (bundled JSON, synthetic generator, created items) always hold every gated
field in full; a response strips the ones not requested. Stripping copies only the parts
of an item it changes, and never touches the stored item.
"""

from __future__ import annotations

from typing import Any, Callable

from starlette.datastructures import QueryParams

from convoscope.demo.errors import invalid_value

WEB_SEARCH_SOURCES = "web_search_call.action.sources"
WEB_SEARCH_RESULTS = "web_search_call.results"
CODE_INTERPRETER_OUTPUTS = "code_interpreter_call.outputs"
COMPUTER_IMAGE_URL = "computer_call_output.output.image_url"
FILE_SEARCH_RESULTS = "file_search_call.results"
INPUT_IMAGE_URL = "message.input_image.image_url"
OUTPUT_TEXT_LOGPROBS = "message.output_text.logprobs"
REASONING_ENCRYPTED = "reasoning.encrypted_content"

INCLUDABLE: tuple[str, ...] = (
    FILE_SEARCH_RESULTS,
    WEB_SEARCH_RESULTS,
    WEB_SEARCH_SOURCES,
    INPUT_IMAGE_URL,
    COMPUTER_IMAGE_URL,
    CODE_INTERPRETER_OUTPUTS,
    REASONING_ENCRYPTED,
    OUTPUT_TEXT_LOGPROBS,
)


ALL_FORMS = frozenset({"brackets", "repeated", "comma"})


def parse_include(query: QueryParams, forms: frozenset[str] = ALL_FORMS) -> frozenset[str]:
    """The requested `include` values, read in the forms a server honours.

    Forms: "brackets" `include[]=a&include[]=b` (the SDK), "repeated" `include=a&include=b`,
    "comma" `include=a,b`. The default server honours all three (and splits on commas in any of
    them); an impersonated one only its own, and a form it does not read is simply not seen.
    """
    split = "comma" in forms
    raws: list[str] = []
    if "brackets" in forms:
        raws.extend(query.getlist("include[]"))
    if forms & {"repeated", "comma"}:
        raws.extend(query.getlist("include"))
    values: set[str] = set()
    for raw in raws:
        parts = raw.split(",") if split else [raw]
        values.update(part.strip() for part in parts if part.strip())
    for value in sorted(values):
        if value not in INCLUDABLE:
            raise invalid_value("include", value, list(INCLUDABLE))
    return frozenset(values)


def strip_item(item: dict[str, Any], include: frozenset[str]) -> dict[str, Any]:
    """Return `item` as the API would show it for this `include` set (a copy if anything changes)."""
    strippers = _STRIPPERS.get(item.get("type", ""))
    if not strippers:
        return item
    for value, stripper in strippers:
        if value not in include:
            item = stripper(item)
    return item


def _drop_action_sources(item: dict[str, Any]) -> dict[str, Any]:
    action = item.get("action")
    if not isinstance(action, dict) or "sources" not in action:
        return item
    return {**item, "action": {k: v for k, v in action.items() if k != "sources"}}


def _drop_key(key: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def drop(item: dict[str, Any]) -> dict[str, Any]:
        if key not in item:
            return item
        return {k: v for k, v in item.items() if k != key}

    return drop


def _null_key(key: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def null(item: dict[str, Any]) -> dict[str, Any]:
        if item.get(key) is None:
            return item
        return {**item, key: None}

    return null


def _drop_screenshot_url(item: dict[str, Any]) -> dict[str, Any]:
    output = item.get("output")
    if not isinstance(output, dict) or "image_url" not in output:
        return item
    return {**item, "output": {k: v for k, v in output.items() if k != "image_url"}}


def _drop_from_content_parts(part_type: str, key: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def drop(item: dict[str, Any]) -> dict[str, Any]:
        content = item.get("content")
        if not isinstance(content, list) or not any(_part_has(part, part_type, key) for part in content):
            return item
        new_content = [
            {k: v for k, v in part.items() if k != key} if _part_has(part, part_type, key) else part
            for part in content
        ]
        return {**item, "content": new_content}

    return drop


def _part_has(part: Any, part_type: str, key: str) -> bool:
    return isinstance(part, dict) and part.get("type") == part_type and key in part


_STRIPPERS: dict[str, list[tuple[str, Callable[[dict[str, Any]], dict[str, Any]]]]] = {
    "web_search_call": [
        (WEB_SEARCH_SOURCES, _drop_action_sources),
        (WEB_SEARCH_RESULTS, _drop_key("results")),
    ],
    "code_interpreter_call": [(CODE_INTERPRETER_OUTPUTS, _null_key("outputs"))],
    "computer_call_output": [(COMPUTER_IMAGE_URL, _drop_screenshot_url)],
    "file_search_call": [(FILE_SEARCH_RESULTS, _null_key("results"))],
    "message": [
        (INPUT_IMAGE_URL, _drop_from_content_parts("input_image", "image_url")),
        (OUTPUT_TEXT_LOGPROBS, _drop_from_content_parts("output_text", "logprobs")),
    ],
    "reasoning": [(REASONING_ENCRYPTED, _null_key("encrypted_content"))],
}
