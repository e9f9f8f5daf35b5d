"""Keys in the viewer: asked for when missing or rejected, stored in the keyring, never shown."""

from __future__ import annotations

import asyncio
import threading

import keyring
import keyring.backend
import pytest

from convoscope.api import ConversationsClient, Profile, RetryPolicy
from convoscope.demo.serve import serve_in_background
from convoscope.tui.app import ConvoscopeApp
from convoscope.tui.screens.login import LoginScreen
from convoscope.tui.screens.picker import PickerScreen
from tests.conftest import FAKE_KEY, SleepRecorder
from tests.other_servers import OtherServer
from tests.screen import read_screen
from tests.tui_helpers import wait_until
from convoscope.paging.engine import EdgeState
from convoscope.tui.screens.conversation import ConversationScreen


class MemoryKeyring(keyring.backend.KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.passwords.pop((service, username))


@pytest.fixture
def memory_keyring(monkeypatch, tmp_path):
    monkeypatch.setenv("CONVOSCOPE_DATA_DIR", str(tmp_path / "data"))
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def _client(url: str, key: str | None = None) -> ConversationsClient:
    from convoscope.api import Secret

    profile = Profile(name="work", base_url=url, api_key=Secret(key) if key else None)
    return ConversationsClient(profile, retry=RetryPolicy(max_attempts=2), sleep=SleepRecorder())


async def _wait_for(pilot, condition, timeout: float = 10.0, what: str = "") -> None:
    await wait_until(pilot, condition, timeout=timeout, what=what)


class GatedServer(OtherServer):
    """Answers the first request at once and holds every later one until `release` is set,
    as a busy machine does when the user answers the prompt before the other failures arrive."""

    def __init__(self, status: int) -> None:
        super().__init__(status=status)
        self.release = threading.Event()
        self.answered = 0

    async def __call__(self, scope, receive, send) -> None:  # noqa: ANN001 - ASGI
        if scope["type"] == "http" and self.answered > 0:
            await asyncio.to_thread(self.release.wait, 30)
        await super().__call__(scope, receive, send)
        if scope["type"] == "http":
            self.answered += 1


async def test_a_missing_key_is_asked_for_stored_and_used(demo_url, memory_keyring):
    app = ConvoscopeApp(_client(demo_url))
    async with app.run_test(size=(120, 30)) as pilot:
        await _wait_for(pilot, lambda: isinstance(app.screen, LoginScreen))
        key_input = app.screen.query_one("#login-key")
        assert key_input.password  # masked while typed
        await pilot.press(*FAKE_KEY, "enter")
        await _wait_for(pilot, lambda: isinstance(app.screen, PickerScreen))
        assert memory_keyring.passwords[("convoscope", "work")] == FAKE_KEY
        assert app.client.profile.api_key.reveal() == FAKE_KEY
        await _wait_for(pilot, lambda: app.screen.listed)
        assert FAKE_KEY not in app.export_screenshot()


async def test_a_rejected_key_asks_once_and_never_storms(memory_keyring):
    server = GatedServer(status=401)
    with serve_in_background(server) as url:
        app = ConvoscopeApp(_client(url, key="sk-wrong-key-000000000000"), conversation_id="conv_1")
        async with app.run_test(size=(120, 30)) as pilot:
            await _wait_for(pilot, lambda: isinstance(app.screen, LoginScreen), what="the key prompt")
            await pilot.press("escape")  # the user declines before the other requests fail
            await _wait_for(pilot, lambda: not isinstance(app.screen, LoginScreen), what="the prompt to close")
            server.release.set()
            await _wait_for(pilot, lambda: server.answered >= 3, what="every request to fail")
            await _wait_for(pilot, lambda: _every_failure_shown(app), what="the failures on screen")
            for _ in range(5):  # redraws and key presses do not bring the prompt back
                await pilot.press("j")
            assert not isinstance(app.screen, LoginScreen)
            assert "rejected the key" not in str(read_screen(app))
        # 401 is never retried: listing, conversation and first page, one request each.
        assert len(server.raw_paths) <= 4


def _every_failure_shown(app: ConvoscopeApp) -> bool:
    """The conversation screen shows both its failures: the conversation and the first page."""
    screens = [s for s in app.screen_stack if isinstance(s, ConversationScreen)]
    if not screens or not screens[0].is_mounted:
        return False
    screen = screens[0]
    return screen.header.problem is not None and any(
        s.state is EdgeState.FAILED for s in screen.engine.status.values()
    )


async def test_a_new_key_after_a_401_retries_what_failed(memory_keyring, fault_server):
    demo = fault_server()
    server = OtherServer(status=401)
    with serve_in_background(server) as rejecting_url:
        client = _client(rejecting_url, key="sk-wrong-key-000000000000")
        app = ConvoscopeApp(client)
        async with app.run_test(size=(120, 30)) as pilot:
            await _wait_for(pilot, lambda: isinstance(app.screen, LoginScreen))
            # The server starts accepting (as if the right key had been typed).
            client._base_url = demo
            await pilot.press(*"sk-right-key-1111111111", "enter")
            await _wait_for(pilot, lambda: isinstance(app.screen, PickerScreen) and app.screen.listed)
    assert memory_keyring.passwords[("convoscope", "work")] == "sk-right-key-1111111111"
