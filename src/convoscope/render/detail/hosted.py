"""Hosted tools whose results are inline: code_interpreter_call, web_search_call,
file_search_call and image_generation_call (plus `image_payload` for saving generated images).
"""

from __future__ import annotations

import base64
import binascii
import re

from rich.console import Group, RenderableType
from rich.text import Text

from convoscope.api.models import (
    CodeInterpreterCall,
    FileSearchCall,
    ImageGenerationCall,
    Item,
    WebSearchCall,
)
from convoscope.api.models.hosted_tools import (
    CodeImage,
    CodeLogs,
    FindInPageAction,
    OpenPageAction,
    WebSearchAction,
)
from convoscope.api.models.text import one_line
from convoscope.render.detail.blocks import (
    NOT_INCLUDED,
    base64_size,
    bullet_list,
    dim,
    json_tree,
    url_summary,
    value_text,
)
from convoscope.render.detail.core import DocBuilder, Document, RenderContext, renders
from convoscope.render.detail.messages import generic_part
from convoscope.render.text import HangingText, code_block, human_size, marker_text, safe_text, text_block, visible

OUTPUTS_INCLUDE = "code_interpreter_call.outputs"
SOURCES_INCLUDE = "web_search_call.action.sources"
RESULTS_INCLUDE = "file_search_call.results"
RESULT_ROWS = 200
RESULT_PREVIEW = 300


def _absent(include_key: str, ctx: RenderContext, none: str = "(none)") -> Text:
    return dim(NOT_INCLUDED if include_key not in ctx.include else none)


# ---------------------------------------------------------------------------------------------
# code interpreter
# ---------------------------------------------------------------------------------------------


@renders("code_interpreter_call")
def render_code_interpreter_call(item: Item, ctx: RenderContext) -> Document:
    assert isinstance(item, CodeInterpreterCall)
    builder = DocBuilder(item, ctx)
    if item.code is None:
        builder.section("Code", dim("(none)"))
    else:
        builder.block("Code", code_block(item.code, "python", ctx, line_numbers=True))
    outputs = item.outputs
    if outputs is None:
        builder.section("Outputs", _absent(OUTPUTS_INCLUDE, ctx))
    elif not outputs:
        builder.section("Outputs", dim("(none)"))
    for position, output in enumerate(outputs or ()):
        number = f" {position + 1}" if len(outputs or ()) > 1 else ""
        if isinstance(output, CodeLogs):
            builder.block(f"Logs{number}", text_block(output.logs or "", ctx, ansi=True))
        elif isinstance(output, CodeImage):
            url = output.url
            body = Text(url_summary(url)) if isinstance(url, str) else dim("(no url)")
            builder.section(f"Image{number}", body)
        else:
            generic_part(builder, output, f"Output{number}")
    builder.fields("Details", [("container", item.container_id)])
    return builder.document()


# ---------------------------------------------------------------------------------------------
# web search
# ---------------------------------------------------------------------------------------------


@renders("web_search_call")
def render_web_search_call(item: Item, ctx: RenderContext) -> Document:
    assert isinstance(item, WebSearchCall)
    builder = DocBuilder(item, ctx)
    action = item.action
    if action is None:
        builder.section("Action", dim("(none)"))
    elif isinstance(action, WebSearchAction):
        rows: list[tuple[str, object]] = [("query", action.query)]
        builder.fields("Search", rows)
        queries = list(action.queries or ())
        if queries == [action.query]:
            queries = []  # the query above says it all
        if queries:
            builder.section(f"Queries ({len(queries)})", bullet_list(str(query) for query in queries))
        if action.sources is None:
            builder.section("Sources", _absent(SOURCES_INCLUDE, ctx))
        elif not action.sources:
            builder.section("Sources", dim("(none)"))
        else:
            lines = [
                Text(url_summary(source.url))
                if isinstance(source.url, str)
                else value_text(part_fields_loose(source))
                for source in action.sources
            ]
            builder.section(f"Sources ({len(lines)})", bullet_list(lines))
    elif isinstance(action, OpenPageAction):
        builder.fields("Open page", [("url", url_summary(action.url) if action.url else "(none)")])
    elif isinstance(action, FindInPageAction):
        builder.fields(
            "Find in page",
            [
                ("pattern", action.pattern if action.pattern is not None else "(none)"),
                ("url", url_summary(action.url) if action.url else "(none)"),
            ],
        )
    else:
        generic_part(builder, action, "Action")
    raw = item.raw if isinstance(item.raw, dict) else {}
    if "results" in raw:
        builder.block("Results", json_tree(raw["results"], ctx))
    return builder.document()


def part_fields_loose(value: object) -> object:
    try:
        return value.model_dump(mode="json", exclude_none=True)  # type: ignore[attr-defined]
    except Exception:
        return str(value)


# ---------------------------------------------------------------------------------------------
# file search
# ---------------------------------------------------------------------------------------------


