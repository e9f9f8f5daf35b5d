"""Shell commands: shell_call / shell_call_output and local_shell_call / local_shell_call_output.

Commands are highlighted as bash; each command's stdout and stderr get their own sections, with
SGR colours kept and every other escape made visible.
"""

from __future__ import annotations

import shlex
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from convoscope.api.models import Item, LocalShellCall, LocalShellCallOutput, ShellCall, ShellCallOutput
from convoscope.api.models.shell_items import (
    ContainerReference,
    ExitOutcome,
    LocalEnvironment,
    TimeoutOutcome,
)
from convoscope.api.models.text import one_line
from convoscope.render.detail.blocks import caller_text, dim, duration_ms, part_fields, value_text
from convoscope.render.detail.core import DocBuilder, Document, RenderContext, renders
from convoscope.render.detail.partners import add_call_partner, add_output_partner
from convoscope.render.text import (
    Block,
    code_block,
    json_block,
    parse_json_text,
    text_block,
    too_large_to_parse,
    visible,
)

COMMAND_TITLE = 60  # characters of a command in a section title


def commands_block(commands: list[str], ctx: RenderContext) -> Block:
    parts: list[RenderableType] = []
    truncated = False
    for position, command in enumerate(commands):
        if len(commands) > 1:
            parts.append(dim(f"command {position + 1}"))
        block = code_block(command if isinstance(command, str) else str(command), "bash", ctx)
        parts.append(block.body)
        truncated = truncated or block.truncated
    if not parts:
        return Block(dim("(no commands)"))
    return Block(Group(*parts), truncated)


def characters(value: Any) -> str | None:
    return f"{value:,} characters" if isinstance(value, int) and not isinstance(value, bool) else None


def environment_text(environment: Any) -> str | None:
    if environment is None:
        return None
    if isinstance(environment, LocalEnvironment):
        return "local"
    if isinstance(environment, ContainerReference):
        return f"container {environment.container_id or '?'}"
    fields = part_fields(environment)
    kind = fields.pop("type", None)
    return f"{kind or 'environment'} {one_line(str(fields), 200)}" if fields else str(kind or "?")


@renders("shell_call")
def render_shell_call(item: Item, ctx: RenderContext) -> Document:
    assert isinstance(item, ShellCall)
    builder = DocBuilder(item, ctx)
    action = item.action
    commands = action.commands if action is not None else None
    if commands is None:
        builder.section("Commands", dim("(none)"))
    else:
        builder.block("Commands", commands_block(commands, ctx))
    builder.fields(
        "Details",
        [
            ("environment", environment_text(item.environment)),
            ("timeout", duration_ms(action.timeout_ms) if action is not None else None),
            ("max output", characters(action.max_output_length) if action is not None else None),
            ("call id", item.call_id),
            ("caller", caller_text(item.caller)),
        ],
    )
    add_output_partner(builder)
    return builder.document()


def _partner_commands(ctx: RenderContext) -> list[str] | None:
    partner = ctx.partner
    if isinstance(partner, ShellCall) and partner.action is not None:
        return partner.action.commands
    return None


def outcome_text(outcome: Any) -> Text:
    if outcome is None:
        return dim("(no outcome)")
    if isinstance(outcome, ExitOutcome):
        code = outcome.exit_code
        return Text(f"exit {code}", style="green" if code == 0 else "bold red")
    if isinstance(outcome, TimeoutOutcome):
        return Text("timed out", style="bold red")
    return value_text(part_fields(outcome))


