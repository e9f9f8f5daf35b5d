"""Export a conversation to a file: JSONL, JSON, Markdown or HTML, through the paging walk.

Used by `convoscope export` and by the viewer's export dialog. The file appears only when the
export is complete: everything is written to a temporary file beside it (and a temporary image
folder for Markdown) and renamed at the end, so Ctrl-C, a cancelled worker or a server error
never leaves a half-written file. No Textual here.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from convoscope.api import ConversationsClient
from convoscope.api.models import Item
from convoscope.paging import WalkStop, WalkSummary, walk_items
from convoscope.render.text import TERMINAL_UNSAFE_CHARS
from convoscope.render.transcript import HtmlWriter, MarkdownWriter, transcript_entry
from convoscope.render.transcript.model import Entry, Image

FORMATS: dict[str, str] = {"jsonl": ".jsonl", "json": ".json", "md": ".md", "html": ".html"}
FORMAT_NAMES = {"jsonl": "JSONL (lossless)", "json": "JSON (one document)", "md": "Markdown", "html": "HTML"}
_SUFFIXES = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".md": "md", ".markdown": "md",
             ".html": "html", ".htm": "html"}
PROGRESS_EVERY = 50  # items between progress reports
YIELD_EVERY = 20  # items between giving the event loop a turn (the viewer stays responsive)

# Characters JSON allows raw but a terminal would act on (DEL, C1 controls, bidi overrides) or
# cannot encode (lone surrogates): escaping them keeps each line valid JSON and safe to `cat`.
_JSON_UNSAFE = re.compile(f"[{TERMINAL_UNSAFE_CHARS}]")

Progress = Callable[[int], None]


def json_text(value: Any) -> str:
    """Compact JSON of what the server sent, non-ASCII kept, terminal-unsafe characters escaped."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def jsonl_line(item: Item) -> str:
    """One item as a JSONL line: what `items --jsonl` writes and what JSONL export writes."""
    return json_text(item.raw) + "\n"


def format_for_path(path: str | Path) -> str | None:
    """The format a file name asks for (`notes.md` → md), or None."""
    return _SUFFIXES.get(Path(path).suffix.lower())


def images_dir_for(path: Path) -> Path:
    """Where a Markdown export's images go: `talk.md` → `talk_files/`."""
    return path.with_name(f"{path.stem}_files")


@dataclass(frozen=True)
class ExportRequest:
    conversation_id: str
    format: str  # a key of FORMATS
    path: Path
    include: tuple[str, ...] = ()
    types: frozenset[str] = frozenset()  # only these item types (empty: all)
    keep: Callable[[Item], bool] | None = None  # a further filter (the viewer's current view)
    view: str = ""  # what the filter is, for the document's footer ("view: messages")


@dataclass
class ExportResult:
    path: Path
    items: int = 0
    images: int = 0
    images_dir: Path | None = None
    stop: WalkStop | None = None  # how the walk ended (anything but COMPLETE is worth saying)
    summary: WalkSummary = field(default_factory=WalkSummary, repr=False)

    @property
    def complete(self) -> bool:
        return self.stop in (WalkStop.COMPLETE, None)


async def export_conversation(
    client: ConversationsClient, request: ExportRequest, *, on_progress: Progress | None = None
) -> ExportResult:
    """Walk the conversation and write it in `request.format` to `request.path`, atomically."""
    if request.format not in FORMATS:
        raise ValueError(f"unknown export format {request.format!r}; choose from {', '.join(FORMATS)}")
    result = ExportResult(request.path)
    output = AtomicOutput(request.path)
    try:
        conversation = None
        if request.format != "jsonl":  # JSONL is the items only, exactly as `items --jsonl`
            conversation = (await client.retrieve_conversation(request.conversation_id)).raw
        writer = _writer(request, output, conversation, result)
        include = request.include or client.profile.default_include
        async for item in walk_items(client, request.conversation_id, include=include, summary=result.summary):
            if request.types and item.type not in request.types:
                continue
            if request.keep is not None and not request.keep(item):
                continue
            result.items += 1
            writer.item(item, result.items)
            if result.items % PROGRESS_EVERY == 0 and on_progress is not None:
                on_progress(result.items)
            if result.items % YIELD_EVERY == 0:
                await asyncio.sleep(0)
        result.stop = result.summary.stop
        writer.finish(result.items, _footer_note(request, result))
        result.images_dir = output.commit()
    except BaseException:
        output.abort()
        raise
    if on_progress is not None:
        on_progress(result.items)
    return result


