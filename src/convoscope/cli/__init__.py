"""Command line: `convoscope [ID]` (the viewer), `convoscope items ID`, `convoscope demo-server`,
`convoscope locate`, `convoscope profiles` and `convoscope auth login|status|logout`.

The composition root: the only place that builds profiles, clients and servers and hands them to
the layers below.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence

from convoscope.cli import auth, demo_server, items, locate, profiles, viewer
from convoscope.cli.common import fail
from convoscope.storage.config import SetupError

COMMANDS: dict[str, Callable[[Sequence[str]], int]] = {
    "items": items.main,
    "demo-server": demo_server.main,
    "locate": locate.main,
    "profiles": profiles.main,
    "auth": auth.main,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        if args and args[0] in COMMANDS:
            return COMMANDS[args[0]](args[1:])
        return viewer.main(args)
    except SetupError as error:
        # A bad config file, an unknown profile, no keyring: the user's to fix, in one line.
        return fail(str(error))
    except KeyboardInterrupt:
        # Ctrl-C is a normal way to leave; no traceback.
        print(file=sys.stderr)
        return 130
