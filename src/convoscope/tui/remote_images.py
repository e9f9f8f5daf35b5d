"""Fetching an image an item points at by URL, only when the user asks (`f`).

Item data is untrusted, and a URL in it may point anywhere: it is fetched only on request, with
a plain client that carries no API key or other header of ours, only over http(s), with a size
limit and a timeout. The bytes go to the render layer, which draws them like inline images.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx

from convoscope.render.images import remember_remote
from convoscope.render.text import human_size, visible

MAX_BYTES = 20 * 1024 * 1024
TIMEOUT_S = 20.0


class RemoteImageError(Exception):
    """Why an image could not be fetched, in words for the user."""


async def fetch_image(url: str) -> int:
    """Fetch `url` and keep its bytes for drawing; returns their size. Raises RemoteImageError."""
    parts = urlsplit(url)
    host = visible(parts.hostname or "?")
    if parts.scheme not in ("http", "https"):
        raise RemoteImageError(f"only http and https images are fetched, not {visible(parts.scheme)!r}")
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT_S, follow_redirects=True) as client:
            async with client.stream("GET", url) as response:
                if response.status_code != 200:
                    raise RemoteImageError(f"{host} answered {response.status_code} {visible(response.reason_phrase)}")
                data = bytearray()
                async for chunk in response.aiter_bytes():
                    data += chunk
                    if len(data) > MAX_BYTES:
                        raise RemoteImageError(f"the image at {host} is larger than {human_size(MAX_BYTES)}")
    except httpx.TimeoutException:
        raise RemoteImageError(f"{host} did not answer within {TIMEOUT_S:g} s") from None
    except httpx.HTTPError as error:
        raise RemoteImageError(f"could not reach {host}: {visible(type(error).__name__)}") from None
    remember_remote(url, bytes(data))
    return len(data)
