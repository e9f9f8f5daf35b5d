"""Computer use: computer_call (one action or a batch, safety checks) and computer_call_output."""

from __future__ import annotations

from typing import Any

from rich.text import Text

from convoscope.api.models import ComputerCall, ComputerCallOutput, Item, Part
from convoscope.api.models.hosted_tools import (
    ClickAction,
    DoubleClickAction,
    DragAction,
    KeypressAction,
    MoveAction,
    SafetyCheck,
    ScreenshotAction,
    ScrollAction,
    TypeAction,
    WaitAction,
)
from convoscope.api.models.text import one_line
from convoscope.render.detail.blocks import (
    NOT_INCLUDED,
    dim,
    fields_table,
    part_fields,
    url_summary,
)
from convoscope.render.detail.core import DocBuilder, Document, RenderContext, renders
from convoscope.render.detail.partners import add_call_partner, add_output_partner
from convoscope.render.text import visible

IMAGE_URL_INCLUDE = "computer_call_output.output.image_url"
TYPED_TEXT = 500  # characters of typed text shown per action
ACTIONS_SHOWN = 500


def _point(x: Any, y: Any) -> str:
    return f"({x if x is not None else '?'}, {y if y is not None else '?'})"


def _keys(keys: list[str] | None) -> str:
    return "+".join(str(key) for key in keys or ())


def _holding(keys: list[str] | None) -> str:
    return f" holding {_keys(keys)}" if keys else ""


def action_text(action: Part) -> str:
    """ "click left at (812, 64)" and friends (plain, not yet made visible)."""
    if isinstance(action, ClickAction):
        return f"click {action.button or 'left'} at {_point(action.x, action.y)}{_holding(action.keys)}"
    if isinstance(action, DoubleClickAction):
        return f"double click at {_point(action.x, action.y)}{_holding(action.keys)}"
    if isinstance(action, MoveAction):
        return f"move to {_point(action.x, action.y)}{_holding(action.keys)}"
    if isinstance(action, ScrollAction):
        by = _point(action.scroll_x, action.scroll_y)
        return f"scroll at {_point(action.x, action.y)} by {by}{_holding(action.keys)}"
    if isinstance(action, DragAction):
        path = " → ".join(_point(point.x, point.y) for point in action.path or ())
        return f"drag {path or '(no path)'}{_holding(action.keys)}"
    if isinstance(action, KeypressAction):
        return f"keypress {_keys(action.keys) or '(no keys)'}"
    if isinstance(action, TypeAction):
        text = action.text or ""
        shown = text[:TYPED_TEXT]
        more = f" … ({len(text) - TYPED_TEXT:,} more characters)" if len(text) > TYPED_TEXT else ""
        return f"type “{shown}”{more}"
    if isinstance(action, ScreenshotAction):
        return "screenshot"
    if isinstance(action, WaitAction):
        return "wait"
    fields = part_fields(action)
    kind = fields.pop("type", None)
    return f"{kind or 'action'} {one_line(str(fields), 300)}" if fields else str(kind or "action")


def actions_text(actions: list[Part]) -> Text:
    text = Text()
    for position, action in enumerate(actions):
        if position >= ACTIONS_SHOWN:
            text.append(f"\n… {len(actions) - position:,} more actions", style="dim italic")
            break
        if position:
            text.append("\n")
        if len(actions) > 1:
            text.append(f"{position + 1:>2}. ", style="dim")
        # visible() also turns newlines in typed text into ␤, keeping one action per line.
        text.append(visible(action_text(action)))
    return text


def safety_checks_text(checks: list[SafetyCheck], style: str) -> Text:
    text = Text()
    for position, check in enumerate(checks):
        if position:
            text.append("\n")
        text.append("⚠ " if style else "✓ ", style=style or "green")
        text.append(visible(check.code or "check"), style=style or "bold")
        if check.message:
            text.append(": " + visible(one_line(check.message, 1000)))
        if check.id:
            text.append(f"\n   {visible(check.id)}", style="dim")
    return text


@renders("computer_call")
def render_computer_call(item: Item, ctx: RenderContext) -> Document:
    assert isinstance(item, ComputerCall)
    builder = DocBuilder(item, ctx)
    actions = list(item.actions or ())
    if item.action is not None:
        actions.insert(0, item.action)
    if actions:
        builder.section(f"Actions ({len(actions)})" if len(actions) > 1 else "Action", actions_text(actions))
    else:
        builder.section("Action", dim("(none)"))
    checks = item.pending_safety_checks
    if checks:
        builder.section(f"Pending safety checks ({len(checks)})", safety_checks_text(checks, "bold yellow"))
    builder.fields("Details", [("call id", item.call_id)])
    add_output_partner(builder)
    return builder.document()


@renders("computer_call_output")
def render_computer_call_output(item: Item, ctx: RenderContext) -> Document:
    assert isinstance(item, ComputerCallOutput)
    builder = DocBuilder(item, ctx)
    add_call_partner(builder)
    output = item.output
    if output is None:
        builder.section("Screenshot", dim("(none)"))
    else:
        rows: list[tuple[str, Any]] = [("file", output.file_id)]
        if isinstance(output.image_url, str) and output.image_url:
            rows.append(("url", url_summary(output.image_url)))
        elif IMAGE_URL_INCLUDE not in ctx.include:
            rows.append(("url", NOT_INCLUDED))
        else:
            rows.append(("url", "(none)"))
        if output.type and output.type != "computer_screenshot":
            rows.append(("type", output.type))
        builder.section("Screenshot", fields_table(rows, ctx) or dim("(none)"))
    checks = item.acknowledged_safety_checks
    if checks:
        builder.section(f"Acknowledged safety checks ({len(checks)})", safety_checks_text(checks, ""))
    builder.fields("Details", [("call id", item.call_id)])
    return builder.document()
