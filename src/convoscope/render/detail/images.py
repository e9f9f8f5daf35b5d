"""Every image an item holds, as bytes with a safe file name: what `s` saves.

Images come as an image_generation_call's base64 `result`, or as `data:image/...` URLs anywhere
in the item (code interpreter outputs, input_image parts, computer-use screenshots, tool outputs
of any type). Everything here is server data: names are built from the item id, never a path.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote_to_bytes

from convoscope.api.models import Item
from convoscope.render.detail.hosted import image_payload

DATA_URL = re.compile(r"data:image/([A-Za-z0-9.+-]{1,20})((?:;[^,;]*)*?),", re.IGNORECASE)
EXTENSIONS = {"jpeg": "jpg", "svg+xml": "svg", "x-icon": "ico", "vnd.microsoft.icon": "ico"}
MAX_IMAGES = 100  # a pathological item must not write thousands of files


def image_payloads(item: Item) -> list[tuple[str, bytes]]:
    """(file name, bytes) of every image in `item`, in the order the item holds them.

    One image is named after the item (`ig_123.png`); several are numbered (`msg_1-1.png`, ...).
    """
    found: list[tuple[str, bytes]] = []
    generated = image_payload(item)
    if generated is not None:
        found.append((generated[0].rsplit(".", 1)[-1], generated[1]))
    for value in _strings(item.raw):
        if len(found) >= MAX_IMAGES:
            break
        decoded = _data_url(value)
        if decoded is not None:
            found.append(decoded)
    stem = _stem(item)
    if len(found) == 1:
        return [(f"{stem}.{found[0][0]}", found[0][1])]
    return [(f"{stem}-{n}.{extension}", data) for n, (extension, data) in enumerate(found, 1)]


def _stem(item: Item) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", item.id or "image")[:100].strip("._") or "image"


def _strings(value: Any) -> Iterator[str]:
    """Every string in a JSON value, depth first, in document order."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for child in value.values():
            yield from _strings(child)
    elif isinstance(value, list):
        for child in value:
            yield from _strings(child)


def _data_url(value: str) -> tuple[str, bytes] | None:
    """(extension, bytes) of a `data:image/...` URL; None for anything else or undecodable."""
    match = DATA_URL.match(value.strip()[:200])
    if match is None:
        return None
    subtype = match.group(1).lower()
    extension = EXTENSIONS.get(subtype, subtype if re.fullmatch(r"[a-z0-9]{1,8}", subtype) else "bin")
    payload = value.strip()[match.end():]
    try:
        if ";base64" in match.group(2).lower():
            data = base64.b64decode(payload, validate=False)
        else:
            data = unquote_to_bytes(payload)
    except (binascii.Error, ValueError):
        return None
    return (extension, data) if data else None
