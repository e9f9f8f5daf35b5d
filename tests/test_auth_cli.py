"""`locate`, `profiles`, `auth login|status|logout` and `--profile`, as real processes.

Every child gets its own config and data dirs and a file-backed test keyring in tmp_path
(`PYTHON_KEYRING_BACKEND=tests.fake_keyring.FileKeyring`), and no OPENAI_*/AZURE_* variables from
the machine running the tests. The fake key must never appear in anything a command prints.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from convoscope.cli import items, viewer
from convoscope.demo.serve import serve_in_background
from tests.conftest import FAKE_KEY
from tests.other_servers import OtherServer

ROOT = Path(__file__).resolve().parents[1]
ENV_KEY = "sk-env-5e6f7a8b9c0d1e2f3a4b5c6d"


class Cli:
    """Runs `python -m convoscope` in an isolated environment; remembers every output."""

    def __init__(self, tmp_path: Path) -> None:
        self.config_dir = tmp_path / "config"
        self.data_dir = tmp_path / "data"
        self.keyring_file = tmp_path / "keyring.json"
        self.outputs: list[str] = []
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "AZURE_OPENAI_"))}
        env.update(
            CONVOSCOPE_CONFIG_DIR=str(self.config_dir),
            CONVOSCOPE_DATA_DIR=str(self.data_dir),
            CONVOSCOPE_TEST_KEYRING=str(self.keyring_file),
            PYTHON_KEYRING_BACKEND="tests.fake_keyring.FileKeyring",
            PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
        )
        self.env = env

    def write_config(self, text: str) -> Path:
        self.config_dir.mkdir(parents=True, exist_ok=True)
        path = self.config_dir / "config.toml"
        path.write_text(text)
        return path

    def stored_keys(self) -> dict[str, str]:
        return json.loads(self.keyring_file.read_text()) if self.keyring_file.exists() else {}

    def __call__(self, *args: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [sys.executable, "-m", "convoscope", *args],
            input=stdin,
            capture_output=True,
            text=True,
            timeout=60,
            cwd=ROOT,
            env={**self.env, **env},
        )
        self.outputs += [result.stdout, result.stderr]
        return result


@pytest.fixture
def cli(tmp_path: Path):
    runner = Cli(tmp_path)
    yield runner
    everything = "\n".join(runner.outputs)
    assert FAKE_KEY not in everything and ENV_KEY not in everything
    assert "Traceback" not in everything


def local_profile(url: str, name: str = "local") -> str:
    return f'[profiles.{name}]\nkind = "compatible"\nbase_url = "{url}"\n'


def assert_one_line_error(result: subprocess.CompletedProcess, *fragments: str) -> None:
    assert result.returncode == 1
    assert result.stderr.startswith("convoscope: error: ")
    assert result.stderr.count("\n") == 1
    for fragment in fragments:
        assert fragment in result.stderr


# --- locate and profiles ---------------------------------------------------------------------------


def test_locate_prints_the_three_places(cli):
    result = cli("locate")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"config: {cli.config_dir / 'config.toml'}",
        f"data:   {cli.data_dir}",
        f"themes: {cli.config_dir / 'themes'}",
    ]


def test_profiles_lists_builtins_and_config_marks_default_and_never_shows_a_key(cli):
    cli.write_config('default_profile = "local"\n' + local_profile("http://127.0.0.1:9/v1"))
    assert cli("auth", "login", "--profile", "local", stdin=FAKE_KEY + "\n").returncode == 0
    result = cli("profiles", OPENAI_API_KEY=ENV_KEY, AZURE_OPENAI_ENDPOINT="https://r.openai.azure.com")
    assert result.returncode == 0, result.stderr
    header, openai, azure, local = result.stdout.splitlines()
    assert header.split() == ["NAME", "KIND", "BASE", "URL", "AUTH", "KEY", "FROM"]
    assert openai.split() == ["openai", "openai", "https://api.openai.com/v1", "bearer", "$OPENAI_API_KEY"]
    assert azure.split() == ["azure", "azure-openai", "https://r.openai.azure.com/openai/v1", "api-key", "none"]
    assert local.split() == ["*", "local", "compatible", "http://127.0.0.1:9/v1", "bearer", "keyring"]
    only = cli("profiles", "--profile", "azure")
    assert only.stdout.splitlines()[1].split()[:3] == ["azure", "azure-openai", "(not"]


def test_a_config_error_is_one_line_with_file_and_line(cli):
    path = cli.write_config('[profiles.work]\nkind = "azur"\n')
    for args in (["profiles"], ["items", "conv_1"], ["auth", "status"], []):
        result = cli(*args)
        assert_one_line_error(result, f"{path}:2: profiles.work.kind: expected one of openai, azure-openai")


# --- --profile on every command --------------------------------------------------------------------


def test_profile_option_parses_on_the_viewer_and_items():
    assert viewer.build_parser().parse_args(["--profile", "work"]).profile == "work"
    assert items.build_parser().parse_args(["conv_1", "--profile", "work"]).profile == "work"


def test_items_uses_the_profile_and_its_key(cli, demo_url):
    cli.write_config(local_profile(demo_url))
    cli("auth", "login", "--profile", "local", stdin=FAKE_KEY)
    result = cli("items", "conv_synth_5", "--profile", "local", "--jsonl")
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 5


def test_an_unknown_profile_is_one_line_listing_the_known_ones(cli):
    for args in (["items", "conv_1", "--profile", "nope"], ["--profile", "nope"], ["auth", "status", "--profile", "nope"]):
        assert_one_line_error(cli(*args), "no profile named 'nope'", "known profiles: openai, azure")


# --- auth ------------------------------------------------------------------------------------------


def test_login_from_stdin_status_against_the_demo_server_then_logout(cli, demo_url):
    cli.write_config(local_profile(demo_url))
    login = cli("auth", "login", "--profile", "local", stdin=FAKE_KEY + "\n")
    assert login.returncode == 0, login.stderr
    assert "Stored the key for profile local in the system keyring" in login.stdout
    assert cli.stored_keys() == {"convoscope/local": FAKE_KEY}

    status = cli("auth", "status", "--profile", "local")
    assert status.returncode == 0, status.stderr
    assert f"server:  {demo_url}" in status.stdout
    assert "key:     sk-...9b2d from the keyring" in status.stdout
    assert "check:   ok" in status.stdout

    logout = cli("auth", "logout", "--profile", "local")
    assert logout.returncode == 0 and "Removed the key for profile local" in logout.stdout
    assert cli.stored_keys() == {}
    assert "nothing to remove" in cli("auth", "logout", "--profile", "local").stdout

    after = cli("auth", "status", "--profile", "local")
    assert "key:     none" in after.stdout
    assert_one_line_error(after, "no key for profile local", "auth login --profile local")


def test_the_environment_overrides_the_keyring(cli, demo_url):
    cli("auth", "login", stdin=FAKE_KEY)  # the default profile: openai
    status = cli("auth", "status", "--base-url", demo_url, OPENAI_API_KEY=ENV_KEY)
    assert status.returncode == 0, status.stderr
    assert "key:     sk-...5c6d from $OPENAI_API_KEY" in status.stdout
    login = cli("auth", "login", stdin=FAKE_KEY, OPENAI_API_KEY=ENV_KEY)
    assert "$OPENAI_API_KEY is set and takes precedence over the keyring" in login.stderr


@pytest.mark.parametrize(
    ("status", "expected"),
    [(401, "the server rejected the key: 401 Unauthorized"), (403, "lacks permission: 403 Forbidden")],
)
def test_status_reports_a_rejected_key_in_one_line(cli, status, expected):
    server = OtherServer(status=status, echo_auth=True)  # echoes the key back: must be scrubbed
    with serve_in_background(server) as url:
        cli.write_config(local_profile(url))
        cli("auth", "login", "--profile", "local", stdin=FAKE_KEY)
        result = cli("auth", "status", "--profile", "local")
    assert_one_line_error(result, expected)
    assert len(server.raw_paths) == 1  # one cheap request, no retries
    assert server.raw_paths[0].endswith(b"/conversations/conv_convoscope_auth_check")


def test_no_keyring_backend_is_one_line_with_the_fixes(cli):
    no_keyring = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    for args, stdin in ((["auth", "login"], FAKE_KEY), (["auth", "logout"], "")):
        result = cli(*args, stdin=stdin, **no_keyring)
        assert_one_line_error(result, "set OPENAI_API_KEY (or the profile's env variable)", "pip install keyrings.alt")
    status = cli("auth", "status", **no_keyring)
    assert_one_line_error(status, "no key for profile openai", "keyrings.alt")
    listing = cli("profiles", **no_keyring)
    assert listing.returncode == 0 and "none (keyring unavailable)" in listing.stdout


def test_login_refuses_an_empty_key(cli):
    assert_one_line_error(cli("auth", "login", stdin="\n"), "no key given")
    assert cli.stored_keys() == {}
