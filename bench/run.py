"""convoscope benchmark: the real viewer, headless, against a demo server on loopback.

    python bench/run.py --items 100000 --latency-ms 0 --json out.json [--skip-sdk]

Starts `convoscope demo-server` as a subprocess (so the server runs on another core), then
measures on `conv_synth_<N>`:

* first_item_s    app start -> first row in the engine's index
* jump_newest_s   key G -> the newest item is loaded and is the cursor line
* walk_s          key L (load all, both ends at once) -> all N rows in the index
* sdk_walk_s      the same walk with the official `openai` SDK's auto-pagination
* raw_walk_s      (0 ms only) a sequential httpx + json.loads walk: a practical floor
* rss_mb          RSS of this process with all N loaded (and the baseline before loading)
* cursor move     CPU of one key press (down/up) until everything it set off is drawn
* page append     CPU to parse, index and draw one page of 100 at 100 and at N loaded
* filter, search  CPU to apply a type filter / find the next match at N loaded, until drawn
* start-up        `--demo` to the listing drawn (pseudo-terminal), and `--version`

Each measurement is a unit in measures/; harness.py holds what they share, report.py the targets.

See bench/README.md for the method and the measured numbers.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import math
import os
import platform
import sys
import tempfile
from pathlib import Path
from typing import Any

from harness import PAGE, DemoServer, demo_server, isolated_dirs, newest_item_id, source_state
from measures.open_jump import measure_open_and_jump
from measures.page_append import measure_page_append
from measures.startup import measure_startup
from measures.walk import measure_walk
from measures.walks import raw_walk, sdk_walk
from report import evaluate_targets, print_report


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=100_000, help="N: conversation conv_synth_N")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="server latency per request")
    parser.add_argument("--json", type=Path, help="write the results to this file (one JSON object)")
    parser.add_argument("--skip-sdk", action="store_true", help="skip the (slow) openai SDK walk")
    parser.add_argument("--skip-startup", action="store_true", help="skip cold_start_s and cli_start_s")
    args = parser.parse_args(argv)
    if args.items < 3 * PAGE:
        parser.error(f"--items must be at least {3 * PAGE}")
    return args


async def measure_app(server: DemoServer, conversation_id: str, n: int, newest_id: str,
                      timeout_s: float, history_dir: Path) -> dict[str, Any]:
    result = await measure_open_and_jump(server.url, conversation_id, newest_id, history_dir, timeout_s)
    walk, index = await measure_walk(server, conversation_id, n, history_dir, timeout_s)
    result.update(walk)
    result.update(await measure_page_append(server.url, conversation_id, index))
    return result


def run(args: argparse.Namespace) -> dict[str, Any]:
    n, latency_ms = args.items, args.latency_ms
    conversation_id = f"conv_synth_{n}"
    floor_s = math.ceil(n / PAGE) * latency_ms / 1000
    timeout_s = 120 + 3 * floor_s + n / 1000  # a million items take minutes to walk at 0 ms
    result: dict[str, Any] = {
        "items": n, "latency_ms": latency_ms, "floor_s": floor_s,
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "python": platform.python_version(), "cpus": os.cpu_count(),
        "load_avg_at_start": os.getloadavg()[0], **source_state(),
    }
    if result["load_avg_at_start"] > (os.cpu_count() or 1) / 2:
        print(f"warning: load average {result['load_avg_at_start']:.1f}: other processes are busy "
              "and will distort the timings", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="convoscope-bench-") as tmp, isolated_dirs(Path(tmp)), \
            demo_server(latency_ms, Path(tmp)) as server:
        newest_id = newest_item_id(server.url, conversation_id)
        result["newest_id"] = newest_id
        result.update(asyncio.run(
            measure_app(server, conversation_id, n, newest_id, timeout_s, Path(tmp))))
        if latency_ms == 0:
            result.update(raw_walk(server, conversation_id, n))
        if not args.skip_sdk:
            result.update(sdk_walk(server, conversation_id, n))
        if not args.skip_startup:
            result.update(measure_startup())
    result["load_avg_at_end"] = os.getloadavg()[0]
    result["pages"] = sum(result["walk_pages"].values())
    result["requests"] = result["walk_list_requests"]
    result["targets"] = evaluate_targets(result)
    return result


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        result = run(args)
    except KeyboardInterrupt:
        print("interrupted; demo server stopped", file=sys.stderr)
        return 130
    print_report(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
        print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
