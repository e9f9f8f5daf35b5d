"""`convoscope copy SOURCE --to PROFILE_OR_BASE_URL`: copy a conversation to another server.

The new conversation's id goes to stdout; the plan, progress, and the verification to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Sequence

from convoscope.api import APIError, ConversationsClient
from convoscope.api.files import UNREADABLE_TYPE
from convoscope.cli.common import (
    add_connection_options,
    base_url_argument,
    check_item_types,
    conversation_argument,
    fail,
    print_retry_to_stderr,
    split_types,
)
from convoscope.cli.sources import Source, open_source
from convoscope.render.text import visible
from convoscope.storage.profiles import resolve_profile
from convoscope.transfer.copier import CopyError, CopyPlan, describe_source, plan_copy, run_copy, verify_copy
from convoscope.transfer.journal import Journal

BAR_WIDTH = 30


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="convoscope copy",
        description="Copy a conversation to another server or profile: a new conversation with the "
        "same metadata (plus copied_from) and the same items in order, then verified.",
    )
    parser.add_argument("source", metavar="SOURCE", type=conversation_argument,
                        help="a conversation id, a URL containing one, a resp_ id, or a saved file")
    parser.add_argument("--to", required=True, metavar="PROFILE_OR_BASE_URL",
                        help="where to copy to: a profile name, or a base URL (with the default profile's key)")
    parser.add_argument("--type", dest="types", action="append", default=[], metavar="T",
                        help="copy only items of this type (repeat, or separate with commas)")
    parser.add_argument("--dry-run", action="store_true",
                        help="say what would be written and what the target would refuse; write nothing")
    parser.add_argument("--skip-unsupported", action="store_true",
                        help="leave out the item types the target refuses (default: stop before writing)")
    add_connection_options(parser)
    return parser


def main(argv: Sequence[str]) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.types = sorted(split_types(args.types))
    check_item_types(parser, args, args.types)
    if args.to.startswith(("http://", "https://")):
        base_url_argument_or_exit(parser, args.to)
    try:
        return asyncio.run(copy_conversation(args))
    except KeyboardInterrupt:
        print("\nconvoscope: copy interrupted: run the same command again to continue it "
              "(nothing is written twice)", file=sys.stderr)
        return 130


def base_url_argument_or_exit(parser: argparse.ArgumentParser, url: str) -> None:
    try:
        base_url_argument(url)
    except argparse.ArgumentTypeError as problem:
        parser.error(f"--to: {problem}")


def target_client(target: str) -> ConversationsClient:
    """A profile name, or a base URL (used with the default profile's key and auth)."""
    if target.startswith(("http://", "https://")):
        profile = resolve_profile(None, base_url=target).profile
    else:
        profile = resolve_profile(target).profile
    return ConversationsClient(profile, on_retry=print_retry_to_stderr)


def source_label(source: Source) -> str:
    return describe_source(source.client, source.conversation_id)


async def copy_conversation(args: argparse.Namespace) -> int:
    async with open_source(args, args.source, on_retry=print_retry_to_stderr) as source, target_client(args.to) as target:
        try:
            await source.resolve()
            say(f"reading {source_label(source)} and checking which item types {target.profile.base_url} accepts…")
            plan = await plan_copy(source.client, source.conversation_id, target, types=args.types, label=source_label(source))
            describe_plan(plan, args)
            if plan.source_incomplete and not args.dry_run:
                raise CopyError(f"the source could not be read to its end ({plan.source_incomplete}); "
                                "not copying part of a conversation")
            if args.dry_run:
                return 1 if plan.refused and not args.skip_unsupported else 0
            journal = Journal.for_copy(
                source.client.profile.base_url, source.conversation_id,
                target.profile.name, target.profile.base_url, args.types,
            )
            if journal.problem:
                say(f"warning: {journal.problem}")
            if journal.entry.target_conversation_id and journal.entry.done:
                say(f"this copy was made before, into {journal.entry.target_conversation_id}: checking it "
                    f"(delete {journal.path} to make a new one)")
            elif journal.entry.target_conversation_id:
                say(f"continuing the earlier copy into {journal.entry.target_conversation_id}")
            result = await run_copy(
                plan, target, journal, skip_unsupported=args.skip_unsupported,
                on_progress=progress_bar(), on_warning=lambda m: say(f"warning: {m}"),
            )
            say(f"wrote {result.written:,} items" + (f" ({result.already_there:,} were there from before)"
                                                      if result.already_there else ""))
            verification = await verify_copy(target, result.conversation_id, plan.to_write(args.skip_unsupported))
        except (APIError, CopyError, ValueError) as error:
            return fail(visible(str(error)))
    print(visible(result.conversation_id), flush=True)
    say(verification.describe())
    return 0 if verification.ok else 1


def describe_plan(plan: CopyPlan, args: argparse.Namespace) -> None:
    if plan.source_incomplete:
        say(f"warning: the source stopped early ({plan.source_incomplete}): only {len(plan.items):,} items")
    for kind, count in sorted(plan.refused.items()):
        reason = visible(plan.refusal_reasons.get(kind, ""))[:160]
        where = "cannot be copied" if kind == UNREADABLE_TYPE else "refused by the target"
        say(f"{where}: {count} {kind} ({reason})")
    writable = len(plan.items) - sum(plan.refused.values())
    stops = plan.refused and not args.skip_unsupported
    if args.dry_run and stops:
        say(f"would stop before writing anything: {plan.refusal_report()} "
            f"(with --skip-unsupported, {writable:,} items would be copied)")
    elif args.dry_run:
        say(f"would copy {writable:,} items in {plan.requests():,} requests to {args.to}")
    elif not stops:
        say(f"copying {writable:,} items in {plan.requests():,} requests to {args.to}")


def progress_bar() -> Callable[[int, int], None]:
    """Draws `[#####-----] 120/450 items` on stderr when it is a terminal; else nothing."""
    if not sys.stderr.isatty():
        return lambda done, total: None

    def draw(done: int, total: int) -> None:
        filled = BAR_WIDTH * done // total if total else BAR_WIDTH
        end = "\n" if done >= total else ""
        print(f"\r[{'#' * filled}{'-' * (BAR_WIDTH - filled)}] {done:,}/{total:,} items", end=end,
              file=sys.stderr, flush=True)

    return draw


def say(message: str) -> None:
    """One line on stderr; ids and messages from a server are made terminal-safe."""
    print(f"convoscope: {visible(message)}", file=sys.stderr, flush=True)
