"""Where a conversation comes from: a saved file, or an id (or URL) on the chosen server.

Every command that takes a conversation (`convoscope X`, `items`, `copy`, `diff`) goes through
`open_source`, so a file works wherever an id does, and `Source.resolve` turns a response id
into its conversation.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from typing import Any

from convoscope.api import ConversationsClient
from convoscope.api.files import FileSource, looks_like_file, meant_as_file
from convoscope.api.responses import locate_response, response_id_in
from convoscope.cli.common import build_client
from convoscope.render.text import visible
from convoscope.storage.errors import SetupError


@dataclass
class Source:
    """A client (or a file behaving like one) and the conversation to read through it."""

    client: ConversationsClient | FileSource
    conversation_id: str
    start_at: str | None = None
    """The first item of the response the user named, if they named one."""

    async def resolve(self, *, quiet: bool = False) -> None:
        """A `resp_…` id (or a URL holding one) becomes its conversation (raises `APIError`)."""
        if isinstance(self.client, FileSource) or not (response_id := response_id_in(self.conversation_id)):
            return
        location = await locate_response(self.client, response_id)
        self.conversation_id, self.start_at = location.conversation_id, location.first_item_id
        if not quiet:
            print(f"convoscope: {visible(response_id)} is in conversation {visible(self.conversation_id)}",
                  file=sys.stderr)

    async def __aenter__(self) -> Source:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.client.aclose()


def open_source(args: argparse.Namespace, target: str, **client_options: Any) -> Source:
    """A file when `target` names one, else the server of `args` (`--profile`, `--demo`, …)."""
    if looks_like_file(target):
        source = FileSource(target)
        return Source(source, source.conversation_id)
    if meant_as_file(target):
        raise SetupError(f"no such file: {visible(target)}")
    return Source(build_client(args, **client_options), target)
