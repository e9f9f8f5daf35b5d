"""Start-up, as a user waits for it, in a pseudo-terminal (the app draws as in a real terminal).

* cold_start_s  `convoscope --demo` started -> the picker's conversation listing is on screen
* cli_start_s   `convoscope --version` started -> it exited (a command that draws nothing)

Median of RUNS runs each. The listing is recognised by the title of a bundled conversation in
the bytes the app writes to the terminal.
"""

from __future__ import annotations

import os
import pty
import select
import signal
import statistics
import struct
import subprocess
import sys
import termios
import fcntl
import time
from typing import Any

RUNS = 5
LISTING_MARK = b"conversations on the server"
TIMEOUT_S = 30.0


def measure_startup() -> dict[str, Any]:
    cold = [_cold_start_s() for _ in range(RUNS)]
    cli = [_cli_start_s() for _ in range(RUNS)]
    return {"cold_start_s": statistics.median(cold), "cold_start_max_s": max(cold),
            "cli_start_s": statistics.median(cli), "cli_start_max_s": max(cli)}


def _command(*args: str) -> list[str]:
    return [sys.executable, "-m", "convoscope", *args]


def _cli_start_s() -> float:
    started = time.perf_counter()
    subprocess.run(_command("--version"), check=True, capture_output=True)
    return time.perf_counter() - started


def _cold_start_s(columns: int = 120, rows: int = 40) -> float:
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    environment = {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(columns), "LINES": str(rows)}
    started = time.perf_counter()
    process = subprocess.Popen(_command("--demo"), stdin=follower, stdout=follower, stderr=follower,
                               env=environment, start_new_session=True)
    os.close(follower)
    try:
        return _read_until(leader, LISTING_MARK, started)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)
        os.close(leader)


def _read_until(fd: int, mark: bytes, started: float) -> float:
    seen = b""
    while time.perf_counter() - started < TIMEOUT_S:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen = seen[-4096:] + chunk
        if mark in seen:
            return time.perf_counter() - started
    raise TimeoutError(f"the listing never appeared within {TIMEOUT_S:g} s")
