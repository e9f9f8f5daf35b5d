"""How fast a saved JSONL conversation opens in the viewer, and how fast `G` reaches its end.

    python bench/file_source.py --items 100000

Writes `conv_synth_<N>`'s items to a temporary JSONL file (not timed), then runs the real viewer
(`ConvoscopeApp`, headless, 120×40) on it and reports:

- first_screen_s: app start → the first row drawn in the list (the file indexed, one page parsed);
- jump_end_s: `G` pressed → the newest item is the cursor line;
- parsed: how many lines were parsed by then (the rest of the file was only indexed).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from convoscope.api.files import FileSource  # noqa: E402
from convoscope.demo.synthetic import SyntheticItems  # noqa: E402
from convoscope.tui.app import ConvoscopeApp  # noqa: E402
from convoscope.tui.screens.conversation import ConversationScreen  # noqa: E402


def write_jsonl(path: Path, n: int) -> str:
    items = SyntheticItems(n)
    with path.open("w") as file:
        for index in range(n):
            file.write(json.dumps(items.item_at(index)) + "\n")
    return items.id_at(n - 1)


async def measure(path: Path, newest: str) -> dict[str, float | int]:
    started = time.perf_counter()
    source = FileSource(path)
    app = ConvoscopeApp(source, source.conversation_id)
    async with app.run_test(size=(120, 40)) as pilot:
        while not (isinstance(app.screen, ConversationScreen) and len(app.screen.engine.index)):
            await pilot.pause(0.001)
        await pilot.pause()
        first_screen = time.perf_counter() - started
        screen = app.screen
        pressed = time.perf_counter()
        await pilot.press("G")
        items = screen.item_list
        while getattr(items.view.line(items.cursor), "id", None) != newest:
            await pilot.pause(0.001)
        jump_end = time.perf_counter() - pressed
        return {"first_screen_s": round(first_screen, 3), "jump_end_s": round(jump_end, 3),
                "parsed": len(source._id_positions)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / f"synth_{args.items}.jsonl"
        newest = write_jsonl(path, args.items)
        size_mb = path.stat().st_size / 1e6
        result = asyncio.run(measure(path, newest))
    print(json.dumps({"items": args.items, "file_mb": round(size_mb, 1), **result}))


if __name__ == "__main__":
    main()
