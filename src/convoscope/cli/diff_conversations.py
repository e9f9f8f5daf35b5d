"""`convoscope diff A B`: compare two conversations (ids, URLs, resp_ ids or files; any servers).

Without `--format text` it opens the diff screen; with it, a unified summary for scripts.
Exit status: 0 equal, 1 different, 2 trouble (as diff(1)).
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from convoscope.api import APIError
from convoscope.api.models import parse_item
from convoscope.cli.common import (
    add_connection_options,
    base_url_argument,
    conversation_argument,
    print_retry_to_stderr,
)
from convoscope.cli.sources import open_source
from convoscope.render.text import visible
from convoscope.storage.errors import SetupError
from convoscope.transfer.compare import MISSING, FieldChange, changed_region
from convoscope.transfer.copier import describe_source, read_source
from convoscope.transfer.diff import Change, ConversationDiff, DiffRow, diff_items

EXIT_TROUBLE = 2
VALUE_CHARS = 80
FOLD_AT = 3

EPILOG = """\
The demo server holds two variants of one support conversation, before and after a change to
its system prompt: conv_demo_prompt_before and conv_demo_prompt_after.
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="convoscope diff",
        description="Compare two conversations item by item (type and content; ids and server "
        "bookkeeping aside). Exit status: 0 equal, 1 different, 2 trouble.",
        epilog=EPILOG,
    )
    parser.add_argument("a", metavar="A", type=conversation_argument,
                        help="a conversation id, a URL containing one, a resp_ id, or a saved file")
    parser.add_argument("b", metavar="B", type=conversation_argument, help="the other one")
    parser.add_argument("--format", choices=("tui", "text"), default="tui",
                        help="tui: the side-by-side diff screen (default); text: a summary for scripts")
    add_connection_options(parser)
    group = parser.add_argument_group("B on another server (default: the same as A)")
    group.add_argument("--profile-b", metavar="NAME", help="the profile for B")
    group.add_argument("--base-url-b", metavar="URL", type=base_url_argument, help="the base URL for B")
    return parser


def main(argv: Sequence[str]) -> int:
    args = build_parser().parse_args(argv)
    if args.format == "tui":
        print("convoscope: reading both conversations…", file=sys.stderr, flush=True)
    try:
        loaded = asyncio.run(load_both(args))
    except (APIError, SetupError) as error:
        print(f"convoscope: error: {visible(str(error))}", file=sys.stderr)
        return EXIT_TROUBLE
    (label_a, items_a), (label_b, items_b) = loaded
    result = diff_items(items_a, items_b)
    if args.format == "text":
        write_text(result, label_a, label_b, sys.stdout)
    else:
        from convoscope.tui.diff import DiffApp

        DiffApp(result, label_a, label_b).run()
    return 0 if result.equal else 1


def options_for_b(args: argparse.Namespace) -> argparse.Namespace:
    b = copy.copy(args)
    if args.profile_b or args.base_url_b:
        b.profile, b.base_url, b.demo = args.profile_b or args.profile, args.base_url_b, False
    return b


async def load_both(args: argparse.Namespace) -> list[tuple[str, list[dict[str, Any]]]]:
    return list(await asyncio.gather(load(args, args.a), load(options_for_b(args), args.b)))


async def load(args: argparse.Namespace, target: str) -> tuple[str, list[dict[str, Any]]]:
    async with open_source(args, target, on_retry=print_retry_to_stderr) as source:
        await source.resolve(quiet=True)
        _, items, stopped = await read_source(source.client, source.conversation_id)
        label = describe_source(source.client, source.conversation_id)
        if stopped:
            print(f"convoscope: warning: {visible(label)}: only {len(items):,} items ({stopped})", file=sys.stderr)
        return label, items


# --- the text format ---------------------------------------------------------------------------------


def write_text(result: ConversationDiff, label_a: str, label_b: str, out: TextIO) -> None:
    out.write(f"--- A {visible(label_a)} ({result.left_count:,} items)\n")
    out.write(f"+++ B {visible(label_b)} ({result.right_count:,} items)\n")
    for change, run in result.runs():
        if change is Change.EQUAL and len(run) >= FOLD_AT:
            out.write(f"@@ {len(run):,} equal items (A {run[0].left_index + 1}–{run[-1].left_index + 1}, "
                      f"B {run[0].right_index + 1}–{run[-1].right_index + 1}) @@\n")
            continue
        for row in run:
            out.write(text_row(row))
    out.write(result.summary() + "\n")


def text_row(row: DiffRow) -> str:
    if row.change is Change.CHANGED:
        lines = [f"~ A{row.left_index + 1} B{row.right_index + 1} {describe(row.left)}\n"]
        lines += [f"    {visible(c.path)}: {change_text(c)}\n" for c in row.fields()]
        return "".join(lines)
    if row.change is Change.REMOVED:
        return f"- A{row.left_index + 1} {describe(row.left)}\n"
    if row.change is Change.ADDED:
        return f"+ B{row.right_index + 1} {describe(row.right)}\n"
    return f"  A{row.left_index + 1} B{row.right_index + 1} {describe(row.left)}\n"


def describe(raw: dict[str, Any] | None) -> str:
    """`message · user: Hi there…`, one terminal-safe line."""
    item = parse_item(raw)
    return visible(f"{item.type} · {item.summary()}")[:160]


def change_text(change: FieldChange) -> str:
    """`"…up to $25 need no…" → "…need a human agent's…"`: for strings, only what differs."""
    before, after = change.before, change.after
    if isinstance(before, str) and isinstance(after, str):
        before, after = changed_region(before, after)
    return f"{value(before)} → {value(after)}"


def value(raw: Any) -> str:
    if raw is MISSING:
        return "(absent)"
    text = visible(json.dumps(raw, ensure_ascii=False))
    return text if len(text) <= VALUE_CHARS else text[: VALUE_CHARS - 1] + "…"
