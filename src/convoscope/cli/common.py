"""What every command shares: connection options and building a client from them."""

from __future__ import annotations

import argparse
import sys

from convoscope.api import ConversationsClient, Profile, RetryEvent
from convoscope.api.errors import one_line
from convoscope.storage.profiles import ResolvedProfile, resolve_profile


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
        help="API base URL, replacing the profile's (openai's: $OPENAI_BASE_URL or "
        "https://api.openai.com/v1)",
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
    return resolve_profile(getattr(args, "profile", None), base_url=getattr(args, "base_url", None))


def build_client(args: argparse.Namespace, **client_options: object) -> ConversationsClient:
    """A client for the chosen server. `--demo` runs the demo app in-process over ASGI."""
    if getattr(args, "demo", False):
        import httpx

        from convoscope.demo.app import create_app

        transport = httpx.ASGITransport(app=create_app())
        return ConversationsClient(Profile.demo(), transport=transport, **client_options)
    return ConversationsClient(resolve_from_args(args).profile, **client_options)


def print_retry_to_stderr(event: RetryEvent) -> None:
    print(f"convoscope: {event.describe()}", file=sys.stderr, flush=True)


def fail(message: str) -> int:
    print(f"convoscope: error: {one_line(message, 500)}", file=sys.stderr, flush=True)
    return 1
