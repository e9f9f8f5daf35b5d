"""Where to send requests and how to authenticate them.

A `Profile` is the small, immutable description of one server: base URL, auth style, the key and
the extra headers. `convoscope.storage.profiles` fills it from the config file, the environment
and the keyring; `from_env` is the zero-config form that reads what the official SDK reads.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

DEFAULT_BASE_URL = "https://api.openai.com/v1"

AuthStyle = Literal["bearer", "api-key", "none"]
ProfileKind = Literal["openai", "azure-openai", "foundry", "compatible", "demo"]


class Secret:
    """A string that never shows itself in a repr, str, log line or traceback."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def masked(self) -> str:
        """`sk-...abcd`: enough to tell two keys apart, not enough to use one."""
        value = self._value
        if len(value) < 12:
            return "****"
        return f"{value[:3]}...{value[-4:]}"

    def __repr__(self) -> str:
        return "Secret('****')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)


@dataclass(frozen=True)
class Profile:
    """One server and the credentials to talk to it."""

    name: str = "default"
    base_url: str = DEFAULT_BASE_URL
    api_key: Secret | None = None
    auth_style: AuthStyle = "bearer"
    organization: str | None = None
    project: str | None = None
    extra_headers: Mapping[str, str] = field(default_factory=dict)
    kind: ProfileKind = "openai"
    default_include: tuple[str, ...] = ()  # `include` values to ask for unless told otherwise
    unpaged_limit: int = 10_000  # items asked for at once from a server that ignores the cursor

    def headers(self) -> dict[str, str]:
        """Every header this profile adds to a request, credentials included."""
        headers: dict[str, str] = {}
        if self.api_key and self.auth_style == "bearer":
            headers["Authorization"] = f"Bearer {self.api_key.reveal()}"
        elif self.api_key and self.auth_style == "api-key":
            headers["api-key"] = self.api_key.reveal()
        if self.organization:
            headers["OpenAI-Organization"] = self.organization
        if self.project:
            headers["OpenAI-Project"] = self.project
        headers.update(self.extra_headers)
        return headers

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, *, base_url: str | None = None
    ) -> Profile:
        """Zero-config profile following the official SDK's variables."""
        env = os.environ if environ is None else environ
        key = env.get("OPENAI_API_KEY") or None
        return cls(
            name="env",
            base_url=base_url or env.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL,
            api_key=Secret(key) if key else None,
            organization=env.get("OPENAI_ORG_ID") or None,
            project=env.get("OPENAI_PROJECT_ID") or None,
        )

    @classmethod
    def demo(cls) -> Profile:
        """The bundled demo server accepts any key; send a fixed placeholder."""
        return cls(
            name="demo", base_url="http://demo.invalid/v1", api_key=Secret("sk-demo"), kind="demo"
        )
