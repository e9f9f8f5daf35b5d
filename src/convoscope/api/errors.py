"""Typed errors with one-line human messages.

Servers answer errors in many shapes: OpenAI's `{"error": {...}}`, Azure's variant of it with
`inner_error`, FastAPI-style `{"detail": ...}` (Llama Stack), plain text, or a proxy's HTML page.
`server_message` extracts the human part of any of them. Nothing here ever holds the API key:
messages are scrubbed of it before an exception is built (a compatible server may echo it back).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable

MAX_MESSAGE_CHARS = 2000  # whole messages reach the user; a 1 MB error page does not


class APIError(Exception):
    """Base of every error the client raises. `str(error)` is one human line."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def add_detail(self, detail: str) -> None:
        """Append what the user should know (e.g. when to try again) to the one-line message."""
        self.message = f"{self.message}: {detail}"
        self.args = (self.message,)

    @property
    def retry_may_help(self) -> bool:
        """Whether trying the same request again later could succeed (network, 5xx, 429)."""
        return True

    def advice(self) -> str:
        """What the user can do about it, in a few words."""
        return "press r to retry"


class APIConnectionError(APIError):
    """The server could not be reached, or the connection broke."""


class APITimeoutError(APIConnectionError):
    """The server did not answer in time."""


class BadResponseError(APIError):
    """The server answered 2xx with a body that is not what the API promises."""

    def advice(self) -> str:
        return "press r to retry; if it keeps happening, check the base URL"

    def __init__(self, message: str, *, request_id: str | None = None) -> None:
        super().__init__(message if not request_id else f"{message} (request {request_id})")
        self.request_id = request_id


class APIStatusError(APIError):
    """The server answered with an error status."""

    def __init__(
        self,
        *,
        status_code: int,
        server_message: str,
        error_type: str | None = None,
        code: str | None = None,
        param: str | None = None,
        request_id: str | None = None,
        retry_after_s: float | None = None,
    ) -> None:
        self.status_code = status_code
        self.server_message = server_message
        self.error_type = error_type
        self.code = code
        self.param = param
        self.request_id = request_id
        self.retry_after_s = retry_after_s
        super().__init__(self._one_line())

    @property
    def retry_may_help(self) -> bool:
        return self.status_code >= 500 or self.status_code in (408, 409, 429)

    def advice(self) -> str:
        if self.retry_may_help:
            return "press r to retry"
        return _STATUS_ADVICE.get(self.status_code, _DEFAULT_ADVICE)

    def _one_line(self) -> str:
        reason = STATUS_REASONS.get(self.status_code, "Error")
        line = f"{self.status_code} {reason}"
        if self.server_message:
            line += f": {self.server_message}"
        if self.request_id:
            line += f" (request {self.request_id})"
        return line


class BadRequestError(APIStatusError):
    pass


class AuthenticationError(APIStatusError):
    pass


class PermissionDeniedError(APIStatusError):
    pass


class NotFoundError(APIStatusError):
    pass


class ConflictError(APIStatusError):
    pass


class UnprocessableEntityError(APIStatusError):
    pass


class RateLimitError(APIStatusError):
    pass


class InternalServerError(APIStatusError):
    pass


STATUS_REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    408: "Request Timeout",
    409: "Conflict",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}

_DEFAULT_ADVICE = "retrying will not help: check the conversation id, the profile and the base URL"
_STATUS_ADVICE = {
    400: "the server refused the request; retrying will not help: check the base URL and the "
    "profile (is this the right kind of server?)",
    401: "the key was rejected: log in again (`convoscope auth login`) or check the profile",
    403: "this key may not read it: check the profile, the project and the key's permissions",
    404: "not found; retrying will not help: check the conversation id, the profile "
    "(--profile) and the base URL",
    405: "the server does not offer this; check the base URL and the profile's kind",
    422: "the server refused the request; retrying will not help: check the base URL and "
    "the profile's kind",
}

_ERROR_CLASSES: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def error_class_for(status_code: int) -> type[APIStatusError]:
    if status_code >= 500:
        return InternalServerError
    return _ERROR_CLASSES.get(status_code, APIStatusError)


# --- extracting the human message from any error body -------------------------------------------

_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f-\x9f]+")
_HTML_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_HTML_TAG = re.compile(r"<[^>]+>")
_HTML_DROP = re.compile(r"<(script|style)[^>]*>.*?</\1>", re.IGNORECASE | re.DOTALL)


def one_line(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """Collapse whitespace and control characters so a message fits one terminal line."""
    text = " ".join(_CONTROL_CHARS.sub(" ", text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def scrub(text: str, secrets: Iterable[str]) -> str:
    """Replace every secret in `text` by a mask; secrets shorter than 8 chars are not searched."""
    for secret in secrets:
        if secret and len(secret) >= 8 and secret in text:
            text = text.replace(secret, "****")
    return text


def parse_error_body(body: bytes, content_type: str = "") -> dict[str, str | None]:
    """Return message/type/code/param found in an error body of any known shape."""
    text = body.decode("utf-8", errors="replace").strip()
    fields: dict[str, str | None] = {"message": "", "type": None, "code": None, "param": None}
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if data is not None:
        fields.update(_fields_from_json(data))
    elif "html" in content_type.lower() or text.lower().startswith(("<!doctype", "<html")):
        fields["message"] = _text_from_html(text)
    else:
        fields["message"] = text
    fields["message"] = one_line(fields["message"] or "")
    return fields


def _fields_from_json(data: object) -> dict[str, str | None]:
    if isinstance(data, dict):
        error = data.get("error")
        if isinstance(error, dict):
            return _fields_from_error_object(error)
        if isinstance(error, str):
            return {"message": error}
        if "detail" in data:
            return {"message": _detail_text(data["detail"])}
        for key in ("message", "msg", "title", "error_description"):
            if isinstance(data.get(key), str):
                return {"message": data[key]}
    return {"message": json.dumps(data, ensure_ascii=False)}


def _fields_from_error_object(error: dict) -> dict[str, str | None]:
    """OpenAI `{message,type,param,code}`; Azure adds `inner_error` with a more useful code."""
    message = error.get("message")
    inner = error.get("inner_error") or error.get("innererror")
    if isinstance(inner, dict) and inner.get("code") and isinstance(message, str):
        message = f"{message} [{inner['code']}]"
    return {
        "message": message if isinstance(message, str) else json.dumps(error, ensure_ascii=False),
        "type": _str_or_none(error.get("type")),
        "code": _str_or_none(error.get("code")),
        "param": _str_or_none(error.get("param")),
    }


def _detail_text(detail: object) -> str:
    """FastAPI: a string, or a list of `{loc, msg}` validation errors."""
    if isinstance(detail, str):
        return detail
    if isinstance(detail, list):
        parts = []
        for entry in detail:
            if isinstance(entry, dict) and "msg" in entry:
                where = ".".join(str(p) for p in entry.get("loc", []) if p != "body")
                parts.append(f"{where}: {entry['msg']}" if where else str(entry["msg"]))
            else:
                parts.append(str(entry))
        return "; ".join(parts)
    return json.dumps(detail, ensure_ascii=False)


def _text_from_html(text: str) -> str:
    title = _HTML_TITLE.search(text)
    if title and title.group(1).strip():
        return html.unescape(title.group(1))
    return html.unescape(_HTML_TAG.sub(" ", _HTML_DROP.sub(" ", text)))


def _str_or_none(value: object) -> str | None:
    return None if value is None else str(value)
