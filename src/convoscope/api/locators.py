"""What users type to point at a server or a conversation: base URLs, conversation ids and URLs.

One definition for every place that asks (the picker, `convoscope ID`, `items`, `export`), so the
same text opens the same conversation everywhere.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

CONVERSATION_ID = re.compile(r"\bconv_[A-Za-z0-9_\-]+")

BASE_URL_EXAMPLES = "https://api.openai.com/v1 or http://localhost:8321/v1"


def conversation_id_in(text: str) -> str | None:
    """The conversation id in pasted text: a bare id, or one inside a URL.

    A `conv_…` id anywhere wins (dashboard and portal URLs, API URLs, query strings); otherwise
    an http(s) URL names its last path segment, and any other single word is taken as an id.
    """
    text = text.strip()
    if match := CONVERSATION_ID.search(text):
        return match.group()
    if is_http_url(text):
        segments = [s for s in urlsplit(text).path.split("/") if s]
        return segments[-1] if segments else None
    return text if text and not any(c.isspace() for c in text) else None


def is_http_url(text: str) -> bool:
    return text.startswith(("http://", "https://"))


def base_url_problem(text: str) -> str | None:
    """Why `text` cannot be an API base URL, or None when it can.

    Caught before any request: a typo otherwise turns into five retried connection errors.
    """
    if any(c.isspace() or ord(c) < 32 for c in text):
        return "it contains spaces or control characters"
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError as error:
        return f"it is not a URL ({error})"
    if "://" not in text:
        return "it does not start with http:// or https://"
    if parts.scheme not in ("http", "https"):
        return f"it starts with {parts.scheme}://, not http:// or https://"
    if not parts.hostname:
        return "it has no host name"
    return None


def describe_base_url_problem(text: str, problem: str) -> str:
    """One line saying what was wrong and what a base URL looks like."""
    shown = text if len(text) <= 80 else text[:79] + "…"
    shown = "".join(c if c.isprintable() else "?" for c in shown)
    return (
        f"{shown!r} is not a base URL: {problem}; a base URL looks like {BASE_URL_EXAMPLES} "
        "(the API root, before /conversations)"
    )