@renders("file_search_call")
def render_file_search_call(item: Item, ctx: RenderContext) -> Document:
    assert isinstance(item, FileSearchCall)
    builder = DocBuilder(item, ctx)
    queries = item.queries
    if queries is None:
        builder.section("Queries", dim("(none)"))
    else:
        body = bullet_list(str(query) for query in queries) if queries else dim("(none)")
        builder.section(f"Queries ({len(queries)})", body)
    results = item.results
    if results is None:
        builder.section("Results", _absent(RESULTS_INCLUDE, ctx))
    elif not results:
        builder.section("Results", dim("(no results)"))
    else:
        parts: list[RenderableType] = []
        for position, result in enumerate(results):
            if position >= RESULT_ROWS:
                parts.append(marker_text(f"… {len(results) - RESULT_ROWS:,} more results"))
                break
            score = f"{result.score:.4f}" if isinstance(result.score, (int, float)) else "?"
            heading = Text(f"[{position + 1}] ", style="dim")
            heading.append(score, style="cyan")
            heading.append("  ")
            heading.append(visible(result.filename or "?"), style="bold")
            if result.file_id:
                heading.append("  " + visible(result.file_id), style="dim")
            parts.append(heading)
            text = result.text or ""
            preview = HangingText("    " + visible(one_line(text, RESULT_PREVIEW)), hang=0)
            if len(text) > RESULT_PREVIEW:
                preview.append(f"  ({len(text):,} characters)", style="dim")
            parts.append(preview)
            if result.attributes:
                attributes = value_text(result.attributes, ctx, 400)
                attributes.stylize("dim")
                parts.append(HangingText("    " + attributes.plain, style="dim", hang=0))
        builder.section(f"Results ({len(results)})", Group(*parts), truncated=len(results) > RESULT_ROWS)
    return builder.document()


# ---------------------------------------------------------------------------------------------
# image generation
# ---------------------------------------------------------------------------------------------

_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"RIFF", "webp"),
    (b"GIF8", "gif"),
)


def _format_of(data: bytes, declared: str | None) -> str:
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    if declared and re.fullmatch(r"[A-Za-z0-9]{1,8}", declared):
        return declared.lower()
    return "bin"


def _decode(result: str) -> bytes | None:
    try:
        return base64.b64decode(result.strip(), validate=False)
    except (binascii.Error, ValueError):
        return None


def image_payload(item: Item) -> tuple[str, bytes] | None:
    """(suggested file name, bytes) of an image_generation_call's base64 result, or None."""
    if not isinstance(item, ImageGenerationCall) or not isinstance(item.result, str) or not item.result:
        return None
    data = _decode(item.result)
    if not data:
        return None
    kind = _format_of(data, item.output_format)
    extension = "jpg" if kind == "jpeg" else kind
    stem = re.sub(r"[^A-Za-z0-9_.-]", "_", item.id or "image")[:100].strip("._") or "image"
    return f"{stem}.{extension}", data


def _result_text(item: ImageGenerationCall) -> Text:
    result = item.result
    if result is None:
        return dim("(none)")
    if not isinstance(result, str) or not result:
        return dim("(empty)")
    head = _decode(result[:64]) or b""
    kind = _format_of(head, item.output_format).upper()
    text = Text(f"{kind} {human_size(base64_size(result))}")
    text.append(" — s saves it", style="dim")
    return text


@renders("image_generation_call")
def render_image_generation_call(item: Item, ctx: RenderContext) -> Document:
    assert isinstance(item, ImageGenerationCall)
    builder = DocBuilder(item, ctx)
    if item.revised_prompt is not None:
        builder.block("Revised prompt", text_block(item.revised_prompt, ctx))
    builder.fields(
        "Image",
        [
            ("result", _result_text(item)),
            ("action", item.action),
            ("size", item.size),
            ("quality", item.quality),
            ("background", item.background),
            ("format", item.output_format),
        ],
    )
    error = item.error
    if error is not None:
        lines = Text()
        message = error.message or "(no message)"
        lines.append_text(safe_text(message, "bold red"))
        details = [
            ("code", error.code),
            ("type", error.type),
            ("param", error.param),
        ]
        moderation = error.moderation_details
        if moderation is not None:
            details.append(("moderation", ", ".join(moderation.categories or ()) or None))
            details.append(("stage", moderation.moderation_stage))
        for key, value in details:
            if value is not None:
                lines.append(f"\n{key}: ", style="dim")
                lines.append(visible(str(value)))
        builder.section("Error", lines)
    usage = item.svg_usage
    if usage is not None:
        builder.fields(
            "SVG usage",
            [
                ("model", usage.model),
                ("input tokens", usage.input_tokens),
                ("output tokens", usage.output_tokens),
                ("reasoning tokens", usage.reasoning_tokens),
                ("total tokens", usage.total_tokens),
            ],
        )
    return builder.document()


__all__ = ["image_payload"]
