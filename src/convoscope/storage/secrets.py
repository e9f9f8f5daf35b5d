"""API keys in the system keyring: service "convoscope", one entry per profile name.

convoscope never writes a key to a file of its own. When the machine has no usable keyring
backend, every call raises `KeyringUnavailable` saying how to fix that (or how to do without:
the environment). Messages never contain the key, even when a backend's own error quotes it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import keyring
import keyring.errors
from keyring.backend import KeyringBackend
from keyring.backends import fail, null

from convoscope.api.errors import one_line, scrub
from convoscope.storage.config import SetupError

T = TypeVar("T")
SERVICE = "convoscope"
FIXES = (
    "set OPENAI_API_KEY (or the profile's env variable), or install a keyring backend "
    "(e.g. `pip install keyrings.alt` or run a Secret Service such as gnome-keyring)"
)


class KeyringUnavailable(SetupError):
    """No usable keyring backend, or the backend failed."""


def get_key(profile: str) -> str | None:
    """The stored key of `profile`, or None when there is none."""
    backend = _usable_backend()
    return _guarded(lambda: backend.get_password(SERVICE, profile)) or None


def store_key(profile: str, key: str) -> None:
    """Store (or replace) the key of `profile`. Surrounding whitespace is dropped."""
    key = key.strip()
    if not key:
        raise ValueError("the key is empty")
    if any(not character.isprintable() for character in key):
        raise ValueError("the key contains control characters or line breaks")
    backend = _usable_backend()
    _guarded(lambda: backend.set_password(SERVICE, profile, key), key)


def delete_key(profile: str) -> bool:
    """Remove the key of `profile`; False when there was none."""
    backend = _usable_backend()

    def delete() -> bool:
        try:
            backend.delete_password(SERVICE, profile)
        except keyring.errors.PasswordDeleteError:
            return False
        return True

    return _guarded(delete)


def backend_name() -> str:
    """A readable name of the keyring in use, e.g. "SecretService Keyring" (for messages)."""
    backend = _usable_backend()
    return getattr(backend, "name", type(backend).__name__)


def _usable_backend() -> KeyringBackend:
    # get_keyring fails on a broken PYTHON_KEYRING_BACKEND or keyringrc.cfg.
    backend = _guarded(keyring.get_keyring)
    # The fail backend raises on every call; the null one silently forgets: neither keeps a key.
    if isinstance(backend, fail.Keyring | null.Keyring):
        raise KeyringUnavailable(f"no system keyring is available: {FIXES}")
    return backend


def _guarded(call: Callable[[], T], *secrets: str) -> T:
    """`call()`, turning any backend failure (locked, D-Bus gone, ...) into `KeyringUnavailable`.

    Raised outside the `except` block so the backend's exception, which may quote the key, is
    not even attached as `__context__`.
    """
    try:
        return call()
    except Exception as error:
        failure = _unavailable(error, *secrets)
    raise failure


def _unavailable(error: Exception, *secrets: str) -> KeyringUnavailable:
    detail = one_line(scrub(str(error), secrets), 160)
    cause = f"{type(error).__name__}: {detail}" if detail else type(error).__name__
    return KeyringUnavailable(f"the system keyring failed ({cause}): {FIXES}")
