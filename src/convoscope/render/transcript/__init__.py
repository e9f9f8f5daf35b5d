"""Readable transcripts of a conversation (Markdown, HTML) built from the items' raw JSON.

`transcript_entry(item, number)` turns one item into format-neutral blocks; `MarkdownWriter` and
`HtmlWriter` draw them safely, one piece at a time. No Textual here.
"""

from convoscope.render.transcript.entries import transcript_entry
from convoscope.render.transcript.html import HtmlWriter
from convoscope.render.transcript.markdown import MarkdownWriter
from convoscope.render.transcript.model import Code, Entry, Fields, Image, Links, Prose

__all__ = ["Code", "Entry", "Fields", "HtmlWriter", "Image", "Links", "MarkdownWriter", "Prose", "transcript_entry"]
