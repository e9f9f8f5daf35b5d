"""API keys in the system keyring: service "convoscope", one entry per profile name.

convoscope never writes a key to a file of its own. When the machine has no usable keyring
backend, every call raises `KeyringUnavailable` saying how to fix that (or how to do without:
the environment). Messages never contain the key, even when a backend's own error quotes it.
"""

from __future__ import annotations

import keyring
import keyring.errors
from keyring.backend import KeyringBackend
from keyring.backends import fail, null

from convoscope.api.errors import one_line, scrub
from convoscope.storage.config import SetupError

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
    try:
        return backend.get_password(SERVICE, profile) or None
    except Exception as error:  # any backend failure: locked, D-Bus gone, ...
        raise _unavailable(error) from None


def store_key(profile: str, key: str) -> None:
    """Store (or replace) the key of `profile`. Surrounding whitespace is dropped."""
    key = key.strip()
    if not key:
        raise ValueError("the key is empty")
    if any(not character.isprintable() for character in key):
        raise ValueError("the key contains control characters or line breaks")
    backend = _usable_backend()
    try:
        backend.set_password(SERVICE, profile, key)
    except Exception as error:
        raise _unavailable(error, key) from None


def delete_key(profile: str) -> bool:
    """Remove the key of `profile`; False when there was none."""
    backend = _usable_backend()
    try:
        backend.delete_password(SERVICE, profile)
    except keyring.errors.PasswordDeleteError:
        return False
    except Exception as error:
        raise _unavailable(error) from None
    return True


def backend_name() -> str:
    """A readable name of the keyring in use, e.g. "SecretService Keyring" (for messages)."""
    backend = _usable_backend()
    return getattr(backend, "name", type(backend).__name__)


def _usable_backend() -> KeyringBackend:
    try:
        backend = keyring.get_keyring()
    except Exception as error:  # a broken PYTHON_KEYRING_BACKEND or keyringrc.cfg
        raise _unavailable(error) from None
    # The fail backend raises on every call; the null one silently forgets: neither keeps a key.
    if isinstance(backend, fail.Keyring | null.Keyring):
        raise KeyringUnavailable(f"no system keyring is available: {FIXES}")
    return backend


def _unavailable(error: Exception, *secrets: str) -> KeyringUnavailable:
    detail = one_line(scrub(str(error), secrets), 160)
    cause = f"{type(error).__name__}: {detail}" if detail else type(error).__name__
    return KeyringUnavailable(f"the system keyring failed ({cause}): {FIXES}")
