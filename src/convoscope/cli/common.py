"""What every command shares: connection options and building a client from them."""

from __future__ import annotations

import argparse
import sys

from convoscope.api import ConversationsClient, Profile, RetryEvent
from convoscope.api.errors import one_line


def add_connection_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("connection")
    group.add_argument(
        "--base-url",
        metavar="URL",
        help="API base URL (default: $OPENAI_BASE_URL or https://api.openai.com/v1)",
    )
    group.add_argument(
        "--demo",
        action="store_true",
        help="use the bundled demo server in-process (no account, no network)",
    )


def build_client(args: argparse.Namespace, **client_options: object) -> ConversationsClient:
    """A client for the chosen server. `--demo` runs the demo app in-process over ASGI."""
    if args.demo:
        import httpx

        from convoscope.demo.app import create_app

        transport = httpx.ASGITransport(app=create_app())
        return ConversationsClient(Profile.demo(), transport=transport, **client_options)
    return ConversationsClient(Profile.from_env(base_url=args.base_url), **client_options)


def print_retry_to_stderr(event: RetryEvent) -> None:
    print(f"convoscope: {event.describe()}", file=sys.stderr, flush=True)


def fail(message: str) -> int:
    print(f"convoscope: error: {one_line(message, 500)}", file=sys.stderr, flush=True)
    return 1
