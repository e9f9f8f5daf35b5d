"""Asking for a key: when none is configured, or when the server rejected the one we have."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from convoscope.render.text import visible


class KeyAware:
    """A screen that wants to retry what failed once a new key is in place."""

    def key_changed(self) -> None:
        raise NotImplementedError


class LoginScreen(ModalScreen[str | None]):
    """A masked key prompt. Dismisses with the key typed, or None when cancelled.

    | Key | Action |
    | :- | :- |
    | `enter` | Use this key (and store it in the system keyring). |
    | `escape` | Cancel. |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="login.cancel"),
    ]
    DEFAULT_CSS = """
    LoginScreen { align: center middle; }
    LoginScreen > Vertical {
        width: 80; max-width: 95%; height: auto;
        border: round $accent; background: $surface; padding: 1 2;
    }
    LoginScreen #login-reason { color: $warning; margin-bottom: 1; }
    LoginScreen #login-help { color: $text-muted; margin-top: 1; }
    """

    def __init__(self, profile_name: str, server: str, reason: str) -> None:
        super().__init__()
        self.profile_name = profile_name
        self.server = server
        self.reason = reason

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(f"API key for profile {visible(self.profile_name)!r}", style="bold"))
            yield Static(Text(visible(self.server), style="dim"))
            yield Static(Text(visible(self.reason)), id="login-reason")
            yield Input(password=True, placeholder="paste the key; it is never shown", id="login-key")
            yield Static(
                "enter stores it in the system keyring · escape cancels · "
                "environment variables (OPENAI_API_KEY, …) take precedence",
                id="login-help",
            )

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted, "#login-key")
    def submitted(self, event: Input.Submitted) -> None:
        key = event.value.strip()
        if key:
            self.dismiss(key)

    def action_cancel(self) -> None:
        self.dismiss(None)
