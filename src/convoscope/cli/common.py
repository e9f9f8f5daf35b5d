"""What every command shares: connection options, the conversation argument, item types, and
building a client from them."""

from __future__ import annotations

import argparse
import difflib
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING

from convoscope.api.errors import one_line
from convoscope.api.locators import base_url_problem, conversation_id_in, describe_base_url_problem

if TYPE_CHECKING:
    from convoscope.api import ConversationsClient, RetryEvent
    from convoscope.storage.profiles import ResolvedProfile

# Kinds of server whose item types convoscope knows all of: a type it does not know is a typo.
# Other ("compatible") servers may define their own, so an unknown type there is only a warning.
KINDS_WITH_KNOWN_TYPES = frozenset({"openai", "azure-openai", "foundry", "demo"})


def base_url_argument(text: str) -> str:
    """argparse `type=` for --base-url: refuse what cannot be one before any request is made."""
    if problem := base_url_problem(text):
        raise argparse.ArgumentTypeError(describe_base_url_problem(text, problem))
    return text


def conversation_argument(text: str) -> str:
    """argparse `type=` for a conversation: an id or any URL holding one, exactly as the picker;
    a saved file's path passes as it is (a file name may hold a `conv_…` id too)."""
    from convoscope.api.files import looks_like_file, meant_as_file

    if looks_like_file(text):
        return text
    if meant_as_file(text):
        raise argparse.ArgumentTypeError(f"no such file: {one_line(text, 200)}")
    conversation_id = conversation_id_in(text)
    if conversation_id is None:
        raise argparse.ArgumentTypeError(
            f"no conversation id in {one_line(text, 80)!r}: give an id like conv_68c1f0a2… or a URL containing one"
        )
    return conversation_id


def add_conversation_argument(parser: argparse.ArgumentParser, **options: object) -> None:
    options.setdefault("help", "a conversation id (conv_…) or a URL containing one, as the picker takes")
    parser.add_argument("conversation_id", metavar="CONVERSATION", type=conversation_argument, **options)


def add_profile_option(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    parser.add_argument(
        "--profile",
        metavar="NAME",
        help="use this profile (see `convoscope profiles`; default: the config's "
        "default_profile, else openai)",
    )


def add_base_url_option(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    parser.add_argument(
        "--base-url",
        metavar="URL",
        type=base_url_argument,
        help="API base URL, replacing the profile's (openai's: $OPENAI_BASE_URL or "
        "https://api.openai.com/v1)",
    )


def add_type_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--type",
        dest="types",
        action="append",
        default=[],
        metavar="T",
        help="only items of this type (repeat, or separate with commas)",
    )


def add_include_option(parser: argparse.ArgumentParser) -> None:
    from convoscope.api.include import INCLUDE_VALUES

    parser.add_argument(
        "--include",
        action="append",
        default=[],
        metavar="X",
        help="ask for a field the server leaves out by default (repeatable; default: the "
        "profile's `include` from the config): " + ", ".join(INCLUDE_VALUES),
    )


def check_includes(parser: argparse.ArgumentParser, values: Iterable[str]) -> None:
    from convoscope.api.include import INCLUDE_VALUES

    unknown = [value for value in values if value not in INCLUDE_VALUES]
    if unknown:
        parser.error(f"unknown --include value {unknown[0]!r}; choose from: {', '.join(INCLUDE_VALUES)}")


def split_types(values: Iterable[str]) -> set[str]:
    """`--type a,b --type c` → {a, b, c}."""
    return {t.strip() for value in values for t in value.split(",") if t.strip()}


def check_item_types(
    parser: argparse.ArgumentParser, args: argparse.Namespace, types: Iterable[str]
) -> None:
    """Refuse an item type convoscope does not know (a typo filters out everything, silently),
    with a "did you mean"; on a server that may have its own types, only warn."""
    from convoscope.api.models.registry import ITEM_TYPES

    unknown = sorted(t for t in types if t not in ITEM_TYPES)
    if not unknown:
        return
    kind = "demo" if getattr(args, "demo", False) else resolve_from_args(args).profile.kind
    for item_type in unknown:
        guess = difflib.get_close_matches(item_type, list(ITEM_TYPES), n=1)
        hint = f" (did you mean {guess[0]}?)" if guess else ""
        if kind in KINDS_WITH_KNOWN_TYPES:
            parser.error(
                f"unknown item type {item_type!r}{hint}; `convoscope items CONVERSATION` shows "
                "each item's type"
            )
        print(
            f"convoscope: warning: {item_type!r} is not an item type convoscope knows{hint}; "
            f"filtering on it anyway, as a {kind} server may have its own types",
            file=sys.stderr,
        )


def add_connection_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("connection")
    add_profile_option(group)
    add_base_url_option(group)
    group.add_argument(
        "--demo",
        action="store_true",
        help="use the bundled demo server in-process (no account, no network)",
    )


def resolve_from_args(args: argparse.Namespace) -> ResolvedProfile:
    """The profile `--profile`/`--base-url` select; raises `SetupError` with a one-line message."""
    # Imported when a command connects, not when it parses: `--help` stays instant.
    from convoscope.storage.profiles import resolve_profile

    return resolve_profile(getattr(args, "profile", None), base_url=getattr(args, "base_url", None))


def build_client(args: argparse.Namespace, **client_options: object) -> ConversationsClient:
    """A client for the chosen server. `--demo` runs the demo app in-process over ASGI."""
    from convoscope.api import ConversationsClient, Profile

    if getattr(args, "demo", False):
        import httpx

        from convoscope.demo.app import create_app

        transport = httpx.ASGITransport(app=create_app())
        return ConversationsClient(Profile.demo(), transport=transport, **client_options)
    return ConversationsClient(resolve_from_args(args).profile, **client_options)


def print_retry_to_stderr(event: RetryEvent) -> None:
    if event.finished:
        return
    print(f"convoscope: {event.describe()}", file=sys.stderr, flush=True)


def fail(message: str) -> int:
    # Never cut: the end of an error (the request id, what to do) is often the useful part.
    print(f"convoscope: error: {one_line(message, 100_000)}", file=sys.stderr, flush=True)
    return 1
