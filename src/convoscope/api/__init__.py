"""The API layer: a pure Conversations API client and its item models. No Textual here.

The names below load on first use (PEP 562): `convoscope --version` or a config check that only
needs `api.include` or `api.locators` must not pay for httpx and the item models.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "ConversationsClient": "convoscope.api.client",
    "path_segment": "convoscope.api.client",
    "APIConnectionError": "convoscope.api.errors",
    "APIError": "convoscope.api.errors",
    "APIStatusError": "convoscope.api.errors",
    "APITimeoutError": "convoscope.api.errors",
    "AuthenticationError": "convoscope.api.errors",
    "BadRequestError": "convoscope.api.errors",
    "BadResponseError": "convoscope.api.errors",
    "NotFoundError": "convoscope.api.errors",
    "PermissionDeniedError": "convoscope.api.errors",
    "RateLimitError": "convoscope.api.errors",
    "Profile": "convoscope.api.profile",
    "Secret": "convoscope.api.profile",
    "RetryEvent": "convoscope.api.retry",
    "RetryPolicy": "convoscope.api.retry",
}

__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:
    from convoscope.api.client import ConversationsClient, path_segment
    from convoscope.api.errors import (
        APIConnectionError,
        APIError,
        APIStatusError,
        APITimeoutError,
        AuthenticationError,
        BadRequestError,
        BadResponseError,
        NotFoundError,
        PermissionDeniedError,
        RateLimitError,
    )
    from convoscope.api.profile import Profile, Secret
    from convoscope.api.retry import RetryEvent, RetryPolicy


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'convoscope.api' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # once loaded, an ordinary attribute
    return value
