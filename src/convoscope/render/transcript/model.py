"""A transcript entry: what one item says, as format-neutral blocks (Markdown and HTML draw them).

Blocks hold the server's text as it came (control characters and all); each output format makes
it safe for itself, so there is exactly one place per format that escapes.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Prose:
    """Text written by a person or a model: Markdown source."""

    text: str
    caption: str = ""


@dataclass(frozen=True)
class Code:
    """Verbatim text (arguments, outputs, commands, code): shown in a fenced block."""

    text: str
    language: str = ""
    caption: str = ""


@dataclass(frozen=True)
class Image:
    """Image bytes whose format was checked from the bytes themselves (never the server's claim)."""

    data: bytes
    mime: str  # one of IMAGE_TYPES
    caption: str = ""

    @property
    def extension(self) -> str:
        return IMAGE_TYPES[self.mime]


@dataclass(frozen=True)
class Fields:
    """Short key/value facts (exit code, status, server, file)."""

    rows: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Links:
    """Sources and citations: (title, URL) pairs."""

    caption: str
    links: tuple[tuple[str, str], ...]


Block = Prose | Code | Image | Fields | Links


@dataclass
class Entry:
    """One item in a transcript."""

    number: int  # 1-based position in the export
    item_id: str
    item_type: str
    title: str  # one plain line: "function_call · read_file · completed"
    blocks: list[Block] = field(default_factory=list)
    failed: bool = False  # status failed / incomplete: drawn so that it stands out


IMAGE_TYPES = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp"}


def sniff_image(data: bytes) -> str | None:
    """The MIME type of raster image bytes, from their magic numbers; None for anything else."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None
