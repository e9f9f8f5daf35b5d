"""Running the demo app with uvicorn: in a background thread (tests) or in the foreground (CLI)."""

from __future__ import annotations

import socket
import threading
import time
from contextlib import contextmanager
from typing import Iterator

import uvicorn
from starlette.applications import Starlette

STARTUP_TIMEOUT_S = 10.0
SHUTDOWN_TIMEOUT_S = 5.0
GRACEFUL_SHUTDOWN_S = 1
"""How long shutdown waits for in-flight requests (e.g. a stalled one) before cancelling them."""


@contextmanager
def serve_in_background(app: Starlette, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve `app` from a daemon thread; yields the base URL ("http://127.0.0.1:<port>/v1").

    The socket is bound before the server starts, so port 0 picks a free port without a race,
    and the URL is only handed out once the server accepts connections.
    """
    sock = _bind(host, port)
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            log_level="warning",
            log_config=None,  # leave the host process's logging configuration alone
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
        )
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="convoscope-demo-server", daemon=True)
    thread.start()
    try:
        _wait_until_started(server, thread)
        yield _base_url(host, sock.getsockname()[1])
    finally:
        server.should_exit = True
        thread.join(SHUTDOWN_TIMEOUT_S)
        sock.close()


def serve_forever(app: Starlette, host: str, port: int) -> None:
    """Serve `app` in the foreground until interrupted (the `convoscope demo-server` command)."""
    sock = _bind(host, port)
    print(f"convoscope demo server on http://{host}:{sock.getsockname()[1]}/v1", flush=True)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off", timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S))
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto must say TCP explicitly: asyncio only sets TCP_NODELAY on accepted connections whose
    # proto is IPPROTO_TCP, and without it every response waits ~40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def _wait_until_started(server: uvicorn.Server, thread: threading.Thread) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("demo server thread exited during startup")
        if time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError(f"demo server did not start within {STARTUP_TIMEOUT_S:g} s")
        time.sleep(0.01)


def _base_url(host: str, port: int) -> str:
    if host in ("0.0.0.0", "::", ""):
        host = "127.0.0.1"  # a wildcard bind is reachable on loopback
    elif ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/v1"
