"""Transcript entries as Markdown: safe to open in any viewer.

No raw control character survives (each becomes a visible stand-in), server text never becomes
raw HTML (a `<` outside code is written as `&lt;`), a fence in server text cannot close ours (our
fences are longer than any backtick run inside), and a fence the server left open is closed
before the next item. Images are files beside the document, written by the caller's `save_image`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from convoscope.render.text import visible, visible_block
from convoscope.render.transcript.model import Code, Entry, Fields, Image, Links, Prose

SaveImage = Callable[[Image, Entry], str]  # returns the path to link to, relative to the document

# Punctuation that means something inline in CommonMark (escaping any ASCII punctuation is legal).
_INLINE_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~&])")
_FENCE_OPEN = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_LANGUAGE = re.compile(r"[^A-Za-z0-9_+-]")


def inline(text: str) -> str:
    """One line of untrusted text as literal Markdown: visible, every special character escaped."""
    return _INLINE_SPECIAL.sub(r"\\\1", visible(text))


def _link_target(url: str) -> str | None:
    """A URL fit for `[title](<url>)`: http(s) only, nothing that could end the link."""
    if not url.startswith(("http://", "https://")) or "\\" in url or visible(url) != url:
        return None
    return url.replace(" ", "%20").replace("<", "%3C").replace(">", "%3E")


class MarkdownWriter:
    """Writes the document piece by piece, so a long export is never held in memory."""

    def __init__(self, save_image: SaveImage) -> None:
        self.save_image = save_image

    def begin(self, conversation_id: str, conversation: Any) -> str:
        lines = [f"# {inline(document_title(conversation_id, conversation))}", "",
                 f"`{_code_span(conversation_id)}`", ""]
        lines += [f"- **{inline(key)}:** {inline(value)}" for key, value in conversation_facts(conversation)]
        return "\n".join(lines) + "\n\n"

    def entry(self, entry: Entry) -> str:
        marker = " ⚠" if entry.failed else ""
        parts = [f"## {entry.number}. {inline(entry.title)}{marker}", ""]
        if entry.item_id:
            parts += [f"`{_code_span(entry.item_id)}`", ""]
        for block in entry.blocks:
            parts.append(self._block(block, entry))
        return "\n".join(parts).rstrip("\n") + "\n\n"

    def end(self, count: int, note: str | None = None) -> str:
        text = f"---\n\n*{count:,} item{'s' if count != 1 else ''} exported by convoscope.*\n"
        if note:
            text += f"\n*{inline(note)}*\n"
        return text

    def _block(self, block: object, entry: Entry) -> str:
        if isinstance(block, Prose):
            caption = f"*{inline(block.caption)}:*\n\n" if block.caption else ""
            return caption + prose(block.text) + "\n"
        if isinstance(block, Code):
            return fenced(block.text, block.language, block.caption)
        if isinstance(block, Image):
            path = self.save_image(block, entry)
            return f"![{inline(block.caption or 'image')}](<{path}>)\n"
        if isinstance(block, Fields):
            return "\n".join(f"- **{inline(key)}:** {inline(value)}" for key, value in block.rows) + "\n"
        if isinstance(block, Links):
            return f"*{inline(block.caption)}:*\n\n" + "\n".join(_link_line(t, u) for t, u in block.links) + "\n"
        return ""


def _link_line(title: str, url: str) -> str:
    target = _link_target(url)
    if target is None:
        return f"- {inline(title)} (`{_code_span(url)}`)"
    return f"- [{inline(title)}](<{target}>)"


def _code_span(text: str) -> str:
    """Text for inside single backticks: one visible line; a backtick would end the span."""
    return visible(text).replace("`", "'")


def fenced(text: str, language: str = "", caption: str = "") -> str:
    body = visible_block(text).rstrip("\n")
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    head = f"*{inline(caption)}:*\n\n" if caption else ""
    return f"{head}{fence}{_LANGUAGE.sub('', language)}\n{body}\n{fence}\n"


def prose(text: str) -> str:
    """Markdown written by a model or a person, made safe to render.

    Code (fenced blocks and backtick spans) is left as it is, since `<` there is literal; elsewhere
    no HTML tag, comment or entity reaches a renderer, links go only to http(s) and mailto, and
    images become links (nothing is fetched when the file is opened); a fence left open is closed.
    """
    out: list[str] = []
    open_fence: str | None = None
    for line in visible_block(text).split("\n"):
        match = _FENCE_OPEN.match(line)
        if open_fence is not None:
            out.append(line)
            if match and match.group(1)[0] == open_fence[0] and len(match.group(1)) >= len(open_fence) \
                    and not line.strip().strip(open_fence[0]):
                open_fence = None
            continue
        if match:
            open_fence = match.group(1)
            out.append(line)
            continue
        out.append(_defuse_html_outside_code_spans(line))
    if open_fence is not None:
        out.append(open_fence)
    return "\n".join(out).rstrip("\n")


# A link destination (inline `](…)` or a definition `[ref]: …`) that is not http(s) or mailto:
# `javascript:`, `data:`, entity tricks, relative paths. Its opening bracket is escaped.
_UNSAFE_LINK = re.compile(r"(\]\(\s*|^ {0,3}\[[^\]]*\]:\s*)(?!(?:https?://|mailto:)|\s*\))", re.IGNORECASE)


def _defuse_html_outside_code_spans(line: str) -> str:
    pieces = re.split(r"(`+[^`]*?`+)", line)
    return "".join(piece if piece.startswith("`") else _defuse(piece) for piece in pieces)


def _defuse(text: str) -> str:
    """No raw HTML or entities (`<` as `&lt;`, `&` as `&amp;`), no link but http(s) and mailto
    (the others read as text), and no image (it would be fetched when the file is opened)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace("![", "\\![")

    def unlink(match: re.Match[str]) -> str:
        opening = match.group(1)
        if opening.startswith("]"):
            return opening.replace("(", "\\(", 1)
        return "\\" + opening.lstrip()  # `\[ref]:` is no longer a definition

    return _UNSAFE_LINK.sub(unlink, text)


def document_title(conversation_id: str, conversation: Any) -> str:
    """The conversation's `title` metadata when it has one, else its id."""
    metadata = conversation.get("metadata") if isinstance(conversation, dict) else None
    title = metadata.get("title") if isinstance(metadata, dict) else None
    return title if isinstance(title, str) and title.strip() else f"Conversation {conversation_id}"


def conversation_facts(conversation: Any) -> Iterable[tuple[str, str]]:
    """The conversation object's id, creation time and metadata, as (key, value) lines."""
    if not isinstance(conversation, dict):
        return []
    facts: list[tuple[str, str]] = []
    created = conversation.get("created_at")
    if isinstance(created, (int, float)) and not isinstance(created, bool):
        import datetime

        try:
            when = datetime.datetime.fromtimestamp(created, datetime.timezone.utc)
            facts.append(("created", when.strftime("%Y-%m-%d %H:%M:%S UTC")))
        except (OverflowError, OSError, ValueError):
            facts.append(("created", str(created)))
    metadata = conversation.get("metadata")
    if isinstance(metadata, dict):
        facts += [(str(key), value if isinstance(value, str) else str(value)) for key, value in metadata.items()]
    return facts
