"""The Textual application: the picker first, a conversation screen on top of it."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Iterable
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
try:  # Textual's own ANSI mappings (what it uses unless told otherwise)
    from textual._ansi_theme import ALABASTER, MONOKAI
except ImportError:  # pragma: no cover - a Textual that moved them
    from rich.terminal_theme import DEFAULT_TERMINAL_THEME as ALABASTER
    from rich.terminal_theme import MONOKAI
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from convoscope.api.capabilities import Capabilities
from convoscope.api import APIError, AuthenticationError, ConversationsClient, Secret
from convoscope.api.responses import NoConversationError, locate_response, response_id_in
from convoscope.render.text import visible
from convoscope.storage.history import History
from convoscope.storage.paths import data_dir
from convoscope.tui.images import set_up_images
from convoscope.tui.screens.login import KeyAware, LoginScreen
from convoscope.tui.screens.picker import PickerScreen
from convoscope.render.groups import GLYPHS, Group
from convoscope.storage.config import remember_theme
from convoscope.tui.palette import ConvoscopeVariables, legible_ansi_theme
from convoscope.tui.themes import DEFAULT_THEME, load_all_themes

if TYPE_CHECKING:
    from convoscope.storage.config import KeymapEntry


_NEVER_ASKED = object()


class ConvoscopeApp(ConvoscopeVariables, App[None]):
    """convoscope's viewer.

    | Key | Action |
    | :- | :- |
    | `q`, `ctrl+q`, `ctrl+c` | Quit (`q` from a conversation; in the picker it types). |
    | `f1` | Every key (`?` in a conversation). |
    | `ctrl+p` | The command palette: every action by name. |
    """

    TITLE = "convoscope"
    # Textual draws placeholders in $text-disabled (about 3:1); ours must read.
    # Scrollbars: the track is the pane's own background (Textual's is black, a block below
    # the thumb), the thumb a grey that shows on it.
    CSS = """
    Input > .input--placeholder { color: $text-muted; }
    LineList, DetailPane {
        scrollbar-background: $surface;
        scrollbar-background-hover: $surface;
        scrollbar-background-active: $surface;
        scrollbar-color: $foreground 30%;
        scrollbar-color-hover: $foreground 45%;
        scrollbar-color-active: $foreground 60%;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q,ctrl+c", "quit", "Quit", priority=True, id="app.quit"),
        Binding("q", "quit", "Quit", id="app.quit_q",
                tooltip="Quit (q from a conversation; in the picker q types)"),
        Binding("f1", "keys", "Keys", id="app.keys", tooltip="List every key"),
    ]

    def __init__(
        self,
        client: ConversationsClient,
        conversation_id: str | None = None,
        *,
        history: History | None = None,
        theme: str | None = None,
        remember_theme_choice: bool = False,
        keymap: Iterable[KeymapEntry] = (),
    ) -> None:
        super().__init__()
        set_up_images()  # from the environment; never a question to the terminal
        self.theme_problems: list[str] = []
        self.theme_glyphs: dict[str, dict[Group, str]] = {}
        self._register_themes(theme)
        self._remember_theme_choice = remember_theme_choice
        self.keymap_problems: list[str] = []
        if keymap := tuple(keymap):
            # The user's [keymap]: what is sound is applied; the rest is reported once started.
            # (Checked only when there is one: it loads every screen's bindings.)
            from convoscope.tui.keymap import checked_keymap

            checked, self.keymap_problems = checked_keymap(keymap)
            self.set_keymap(checked)
        self.client = client
        self.initial_conversation = conversation_id
        self.history = history or History(data_dir() / "history.json")
        self._asking_for_key = False
        self.capabilities: Capabilities | None = None  # what the server offers, once known
        self._key_asked_about: object = _NEVER_ASKED  # the key (or None) the last prompt was about

    # --- themes ----------------------------------------------------------------------------------

    def _register_themes(self, wanted: str | None) -> None:
        """Register the bundled and the user's themes; use `wanted` (else the default)."""
        themes, self.theme_problems = load_all_themes()
        for loaded in themes.values():
            self.register_theme(loaded.theme)
            self.theme_glyphs[loaded.theme.name] = loaded.glyphs
        name = wanted or DEFAULT_THEME
        if name not in self.available_themes:
            known = ", ".join(sorted(themes)) or "none"
            self.theme_problems.append(f"No theme named {name!r} (bundled and yours: {known}); using the default.")
            name = DEFAULT_THEME if DEFAULT_THEME in self.available_themes else "textual-dark"
        self._chosen_theme = name
        self.theme = name
        self.glyphs = {**GLYPHS, **self.theme_glyphs.get(name, {})}

    def watch_theme(self, name: str) -> None:
        # The item-type glyphs of the theme (the bundled ones where it sets none); lists read
        # this per row drawn, and a theme change restyles them, dropping their cached lines.
        self.glyphs: dict[Group, str] = {**GLYPHS, **self.theme_glyphs.get(name, {})}
        self._use_legible_ansi_colours()
        if self.is_running and name != self._chosen_theme:
            self._chosen_theme = name
            if self._remember_theme_choice:
                problem = remember_theme(name)
                if problem:
                    self.notify(problem, severity="warning", markup=False)

    def _use_legible_ansi_colours(self) -> None:
        """ANSI colour names in rendered documents ("red", "blue") read on this theme too."""
        variables = self.get_css_variables()
        if self.current_theme.dark:
            self.ansi_theme_dark = legible_ansi_theme(MONOKAI, variables, variables)
        else:
            self.ansi_theme_light = legible_ansi_theme(ALABASTER, variables, variables)

    def on_mount(self) -> None:
        self._exit_on_signals()
        self._use_legible_ansi_colours()
        if self.theme_problems:
            # Once, at start: a broken theme file names its line; the default is in use.
            self.notify("\n".join(self.theme_problems), title="Themes", severity="warning", timeout=15, markup=False)
        for problem in self.keymap_problems:
            self.notify(f"Key left as it was: {problem}", severity="warning", timeout=20, markup=False)
        self.push_screen(PickerScreen(self.client, self.history))
        if self.initial_conversation:
            self.open_conversation(self.initial_conversation)
        profile = self.client.profile
        if profile.api_key is None and profile.auth_style != "none":
            self.ask_for_key("No API key is set for this profile.")

    def _exit_on_signals(self) -> None:
        """SIGTERM and SIGHUP end the app like `q`: the terminal is restored (main screen,
        cursor shown, mouse tracking off) instead of being left as the app had set it."""
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGHUP):
            try:
                loop.add_signal_handler(signum, self.exit)
            except (NotImplementedError, RuntimeError, ValueError):
                pass  # not the main thread, or a platform without them (Windows)

    # --- help ------------------------------------------------------------------------------------

    def action_keys(self) -> None:
        """Every key of the current screen (F1 anywhere, `?` in a conversation)."""
        from convoscope.tui.commands import key_actions  # loaded when first asked for
        from convoscope.tui.screens.menus import KeysScreen

        if isinstance(self.screen, KeysScreen):
            return
        self.push_screen(KeysScreen(key_actions(self.screen)))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Textual's palette commands, with its "Keys" panel replaced by our keys screen."""
        for command in super().get_system_commands(screen):
            if command.title != "Keys":
                yield command
        yield SystemCommand("Keys", "Every key of this screen, grouped by where it acts", self.action_keys)

    # --- keys ------------------------------------------------------------------------------------

    def auth_failed(self, error: APIError) -> None:
        """A screen got a 401: ask for a key once per key, however many requests failed.

        Requests sent together fail one after another, on a busy machine after the user has
        already answered (or declined) the prompt: their failures are about the same key and
        must not ask again. A new key that is rejected too is asked about again.
        """
        if isinstance(error, AuthenticationError) and self.client.profile.api_key is not self._key_asked_about:
            self.ask_for_key(f"The server rejected the key: {error}")

    def ask_for_key(self, reason: str) -> None:
        if self._asking_for_key:
            return
        self._asking_for_key = True
        self._key_asked_about = self.client.profile.api_key
        profile = self.client.profile
        self.push_screen(LoginScreen(profile.name, profile.base_url, reason), self._key_entered)

    def _key_entered(self, key: str | None) -> None:
        self._asking_for_key = False
        if key is None:
            self.notify(self._no_new_key_message(), severity="warning", timeout=15, markup=False)
            return
        self.client.set_api_key(Secret(key))
        from convoscope.storage.secrets import KeyringUnavailable, store_key  # the keyring loads slowly

        try:
            store_key(self.client.profile.name, key)
        except (KeyringUnavailable, ValueError) as problem:
            self.notify(f"Using the key for this session only. {problem}", severity="warning", markup=False)
        else:
            self.notify("Key stored in the system keyring.")
        for screen in self.screen_stack:
            if isinstance(screen, KeyAware):
                screen.key_changed()

    def _no_new_key_message(self) -> str:
        current = self.client.profile.api_key
        if current is None:
            return "No key: requests will fail until you log in (`convoscope auth login`)."
        origin = next(
            (f"${name}" for name, value in os.environ.items()
             if value == current.reveal() and name.endswith(("_KEY", "_TOKEN"))),
            "the keyring",
        )
        return (
            f"The server rejected the key from {origin}: requests will fail until it is replaced "
            f"(`convoscope auth login`, or fix {origin})."
        )

    def open_conversation(self, conversation_id: str) -> None:
        # Imported on first use: the picker's first frame does not wait for the item renderers.
        from convoscope.api.files import FileSource, looks_like_file
        from convoscope.tui.screens.conversation import ConversationScreen

        if not isinstance(self.client, FileSource) and looks_like_file(conversation_id):
            # A saved file (from the history, or pasted): read-only, through its own source.
            source = FileSource(conversation_id)
            screen = ConversationScreen(source, source.conversation_id, self.history)  # type: ignore[arg-type]
            # Closed with its screen: the file's memory map is not kept open behind the picker.
            self.push_screen(screen, lambda _: self.run_worker(source.aclose(), group="close-file"))
            return
        if response_id := response_id_in(conversation_id):
            self.open_response(response_id)
            return
        self._push_conversation(conversation_id)

    def _push_conversation(self, conversation_id: str, start_at: str | None = None) -> None:
        from convoscope.api.client import path_segment
        from convoscope.tui.screens.conversation import ConversationScreen

        try:
            path_segment(conversation_id)
        except ValueError as error:
            # The same refusal as the command line's: `.` and `..` would name another endpoint.
            self.notify(str(error), severity="error", markup=False)
            return
        honours_after = self.capabilities.honours_after if self.capabilities else None
        self.push_screen(
            ConversationScreen(
                self.client, conversation_id, self.history, honours_after=honours_after, start_at=start_at
            )
        )

    @work(group="open-response", exclusive=True, name="find-response-conversation")
    async def open_response(self, response_id: str) -> None:
        """A `resp_…` id: ask the server for its conversation, then open that at its items."""
        shown = visible(response_id)
        self.notify(f"Finding the conversation of {shown}…", markup=False)
        try:
            location = await locate_response(self.client, response_id)
        except NoConversationError as error:
            self.notify(visible(str(error)), severity="warning", markup=False, timeout=10)
            return
        except APIError as error:
            self.notify(f"Could not look up {shown}: {visible(str(error))}", severity="error", markup=False)
            self.auth_failed(error)
            return
        self._push_conversation(location.conversation_id, start_at=location.first_item_id)

    @on(PickerScreen.Open)
    def picker_open(self, event: PickerScreen.Open) -> None:
        self.open_conversation(event.conversation_id)

    async def on_unmount(self) -> None:
        await self.client.aclose()
