"""Realistic pictures for the bundled conversations, stored in the package.

The JSON files carry tiny placeholder PNGs (so they stay small and readable); the demo serves
what users will really see instead: generated images of 1024×1024, computer-use screenshots of
1280×800, a chart from the code interpreter and phone photos. They were drawn once, from fixed
shapes and seeds, by `draw_pictures.py`, and are read from `data/pictures/`: the same bytes every
run, and nothing drawn while the demo starts.
"""

from __future__ import annotations

import base64
import functools
from collections.abc import Callable, Iterator
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

PICTURES_DIR: Traversable = resources.files("convoscope.demo") / "data" / "pictures"
# What /v1/_demo/pictures/<name> serves: a picture at a URL, like the image URLs items point at.
SERVED = {"logo.png": ("logo", 1), "screenshot.png": ("screen", 1), "chart.png": ("chart", 1),
          "photo.jpg": ("photo", 1)}
_MEDIA = {"png": "image/png", "jpg": "image/jpeg"}


JPEG_MAGIC = b"\xff\xd8\xff"


def picture_name(kind: str, variant: int, data: bytes) -> str:
    extension = "jpg" if data.startswith(JPEG_MAGIC) else "png"
    return f"{kind}-{variant}.{extension}"


@functools.cache
def stored_picture(kind: str, variant: int) -> tuple[bytes, str]:
    """(bytes, media type) of a stored picture."""
    for extension, media in _MEDIA.items():
        entry = PICTURES_DIR / f"{kind}-{variant}.{extension}"
        if entry.is_file():
            return entry.read_bytes(), media
    raise FileNotFoundError(f"no stored demo picture {kind}-{variant} (run python -m convoscope.demo.draw_pictures)")


def with_realistic_pictures(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`items` with every inline placeholder image replaced by a realistic one (new dicts)."""
    return list(_replaced(items, lambda kind, variant: _data_url(*stored_picture(kind, variant))))


def pictures_needed() -> Iterator[tuple[str, int]]:
    """Every (kind, variant) the bundled conversations and the picture route use."""
    from convoscope.demo.bundled import bundled_placeholder_items

    needed: set[tuple[str, int]] = set(SERVED.values())
    for items in bundled_placeholder_items():
        for _ in _replaced(items, lambda kind, variant: needed.add((kind, variant)) or ""):
            pass
    return iter(sorted(needed))


def served_picture(name: str) -> tuple[bytes, str] | None:
    """(bytes, media type) of a picture the demo serves at /v1/_demo/pictures/<name>."""
    return stored_picture(*SERVED[name]) if name in SERVED else None


def _replaced(items: list[dict[str, Any]], picture: Callable[[str, int], str]) -> Iterator[dict[str, Any]]:
    """Each item with its placeholders replaced by `picture(kind, variant)` (a data URL, or for an
    image generation result, the base64 alone)."""
    counters = {"logo": 0, "screen": 0, "photo": 0, "chart": 0}
    in_computer_session = any(item.get("type") == "computer_call" for item in items)

    def next_picture(kind: str) -> str:
        counters[kind] += 1
        return picture(kind, counters[kind] - 1)

    for item in items:
        item_type = item.get("type")
        if item_type == "image_generation_call" and isinstance(item.get("result"), str) and item["result"]:
            data_url = next_picture("logo")
            yield {**item, "result": data_url.partition(",")[2]}
            continue

        def replace(part: dict[str, Any], key: str) -> dict[str, Any]:
            if item_type == "code_interpreter_call":
                kind = "chart"
            elif in_computer_session:
                kind = "screen"
            else:
                kind = "photo"
            return {**part, key: next_picture(kind)}

        yield _replace_data_urls(item, replace)


def _data_url(data: bytes, media: str) -> str:
    return f"data:{media};base64,{base64.b64encode(data).decode('ascii')}"


def _replace_data_urls(value: Any, replace: Callable[[dict[str, Any], str], dict[str, Any]]) -> Any:
    if isinstance(value, list):
        return [_replace_data_urls(member, replace) for member in value]
    if not isinstance(value, dict):
        return value
    for key in ("image_url", "url"):
        url = value.get(key)
        if isinstance(url, str) and url.startswith("data:image/"):
            return replace(value, key)
    return {key: _replace_data_urls(member, replace) for key, member in value.items()}