@renders("shell_call_output")
def render_shell_call_output(item: Item, ctx: RenderContext) -> Document:
    assert isinstance(item, ShellCallOutput)
    builder = DocBuilder(item, ctx)
    add_call_partner(builder)
    commands = _partner_commands(ctx)
    outputs = item.output
    if outputs is None:
        builder.section("Output", dim("(none)"))
    elif not outputs:
        builder.section("Output", dim("(no commands ran)"))
    summary = Table.grid(padding=(0, 2))
    summary.add_column(style="dim", no_wrap=True)
    summary.add_column(no_wrap=True)
    summary.add_column(overflow="fold")
    for position, output in enumerate(outputs or ()):
        number = position + 1
        command = commands[position] if commands is not None and position < len(commands) else None
        label = f"command {number}"
        if isinstance(command, str):
            label += f": {one_line(command, COMMAND_TITLE)}"
        stdout, stderr = output.stdout, output.stderr
        if stdout:
            builder.block(f"stdout · {label}", text_block(stdout, ctx, ansi=True))
        if stderr:
            builder.block(f"stderr · {label}", text_block(stderr, ctx, ansi=True))
        if not stdout and not stderr:
            builder.section(f"output · {label}", dim("(no output)"))
        summary.add_row(
            Text(f"command {number}"),
            outcome_text(output.outcome),
            Text(visible(one_line(command, 200))) if isinstance(command, str) else Text(""),
        )
    if outputs:
        builder.section("Outcome", summary)
    builder.fields(
        "Details",
        [
            ("max output", characters(item.max_output_length)),
            ("call id", item.call_id),
            ("caller", caller_text(item.caller)),
        ],
    )
    return builder.document()


@renders("local_shell_call")
def render_local_shell_call(item: Item, ctx: RenderContext) -> Document:
    assert isinstance(item, LocalShellCall)
    builder = DocBuilder(item, ctx)
    action = item.action
    if action is None or action.command is None:
        builder.section("Command", dim("(none)"))
    else:
        try:
            line = shlex.join(str(part) for part in action.command)
        except Exception:
            line = " ".join(str(part) for part in action.command)
        builder.block("Command", code_block(line, "bash", ctx))
    if action is not None:
        builder.fields(
            "Details",
            [
                ("working directory", action.working_directory),
                ("user", action.user),
                ("timeout", duration_ms(action.timeout_ms)),
                ("action", action.type),
                ("call id", item.call_id),
            ],
        )
        if action.env:
            env = Table.grid(padding=(0, 1))
            env.add_column(style="bold", no_wrap=True)
            env.add_column(overflow="fold")
            for key, value in action.env.items():
                env.add_row(Text(visible(str(key))), value_text(value, ctx))
            builder.section("Environment", env)
    else:
        builder.fields("Details", [("call id", item.call_id)])
    add_output_partner(builder)
    return builder.document()


@renders("local_shell_call_output")
def render_local_shell_call_output(item: Item, ctx: RenderContext) -> Document:
    assert isinstance(item, LocalShellCallOutput)
    builder = DocBuilder(item, ctx)
    add_call_partner(builder)
    output = item.output
    if output is None:
        builder.section("Output", dim("(none)"))
        return builder.document()
    ok, parsed = parse_json_text(output, ctx)
    if not ok:
        builder.block("Output", text_block(output, ctx, ansi=True))
        if not too_large_to_parse(output, ctx):
            builder.note("output: not valid JSON")
        return builder.document()
    if isinstance(parsed, dict):
        shown: set[str] = set()
        for key, title in (("output", "Output"), ("stdout", "stdout"), ("stderr", "stderr")):
            text = parsed.get(key)
            if isinstance(text, str):
                shown.add(key)
                builder.block(title, text_block(text, ctx, ansi=True) if text else Block(dim("(no output)")))
        metadata = parsed.get("metadata")
        facts = dict(metadata) if isinstance(metadata, dict) else {}
        if isinstance(metadata, dict):
            shown.add("metadata")
        for key in ("exit_code", "duration_seconds"):
            if key in parsed and key not in facts:
                facts[key] = parsed[key]
                shown.add(key)
        if facts:
            rows: list[tuple[str, Any]] = []
            exit_code = facts.pop("exit_code", None)
            if exit_code is not None:
                style = "green" if exit_code == 0 else "bold red"
                rows.append(("exit code", Text(visible(str(exit_code)), style=style)))
            seconds = facts.pop("duration_seconds", None)
            if seconds is not None:
                rows.append(("duration", f"{seconds} s"))
            rows.extend((str(key), value) for key, value in facts.items())
            builder.fields("Outcome", rows)
        rest = {key: value for key, value in parsed.items() if key not in shown}
        if rest:
            builder.block("More output fields", json_block(rest, ctx))
        return builder.document()
    builder.block("Output", json_block(parsed, ctx))
    return builder.document()
