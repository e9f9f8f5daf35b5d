"""Regenerate every screenshot in this folder from the real app, and the README's gallery.

    python screenshots/make_screenshots.py            # all of them
    python screenshots/make_screenshots.py search     # only those whose file name contains "search"

The app runs headless at a fixed size against the in-process demo server (bundled and synthetic
conversations, no network, no API key) with an empty history in a temporary directory, so the
pictures are the same on every machine. Each screenshot waits until loading has finished and the
detail pane shows the selected item. One more screenshot is made per bundled theme (the files in
themes/ at the top of the repository, found by `bundled_themes()` when this runs).

The README's gallery (between the `screenshots:start` and `screenshots:end` markers) is rewritten
from SHOTS, one line per picture saying what it shows. Nothing here is drawn by hand.
"""

from __future__ import annotations

import asyncio
import re
import sys
import tempfile
import time
import tomllib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from textual.pilot import Pilot
from textual.widgets import Input

from convoscope.api import ConversationsClient, Profile
from convoscope.demo.app import create_app
from convoscope.demo.bundled import load_bundled
from convoscope.paging.rows import Row
from convoscope.storage.history import History
from convoscope.tui.app import ConvoscopeApp
from convoscope.tui.screens.conversation import ConversationScreen
from convoscope.tui.screens.picker import PickerScreen

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
README = ROOT / "README.md"
THEMES_DIR = ROOT / "themes"
SIZE = (120, 34)
TIMEOUT_S = 30.0
GALLERY_START = "<!-- screenshots:start (made by screenshots/make_screenshots.py; do not edit) -->"
GALLERY_END = "<!-- screenshots:end -->"

CODING_AGENT = "conv_68f786ff63c49f5f7e76be87ae336b086735ce35b78e18e1"
RESEARCH_AGENT = "conv_68f8d82296fc704ffa1ed1699201483c2008d2aad2c71b40"
IMAGE_AND_CODE = "conv_68fdbad412fc0672365d236925d5bc4dda10fcda675a9efb"
SUPPORT_BOT = "conv_68f9ebde9b5c904a3ef76e491c5db73da3cee9a5b4252e9e"
LONG_DEMO = "conv_synth_10000"
NEWEST_DEMO = "conv_synth_100000"

Ready = Callable[[Pilot], Awaitable[None]]


@dataclass(frozen=True)
class Shot:
    filename: str
    caption: str  # the README's line: what the picture shows
    conversation_id: str | None
    ready: Ready
    theme: str | None = None


# --- waiting -----------------------------------------------------------------------------------------


async def wait_until(pilot: Pilot, predicate: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + TIMEOUT_S
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up waiting for {what}")
        await pilot.pause(0.02)


async def quiet(pilot: Pilot) -> None:
    """Let timers that follow the cursor fire, then wait for every worker to finish."""
    await pilot.pause(0.2)
    await wait_until(pilot, lambda: not any(w.is_running for w in pilot.app.workers), "workers")
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False  # a blinking cursor would make the picture depend on timing
    await pilot.pause()


def _conversation(pilot: Pilot) -> ConversationScreen:
    screen = pilot.app.screen
    assert isinstance(screen, ConversationScreen), screen
    return screen


def _settled(screen: ConversationScreen) -> bool:
    engine = screen.engine
    return engine.conversation is not None and not any(s.busy for s in engine.status.values())


async def conversation_loaded(pilot: Pilot) -> ConversationScreen:
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, ConversationScreen), "the conversation")
    screen = _conversation(pilot)
    await wait_until(pilot, lambda: len(screen.engine.index) > 0 and _settled(screen), "the first page")
    return screen


async def every_item_loaded(pilot: Pilot) -> ConversationScreen:
    screen = await conversation_loaded(pilot)
    await wait_until(pilot, lambda: screen.engine.complete and _settled(screen), "every item")
    return screen


async def select(pilot: Pilot, screen: ConversationScreen, item_id: str) -> None:
    """Put the cursor on the item `item_id` and wait until the detail pane shows it."""
    engine = screen.engine
    index = next(
        (n for n in range(engine.line_count()) if isinstance(line := engine.line(n), Row) and line.id == item_id),
        None,
    )
    if index is None:
        raise LookupError(f"{item_id} is not in the list")
    screen.item_list.move_cursor(index)
    await pilot.pause(0.2)
    await wait_until(pilot, lambda: screen.shown_item is not None and screen.shown_item.id == item_id,
                     f"the detail of {item_id}")
    await quiet(pilot)


