"""Images inside items, drawn as pictures: generated images, screenshots, input images.

`image_sources(item)` finds every image an item carries (base64 results and data URLs, remote
URLs, file ids) without decoding anything. `ImagePicture(source)` is a Rich renderable that
decodes, scales and draws one of them at the width it is given; it is meant to be rendered off
the main thread (the detail pane and the reading view both do). Base64 is never drawn as text:
an image that cannot be decoded says so in one line.

How pixels become cells is the renderer's job (textual-image's classes: half-blocks by default,
Kitty graphics where the TUI chooses it). `use_renderer` swaps it; tests keep the half-blocks.
"""

from __future__ import annotations

import base64
import binascii
import io
import threading
import warnings
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from PIL import Image as PILImage
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.padding import Padding
from rich.text import Text

from convoscope.api.models import ImageGenerationCall, Item
from convoscope.api.models.text import one_line
from convoscope.render.image_renderers import renderer_class
from convoscope.render.text import human_size, visible

MAX_PIXELS = 64_000_000  # a larger image is a decompression bomb, not a picture: not decoded
MAX_WIDTH_CELLS = 100  # wider than this, a picture only gets harder to take in
MAX_HEIGHT_CELLS = 60
SCAN_DEPTH = 6  # how deep into an item's JSON images are looked for
SCAN_STRINGS = 200  # how many image-looking fields one item may yield

_renderer: Any = None  # a textual-image renderable class; half-blocks unless one is chosen
_renderer_lock = threading.Lock()


def use_renderer(renderer: Any) -> None:
    """Draw images with `renderer`, a textual-image renderable class (half-blocks, Kitty's…);
    None: the default, half-blocks."""
    global _renderer
    with _renderer_lock:
        _renderer = renderer
    _DECODED.clear()


def current_renderer() -> Any:
    """The renderable class pictures are drawn with (loaded when the first picture is drawn)."""
    global _renderer
    with _renderer_lock:
        if _renderer is None:
            _renderer = renderer_class("halfcell")
        return _renderer


def renderer_name() -> str:
    return f"{current_renderer().__module__.rsplit('.', 1)[-1]}"


@dataclass(frozen=True)
class ImageSource:
    """One image an item carries: inline `data`, a remote `url` (with `data` once fetched), or a
    `file_id` on the server."""

    key: str  # stable per item and place, for caching ("img_1/result", "msg_2/content.0")
    where: str  # a readable place: "result", "content[0]", "output"
    data: str | None = None  # base64 payload (no data: header), or what was fetched from `url`
    media_type: str | None = None
    url: str | None = None  # a remote URL: fetched only when the user asks
    file_id: str | None = None
    problem: str | None = None  # a malformed data URL

    @property
    def size(self) -> int:
        return _base64_size(self.data) if self.data else 0

    def describe(self) -> str:
        """One line saying what the image is, without its bytes."""
        if self.data is not None:
            kind = visible(one_line(self.media_type or "image", 40)).removeprefix("image/")
            origin = f" from {visible(one_line(self.url, 120))}" if self.url else ""
            return f"{kind} image, {human_size(self.size)}{origin}"
        if self.url is not None:
            return f"image at {visible(one_line(self.url, 200))}"
        if self.file_id is not None:
            return f"image file {visible(one_line(self.file_id, 120))}"
        return visible(self.problem or "image")


# Images fetched from remote URLs at the user's request (by the TUI), base64 by URL.
_REMOTE: OrderedDict[str, tuple[str, str | None]] = OrderedDict()  # url -> (base64, media type)
REMOTE_CAPACITY = 32
_MAGIC = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"), (b"GIF8", "image/gif"),
          (b"RIFF", "image/webp"))


def remember_remote(url: str, data: bytes) -> None:
    """Keep the bytes fetched from `url`: its image is drawn from now on."""
    media = next((kind for magic, kind in _MAGIC if data.startswith(magic)), None)
    _REMOTE[url] = (base64.b64encode(data).decode("ascii"), media)
    _REMOTE.move_to_end(url)
    while len(_REMOTE) > REMOTE_CAPACITY:
        _REMOTE.popitem(last=False)


