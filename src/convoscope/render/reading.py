"""The reading view's transcript: one item as the lines a reader sees, top to bottom.

Messages sit under a role heading with their text as Markdown (citations as numbered links,
refusals marked, images drawn). Every other item is one folded line (what it is, in brief, and
how it went) that opens in place to show the detail renderer's sections; reasoning is folded
and dimmed. `transcript_lines(item, width, opened=…)` is pure and safe to run in a thread; the
widget that draws these lines lives in the TUI.
"""

from __future__ import annotations

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.segment import Segment
from rich.text import Text

from convoscope.api.models import (
    ComputerScreenshot,
    InputFile,
    InputImage,
    Item,
    Message,
    Reasoning,
    Refusal,
)
from convoscope.api.models.content import FileCitation, TextPart, UrlCitation
from convoscope.api.models.text import one_line
from convoscope.paging.rows import Row, row_from_item
from convoscope.render.detail import RenderContext, render_item
from convoscope.render.detail.blocks import markdown_block
from convoscope.render.groups import Group as ItemGroup
from convoscope.render.images import ImagePicture, ImageSource, image_sources
from convoscope.render.rows import row_line
from convoscope.render.text import safe_text, visible

Line = list[Segment]

INDENT = 2  # the body of a message or an opened item sits this far right of its heading
IMAGE_ROWS = 24  # a picture in the transcript is at most this many rows high, unless told

# Explicit colours, light enough to read on a dark surface (4.5:1 and more on #1e1e1e).
ROLE_STYLES = {
    "user": "bold #5fd7ff",
    "assistant": "bold #87d787",
    "system": "bold #d7a7ff",
    "developer": "bold #d7a7ff",
    "tool": "bold #e0b860",
}
GROUP_STYLES = {
    ItemGroup.TOOL_CALL: "#7fbfff",
    ItemGroup.TOOL_OUTPUT: "#a0c0e0",
    ItemGroup.SHELL: "#87d787",
    ItemGroup.HOSTED: "#e0a0e0",
    ItemGroup.MCP: "#e0b860",
    ItemGroup.REASONING: "italic #a8a8a8",
    ItemGroup.OTHER: "#a8a8a8",
    ItemGroup.MESSAGE: "",
}
STATUS_STYLE = "#e0b860"
MUTED = "#a8a8a8"
OPEN_MARK, CLOSED_MARK = "▾", "▸"


def is_foldable(item_type: str) -> bool:
    """Messages are always open; everything else folds to one line."""
    return item_type not in ("message", "output_message")


def opens_by_default(item_type: str) -> bool:
    """A generated image is the outcome a reader came for: shown without asking."""
    return item_type == "image_generation_call"


# --- building --------------------------------------------------------------------------------------


def transcript(
    item: Item, *, opened: bool, ctx: RenderContext | None = None, image_rows: int = IMAGE_ROWS
) -> RenderableType:
    """What the reader sees for `item` (a renderable; see `transcript_lines`).

    `image_rows`: how tall a picture may be (the view's height, so one fits on screen)."""
    ctx = ctx or RenderContext()
    if isinstance(item, Message):
        return _message(item, ctx, image_rows)
    heading = _folded_line(row_from_item(item), opened=opened, foldable=True)
    if not opened:
        return heading
    return Group(heading, Padding(_opened_body(item, ctx, image_rows), (0, 0, 0, INDENT + 2)))


def row_transcript(row: Row) -> RenderableType:
    """A stand-in drawn from the list's row while the full item is on its way."""
    if not is_foldable(row.type):
        heading = _role_heading(row.label, row.status)
        body = Text(" " * INDENT) + Text(visible(one_line(row.text, 400)), style=MUTED)
        return Group(heading, body, Text(""))
    return _folded_line(row, opened=False, foldable=True)


def transcript_lines(
    item: Item | Row,
    width: int,
    *,
    opened: bool = False,
    ctx: RenderContext | None = None,
    console: Console | None = None,
    image_rows: int = IMAGE_ROWS,
) -> list[Line]:
    """Every line of `item` at `width` columns, as Rich segments (pure; thread-safe)."""
    if isinstance(item, Row):
        renderable = row_transcript(item)
    else:
        renderable = transcript(item, opened=opened, ctx=ctx, image_rows=image_rows)
    return render_lines(renderable, width, console)


def render_lines(renderable: RenderableType, width: int, console: Console | None = None) -> list[Line]:
    console = console or line_console(width)
    options = console.options.update_width(max(width, 1))
    return [list(line) for line in console.render_lines(renderable, options, pad=False)] or [[]]


def line_console(width: int) -> Console:
    return Console(
        width=max(width, 1),
        color_system="truecolor",
        force_terminal=True,
        markup=False,
        highlight=False,
        emoji=False,
        legacy_windows=False,
    )


# --- messages -------------------------------------------------------------------------------------


def _role_heading(role: str | None, status: str | None) -> Text:
    name = visible(one_line(role or "message", 40))
    heading = Text("▍", style=ROLE_STYLES.get(name, "bold")) + Text(f" {name.capitalize()}", style=ROLE_STYLES.get(name, "bold"))
    if status and status != "completed":
        heading.append(f"  [{visible(status)}]", style=STATUS_STYLE)
    return heading


