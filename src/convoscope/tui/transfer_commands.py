"""Palette commands for moving conversations: "Copy this conversation to…"."""

from __future__ import annotations

from textual.command import DiscoveryHit, Hit, Hits, Provider

COPY_COMMAND = "Copy this conversation to another server or profile…"
COPY_HELP = "create it there with the same items, in order, then verify"


class TransferCommands(Provider):
    """Offered on the conversation screen (it has `action_copy_to`)."""

    def _copy(self) -> None:
        self.app.call_later(self.screen.run_action, "copy_to")

    async def discover(self) -> Hits:
        yield DiscoveryHit(COPY_COMMAND, self._copy, help=COPY_HELP)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        score = matcher.match(COPY_COMMAND)
        if score > 0:
            yield Hit(score, matcher.highlight(COPY_COMMAND), self._copy, help=COPY_HELP)
