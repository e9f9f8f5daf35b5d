"""`convoscope [CONVERSATION]`: start the terminal viewer."""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Sequence

from convoscope import __version__

EPILOG = """\
other commands:
  convoscope items CONVERSATION [--jsonl] ...      write every item of a conversation
  convoscope export CONVERSATION -o FILE ...       save it as JSONL, JSON, Markdown or HTML
  convoscope copy SOURCE --to PROFILE_OR_URL ...   copy a conversation to another server
  convoscope diff A B [--format text] ...          compare two conversations
  convoscope demo-server [--port 8765] ...         serve the demo data as an API on a port
  convoscope profiles                              list profiles and where their keys come from
  convoscope auth login|status|logout [--profile]  store, check or remove a key in the keyring
  convoscope locate                                where the config, history and themes live

CONVERSATION is an id (conv_…), a URL containing one, a resp_ id, or a saved file. --profile,
--base-url and --demo go before or after the command. Run `convoscope COMMAND --help` for a command's options.
"""


@functools.cache  # built once: the command splitter reads its options too
def build_parser() -> argparse.ArgumentParser:
    # Imported here, not at the top: `--version` and `--help` answer without loading the client.
    from convoscope.cli.common import add_connection_options, add_conversation_argument

    parser = argparse.ArgumentParser(
        prog="convoscope",
        description="A keyboard-driven terminal viewer for OpenAI Conversations API conversations.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_conversation_argument(
        parser, nargs="?", help="open this conversation: an id (conv_…), a URL containing one, a "
        "resp_ id, or a saved file (JSONL of items, a JSON export, a saved list page); without it: "
        "the conversation picker"
    )
    add_connection_options(parser)
    parser.add_argument(
        "--theme",
        metavar="NAME",
        help="colour theme for this run (bundled: convoscope-dark, convoscope-light, convoscope-256, "
        "convoscope-contrast; yours: *.toml in the themes directory `convoscope locate` prints). "
        "Without it: `theme` in config.toml (where the viewer saves the one you pick with ctrl+p)",
    )
    parser.add_argument("--version", action="version", version=f"convoscope {__version__}")
    return parser


def _keymap_entries() -> tuple:
    from convoscope.storage.config import ConfigError, load_config

    try:
        return load_config().keymap_entries
    except ConfigError:
        return ()  # build_client has read the same file and said what is wrong with it


def main(argv: Sequence[str]) -> int:
    args = build_parser().parse_args(argv)
    from convoscope.cli.common import build_client
    from convoscope.cli.sources import open_source
    from convoscope.storage.config import load_config
    from convoscope.tui.app import ConvoscopeApp

    theme = args.theme or load_config().theme
    keymap = _keymap_entries()
    if args.conversation_id:
        source = open_source(args, args.conversation_id)
        app = ConvoscopeApp(source.client, conversation_id=source.conversation_id, theme=theme,
                            remember_theme_choice=True, keymap=keymap)
    else:
        app = ConvoscopeApp(build_client(args), theme=theme, remember_theme_choice=True, keymap=keymap)
    for problem in app.keymap_problems:  # shown in the app too; here they outlive it
        print(f"convoscope: key left as it was: {problem}", file=sys.stderr)
    app.run()
    return app.return_code or 0
