"""Open the conversation, then `G`: first_item_s and jump_newest_s."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from harness import SIZE, conversation_screen, engine_idle, loaded_rows, make_app, send_key, wait_until
from convoscope.tui.widgets.item_list import ItemList


async def measure_open_and_jump(url: str, conversation_id: str, newest_id: str,
                                history_dir: Path, timeout_s: float) -> dict[str, Any]:
    started = time.perf_counter()
    app = make_app(url, conversation_id, history_dir)
    # Watch from before run_test: the first page may land while the app is still starting.
    first_seen = asyncio.ensure_future(
        wait_until(lambda: loaded_rows(app) > 0, timeout_s, "the first item"))
    async with app.run_test(size=SIZE) as pilot:
        first_item_s = await first_seen - started
        screen = conversation_screen(app)
        assert screen is not None
        engine, item_list = screen.engine, screen.query_one(ItemList)
        await wait_until(lambda: engine_idle(engine), timeout_s, "the first pages to settle")
        await pilot.pause()
        loaded_before_jump = len(engine.index)

        def newest_is_cursor() -> bool:
            line = engine.line_of(newest_id)
            return line is not None and item_list.cursor == line

        pressed = time.perf_counter()
        send_key(app, "G")
        jump_newest_s = await wait_until(newest_is_cursor, timeout_s, "the newest item") - pressed
    return {"first_item_s": first_item_s, "jump_newest_s": jump_newest_s,
            "rows_before_jump": loaded_before_jump}

