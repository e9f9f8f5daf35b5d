"""Building blocks shared by the renderers: field grids, markdown, references to images and
files, "(not included)" placeholders, JSON trees and tool lists.

Every function here takes untrusted values and returns renderables made of safe Text only.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from markdown_it import MarkdownIt
from rich.console import Group, RenderableType
from rich.markdown import Markdown
from rich.padding import Padding
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from convoscope.api.models import Caller, Part
from convoscope.api.models.text import one_line
from convoscope.render.text import (
    SYNTAX_THEME,
    Block,
    Limits,
    cut,
    human_size,
    json_block,
    marker_text,
    safe_text,
    visible,
    visible_block,
)

NOT_INCLUDED = "(not included)"
FIELD_LIMIT = 2_000  # characters of one value in a field grid


# ---------------------------------------------------------------------------------------------
# Field grids
# ---------------------------------------------------------------------------------------------


def value_text(value: Any, ctx: Limits | None = None, limit: int = FIELD_LIMIT) -> Text:
    """One short value as safe Text: strings as they are, others as compact JSON."""
    if isinstance(value, Text):
        return value
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, (int, float)):
        text = f"{value}"
    elif isinstance(value, str):
        text = value
    else:
        try:
            text = json.dumps(value, ensure_ascii=False, default=str)
        except Exception:
            text = repr(value)
    if ctx is not None:
        limit = min(limit, ctx.char_limit)
    if len(text) > limit:
        return Text(visible(text[:limit]) + f" … ({len(text) - limit:,} more characters)")
    return Text(visible(text))


def fields_table(rows: Iterable[tuple[str, Any]], ctx: Limits | None = None) -> Table | None:
    """A two-column grid "key  value"; rows whose value is None are left out."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="dim", no_wrap=True)
    table.add_column(overflow="fold")
    count = 0
    for key, value in rows:
        if value is None:
            continue
        table.add_row(Text(visible(key)), value_text(value, ctx))
        count += 1
    return table if count else None


def caller_text(caller: Caller | None) -> str | None:
    if caller is None:
        return None
    if caller.type == "program":
        return f"program {caller.caller_id or '?'}"
    return caller.type or None


