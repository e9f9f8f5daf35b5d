"""Shared fixtures: the demo server on loopback, and a client pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator

import httpx
import pytest

from convoscope.api import ConversationsClient, Profile, RetryPolicy, Secret
from convoscope.demo.app import create_app
from convoscope.demo.faults import Faults
from convoscope.demo.serve import serve_in_background

FAKE_KEY = "sk-test-7f3a9c2e5b8d1f4a6c0e9b2d"


@pytest.fixture(scope="session")
def demo_url() -> Iterator[str]:
    """One fault-free demo server for the whole session (read-only tests only)."""
    with serve_in_background(create_app()) as url:
        yield url


@pytest.fixture
def fault_server() -> Iterator[Callable[..., str]]:
    """Start a fresh demo server with the given `Faults` fields; returns its base URL."""
    with _ServerPool() as pool:
        yield pool.start


class _ServerPool:
    def __init__(self) -> None:
        self._contexts: list = []

    def start(self, **faults: object) -> str:
        context = serve_in_background(create_app(Faults(**faults)))
        url = context.__enter__()
        self._contexts.append(context)
        return url

    def __enter__(self) -> _ServerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        for context in reversed(self._contexts):
            context.__exit__(None, None, None)


class SleepRecorder:
    """Stands in for asyncio.sleep so retry tests run instantly and can read the delays."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


def make_client(url: str, **options: object) -> ConversationsClient:
    options.setdefault("retry", RetryPolicy(max_attempts=4))
    return ConversationsClient(
        Profile(name="test", base_url=url, api_key=Secret(FAKE_KEY)), **options
    )


@pytest.fixture
async def client(demo_url: str) -> AsyncIterator[ConversationsClient]:
    async with make_client(demo_url) as c:
        yield c


def demo_stats(url: str) -> dict:
    return httpx.get(f"{url}/_demo/stats").json()
