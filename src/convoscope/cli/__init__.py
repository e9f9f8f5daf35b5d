"""Command line: `convoscope [CONVERSATION]` (the viewer), `convoscope items`, `convoscope export`,
`convoscope demo-server`, `convoscope locate`, `convoscope profiles` and
`convoscope auth login|status|logout`.

The composition root: the only place that builds profiles, clients and servers and hands them to
the layers below. Each command is a module with `main(argv)`, imported only when it runs, so a
command that draws nothing never loads Textual.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

from convoscope.storage.errors import SetupError

COMMANDS: dict[str, str] = {
    "items": "convoscope.cli.items",
    "export": "convoscope.cli.export",
    "demo-server": "convoscope.cli.demo_server",
    "locate": "convoscope.cli.locate",
    "profiles": "convoscope.cli.profiles",
    "auth": "convoscope.cli.auth",
    "copy": "convoscope.cli.copy_conversation",
    "diff": "convoscope.cli.diff_conversations",
}
VIEWER = "convoscope.cli.viewer"


def main(argv: Sequence[str] | None = None) -> int:
    _skip_httpx_command_line_tool()
    args = list(sys.argv[1:] if argv is None else argv)
    module, command_args = split_command(args)
    try:
        return importlib.import_module(module).main(command_args)
    except SetupError as error:
        from convoscope.cli.common import fail

        # A bad config file, an unknown profile, no keyring: the user's to fix, in one line.
        return fail(str(error))
    except KeyboardInterrupt:
        # Ctrl-C is a normal way to leave; no traceback.
        print(file=sys.stderr)
        return 130


def _skip_httpx_command_line_tool() -> None:
    """httpx imports its own command-line tool (click, rich.syntax, pygments: about 45 ms of every
    start) whenever click is installed, and uvicorn installs it. convoscope never runs that tool:
    with its module marked absent, httpx defines the stand-in it has for a missing `httpx[cli]`."""
    sys.modules.setdefault("httpx._main", None)  # type: ignore[assignment]


def split_command(args: list[str]) -> tuple[str, list[str]]:
    """(the module that runs, its arguments). Global options (the viewer's: --profile, --base-url,
    --demo, ...) may come before the command: they are handed to it after its own arguments, where
    its parser takes them, or says it does not."""
    leading = _leading_global_options(args)
    rest = args[len(leading):]
    if rest and rest[0] in COMMANDS:
        return COMMANDS[rest[0]], [*rest[1:], *leading]
    return VIEWER, args


def _leading_global_options(args: list[str]) -> list[str]:
    from convoscope.cli.viewer import build_parser

    takes_value = {
        option: action.nargs != 0
        for action in build_parser()._actions
        for option in action.option_strings
    }
    taken = 0
    while taken < len(args):
        name = args[taken].split("=", 1)[0]
        if name not in takes_value:
            break
        with_value = takes_value[name] and "=" not in args[taken]
        taken += 2 if with_value else 1
    return args[:taken]
