"""The targets, and the report printed at the end of a run."""

from __future__ import annotations

from typing import Any

TARGETS = {
    "rss_mb": 150.0,
    "cursor_move_median_ms": 20.0,
    "page_append_ms": 15.0,
    "page_append_flatness": 2.0,  # last / first: "flat in N"
    "jump_margin_s": 0.150,  # jump_newest_s <= latency + this
    "walk_vs_sdk": 0.55,
    "walk_vs_floor": 1.05,
    "cursor_repeat_ms_per_move": 10.0,
    "bytes_per_row": 380.0,
    "rss_mb_at_1m": 450.0,
    "filter_ms": 50.0,
    "search_ms": 50.0,
    "cold_start_s": 0.5,
    "cli_start_s": 0.15,
}


def target(value: float | None, limit: float | None, note: str = "") -> dict[str, Any]:
    passed = None if value is None or limit is None else value <= limit
    return {"value": value, "limit": limit, "pass": passed, "note": note}


def evaluate_targets(r: dict[str, Any]) -> dict[str, dict[str, Any]]:
    latency_s = r["latency_ms"] / 1000
    worst_append = max(r["page_append_ms_first"], r["page_append_ms_last"])
    flatness = r["page_append_ms_last"] / r["page_append_ms_first"]
    targets = {
        "rss_mb": target(r["rss_mb"], TARGETS["rss_mb"]),
        "cursor_move_median_ms": target(r["cursor_move_median_ms"], TARGETS["cursor_move_median_ms"]),
        "page_append_ms_max": target(worst_append, TARGETS["page_append_ms"]),
        "page_append_last_over_first": target(flatness, TARGETS["page_append_flatness"]),
        "jump_newest_s": target(r["jump_newest_s"], latency_s + TARGETS["jump_margin_s"]),
        "cursor_repeat_ms_per_move": target(r.get("cursor_repeat_ms_per_move"), TARGETS["cursor_repeat_ms_per_move"]),
        "bytes_per_row": target(r.get("bytes_per_row"), TARGETS["bytes_per_row"]),
        "filter_ms": target(r.get("filter_ms"), TARGETS["filter_ms"]),
        "search_ms": target(r.get("search_ms"), TARGETS["search_ms"]),
        "cold_start_s": target(r.get("cold_start_s"), TARGETS["cold_start_s"]),
        "cli_start_s": target(r.get("cli_start_s"), TARGETS["cli_start_s"]),
    }
    if r["items"] >= 1_000_000:
        # At a million rows the memory budget is the whole process (issue 13), not 150 MB.
        targets["rss_mb"] = target(r["rss_mb"], TARGETS["rss_mb_at_1m"])
    if r.get("sdk_walk_s"):
        targets["walk_vs_sdk"] = target(r["walk_s"] / r["sdk_walk_s"], TARGETS["walk_vs_sdk"])
    else:
        targets["walk_vs_sdk"] = target(None, TARGETS["walk_vs_sdk"], "SDK walk skipped")
    if r["floor_s"] > 0:
        targets["walk_vs_floor"] = target(r["walk_s"] / r["floor_s"], TARGETS["walk_vs_floor"])
    else:
        practical = r["walk_s"] / r["raw_walk_s"] if r.get("raw_walk_s") else None
        targets["walk_vs_floor"] = target(
            None, TARGETS["walk_vs_floor"],
            "floor is 0 at 0 ms latency: not meaningful"
            + (f"; walk / raw_walk_s (practical floor) = {practical:.2f}x" if practical else ""))
        targets["walk_vs_floor"]["walk_vs_raw_walk"] = practical
    return targets


ROWS = [
    ("first_item_s", "first item after app start", "s"),
    ("jump_newest_s", "G -> newest item is the cursor line", "s"),
    ("walk_s", "load all (L -> all N rows)", "s"),
    ("walk_from_app_start_s", "  same, from app start", "s"),
    ("sdk_walk_s", "openai SDK auto-pagination walk", "s"),
    ("raw_walk_s", "raw httpx + json.loads walk", "s"),
    ("floor_s", "floor: ceil(N/100) x latency", "s"),
    ("walk_list_requests", "item-list requests (walk app)", ""),
    ("rss_baseline_mb", "RSS before loading", "MB"),
    ("rss_mb", "RSS with all N loaded", "MB"),
    ("rss_delta_mb", "  delta", "MB"),
    ("rss_peak_mb", "peak RSS so far", "MB"),
    ("bytes_per_row", "  RSS delta per row", "B"),
    ("cursor_move_median_ms", "cursor move (key press), median", "ms"),
    ("cursor_move_p95_ms", "cursor move (key press), p95", "ms"),
    ("cursor_move_scroll_median_ms", "  moves that scrolled, median", "ms"),
    ("cursor_move_noscroll_median_ms", "  moves that did not scroll, median", "ms"),
    ("cursor_repeat_ms_per_move", "cursor move (key repeat 30/s), per move", "ms"),
    ("cursor_repeat_busy_fraction", "  share of wall time busy", ""),
    ("cursor_move_list_only_median_ms", "cursor move (list only), median", "ms"),
    ("page_append_ms_first", "page append at 100 (until drawn)", "ms"),
    ("page_append_ms_last", "page append at N (until drawn)", "ms"),
    ("page_append_list_only_ms_first", "page append at 100 (list lines only)", "ms"),
    ("page_append_list_only_ms_last", "page append at N (list lines only)", "ms"),
    ("filter_ms", "type filter at N loaded, median", "ms"),
    ("detail_s", "selection -> full item drawn, median", "s"),
    ("search_ms", "search: n to the next match, median", "ms"),
    ("search_ms_far", "  a match far away (most rows scanned)", "ms"),
    ("render_reading_ms", "reading view: one screen drawn cold, median", "ms"),
    ("cold_start_s", "--demo to the listing drawn, median", "s"),
    ("cli_start_s", "--version, median", "s"),
    ("walk_on_change_ms_early", "on_change during walk, <10% loaded", "ms"),
    ("walk_on_change_ms_late", "on_change during walk, >90% loaded", "ms"),
]


def fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def print_report(r: dict[str, Any]) -> None:
    print(f"\nconvoscope bench  N={r['items']:,}  latency={r['latency_ms']:g} ms  {r['date']}  "
          f"commit {r['commit']}{' + uncommitted src' if r['src_dirty'] else ''}  "
          f"load avg {r['load_avg_at_start']:.1f}->{r['load_avg_at_end']:.1f}")
    print(f"{'metric':<40} {'value':>12}  unit")
    print("-" * 60)
    for key, label, unit in ROWS:
        if key in r:
            print(f"{label:<40} {fmt(r[key]):>12}  {unit}")
    print(f"\n{'target':<30} {'value':>10} {'limit':>10}  result")
    print("-" * 66)
    for name, t in r["targets"].items():
        verdict = {True: "PASS", False: "FAIL", None: "n/a"}[t["pass"]]
        print(f"{name:<30} {fmt(t['value']):>10} {fmt(t['limit']):>10}  {verdict}  {t['note']}")