def demo_item(conversation_id: str, wanted: Callable[[dict[str, Any]], bool]) -> str:
    """The id of the first item of a bundled conversation that `wanted` accepts."""
    items = load_bundled()[conversation_id].items
    for position in range(len(items)):
        item = items.item_at(position)
        if wanted(item):
            return item["id"]
    raise LookupError(f"no such item in {conversation_id}")


def _has_citations(item: dict[str, Any]) -> bool:
    return item.get("type") == "message" and any(
        part.get("annotations") for part in item.get("content") or [] if isinstance(part, dict)
    )


def _failed_shell_run(item: dict[str, Any]) -> bool:
    """A shell output whose first run failed (the one its row summarises)."""
    runs = item.get("output") if item.get("type") == "shell_call_output" else None
    return bool(runs) and isinstance(runs[0], dict) and (runs[0].get("outcome") or {}).get("exit_code") not in (0, None)


# --- what each picture waits for -------------------------------------------------------------------


async def picker_ready(pilot: Pilot) -> None:
    app = pilot.app
    await wait_until(pilot, lambda: isinstance(app.screen, PickerScreen) and bool(app.screen.listed), "the listing")
    await quiet(pilot)


def item_shown(conversation_id: str, wanted: Callable[[dict[str, Any]], bool]) -> Ready:
    async def ready(pilot: Pilot) -> None:
        screen = await every_item_loaded(pilot)
        await select(pilot, screen, demo_item(conversation_id, wanted))

    return ready


async def long_conversation_ready(pilot: Pilot) -> None:
    """A long synthetic conversation, the cursor a few lines down among mixed items."""
    screen = await conversation_loaded(pilot)
    row = screen.engine.line(7)
    assert isinstance(row, Row), row
    await select(pilot, screen, row.id or "")


async def newest_ready(pilot: Pilot) -> None:
    screen = await conversation_loaded(pilot)
    engine = screen.engine
    await pilot.press("G")
    await wait_until(pilot, lambda: engine.index.tail_count > 0 and _settled(screen), "the newest page")
    await pilot.pause(0.2)
    await wait_until(pilot, lambda: _settled(screen), "prefetch")
    await quiet(pilot)


def after_keys(conversation_id: str, wanted: Callable[[dict[str, Any]], bool], *keys: str) -> Ready:
    """Select an item, then press `keys` (a menu, a search, the help)."""

    async def ready(pilot: Pilot) -> None:
        await item_shown(conversation_id, wanted)(pilot)
        for key in keys:
            await pilot.press(key)
            await pilot.pause(0.05)
        await quiet(pilot)

    return ready


def _first(item_type: str) -> Callable[[dict[str, Any]], bool]:
    return lambda item: item.get("type") == item_type


SEARCH_KEYS = ("slash", *"duration", "enter")

SHOTS: list[Shot] = [
    Shot("picker.svg", "The picker: the demo server's conversations, with what the server offers.",
         None, picker_ready),
    Shot("conversation.svg", "A coding agent's conversation: messages, reasoning, shell runs, patches and "
         "tool calls, the selected call and its output highlighted together.",
         CODING_AGENT, item_shown(CODING_AGENT, _first("function_call"))),
    Shot("conversation-long.svg", "A long conversation (10,000 mixed items), the cursor on a row a few lines down.",
         LONG_DEMO, long_conversation_ready),
    Shot("citations.svg", "An assistant message with its citations (url_citation sources) in the detail pane.",
         RESEARCH_AGENT, item_shown(RESEARCH_AGENT, _has_citations)),
    Shot("function-call.svg", "A function call with its arguments, and its output beside it.",
         SUPPORT_BOT, item_shown(SUPPORT_BOT, _first("function_call"))),
    Shot("reasoning.svg", "A reasoning item: its summary as readable text.",
         CODING_AGENT, item_shown(CODING_AGENT, _first("reasoning"))),
    Shot("shell-failure.svg", "Shell output with a failing exit code, colours kept, status marked on the row.",
         CODING_AGENT, item_shown(CODING_AGENT, _failed_shell_run)),
    Shot("type-filter.svg", "The type filter menu (`T`): groups and the types this conversation holds.",
         CODING_AGENT, after_keys(CODING_AGENT, _first("function_call"), "T")),
    Shot("search.svg", "Search (`/duration`): the matches marked in the list and counted in the header.",
         CODING_AGENT, after_keys(CODING_AGENT, _first("message"), *SEARCH_KEYS)),
    Shot("help.svg", "The help screen (`?`): every key of the screen, the app's own first.",
         CODING_AGENT, after_keys(CODING_AGENT, _first("message"), "question_mark")),
    Shot("export.svg", "The export dialog (`e`): the conversation or the current view, as JSONL, JSON, "
         "Markdown or HTML.", CODING_AGENT, after_keys(CODING_AGENT, _first("message"), "e")),
    Shot("reading.svg", "The reading view (`R`): the conversation as a transcript, tool calls folded to one line.",
         CODING_AGENT, after_keys(CODING_AGENT, _first("message"), "R")),
    Shot("image.svg", "A generated image in the detail pane, drawn as half-blocks (Kitty graphics where the "
         "terminal has them).", IMAGE_AND_CODE, item_shown(IMAGE_AND_CODE, _first("image_generation_call"))),
    Shot("conversation-newest.svg", "A 100,000-item conversation after `G`: the newest items, paged from the end.",
         NEWEST_DEMO, newest_ready),
]


