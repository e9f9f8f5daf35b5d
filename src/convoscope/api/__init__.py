"""The API layer: a pure Conversations API client and its item models. No Textual here."""

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

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "BadResponseError",
    "ConversationsClient",
    "NotFoundError",
    "PermissionDeniedError",
    "Profile",
    "RateLimitError",
    "RetryEvent",
    "RetryPolicy",
    "Secret",
    "path_segment",
]
