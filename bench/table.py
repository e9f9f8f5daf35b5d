"""Markdown tables from bench/run.py results, one column per run (for bench/README.md).

    python bench/table.py n10k.json n100k_l0.json n100k_l200.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from run import ROWS, fmt  # the same metrics, labels and number format as the printed report

VERDICT = {True: "pass", False: "**FAIL**", None: "n/a"}


def heading(r: dict[str, Any]) -> str:
    return f"N={r['items']:,}, {r['latency_ms']:g} ms"


def metrics_table(results: list[dict[str, Any]]) -> str:
    lines = ["| metric | unit | " + " | ".join(heading(r) for r in results) + " |",
             "| :- | :- |" + " -: |" * len(results)]
    for key, label, unit in ROWS:
        if any(key in r for r in results):
            values = " | ".join(fmt(r.get(key)) for r in results)
            lines.append(f"| {label.strip()} | {unit} | {values} |")
    return "\n".join(lines)


def targets_table(results: list[dict[str, Any]]) -> str:
    names = list(dict.fromkeys(name for r in results for name in r["targets"]))
    lines = ["| target | " + " | ".join(heading(r) for r in results) + " |",
             "| :- |" + " :- |" * len(results)]
    for name in names:
        cells = []
        for r in results:
            t = r["targets"].get(name)
            cells.append(target_cell(t))
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def target_cell(t: dict[str, Any] | None) -> str:
    if t is None:
        return "-"
    if t["value"] is None:  # not measured (SDK skipped) or not meaningful (floor 0 at 0 ms)
        practical = t.get("walk_vs_raw_walk")
        return "n/a" + (f" (floor 0; walk = {practical:.2f} × raw walk)" if practical else "")
    return f"{fmt(t['value'])} ≤ {fmt(t['limit'])}: {VERDICT[t['pass']]}"


def provenance(results: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"- {heading(r)}: {r['date']}, commit {r['commit']}"
        f"{' + uncommitted src' if r['src_dirty'] else ''}, "
        f"load average {r['load_avg_at_start']:.1f} → {r['load_avg_at_end']:.1f}"
        for r in results)


def main(paths: list[str]) -> None:
    results = [json.loads(Path(p).read_text()) for p in paths]
    print(metrics_table(results), end="\n\n")
    print(targets_table(results), end="\n\n")
    print(provenance(results))


if __name__ == "__main__":
    main(sys.argv[1:])
