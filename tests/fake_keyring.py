"""Keyring backends for tests: in memory (one process), in a JSON file (across CLI processes),
and one whose every call fails.

The CLI tests load `FileKeyring` in the child process through
`PYTHON_KEYRING_BACKEND=tests.fake_keyring.FileKeyring` with the repository on PYTHONPATH; the
file lives in the test's tmp_path (`CONVOSCOPE_TEST_KEYRING`). Test code only: convoscope itself
never writes a key to a file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import KeyringError, PasswordDeleteError


class MemoryKeyring(KeyringBackend):
    # Below every real backend, so merely importing this module never changes auto-detection.
    priority = -1

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.passwords.pop((service, username), None) is None:
            raise PasswordDeleteError("no such password")


class FileKeyring(KeyringBackend):
    priority = -1

    @property
    def _path(self) -> Path:
        return Path(os.environ["CONVOSCOPE_TEST_KEYRING"])

    def _load(self) -> dict[str, str]:
        return json.loads(self._path.read_text()) if self._path.exists() else {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}/{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        self._path.write_text(json.dumps({**self._load(), f"{service}/{username}": password}))

    def delete_password(self, service: str, username: str) -> None:
        stored = self._load()
        if stored.pop(f"{service}/{username}", None) is None:
            raise PasswordDeleteError("no such password")
        self._path.write_text(json.dumps(stored))


class BrokenKeyring(KeyringBackend):
    """Fails like a locked or unreachable Secret Service, quoting what it was given."""

    priority = -1

    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringError("D-Bus connection refused")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringError(f"could not store {password!r}: collection is locked")

    def delete_password(self, service: str, username: str) -> None:
        raise KeyringError("D-Bus connection refused")