def _message(item: Message, ctx: RenderContext, image_rows: int) -> RenderableType:
    parts: list[RenderableType] = [_role_heading(item.role, item.status if isinstance(item.status, str) else None)]
    if item.phase:
        parts[0].append(f"  ({visible(one_line(item.phase, 40))})", style=MUTED)
    sources = {source.where: source for source in image_sources(item)}
    notes: list[Text] = []
    for position, part in enumerate(item.content or ()):
        body = _part(part, position, ctx, sources, notes, image_rows)
        if body is not None:
            parts.append(Padding(body, (0, 0, 0, INDENT)))
    if not item.content:
        parts.append(Text(" " * INDENT + "(no content)", style=MUTED))
    for note in notes:
        parts.append(Padding(note, (0, 0, 0, INDENT)))
    parts.append(Text(""))
    return Group(*parts)


def _part(
    part: object,
    position: int,
    ctx: RenderContext,
    sources: dict[str, ImageSource],
    notes: list[Text],
    image_rows: int,
) -> RenderableType | None:
    if isinstance(part, Refusal):
        return Text("⊘ refused: ", style="bold red") + safe_text(part.refusal or "(no reason given)")
    if isinstance(part, TextPart):
        text = part.text or ""
        annotations = getattr(part, "annotations", None) or []
        text = _with_citation_marks(text, annotations, notes)
        return markdown_block(text, ctx).body
    if isinstance(part, (InputImage, ComputerScreenshot)):
        source = sources.get(f"content[{position}]")
        if source is None:  # its URL is an include field the item was fetched without
            return Text("🖼 image (its URL was not included: i chooses include fields)", style=MUTED)
        return ImagePicture(source, max_height=image_rows)
    if isinstance(part, InputFile):
        return Text("📎 ", style=MUTED) + Text(visible(one_line(part.preview(), 200)), style=MUTED)
    preview = getattr(part, "preview", None)
    return Text(visible(one_line(preview() if callable(preview) else str(part), 300)), style=MUTED)


def _with_citation_marks(text: str, annotations: list, notes: list[Text]) -> str:
    """Numbered marks after each cited span ("…as reported.[1]"), and a numbered list below."""
    marks: list[tuple[int, str]] = []
    for annotation in annotations:
        number = len(notes) + 1
        if isinstance(annotation, UrlCitation):
            title = visible(one_line(annotation.title or "", 120))
            url = visible(one_line(annotation.url or "", 300))
            notes.append(Text(f"[{number}] ", style="bold cyan") + Text(f"{title} " if title else "") + Text(url, style="underline cyan"))
            end = annotation.end_index
        elif isinstance(annotation, FileCitation):
            name = visible(one_line(annotation.filename or annotation.file_id or "file", 120))
            notes.append(Text(f"[{number}] ", style="bold cyan") + Text(f"file {name}", style="cyan"))
            end = annotation.index
        else:
            name = getattr(annotation, "filename", None) or getattr(annotation, "file_id", None)
            if not name:
                continue
            notes.append(Text(f"[{number}] ", style="bold cyan") + Text(f"file {visible(one_line(name, 120))}", style="cyan"))
            end = getattr(annotation, "end_index", None)
        if isinstance(end, int) and 0 <= end <= len(text):
            marks.append((end, f"[{number}]"))
    for end, mark in sorted(marks, reverse=True):
        text = text[:end] + mark + text[end:]
    return text


# --- folded items -----------------------------------------------------------------------------------


def _folded_line(row: Row, *, opened: bool, foldable: bool) -> Text:
    parts = row_line(row)
    style = GROUP_STYLES.get(parts.group, "")
    mark = (OPEN_MARK if opened else CLOSED_MARK) if foldable else " "
    line = Text(" " * INDENT) + Text(f"{mark} ", style="#a8a8a8") + Text(f"{parts.glyph} ", style=style)
    if parts.group is ItemGroup.REASONING:
        line.append(parts.text, style=GROUP_STYLES[ItemGroup.REASONING])
    else:
        # Most summaries start with the tool's name already ("get_weather({…})"): say it once.
        if not _names(parts.text, parts.label):
            line.append(parts.label + "  ", style=f"bold {style}".strip())
        if parts.problem:
            line.append("⚠ ", style="bold red")
        line.append(parts.text, style=style)
    if parts.status:
        line.append(f"  [{parts.status}]", style=STATUS_STYLE)
    line.no_wrap = True
    line.overflow = "ellipsis"
    return line


def _names(text: str, label: str) -> bool:
    head = text.lstrip("↳ ?").casefold()
    return bool(label) and label.casefold() in head[: len(label) + 12]


def _opened_body(item: Item, ctx: RenderContext, image_rows: int) -> RenderableType:
    """The detail renderer's sections (arguments, output, results…), headed by their titles."""
    if isinstance(item, Reasoning):
        return _reasoning_body(item)
    document = render_item(item, ctx)
    parts: list[RenderableType] = [Text(f"⚠ {visible(note)}", style="bold red") for note in document.notes]
    for section in document.sections:
        if isinstance(section.body, ImagePicture):
            section.body.max_height = image_rows
        parts.append(Text(visible(section.title), style="bold dim"))
        parts.append(Padding(section.body, (0, 0, 0, 2)))
    parts.append(Text(""))
    return Group(*parts)


def _reasoning_body(item: Reasoning) -> RenderableType:
    texts = [part.preview() for part in (item.summary_parts or ()) if part.preview().strip()]
    texts += [part.preview() for part in (item.content or ()) if part.preview().strip()]
    if not texts:
        note = "encrypted" if item.encrypted_content else "no summary"
        return Text(f"({note})", style=GROUP_STYLES[ItemGroup.REASONING])
    return Group(*(safe_text(text, GROUP_STYLES[ItemGroup.REASONING]) for text in texts), Text(""))


__all__ = [
    "INDENT",
    "is_foldable",
    "opens_by_default",
    "render_lines",
    "row_transcript",
    "transcript",
    "transcript_lines",
]