# --- themes ----------------------------------------------------------------------------------------


def bundled_themes(folder: Path = THEMES_DIR) -> list[str]:
    """The names of the themes shipped in themes/ (a TOML file each; its `name`, else its stem)."""
    names: list[str] = []
    for path in sorted(folder.glob("*.toml")) if folder.is_dir() else []:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            data = {}
        table = data.get("theme") if isinstance(data.get("theme"), dict) else data
        name = table.get("name") if isinstance(table, dict) else None
        names.append(name if isinstance(name, str) and name else path.stem)
    return names


def theme_shots(themes: list[str]) -> list[Shot]:
    """One picture per theme: the coding agent with a call selected (cursor and pair highlight)."""
    ready = item_shown(CODING_AGENT, _first("function_call"))
    return [
        Shot(f"theme-{re.sub(r'[^A-Za-z0-9_-]', '_', name)}.svg", f"The `{name}` theme.", CODING_AGENT, ready,
             theme=name)
        for name in themes
    ]


def all_shots() -> list[Shot]:
    return [*SHOTS, *theme_shots(bundled_themes())]


# --- shooting ------------------------------------------------------------------------------------


async def shoot(shot: Shot) -> Path:
    with tempfile.TemporaryDirectory() as data:
        client = ConversationsClient(Profile.demo(), transport=httpx.ASGITransport(app=create_app()))
        app = ConvoscopeApp(client, shot.conversation_id, history=History(Path(data) / "history.json"))
        async with app.run_test(size=SIZE) as pilot:
            if shot.theme is not None:
                if shot.theme not in app.available_themes:
                    raise LookupError(f"theme {shot.theme!r} is in themes/ but the app does not offer it")
                app.theme = shot.theme
            await shot.ready(pilot)
            return Path(app.save_screenshot(shot.filename, path=str(HERE)))


def gallery(shots: list[Shot]) -> str:
    """The README's block: each picture with the line that says what it shows."""
    lines = [GALLERY_START, ""]
    for shot in shots:
        lines += [f"{shot.caption}", "", f"![{shot.caption}](screenshots/{shot.filename})", ""]
    lines.append(GALLERY_END)
    return "\n".join(lines)


def update_readme(shots: list[Shot], readme: Path = README) -> bool:
    text = readme.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(GALLERY_START) + r".*?" + re.escape(GALLERY_END), re.S)
    if not pattern.search(text):
        print(f"warning: {readme.name} has no screenshots block; add the markers to place the gallery",
              file=sys.stderr)
        return False
    readme.write_text(pattern.sub(lambda _: gallery(shots), text), encoding="utf-8")
    return True


async def main(argv: list[str]) -> int:
    shots = all_shots()
    chosen = [shot for shot in shots if not argv or any(word in shot.filename for word in argv)]
    failed = []
    for shot in chosen:
        try:
            written = await shoot(shot)
        except Exception as error:  # one broken picture must not stop the others
            failed.append(shot.filename)
            print(f"FAILED {shot.filename}: {type(error).__name__}: {error}", file=sys.stderr)
            continue
        print(f"wrote {written.relative_to(ROOT)} ({written.stat().st_size:,} bytes)")
    made = [shot for shot in shots if (HERE / shot.filename).exists()]
    if update_readme(made):
        print(f"updated the gallery in {README.relative_to(ROOT)} ({len(made)} pictures)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
