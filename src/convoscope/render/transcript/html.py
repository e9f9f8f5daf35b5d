"""Transcript entries as one self-contained HTML page: every server string escaped, no scripts.

Prose goes through markdown-it with raw HTML off (it escapes tags and refuses `javascript:`
links); everything else is escaped text. Images are inline data URLs of checked raster formats.
A Content-Security-Policy forbids scripts, remote loads and forms, in case anything slipped by.
"""

from __future__ import annotations

import base64
import re
from html import escape
from typing import Any

from markdown_it import MarkdownIt

from convoscope.render.text import visible, visible_block
from convoscope.render.transcript.markdown import conversation_facts, document_title
from convoscope.render.transcript.model import Code, Entry, Fields, Image, Links, Prose

CONTENT_SECURITY_POLICY = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; form-action 'none'"

STYLE = """
body { font: 15px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
       color: #1d2430; background: #fbfbfc; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.05rem; margin: 0 0 .3rem; }
section.item { border-left: 4px solid #8aa4c8; padding: .4rem .9rem; margin: 1rem 0; background: #fff; }
section.failed { border-left-color: #c0392b; }
section.message { border-left-color: #3f8f5f; }
.id { color: #5c6676; font: 12px ui-monospace, monospace; }
.caption { color: #5c6676; font-size: .85rem; margin: .5rem 0 .1rem; font-style: italic; }
pre { background: #f2f4f7; padding: .6rem; overflow-x: auto; white-space: pre-wrap; word-break: break-word; }
code, pre { font: 13px/1.4 ui-monospace, monospace; }
dl { display: grid; grid-template-columns: max-content auto; gap: .1rem 1rem; margin: .3rem 0; }
dt { color: #5c6676; } dd { margin: 0; }
img { max-width: 100%; border: 1px solid #d5dae1; }
@media (prefers-color-scheme: dark) {
  body { color: #dde3ea; background: #14181e; } section.item { background: #1b2028; }
  pre { background: #232a34; } .id, .caption, dt { color: #9aa5b4; } }
"""

_MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable("table").enable("strikethrough")
_MARKDOWN.validateLink = lambda url: url.lower().startswith(("http://", "https://", "mailto:"))  # type: ignore[method-assign]


def _image_as_link(self: Any, tokens: Any, index: int, options: Any, env: Any) -> str:
    """An image in server Markdown is a link to it: opening the page fetches nothing."""
    token = tokens[index]
    alt = escape(token.content or "image", quote=True)
    source = str(token.attrGet("src") or "")
    return f'<a href="{escape(source, quote=True)}" rel="noopener noreferrer">[image: {alt}]</a>'


_MARKDOWN.add_render_rule("image", _image_as_link)
_CLASS = re.compile(r"[^A-Za-z0-9_-]")


def text(value: str) -> str:
    """Untrusted text for an HTML text node or attribute: visible, then escaped."""
    return escape(visible_block(value), quote=True)


class HtmlWriter:
    """Writes the page piece by piece, so a long export is never held in memory."""

    def begin(self, conversation_id: str, conversation: Any) -> str:
        title = text(visible(document_title(conversation_id, conversation)))
        facts = "".join(
            f"<dt>{text(visible(key))}</dt><dd>{text(value)}</dd>" for key, value in conversation_facts(conversation)
        )
        return (
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">\n'
            '<meta name="referrer" content="no-referrer">\n'
            f"<title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
            f"<h1>{title}</h1>\n<div class=\"id\">{text(visible(conversation_id))}</div>\n"
            + (f"<dl>{facts}</dl>\n" if facts else "")
        )

    def entry(self, entry: Entry) -> str:
        classes = ["item", "type-" + _CLASS.sub("_", entry.item_type)]
        if entry.failed:
            classes.append("failed")
        if entry.item_type in ("message", "output_message"):
            classes.append("message")
        anchor = f' id="item-{text(_CLASS.sub("_", entry.item_id))}"' if entry.item_id else ""
        parts = [f'<section class="{" ".join(classes)}"{anchor}>',
                 f"<h2>{entry.number}. {text(visible(entry.title))}</h2>"]
        if entry.item_id:
            parts.append(f'<div class="id">{text(visible(entry.item_id))}</div>')
        parts += [self._block(block) for block in entry.blocks]
        parts.append("</section>\n")
        return "\n".join(parts)

    def end(self, count: int, note: str | None = None) -> str:
        footer = f"<hr>\n<p class=\"caption\">{count:,} item{'s' if count != 1 else ''} exported by convoscope.</p>\n"
        if note:
            footer += f"<p class=\"caption\">{text(visible(note))}</p>\n"
        return footer + "</body>\n</html>\n"

    def _block(self, block: object) -> str:
        if isinstance(block, Prose):
            return _caption(block.caption) + _MARKDOWN.render(visible_block(block.text))
        if isinstance(block, Code):
            language = _CLASS.sub("", block.language)
            attribute = f' class="language-{language}"' if language else ""
            return f"{_caption(block.caption)}<pre><code{attribute}>{text(block.text)}</code></pre>"
        if isinstance(block, Image):
            payload = base64.b64encode(block.data).decode("ascii")
            return (f"{_caption(block.caption)}<img alt=\"{text(visible(block.caption or 'image'))}\" "
                    f"src=\"data:{block.mime};base64,{payload}\">")
        if isinstance(block, Fields):
            rows = "".join(f"<dt>{text(visible(k))}</dt><dd>{text(v)}</dd>" for k, v in block.rows)
            return f"<dl>{rows}</dl>"
        if isinstance(block, Links):
            return _caption(block.caption) + "<ul>" + "".join(_link(t, u) for t, u in block.links) + "</ul>"
        return ""


def _caption(caption: str) -> str:
    return f'<div class="caption">{text(visible(caption))}</div>' if caption else ""


def _link(title: str, url: str) -> str:
    if url.startswith(("http://", "https://")) and visible(url) == url:
        return f'<li><a href="{escape(url, quote=True)}" rel="noopener noreferrer">{text(visible(title))}</a></li>'
    return f"<li>{text(visible(title))} (<code>{text(visible(url))}</code>)</li>"
