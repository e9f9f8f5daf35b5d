"""`convoscope export CONVERSATION -o FILE [--format jsonl|json|md|html]`: save a conversation.

JSONL is lossless (byte for byte what `items --jsonl` writes); JSON is one document with the
conversation object and its items; Markdown and HTML are readable transcripts. The file appears
only when complete (see render/export.py). Progress goes to stderr when it is a terminal.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from convoscope.api import APIError
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
from convoscope.render.export import FORMAT_NAMES, FORMATS, ExportRequest, ExportResult, export_conversation, format_for_path

PROGRESS_INTERVAL_S = 0.2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="convoscope export",
        description="Save a conversation to a file: JSONL (lossless, as `items --jsonl`), JSON "
        "(the conversation and its items in one document), Markdown or HTML (readable transcripts; "
        "Markdown puts images in FILE_files/ beside it, HTML inlines them). The file appears only "
        "when the export is complete.",
    )
    add_conversation_argument(parser)
    parser.add_argument("-o", "--output", metavar="FILE", required=True, type=Path,
                        help="where to write (replaced when the export completes)")
    parser.add_argument("-f", "--format", choices=list(FORMATS),
                        help="default: from FILE's extension (" + ", ".join(
                            f"{suffix} {name}" for name, suffix in FORMATS.items()) + ")")
    add_connection_options(parser)
    add_type_option(parser)
    add_include_option(parser)
    return parser


def main(argv: Sequence[str]) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.format = args.format or format_for_path(args.output)
    if args.format is None:
        parser.error(f"say which format with --format ({', '.join(FORMATS)}): {args.output.name!r} "
                     "has no extension that names one")
    if args.output.is_dir():
        parser.error(f"{str(args.output)!r} is a folder: give a file name")
    if not args.output.parent.is_dir():
        parser.error(f"no folder {str(args.output.parent)!r} to write {args.output.name!r} into")
    check_includes(parser, args.include)
    args.types = split_types(args.types)
    check_item_types(parser, args, args.types)
    return asyncio.run(run_export(args))


async def run_export(args: argparse.Namespace) -> int:
    progress = TerminalProgress() if sys.stderr.isatty() else None
    # A saved file or a resp_ id works as well as a conversation id (cli/sources.py).
    async with open_source(args, args.conversation_id, on_retry=print_retry_to_stderr) as source:
        client = source.client
        try:
            await source.resolve()
            request = ExportRequest(
                conversation_id=source.conversation_id,
                format=args.format,
                path=args.output,
                include=tuple(args.include),
                types=frozenset(args.types),
            )
            result = await export_conversation(
                client, request, on_progress=progress.update if progress else None
            )
        except APIError as error:
            return fail(f"nothing written: {error}")
        except OSError as error:
            return fail(f"cannot write {args.output}: {error.strerror or error}")
        finally:
            if progress is not None:
                progress.clear()
    report(result, FORMAT_NAMES[args.format])
    return 0


def report(result: ExportResult, format_name: str) -> None:
    if not result.complete and result.stop is not None:
        print(f"convoscope: warning: exported {result.items} items, then stopped: {result.stop.value}",
              file=sys.stderr)
    if sys.stderr.isatty():
        images = f" and {result.images} images in {result.images_dir}" if result.images_dir else ""
        print(f"Wrote {result.items:,} items as {format_name} to {result.path}{images}.", file=sys.stderr)


class TerminalProgress:
    """"exporting… 1,200 items" on one stderr line, redrawn at most five times a second."""

    def __init__(self) -> None:
        self.shown_at = 0.0
        self.drawn = False

    def update(self, items: int) -> None:
        now = time.monotonic()
        if now - self.shown_at < PROGRESS_INTERVAL_S:
            return
        self.shown_at = now
        self.drawn = True
        print(f"\rexporting… {items:,} items", end="", file=sys.stderr, flush=True)

    def clear(self) -> None:
        if self.drawn:
            print("\r\x1b[K", end="", file=sys.stderr, flush=True)
