"""`convoscope [CONVERSATION_ID]`: start the terminal viewer."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from convoscope import __version__
from convoscope.cli.common import add_connection_options, build_client

EPILOG = """\
other commands:
  convoscope items CONVERSATION_ID [--jsonl] ...   write every item of a conversation
  convoscope demo-server [--port 8765] ...         serve the demo data as an API on a port
  convoscope profiles                              list profiles and where their keys come from
  convoscope auth login|status|logout [--profile]  store, check or remove a key in the keyring
  convoscope locate                                where the config, history and themes live

Run `convoscope COMMAND --help` for a command's options.
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="convoscope",
        description="A keyboard-driven terminal viewer for OpenAI Conversations API conversations.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "conversation_id",
        nargs="?",
        metavar="CONVERSATION_ID",
        help="open this conversation (without it: the conversation picker)",
    )
    add_connection_options(parser)
    parser.add_argument("--version", action="version", version=f"convoscope {__version__}")
    return parser


def main(argv: Sequence[str]) -> int:
    args = build_parser().parse_args(argv)
    from convoscope.tui.app import ConvoscopeApp

    app = ConvoscopeApp(build_client(args), conversation_id=args.conversation_id)
    app.run()
    return app.return_code or 0