def _footer_note(request: ExportRequest, result: ExportResult) -> str | None:
    notes = []
    if request.view:
        notes.append(request.view)
    if request.types:
        notes.append("only " + ", ".join(sorted(request.types)))
    if not result.complete and result.summary.stop is not None:
        notes.append(f"incomplete: {result.summary.stop.value}")
    return "; ".join(notes) or None


# --- the four formats ------------------------------------------------------------------------------


class _Writer:
    def __init__(self, out: TextIO) -> None:
        self.out = out

    def item(self, item: Item, number: int) -> None:
        raise NotImplementedError

    def finish(self, count: int, note: str | None) -> None:
        pass


class _JsonlWriter(_Writer):
    def item(self, item: Item, number: int) -> None:
        self.out.write(jsonl_line(item))


class _JsonWriter(_Writer):
    """`{"conversation": {...}, "items": [...]}`, one item per line so it streams and diffs well."""

    def __init__(self, out: TextIO, conversation: Any) -> None:
        super().__init__(out)
        out.write('{"conversation":' + json_text(conversation) + ',\n"items":[')

    def item(self, item: Item, number: int) -> None:
        self.out.write(("\n" if number == 1 else ",\n") + json_text(item.raw))

    def finish(self, count: int, note: str | None) -> None:
        self.out.write("\n]}\n" if count else "]}\n")


class _TranscriptWriter(_Writer):
    def __init__(self, out: TextIO, document: MarkdownWriter | HtmlWriter, conversation_id: str,
                 conversation: Any) -> None:
        super().__init__(out)
        self.document = document
        out.write(document.begin(conversation_id, conversation))

    def item(self, item: Item, number: int) -> None:
        self.out.write(self.document.entry(transcript_entry(item, number)))

    def finish(self, count: int, note: str | None) -> None:
        self.out.write(self.document.end(count, note))


def _writer(request: ExportRequest, output: AtomicOutput, conversation: Any, result: ExportResult) -> _Writer:
    if request.format == "jsonl":
        return _JsonlWriter(output.file)
    if request.format == "json":
        return _JsonWriter(output.file, conversation)
    if request.format == "html":
        return _TranscriptWriter(output.file, HtmlWriter(), request.conversation_id, conversation)

    def save_image(image: Image, entry: Entry) -> str:
        result.images += 1
        return output.add_image(f"item-{entry.number:05d}-{result.images}.{image.extension}", image.data)

    return _TranscriptWriter(output.file, MarkdownWriter(save_image), request.conversation_id, conversation)


# --- writing atomically ----------------------------------------------------------------------------


def _default_mode() -> int:
    """What a newly created file gets under the current umask (mkstemp would make it 0600)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


_FILE_MODE = _default_mode()
_DIR_MODE = _FILE_MODE | ((_FILE_MODE & 0o444) >> 2)  # r → x, for the images folder


class AtomicOutput:
    """A temporary file (and image folder) beside `path`, renamed into place by `commit()`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
        self.temporary = Path(temporary)
        self.file: TextIO = os.fdopen(descriptor, "w", encoding="utf-8", newline="\n")
        self.images_temporary: Path | None = None

    def add_image(self, name: str, data: bytes) -> str:
        """Write one image into the (temporary) image folder; returns the link for the document."""
        if self.images_temporary is None:
            self.images_temporary = Path(
                tempfile.mkdtemp(prefix=f".{images_dir_for(self.path).name}.", suffix=".part", dir=self.path.parent)
            )
        (self.images_temporary / name).write_bytes(data)
        return f"{images_dir_for(self.path).name}/{name}"

    def commit(self) -> Path | None:
        """Put the file (and images) in place; returns the image folder when there is one."""
        self.file.close()
        os.chmod(self.temporary, _FILE_MODE)
        images = None
        if self.images_temporary is not None:
            images = images_dir_for(self.path)
            os.chmod(self.images_temporary, _DIR_MODE)
            for image in self.images_temporary.iterdir():
                os.chmod(image, _FILE_MODE)
            _replace_dir(self.images_temporary, images)
            self.images_temporary = None
        os.replace(self.temporary, self.path)
        return images

    def abort(self) -> None:
        """Remove everything this export wrote; the previous file, if any, stays as it was."""
        try:
            self.file.close()
        except Exception:
            pass
        self.temporary.unlink(missing_ok=True)
        if self.images_temporary is not None:
            shutil.rmtree(self.images_temporary, ignore_errors=True)


def _replace_dir(source: Path, target: Path) -> None:
    """Rename `source` to `target`, replacing a previous export's image folder."""
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent))
        os.replace(target, old / target.name)
        os.replace(source, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(source, target)
