"""Tiny ASGI servers that behave like the *other* servers convoscope meets in the wild.

The demo server answers like OpenAI. These answer errors the way Azure, FastAPI-based servers
(Llama Stack), plain-text backends and HTML proxies do, echo secrets back, and record the raw
request path, so the client is tested against real HTTP on loopback, not against mocks of itself.
"""

from __future__ import annotations

import json

ERROR_BODIES: dict[str, tuple[str, bytes]] = {
    "openai": (
        "application/json",
        json.dumps({"error": {"message": "No such item: 'msg_1'.", "type": "invalid_request_error",
                              "param": "item_id", "code": "not_found"}}).encode(),
    ),
    "azure": (
        "application/json",
        json.dumps({"error": {"code": "BadRequest", "message": "Invalid conversation id.",
                              "type": "error", "inner_error": {"code": "ResponsibleAIPolicyViolation"}}}).encode(),
    ),
    "detail-string": ("application/json", json.dumps({"detail": "Conversation not found"}).encode()),
    "detail-list": (
        "application/json",
        json.dumps({"detail": [{"loc": ["query", "limit"], "msg": "Input should be less than or equal to 100",
                                "type": "less_than_equal"}]}).encode(),
    ),
    "text": ("text/plain", b"upstream connect error or disconnect/reset before headers\n"),
    "html": (
        "text/html",
        b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title><style>p{}</style></head>"
        b"<body><h1>502 Bad Gateway</h1><p>nginx</p></body></html>",
    ),
    "ansi": ("text/plain", b"\x1b[31mboom\x1b[0m\x07 \x1b]0;pwned\x07 done"),
}


class OtherServer:
    """Answers every request with `status` and the body of `shape`; records raw paths."""

    def __init__(self, status: int = 404, shape: str = "openai", echo_auth: bool = False) -> None:
        self.status = status
        self.shape = shape
        self.echo_auth = echo_auth
        self.raw_paths: list[bytes] = []
        self.headers_seen: list[dict[str, str]] = []

    async def __call__(self, scope, receive, send) -> None:  # noqa: ANN001 - ASGI
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        self.raw_paths.append(scope.get("raw_path") or scope["path"].encode())
        headers = {k.decode(): v.decode() for k, v in scope["headers"]}
        self.headers_seen.append(headers)
        content_type, body = ERROR_BODIES[self.shape]
        if self.echo_auth:
            body = json.dumps({"error": {"message": f"Incorrect API key provided: {headers.get('authorization', '')}"}}).encode()
        await send({"type": "http.response.start", "status": self.status,
                    "headers": [(b"content-type", content_type.encode()), (b"x-request-id", b"req_other_1")]})
        await send({"type": "http.response.body", "body": body})