def remote_urls(item: Item) -> list[str]:
    """The remote image URLs of `item` not fetched yet."""
    return [s.url for s in image_sources(item) if s.url is not None and s.data is None]


def image_sources(item: Item) -> list[ImageSource]:
    """Every image in `item`: the generated result, and every image URL or file id in its JSON."""
    found: list[ImageSource] = []
    item_key = item.id or f"{id(item)}"
    if isinstance(item, ImageGenerationCall) and isinstance(item.result, str) and item.result:
        media = f"image/{item.output_format}" if isinstance(item.output_format, str) else None
        found.append(ImageSource(f"{item_key}/result", "result", data=item.result, media_type=media))
    raw = item.raw
    if isinstance(raw, dict):
        for path, part in _image_parts(raw, "", 0):
            source = _source_of(part, f"{item_key}/{path}", path)
            if source is not None:
                found.append(source)
            if len(found) >= SCAN_STRINGS:
                break
    return found


def _image_parts(value: Any, path: str, depth: int) -> Iterator[tuple[str, dict[str, Any]]]:
    """(path, dict) of every dict that looks like an image reference, outermost first."""
    if depth > SCAN_DEPTH:
        return
    if isinstance(value, dict):
        if _looks_like_image(value):
            yield path or "item", value
            return
        for key, member in value.items():
            if key in ("result", "encrypted_content", "text", "arguments"):
                continue  # long strings that are never image references
            yield from _image_parts(member, f"{path}.{key}" if path else str(key), depth + 1)
    elif isinstance(value, list):
        for position, member in enumerate(value[:SCAN_STRINGS]):
            yield from _image_parts(member, f"{path}[{position}]", depth + 1)


def _looks_like_image(value: dict[str, Any]) -> bool:
    kind = value.get("type")
    if kind in ("input_image", "computer_screenshot", "image"):
        return True
    url = value.get("image_url")
    return isinstance(url, str) and bool(url)


def _source_of(part: dict[str, Any], key: str, where: str) -> ImageSource | None:
    url = part.get("image_url") or part.get("url")
    file_id = part.get("file_id")
    if isinstance(url, str) and url.startswith("data:"):
        header, comma, payload = url.partition(",")
        media = header[5:].split(";", 1)[0] or None
        if not comma or not header.endswith(";base64"):
            return ImageSource(key, where, problem=f"malformed data URL ({human_size(len(url))})")
        return ImageSource(key, where, data=payload, media_type=media)
    if isinstance(url, str) and url:
        data, media = _REMOTE.get(url, (None, None))
        return ImageSource(f"{key}@{url}", where, url=url, data=data, media_type=media)
    if isinstance(file_id, str) and file_id:
        return ImageSource(key, where, file_id=file_id)
    return None


