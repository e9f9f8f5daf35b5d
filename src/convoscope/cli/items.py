"""`convoscope items ID`: write every item of a conversation, through the viewer's paging code."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import time
from collections.abc import Sequence
from typing import TextIO

from convoscope.api import APIError, AuthenticationError, Profile, RetryEvent
from convoscope.api.models import Item
from convoscope.cli.common import (
    add_connection_options,
    add_conversation_argument,
    add_include_option,
    add_type_option,
    check_includes,
    check_item_types,
    fail,
    print_retry_to_stderr,
    split_types,
)
from convoscope.cli.sources import open_source
from convoscope.paging import WalkSummary, walk_items
from convoscope.render.export import jsonl_line
from convoscope.render.text import visible

FLUSH_EVERY = 100
INCOMPLETE_EXIT = 3
"""Exit status when the output is known or suspected to be incomplete (a server that ignores the
paging cursor, says there is more without a cursor, ...): distinct from errors (1)."""
STALL_NOTE_S = float(os.environ.get("CONVOSCOPE_STALL_NOTE_S") or 10)
"""Seconds without an answer before stderr says we are still waiting (the env var is for tests)."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="convoscope items",
        description="Write every item of a conversation, oldest first, one per line.",
    )
    add_conversation_argument(parser, help="a conversation id, a URL containing one, a resp_ id, or a saved file")
    add_connection_options(parser)
    add_type_option(parser)
    parser.add_argument("--order", choices=("asc", "desc"), default="asc")
    add_include_option(parser)
    parser.add_argument(
        "--jsonl",
        action="store_true",
        help="one JSON object per line, exactly as the server sent it (default: readable lines)",
    )
    return parser


def main(argv: Sequence[str]) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    check_includes(parser, args.include)
    args.types = split_types(args.types)
    check_item_types(parser, args, args.types)
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        return asyncio.run(write_items(args, sys.stdout))
    except _Terminated:
        return 128 + signal.SIGTERM  # stopped on request; the lines written so far are whole
    except BrokenPipeError:
        # The reader went away (`| head`): that is success, not a traceback. Point stdout at
        # /dev/null so the interpreter's final flush does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)


class _Terminated(KeyboardInterrupt):
    """SIGTERM, stopped like Ctrl-C: the walk is cancelled and buffered lines are written whole.

    Killed outright, the process would leave the last line cut wherever its buffer was flushed.
    """


def _terminate(signum: int, frame: object) -> None:
    raise _Terminated()


async def write_items(args: argparse.Namespace, out: TextIO) -> int:
    summary = WalkSummary()
    format_item = _json_line if args.jsonl else _readable_line
    silence = _Silence()

    def on_retry(event: RetryEvent) -> None:
        silence.heard()
        print_retry_to_stderr(event)

    async with open_source(args, args.conversation_id, on_retry=on_retry) as source:
        client = source.client
        include = args.include or client.profile.default_include
        watchdog = asyncio.create_task(silence.note_while_silent(STALL_NOTE_S))
        try:
            await source.resolve()
            written = 0
            async for item in walk_items(
                client, source.conversation_id, order=args.order, include=include, summary=summary
            ):
                silence.heard()
                if item.repair:
                    print(f"convoscope: warning: item {visible(item.id or '(no id)')}: {item.repair}", file=sys.stderr)
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
        finally:
            watchdog.cancel()
    return _report_walk(summary)


def _report_walk(summary: WalkSummary) -> int:
    """Say on stderr how the walk ended when it is not simply "everything, once"; the exit status."""
    if summary.duplicates_dropped:
        print(
            f"convoscope: warning: the server sent {summary.duplicates_dropped:,} repeated "
            f"item{'s' if summary.duplicates_dropped != 1 else ''}; each id is written once",
            file=sys.stderr,
        )
    if summary.stop is None or summary.complete:
        if summary.unpaged:
            print(
                f"convoscope: note: this server ignores the paging cursor; all {summary.items:,} "
                "items came in one request",
                file=sys.stderr,
            )
        return 0
    print(
        f"convoscope: warning: incomplete: stopped after {summary.items:,} items: "
        f"{summary.stop.value} (exit status {INCOMPLETE_EXIT})",
        file=sys.stderr,
    )
    return INCOMPLETE_EXIT


class _Silence:
    """Notes on stderr when the server has said nothing for a while (a stalled request)."""

    def __init__(self) -> None:
        self.last = time.monotonic()
        self.notes = 0

    def heard(self) -> None:
        self.last = time.monotonic()
        self.notes = 0

    async def note_while_silent(self, every_s: float) -> None:
        while True:
            await asyncio.sleep(min(every_s / 4, 1.0))
            quiet = time.monotonic() - self.last
            if quiet >= every_s * (self.notes + 1):
                self.notes += 1
                print(
                    f"convoscope: still waiting for the server: no answer for {quiet:.0f} s "
                    "(Ctrl-C to stop)",
                    file=sys.stderr,
                    flush=True,
                )


def _missing_key_hint(error: Exception, profile: Profile) -> str:
    """A 401 with no key sent is most likely just that: say where to look."""
    if isinstance(error, AuthenticationError) and profile.api_key is None:
        return f" (no key for profile {profile.name}: see `convoscope auth status --profile {profile.name}`)"
    return ""


def _json_line(item: Item) -> str:
    return jsonl_line(item)  # one definition for `items --jsonl` and `export --format jsonl`


def _readable_line(item: Item) -> str:
    status = f"  [{item.status}]" if item.status and item.status != "completed" else ""
    return visible(f"{item.id or '-'}  {item.type:<24} {item.label:<18} {item.summary()}{status}") + "\n"