def duration_ms(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None if value is None else str(value)
    return f"{value / 1000:g} s" if value >= 1000 else f"{value:g} ms"


def bullet_list(lines: Iterable[Text | str], bullet: str = "• ") -> Text:
    """Lines with a leading bullet; str lines are made visible first."""
    text = Text()
    first = True
    for line in lines:
        if not first:
            text.append("\n")
        first = False
        text.append(bullet, style="dim")
        text.append(line if isinstance(line, Text) else Text(visible(line)))
    return text


def dim(text: str) -> Text:
    return Text(text, style="dim")


# ---------------------------------------------------------------------------------------------
# Markdown
# ---------------------------------------------------------------------------------------------


class SafeMarkdown(Markdown):
    """rich Markdown with raw HTML shown as text (rich would drop it silently)."""

    def __init__(self, markup: str, **options: Any) -> None:
        super().__init__("", **options)
        self.markup = markup
        parser = MarkdownIt("commonmark", {"html": False}).enable("strikethrough").enable("table")
        self.parsed = parser.parse(markup)


def markdown_block(text: str, ctx: Limits) -> Block:
    """Markdown of untrusted text: made visible first, cut to the limits, links spelled out."""
    head, marker = cut(text, ctx)
    body = SafeMarkdown(visible_block(head), code_theme=SYNTAX_THEME, hyperlinks=False)
    if marker is None:
        return Block(body)
    return Block(Group(body, marker_text(marker)), truncated=True)


# ---------------------------------------------------------------------------------------------
# References: images, files, data URLs
# ---------------------------------------------------------------------------------------------


def base64_size(payload: str) -> int:
    """Decoded size of a base64 string (without decoding it)."""
    length = len(payload.strip())
    padding = payload[-2:].count("=") if payload.endswith("=") else 0
    return max(length * 3 // 4 - padding, 0)


def url_summary(url: str) -> str:
    """A URL as text; inline data URLs are summarised ("data:image/png;base64 (1.2 KB)")."""
    if url.startswith("data:"):
        header, comma, payload = url.partition(",")
        header = one_line(header, 100)
        if not comma:
            return f"{visible(header)} (malformed data URL, {human_size(len(url))})"
        size = base64_size(payload) if header.endswith(";base64") else len(payload)
        return f"{visible(header)} ({human_size(size)})"
    if len(url) > FIELD_LIMIT:
        return visible(url[:FIELD_LIMIT]) + f" … ({len(url) - FIELD_LIMIT:,} more characters)"
    return visible(url)


def image_rows(
    part: Any, *, include: frozenset[str] | None = None, include_key: str | None = None
) -> list[tuple[str, Any]]:
    """Field rows of an image reference (input_image, computer_screenshot, screenshot output)."""
    image_url = getattr(part, "image_url", None)
    rows: list[tuple[str, Any]] = [("file", getattr(part, "file_id", None))]
    if isinstance(image_url, str) and image_url:
        rows.append(("url", url_summary(image_url)))
    elif include_key is not None and include is not None and include_key not in include:
        rows.append(("url", NOT_INCLUDED))
    elif not getattr(part, "file_id", None):
        rows.append(("url", "(none)"))
    rows.append(("detail", getattr(part, "detail", None)))
    return rows


def file_rows(part: Any) -> list[tuple[str, Any]]:
    """Field rows of an input_file part (file_data is summarised, never dumped)."""
    rows: list[tuple[str, Any]] = [
        ("name", getattr(part, "filename", None)),
        ("file", getattr(part, "file_id", None)),
    ]
    file_url = getattr(part, "file_url", None)
    if isinstance(file_url, str):
        rows.append(("url", url_summary(file_url)))
    file_data = getattr(part, "file_data", None)
    if isinstance(file_data, str):
        if file_data.startswith("data:"):
            rows.append(("data", url_summary(file_data)))
        else:
            rows.append(("data", f"inline, base64 ({human_size(base64_size(file_data))})"))
    rows.append(("detail", getattr(part, "detail", None)))
    return rows


def cache_breakpoint(part: Any) -> str | None:
    breakpoint_ = getattr(part, "prompt_cache_breakpoint", None)
    if breakpoint_ is None:
        return None
    mode = getattr(breakpoint_, "mode", None) or "?"
    ttl = getattr(breakpoint_, "ttl", None)
    return f"{mode}" + (f", ttl {ttl}" if ttl else "")


# ---------------------------------------------------------------------------------------------
# JSON trees (generic items and parts)
# ---------------------------------------------------------------------------------------------

TREE_DEPTH = 8
TREE_STRING = 500  # characters of one string in a tree
TREE_LIST = 100  # members of one list or object shown
TREE_NODES = 2_000


class _Budget:
    def __init__(self, nodes: int) -> None:
        self.nodes = nodes
        self.truncated = False


def _scalar_text(value: Any, string_limit: int) -> Text:
    if isinstance(value, str):
        if "\n" in value or len(value) > string_limit:
            shown = value[:string_limit]
            text = Text(visible(json.dumps(shown, ensure_ascii=False)), style="green")
            if len(value) > string_limit:
                text.append(f" … {len(value) - string_limit:,} more characters", style="dim italic")
            return text
        return Text(visible(json.dumps(value, ensure_ascii=False)), style="green")
    if value is None:
        return Text("null", style="dim")
    if isinstance(value, bool):
        return Text("true" if value else "false", style="cyan")
    if isinstance(value, (int, float)):
        return Text(str(value), style="cyan")
    return Text(visible(repr(value)))


def _add_members(tree: Tree, value: Any, depth: int, budget: _Budget, string_limit: int) -> None:
    members = list(value.items()) if isinstance(value, dict) else list(enumerate(value))
    for position, (key, member) in enumerate(members):
        if position >= TREE_LIST or budget.nodes <= 0:
            budget.truncated = True
            tree.add(Text(f"… {len(members) - position:,} more", style="dim italic"))
            return
        budget.nodes -= 1
        if isinstance(value, dict):
            label = Text(visible(str(key)), style="bold")
        else:
            label = Text(f"[{key}]", style="dim")
        if isinstance(member, (dict, list)) and member:
            kind = f"{{{len(member)}}}" if isinstance(member, dict) else f"[{len(member)}]"
            if depth >= TREE_DEPTH:
                budget.truncated = True
                tree.add(label + Text(f" {kind} …", style="dim"))
                continue
            branch = tree.add(label + Text(f" {kind}", style="dim"))
            _add_members(branch, member, depth + 1, budget, string_limit)
        else:
            if isinstance(member, dict):
                shown = Text("{}", style="dim")
            elif isinstance(member, list):
                shown = Text("[]", style="dim")
            else:
                shown = _scalar_text(member, string_limit)
                if isinstance(member, str) and len(member) > string_limit:
                    budget.truncated = True
            tree.add(label + Text(": ", style="dim") + shown)


def json_tree(value: Any, ctx: Limits, label: str = "") -> Block:
    """A key/value tree of any JSON value (depth-, breadth- and string-length-limited)."""
    budget = _Budget(TREE_NODES)
    string_limit = min(TREE_STRING, max(ctx.char_limit, 1))
    if isinstance(value, (dict, list)) and value:
        kind = f"{{{len(value)}}}" if isinstance(value, dict) else f"[{len(value)}]"
        tree = Tree(Text(visible(label) + " " if label else "") + Text(kind, style="dim"), guide_style="dim")
        _add_members(tree, value, 1, budget, string_limit)
        return Block(tree, truncated=budget.truncated)
    cut_string = isinstance(value, str) and len(value) > string_limit
    return Block(_scalar_text(value, string_limit), truncated=cut_string)


def part_fields(part: Part) -> dict[str, Any]:
    """A nested part's dict (GenericPart keeps its raw fields as extras)."""
    try:
        data = part.model_dump(mode="json", by_alias=True, exclude_none=True)
    except Exception:
        data = dict(part.model_extra or {})
    return data


# ---------------------------------------------------------------------------------------------
# Tool definitions (tool_search_output, additional_tools, mcp_list_tools)
# ---------------------------------------------------------------------------------------------

TOOLS_SHOWN = 200


def tools_block(tools: list[Any] | None, ctx: Limits, *, schema_key: str = "parameters") -> Block:
    """Each tool: name, type, description, and its parameter schema as pretty JSON."""
    if tools is None:
        return Block(dim("(none)"))
    if not tools:
        return Block(dim("(no tools)"))
    parts: list[RenderableType] = []
    truncated = False
    notes: list[str] = []
    for position, tool in enumerate(tools):
        if position >= TOOLS_SHOWN:
            parts.append(marker_text(f"… {len(tools) - position:,} more tools"))
            truncated = True
            break
        data = part_fields(tool) if isinstance(tool, Part) else tool
        if not isinstance(data, dict):
            parts.append(value_text(data, ctx))
            continue
        block = _tool_block(data, ctx, schema_key, depth=0)
        parts.append(block.body)
        truncated = truncated or block.truncated
        notes.extend(block.notes)
    return Block(Group(*parts), truncated, notes)


def _tool_block(data: dict[str, Any], ctx: Limits, schema_key: str, depth: int) -> Block:
    name = data.get("name") or data.get("server_label") or data.get("type") or "tool"
    heading = Text("▸ ", style="dim") + Text(visible(str(name)), style="bold")
    kind = data.get("type")
    if kind and kind != name:
        heading.append(f"  ({visible(str(kind))})", style="dim")
    parts: list[RenderableType] = []
    truncated = False
    notes: list[str] = []
    description = data.get("description")
    if isinstance(description, str) and description:
        head, marker = cut(description, ctx)
        parts.append(safe_text(head))
        if marker:
            parts.append(marker_text(marker))
            truncated = True
    schema_keys = (schema_key, "parameters", "input_schema")
    rest = [
        (str(key), value)
        for key, value in data.items()
        if key not in ("name", "type", "description", "tools", *schema_keys)
    ]
    table = fields_table(rest, ctx)
    if table is not None:
        parts.append(table)
    for key in schema_keys:
        schema = data.get(key)
        if schema is not None:
            block = json_block(schema, ctx, what=key)
            parts.append(block.body)
            truncated = truncated or block.truncated
            notes.extend(block.notes)
            break
    nested = data.get("tools")
    if isinstance(nested, list) and depth < 3:
        for member in nested[:TOOLS_SHOWN]:
            if isinstance(member, dict):
                inner = _tool_block(member, ctx, schema_key, depth + 1)
                parts.append(inner.body)
                truncated = truncated or inner.truncated
                notes.extend(inner.notes)
    return Block(Group(heading, _indent(Group(*parts))), truncated, notes)


def _indent(body: RenderableType) -> RenderableType:
    return Padding(body, (0, 0, 0, 2))