def _base64_size(payload: str) -> int:
    length = len(payload)
    padding = payload[-2:].count("=") if payload.endswith("=") else 0
    return max(length * 3 // 4 - padding, 0)


# --- decoding ------------------------------------------------------------------------------------


class ImageProblem(Exception):
    """The image could not be decoded; the message says why, in plain words."""


_DECODED: OrderedDict[tuple[str, int, int], PILImage.Image] = OrderedDict()
_DECODED_LOCK = threading.Lock()
DECODED_CAPACITY = 64


def decoded(source: ImageSource, width: int, height: int) -> PILImage.Image:
    """The image scaled to fit `width` x `height` pixels (cached; call it off the main thread)."""
    key = (source.key, width, height)
    with _DECODED_LOCK:
        image = _DECODED.get(key)
        if image is not None:
            _DECODED.move_to_end(key)
            return image
    image = _decode(source, width, height)
    with _DECODED_LOCK:
        _DECODED[key] = image
        while len(_DECODED) > DECODED_CAPACITY:
            _DECODED.popitem(last=False)
    return image


def _decode(source: ImageSource, width: int, height: int) -> PILImage.Image:
    if source.data is None:
        raise ImageProblem(source.describe())
    try:
        data = base64.b64decode(source.data, validate=False)
    except (binascii.Error, ValueError) as error:
        raise ImageProblem(f"not valid base64 ({error})") from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            image = PILImage.open(io.BytesIO(data))
            if image.width * image.height > MAX_PIXELS:
                raise ImageProblem(f"too large to draw ({image.width}×{image.height} pixels)")
            image.draft("RGB", (width, height))  # JPEG: decode at a fraction of the size
            image = image.convert("RGBA")
    except ImageProblem:
        raise
    except Exception as error:  # Pillow raises many kinds for broken data
        raise ImageProblem(f"could not be decoded: {visible(one_line(str(error), 120))}") from None
    background = PILImage.new("RGBA", image.size, (0, 0, 0, 255))
    image = PILImage.alpha_composite(background, image).convert("RGB")
    image.thumbnail((width, height), PILImage.Resampling.BILINEAR)
    return image


def cells_for(source_width: int, source_height: int, max_width: int, max_height: int) -> tuple[int, int]:
    """Cells (columns, rows) a picture takes: fits both limits, keeps the aspect ratio.

    A half-block cell holds two square pixels stacked, so a row of cells is two pixel rows.
    """
    if source_width <= 0 or source_height <= 0:
        return 0, 0
    columns = max(min(max_width, MAX_WIDTH_CELLS, source_width), 1)
    rows = max(round(columns * source_height / source_width / 2), 1)
    limit = min(max_height, MAX_HEIGHT_CELLS)
    if rows > limit:
        rows = limit
        columns = max(min(round(rows * 2 * source_width / source_height), columns), 1)
    return columns, rows


def image_dimensions(source: ImageSource) -> tuple[int, int] | None:
    """The image's pixel size from its header alone (no full decode), or None."""
    if source.data is None:
        return None
    try:
        head = base64.b64decode(source.data[:65_536 - 65_536 % 4], validate=False)
        with PILImage.open(io.BytesIO(head)) as image:
            return image.size
    except Exception:
        return None


class ImagePicture:
    """A Rich renderable: one image, drawn at most `max_height` rows high, as wide as it may be."""

    def __init__(self, source: ImageSource, *, max_height: int = MAX_HEIGHT_CELLS, indent: int = 0) -> None:
        self.source = source
        self.max_height = max_height
        self.indent = indent

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(1, options.max_width)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield from self.render(options.max_width - self.indent)

    def render(self, width: int) -> Iterator[Any]:
        caption = Text(" " * self.indent + "🖼 " + self.source.describe(), style="dim")
        size = image_dimensions(self.source)
        if size is None:
            yield caption + self._why_not_drawn()
            return
        columns, rows = cells_for(size[0], size[1], max(width, 1), self.max_height)
        renderer = current_renderer()
        # Half-blocks show two pixels a cell; Kitty graphics show the real pixels of each cell.
        across, down = (1, 2) if renderer is renderer_class("halfcell") else (8, 16)
        try:
            picture = decoded(self.source, columns * across, rows * down)
        except ImageProblem as problem:
            yield caption + Text(f" — {problem}", style="bold red")
            return
        yield caption + Text(f" · {size[0]}×{size[1]}", style="dim")
        drawn_columns = max(round(picture.width / across), 1)
        drawn_rows = max(round(picture.height / down), 1)
        drawn = renderer(picture, width=drawn_columns, height=drawn_rows)
        yield Padding(drawn, (0, 0, 0, self.indent)) if self.indent else drawn

    def _why_not_drawn(self) -> Text:
        if self.source.url is not None:
            return Text(" — not fetched: press f to fetch it", style="dim")
        if self.source.file_id is not None:
            return Text(" — stored as a file on the server", style="dim")
        if self.source.data is not None:
            return Text(" — not a format that can be drawn", style="bold red")
        return Text("")
