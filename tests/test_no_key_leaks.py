"""The key never leaves the keyring or the environment.

The CLI and the app run through login, browsing, errors and export with a known fake key; then
everything they wrote (config, data, history, caches, saved images, screenshots, the clipboard,
logs) and everything they printed is scanned for it.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import keyring
import pytest

from convoscope.api import ConversationsClient, Profile, Secret
from convoscope.demo.serve import serve_in_background
from convoscope.tui.app import ConvoscopeApp
from tests.fake_keyring import MemoryKeyring
from tests.other_servers import OtherServer
from convoscope.tui.screens.login import LoginScreen
from convoscope.tui.screens.picker import PickerScreen
from convoscope.tui.screens.save import SaveImagesScreen
from tests.tui_helpers import isolated_data_dir  # noqa: F401  (autouse fixture)
from tests.tui_helpers import open_conversation, wait_for_quiet, wait_until

KEY = "sk-proj-LEAKCHECK-4f9a1c7e2b8d6a3f0e5c9b1d7a2f4e6c"
ROOT = Path(__file__).resolve().parents[1]
IMAGE_CONVERSATION = json.loads(
    (ROOT / "src/convoscope/demo/data/image-and-code.json").read_text()
)["conversation"]["id"]


def _scan_tree(folder: Path, exclude: set[Path] = frozenset()) -> list[str]:
    hits = []
    for path in folder.rglob("*"):
        if path.is_file() and path not in exclude and KEY.encode() in path.read_bytes():
            hits.append(str(path))
    return hits


def _cli(*args: str, env: dict[str, str], stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "convoscope", *args],
        input=stdin, capture_output=True, text=True, env=env, timeout=120, cwd=env["HOME"],
    )


def test_the_cli_never_writes_or_prints_the_key(tmp_path, demo_url):
    keyring_file = tmp_path / "test-keyring.json"  # the test backend's store, not ours
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path / "home"),
        "PYTHONPATH": str(ROOT),
        "PYTHON_KEYRING_BACKEND": "tests.fake_keyring.FileKeyring",
        "CONVOSCOPE_TEST_KEYRING": str(keyring_file),
        "CONVOSCOPE_CONFIG_DIR": str(tmp_path / "config"),
        "CONVOSCOPE_DATA_DIR": str(tmp_path / "data"),
    }
    Path(env["HOME"]).mkdir()
    server_401 = OtherServer(status=401, echo_auth=True)
    with serve_in_background(server_401) as rejecting_url:
        runs = [
            _cli("auth", "login", env=env, stdin=KEY + "\n"),
            _cli("auth", "status", "--base-url", demo_url, env=env),
            _cli("auth", "status", "--base-url", rejecting_url, env=env),  # echoes the key back
            _cli("profiles", env=env),
            _cli("items", "conv_synth_50", "--base-url", demo_url, "--jsonl", env=env),
            _cli("items", "conv_missing", "--base-url", demo_url, env=env),
            _cli("items", "conv_1", "--base-url", rejecting_url, env=env),
            _cli("auth", "logout", env=env),
        ]
    assert runs[0].returncode == 0, runs[0].stderr
    assert server_401.headers_seen, "the key was never sent"
    for run in runs:
        assert KEY not in run.stdout and KEY not in run.stderr, run.args
        assert "Traceback" not in run.stderr
    assert _scan_tree(tmp_path, exclude={keyring_file}) == []


async def test_the_app_never_writes_shows_or_logs_the_key(tmp_path, monkeypatch, demo_url, caplog):
    monkeypatch.chdir(tmp_path)  # nothing may be written here or in the data dir with the key
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    caplog.set_level(logging.DEBUG)
    shown: list[str] = []
    try:
        client = ConversationsClient(Profile(name="leak", base_url=demo_url, api_key=Secret(KEY)))
        app = ConvoscopeApp(client, IMAGE_CONVERSATION)
        async with app.run_test(size=(140, 40)) as pilot:
            await open_conversation(pilot, timeout=30)
            for key in ["j", "j", "v", "v", "y", "s", "i", "escape", "question_mark", "escape"]:
                await pilot.press(key)
                await wait_for_quiet(pilot)
                shown.append(app.export_screenshot())
            for _ in range(12):  # move onto the image generation call and save it
                await pilot.press("j")
                await wait_for_quiet(pilot)
                await pilot.press("s")
                if isinstance(app.screen, SaveImagesScreen):
                    shown.append(app.export_screenshot())
                    await pilot.press("enter")  # into the downloads folder under the data dir
                    await wait_until(pilot, lambda: not isinstance(app.screen, SaveImagesScreen), what="saved")
                await pilot.press("y")
            shown.append(app.clipboard)
            shown.extend(str(n.message) for n in app._notifications)
            await pilot.press("escape")
            await wait_until(pilot, lambda: isinstance(app.screen, PickerScreen), what="the picker")
            await wait_for_quiet(pilot)
            shown.append(app.export_screenshot())
        # An error path: the server echoes the key in its 401 message.
        with serve_in_background(OtherServer(status=401, echo_auth=True)) as rejecting_url:
            bad = ConversationsClient(Profile(name="leak", base_url=rejecting_url, api_key=Secret(KEY)))
            app = ConvoscopeApp(bad, "conv_1")
            async with app.run_test(size=(140, 40)) as pilot:
                await wait_until(pilot, lambda: isinstance(app.screen, LoginScreen), timeout=30, what="the key prompt")
                await wait_for_quiet(pilot)
                shown.append(app.export_screenshot())
                shown.extend(str(n.message) for n in app._notifications)
    finally:
        keyring.set_keyring(previous)
    assert list(tmp_path.rglob("*.png")), "the image export was not exercised"
    for text in shown:
        assert KEY not in text
    assert KEY not in caplog.text
    assert _scan_tree(tmp_path) == []


pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
