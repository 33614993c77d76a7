"""Speed of the monthly products: one month's dashboard when the earlier stages are up to date, and a 15-month batch.

Prints, on a copy of the repository's configuration and fresh demo data in a temporary folder (never ``data/``):

- the quarterly run that brings every stage up to date (cold, for reference);
- one month (``analysis run --month 2015-06``) with every earlier stage unchanged: the quarter's stages are
  checked and skipped, the dashboard and the safeguarding board's view executed and rendered (built-in renderer);
  goal: under 8 s on two cores;
- the same month again with nothing changed (skipped);
- a 15-month batch (``--months 2014-04:2015-06``), notebooks in parallel (``--jobs``).

Usage: ``python benchmarks/dashboard.py [--workdir DIR] [--jobs N] [--json FILE]`` (part of ``make bench``).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
MONTH = "2015-06"
BATCH = "2014-04:2015-06"
GOAL_SECONDS = 8.0


def _timed(command: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--workdir", type=Path, default=None, help="folder to work in (default: a temporary one)"
    )
    parser.add_argument("--jobs", type=int, default=2, help="notebooks executed in parallel (default: 2)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this JSON file")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="csc-dashboard-bench-"))
    project = workdir / "project"
    if project.exists():
        shutil.rmtree(project)
    shutil.copytree(REPO / "config", project / "config")
    analysis = str(BIN / "analysis")
    common = ["--jobs", str(args.jobs), "--renderer", "builtin"]
    subprocess.run(
        [
            str(BIN / "demo-data"),
            "-q",
            "--out",
            str(project / "data" / "raw"),
            "--config",
            str(project / "config"),
        ],
        cwd=project,
        check=True,
    )
    folders = [
        "--config",
        str(project / "config"),
        "--raw",
        str(project / "data" / "raw"),
        "--processed",
        str(project / "data" / "processed"),
        "--reports",
        str(project / "reports"),
    ]
    run = [analysis, "-q", "run", *folders, *common]
    quarterly = _timed([*run, "--quarter", "2015-16-Q1"], project)
    print(f"quarterly run, cold (brings every stage up to date): {quarterly:6.1f} s")
    month = _timed([*run, "--month", MONTH], project)
    verdict = "meets" if month < GOAL_SECONDS else "misses"
    print(
        f"one month ({MONTH}), earlier stages unchanged:       {month:6.1f} s ({verdict} the {GOAL_SECONDS:.0f} s goal)"
    )
    again = _timed([*run, "--month", MONTH], project)
    print(f"the same month again, nothing changed:              {again:6.1f} s")
    shutil.rmtree(project / "reports" / MONTH)  # so that the batch makes all 15 months
    batch = _timed([*run, "--months", BATCH], project)
    print(f"15-month batch ({BATCH}), jobs {args.jobs}:           {batch:6.1f} s")
    if args.json is not None:
        figures = {"month_seconds": month, "month_unchanged_seconds": again, "batch_15_months_seconds": batch}
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    if args.workdir is None:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
