"""The ASGI middleware around the demo API: request ids, statistics and fault injection.

It is plain ASGI rather than Starlette's BaseHTTPMiddleware so that it can cut a response
body in half, notice a client hanging up during a stall, and let cancellation through
untouched.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import time
from collections.abc import Callable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from convoscope.demo.errors import ApiError, status_error
from convoscope.demo.faults import Faults

log = logging.getLogger(__name__)

API_PREFIX = "/v1"
CONTROL_PREFIX = "/v1/_demo"


def is_api_path(path: str) -> bool:
    """API routes get statistics and faults; the demo control routes and stray paths do not."""
    return (path == API_PREFIX or path.startswith(API_PREFIX + "/")) and not path.startswith(CONTROL_PREFIX)


class DemoMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        tracker = _ResponseTracker(send, request_id=f"req_{secrets.token_hex(16)}")
        if not is_api_path(scope["path"]):
            await self._call_guarded(scope, receive, tracker, tracker)
            return
        state = scope["app"].state
        state.stats.request_started(scope["path"])
        try:
            await self._serve_api(scope, receive, tracker, state)
        finally:
            state.stats.request_finished(tracker.status)

    async def _serve_api(self, scope: Scope, receive: Receive, tracker: "_ResponseTracker", state: Any) -> None:
        faults: Faults = state.faults
        decision = state.fault_injector.decide(faults)
        if decision.delay_s > 0:
            await asyncio.sleep(decision.delay_s)
        if decision.fail_status is not None:
            await _send_error(_injected_error(decision.fail_status, faults), scope, receive, tracker)
            return
        if decision.stall_s > 0:
            replay = await _stall(decision.stall_s, receive)
            if replay is None:
                return  # the client hung up while we stalled; nobody is left to answer
            receive = replay
        if faults.html_200:
            await _send_html_welcome(tracker)
            return
        send: Send = tracker
        if decision.truncate:
            send = _truncating(tracker)
        if faults.deep_json_item or faults.invalid_utf8_item:
            send = _rewriting(send, lambda body: _corrupt_items(body, faults))
        await self._call_guarded(scope, receive, send, tracker)

    async def _call_guarded(self, scope: Scope, receive: Receive, send: Send, tracker: "_ResponseTracker") -> None:
        """Run the app; an unexpected exception becomes an OpenAI-shaped 500 (with a request id)."""
        tracker.app_started_at = time.perf_counter()
        try:
            await self.app(scope, receive, send)
        except Exception:
            log.exception("demo server: unhandled error for %s %s", scope.get("method"), scope.get("path"))
            if tracker.status is None:  # nothing sent yet, so an error response is still possible
                await _send_error(status_error(500), scope, receive, tracker)


class _ResponseTracker:
    """A `send` that stamps x-request-id on the response and remembers its status.

    It also adds `server-timing: app;dur=<ms>`, the time from handing the request to the
    app until the response starts (the body is rendered by then): handler time without
    injected latency or stalls, for benchmarks.
    """

    def __init__(self, send: Send, *, request_id: str) -> None:
        self._send = send
        self.request_id = request_id
        self.status: int | None = None
        self.app_started_at: float | None = None

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"x-request-id"]
            headers.append((b"x-request-id", self.request_id.encode()))
            if self.app_started_at is not None:
                elapsed_ms = (time.perf_counter() - self.app_started_at) * 1000
                headers.append((b"server-timing", f"app;dur={elapsed_ms:.2f}".encode()))
            message = {**message, "headers": headers}
        await self._send(message)


def _injected_error(status: int, faults: Faults) -> ApiError:
    headers: dict[str, str] = {}
    if status == 429:
        seconds = faults.retry_after_s
        headers = {
            "retry-after": str(int(seconds)) if float(seconds).is_integer() else str(seconds),
            "retry-after-ms": str(round(seconds * 1000)),
            "x-ratelimit-limit-requests": "60",
            "x-ratelimit-remaining-requests": "0",
            "x-ratelimit-reset-requests": f"{seconds:g}s",
        }
    return status_error(status, headers=headers)


async def _send_error(error: ApiError, scope: Scope, receive: Receive, send: Send) -> None:
    """Send `error` in the shape of the server the app impersonates (OpenAI's by default)."""
    persona = getattr(scope["app"].state, "persona", None)
    await error.response(persona.error_style if persona else "openai")(scope, receive, send)


async def _stall(seconds: float, receive: Receive) -> Receive | None:
    """Wait `seconds` before answering; None if the client disconnects meanwhile.

    The request body is read first (and replayed to the app afterwards) so that listening
    for a disconnect cannot swallow it. Cancellation (server shutdown) simply propagates.
    """
    buffered: list[Message] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        buffered.append(message)
        if not message.get("more_body", False):
            break
    watcher = asyncio.ensure_future(_wait_for_disconnect(receive))
    try:
        done, _ = await asyncio.wait({watcher}, timeout=seconds)
    finally:
        watcher.cancel()
    if watcher in done:
        return None
    return _replaying(buffered, receive)


async def _wait_for_disconnect(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


def _replaying(buffered: list[Message], receive: Receive) -> Receive:
    pending = list(buffered)

    async def replay() -> Message:
        return pending.pop(0) if pending else await receive()

    return replay


NGINX_WELCOME = (
    b"<!DOCTYPE html>\n<html>\n<head>\n<title>Welcome to nginx!</title>\n</head>\n<body>\n"
    b"<h1>Welcome to nginx!</h1>\n<p>If you see this page, the nginx web server is successfully "
    b"installed and working.</p>\n</body>\n</html>\n"
)


async def _send_html_welcome(send: Send) -> None:
    """What a reverse proxy's default site answers to any path: a 200 that is not the API."""
    headers = [(b"content-type", b"text/html"), (b"content-length", str(len(NGINX_WELCOME)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": NGINX_WELCOME, "more_body": False})


def _corrupt_items(body: bytes, faults: Faults) -> bytes:
    """Give the chosen items a field nested too deep, or a string that is not UTF-8."""
    if faults.deep_json_item:
        depth = max(faults.deep_json_depth, 1)
        deep = b"[" * depth + b"]" * depth
        body = _after_id(body, faults.deep_json_item, b',"nested":' + deep)
    if faults.invalid_utf8_item:
        body = _after_id(body, faults.invalid_utf8_item, b',"note":"caf\xe9 \xff\xfe bytes"'.decode("unicode_escape").encode("latin-1"))
    return body


def _after_id(body: bytes, item_id: str, extra: bytes) -> bytes:
    marker = b'"id":' + json.dumps(item_id).encode("ascii")
    return body.replace(marker, marker + extra)


def _rewriting(send: Send, rewrite: Callable[[bytes], bytes]) -> Send:
    """A `send` that rewrites a 200 response's whole body (and fixes Content-Length)."""
    start: Message | None = None
    chunks: list[bytes] = []

    async def rewriting_send(message: Message) -> None:
        nonlocal start
        if message["type"] == "http.response.start" and message["status"] == 200:
            start = message
            return
        if start is None or message["type"] != "http.response.body":
            await send(message)
            return
        chunks.append(message.get("body", b""))
        if message.get("more_body", False):
            return
        body = rewrite(b"".join(chunks))
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(body)).encode()))
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": body, "more_body": False})

    return rewriting_send


def _truncating(send: Send) -> Send:
    """A `send` that cuts a 200 response's body in half (and fixes Content-Length to match)."""
    start: Message | None = None
    chunks: list[bytes] = []

    async def truncating_send(message: Message) -> None:
        nonlocal start
        if message["type"] == "http.response.start" and message["status"] == 200:
            start = message
            return
        if start is None or message["type"] != "http.response.body":
            await send(message)
            return
        chunks.append(message.get("body", b""))
        if message.get("more_body", False):
            return
        body = b"".join(chunks)
        cut = body[: len(body) // 2]
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(cut)).encode()))
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": cut, "more_body": False})

    return truncating_send
