"""Compare two runs of ``make bench``: each figure of issue 21's table, old beside new, with the goal.

Usage: ``python benchmarks/compare.py OLD.json NEW.json`` (files that ``benchmarks/bench.py`` writes under
``benchmarks/results/``, one per run). With one file it prints that run's table.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Figure:
    """One figure of the table: its key in the JSON, what it measures, its unit and the goal (at most)."""

    key: str
    label: str
    unit: str
    goal: float | None


#: The figures and goals of issue 21 ("Speed and memory: ahead of the naive route again, and a third of it").
FIGURES = (
    Figure("cold_seconds", "cold demo quarter, ours (analysis run --force)", "s", None),
    Figure("naive_seconds", "cold demo quarter, naive (papermill CLI + nbconvert CLI)", "s", None),
    Figure("cold_ratio", "ours / naive", "", 0.35),
    Figure("reports_stage_seconds", "reports stage of the cold run", "s", 6.0),
    Figure("cold_peak_mib", "peak memory of the run's process tree", "MiB", 1024.0),
    Figure("naive_peak_mib", "peak memory, naive", "MiB", None),
    Figure("cold_peak_pss_mib", "peak memory as PSS (shared pages counted once), ours", "MiB", None),
    Figure("naive_peak_pss_mib", "peak memory as PSS, naive", "MiB", None),
    Figure("cold_pdfs", "PDFs printed by the cold run (0: no Chromium)", "", None),
    Figure("warm_seconds", "nothing changed", "s", None),
    Figure("commentary_only_seconds", "a commentary-only change", "s", 6.0),
    Figure("quarto_cold_seconds", "quarto render, cold (pre-render pipeline + pages)", "s", 25.0),
    Figure("quarto_unchanged_seconds", "quarto render, nothing changed", "s", 8.0),
    Figure("month_seconds", "one month's dashboard, earlier stages unchanged", "s", 8.0),
    Figure("batch_15_months_seconds", "15-month dashboard batch", "s", 20.0),
    Figure("scale_rows", "child rows in the scale run", "rows", None),
    Figure("scale_seconds", "scale run: clean + validate + analyse", "s", 120.0),
    Figure("scale_peak_mib", "scale run: largest stage's peak memory", "MiB", 2048.0),
    Figure("test_suite_seconds", "make test", "s", 480.0),
)


def _shown(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "rows":
        return f"{value:,.0f}"
    return f"{value:,.2f}" if abs(value) < 10 else f"{value:,.1f}"


def table(runs: list[dict[str, object]]) -> str:
    """The figures of one or two runs as a Markdown table (two runs: new / old beside them)."""
    columns = ["figure", *(str(run.get("label", "run")) for run in runs), "goal"]
    if len(runs) == 2:
        columns.insert(3, "new / old")
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for figure in FIGURES:
        values = [run.get("figures", {}).get(figure.key) for run in runs]  # type: ignore[union-attr]
        if all(v is None for v in values):
            continue
        cells = [f"{figure.label} ({figure.unit})" if figure.unit else figure.label]
        cells += [_shown(v, figure.unit) for v in values]
        if len(runs) == 2:
            old, new = values
            cells.append(f"{new / old:.2f}" if old and new is not None else "-")
        goal = "-" if figure.goal is None else f"<= {_shown(figure.goal, figure.unit)}"
        met = [v for v in values if v is not None]
        if figure.goal is not None and met:
            goal += " (met)" if met[-1] <= figure.goal else " (missed)"
        cells.append(goal)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "runs", type=Path, nargs="+", help="one or two JSON files written by benchmarks/bench.py"
    )
    args = parser.parse_args()
    if len(args.runs) > 2:
        parser.error("give one run, or two to compare (old, then new)")
    runs = [json.loads(path.read_text(encoding="utf-8")) for path in args.runs]
    for run in runs:
        print(f"{run.get('label')}: commit {run.get('commit')}, {run.get('cores')} cores, "
              f"load average {run.get('load_average')} at the start")  # fmt: skip
    print(table(runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
