"""Partners: a call's output shown beneath the call, an output's call summarised above it.

The TUI passes the paired item as `RenderContext.partner` when it is loaded (pairing per
reference §2.2); otherwise the section says it is not loaded and that `p` jumps to it.
"""

from __future__ import annotations

from dataclasses import replace

from rich.console import Group, RenderableType
from rich.text import Text

from convoscope.api.models import Item
from convoscope.render.detail.blocks import dim
from convoscope.render.detail.core import DocBuilder, RenderContext, item_title, renderer_for
from convoscope.render.text import Block, visible

NOT_LOADED = "not loaded (p jumps to it when it is)"
JUMP_HINT = "p jumps to it"


PROGRAM_KEY = "program_caller:"


def relation(item: Item, partner: Item) -> tuple[str, str] | None:
    """How `partner` relates to `item`: (kind, partner's role) on a pairing key they share.

    kind is "pair" (call ↔ output, request ↔ response) or "program" (a program and the tool
    calls it made); the role is the partner's: "call", "output" or "child".
    """
    try:
        mine = {link.key for link in item.links()}
        shared = [link for link in partner.links() if link.key in mine]
    except Exception:
        return None
    # Prefer the call ↔ output pairing over the program relation when both are shared.
    shared.sort(key=lambda link: link.key.startswith(PROGRAM_KEY))
    if not shared:
        return None
    link = shared[0]
    return ("program" if link.key.startswith(PROGRAM_KEY) else "pair", link.role)


def partner_summary(partner: Item) -> Text:
    text = Text(visible(partner.summary()))
    text.append(f"  — {JUMP_HINT}", style="dim")
    return text


def _program_section(builder: DocBuilder, partner: Item, role: str) -> None:
    title = "Tool call from this program" if role == "child" else "Called by program"
    builder.section(title, partner_summary(partner))


def add_output_partner(builder: DocBuilder, title: str = "Output") -> None:
    """Beneath a call: its output's content when loaded, else "not loaded"."""
    item, ctx = builder.item, builder.ctx
    partner = ctx.partner
    if partner is None:
        builder.section(title, dim(NOT_LOADED))
        return
    found = relation(item, partner)
    if found is not None and found[0] == "program":
        builder.section(title, dim(NOT_LOADED))
        _program_section(builder, partner, found[1])
        return
    if found is not None and found[1] != "output":
        builder.section(title, dim(NOT_LOADED))
        builder.section("Related", partner_summary(partner))
        return
    embedded = _embedded_output(item, partner, ctx)
    builder.section(title, embedded.body, embedded.truncated)
    builder.notes.extend(f"output: {note}" for note in embedded.notes)


_META_SECTIONS = {"Details", "Call", "Program", "Foundry", "Request", "Called by program", "Related"}


def _embedded_output(item: Item, partner: Item, ctx: RenderContext) -> Block:
    header = Text(visible(item_title(partner)), style="bold")
    header.append(f"  — {JUMP_HINT}", style="dim")
    renderer = renderer_for(partner)
    if renderer is None:
        return Block(Group(header, Text(visible(partner.summary()))))
    try:
        document = renderer(partner, replace(ctx, partner=item))
    except Exception as error:
        problem = f"renderer failed: {type(error).__name__}: {error}"
        return Block(Group(header, Text(visible(partner.summary()))), notes=[problem])
    sections = [section for section in document.sections if section.title not in _META_SECTIONS]
    parts: list[RenderableType] = [header]
    for section in sections:
        if len(sections) > 1 or section.title != "Output":
            parts.append(Text(visible(section.title), style="bold dim"))
        parts.append(section.body)
    if not sections:
        parts.append(Text(visible(partner.summary())))
    truncated = any(section.truncated for section in sections)
    return Block(Group(*parts), truncated=truncated, notes=document.notes)


def add_call_partner(builder: DocBuilder, title: str = "Call") -> None:
    """Above an output: a one-line summary of its call when loaded, else "not loaded"."""
    partner = builder.ctx.partner
    if partner is None:
        builder.section(title, dim(NOT_LOADED))
        return
    found = relation(builder.item, partner)
    if found is not None and found[0] == "program":
        builder.section(title, dim(NOT_LOADED))
        _program_section(builder, partner, found[1])
        return
    builder.section(title, partner_summary(partner))
