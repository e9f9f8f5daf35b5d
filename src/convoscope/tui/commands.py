"""The command palette offers every described binding of the current screen as a command."""

from __future__ import annotations

from collections.abc import Iterator

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider


class ScreenActions(Provider):
    """The screen's own actions (the same list the keys help shows), searchable by name."""

    def _actions(self) -> Iterator[tuple[str, str, str]]:
        seen: set[str] = set()
        for bindings in self.screen._bindings.key_to_bindings.values():
            for binding in bindings:
                if binding.description and binding.action not in seen:
                    seen.add(binding.action)
                    yield binding.tooltip or binding.description, binding.action, self._keys(binding)

    def _keys(self, binding: Binding) -> str:
        return f"key: {self.app.get_key_display(binding)}"

    def _run(self, action: str):  # noqa: ANN202 - a callback for the palette
        return lambda: self.app.call_later(self.screen.run_action, action)

    async def discover(self) -> Hits:
        for description, action, keys in self._actions():
            yield DiscoveryHit(description, self._run(action), help=keys)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for description, action, keys in self._actions():
            score = matcher.match(description)
            if score > 0:
                yield Hit(score, matcher.highlight(description), self._run(action), help=keys)
