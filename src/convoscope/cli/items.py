"""`convoscope items ID`: write every item of a conversation, through the viewer's paging code."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import sys
from collections.abc import Sequence
from typing import TextIO

from convoscope.api import APIError, AuthenticationError, Profile
from convoscope.api.include import INCLUDE_VALUES
from convoscope.api.models import Item
from convoscope.cli.common import add_connection_options, build_client, fail, print_retry_to_stderr
from convoscope.paging import WalkStop, WalkSummary, walk_items
from convoscope.render.text import TERMINAL_UNSAFE_CHARS, visible

FLUSH_EVERY = 100

# Characters JSON allows raw but a terminal would act on (DEL, C1 controls, bidi overrides) or
# cannot encode (lone surrogates): escaping them keeps each line valid JSON and stdout safe.
_JSON_UNSAFE = re.compile(f"[{TERMINAL_UNSAFE_CHARS}]")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="convoscope items",
        description="Write every item of a conversation, oldest first, one per line.",
    )
    parser.add_argument("conversation_id", metavar="CONVERSATION_ID")
    add_connection_options(parser)
    parser.add_argument(
        "--type",
        dest="types",
        action="append",
        default=[],
        metavar="T",
        help="only items of this type (repeat, or separate with commas)",
    )
    parser.add_argument("--order", choices=("asc", "desc"), default="asc")
    parser.add_argument(
        "--include",
        action="append",
        default=[],
        metavar="X",
        help="ask for a field the server leaves out by default (repeatable; default: the "
        "profile's `include` from the config): " + ", ".join(INCLUDE_VALUES),
    )
    parser.add_argument(
        "--jsonl",
        action="store_true",
        help="one JSON object per line, exactly as the server sent it (default: readable lines)",
    )
    return parser


def main(argv: Sequence[str]) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    unknown = [value for value in args.include if value not in INCLUDE_VALUES]
    if unknown:
        parser.error(f"unknown --include value {unknown[0]!r}; choose from: {', '.join(INCLUDE_VALUES)}")
    args.types = {t.strip() for value in args.types for t in value.split(",") if t.strip()}
    try:
        return asyncio.run(write_items(args, sys.stdout))
    except BrokenPipeError:
        # The reader went away (`| head`): that is success, not a traceback. Point stdout at
        # /dev/null so the interpreter's final flush does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


async def write_items(args: argparse.Namespace, out: TextIO) -> int:
    summary = WalkSummary()
    format_item = _json_line if args.jsonl else _readable_line
    async with build_client(args, on_retry=print_retry_to_stderr) as client:
        include = args.include or client.profile.default_include
        try:
            written = 0
            async for item in walk_items(
                client, args.conversation_id, order=args.order, include=include, summary=summary
            ):
                if args.types and item.type not in args.types:
                    continue
                out.write(format_item(item))
                written += 1
                if written % FLUSH_EVERY == 0:
                    out.flush()
            out.flush()
        except (APIError, ValueError) as error:
            out.flush()
            return fail(str(error) + _missing_key_hint(error, client.profile))
    if summary.stop not in (WalkStop.COMPLETE, None):
        print(
            f"convoscope: warning: stopped after {summary.items} items: {summary.stop.value}",
            file=sys.stderr,
        )
    return 0


def _missing_key_hint(error: Exception, profile: Profile) -> str:
    """A 401 with no key sent is most likely just that: say where to look."""
    if isinstance(error, AuthenticationError) and profile.api_key is None:
        return f" (no key for profile {profile.name}: see `convoscope auth status --profile {profile.name}`)"
    return ""


def _json_line(item: Item) -> str:
    text = json.dumps(item.raw, ensure_ascii=False, separators=(",", ":"))
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n"


def _readable_line(item: Item) -> str:
    status = f"  [{item.status}]" if item.status and item.status != "completed" else ""
    return visible(f"{item.id or '-'}  {item.type:<24} {item.label:<18} {item.summary()}{status}") + "\n"
