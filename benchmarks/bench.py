"""``make bench``: every figure of the speed and memory table in one run, printed and written as JSON.

Runs, one after the other on fresh demo data in temporary folders (never ``data/``):

- ``benchmarks/pipeline.py``: the cold quarter against the naive route (papermill CLI + nbconvert CLI, measured in
  the same run), its reports stage, peak memory, nothing changed, a commentary-only change, ``quarto render``;
- ``benchmarks/dashboard.py``: one month's dashboard and the 15-month batch;
- ``benchmarks/scale.py`` at ``--rows`` child rows (default 10 million; ``--rows 0`` leaves it out: it needs about
  10 GB of disk and a quarter of an hour);
- ``make test`` itself (the whole suite, on every core; ``--no-tests`` leaves it out).

The figures go to ``benchmarks/results/<commit>-<time>.json`` (ignored by git), so that two commits can be compared
with ``python benchmarks/compare.py OLD.json NEW.json``. The load average is recorded beside them: read the ratios,
not the seconds, when other jobs were running.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from compare import table

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
RESULTS = HERE / "results"


def _commit() -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True, check=False
    )
    return done.stdout.strip() or "unknown"


def _script(name: str, arguments: list[str], scratch: Path) -> dict[str, float]:
    """Run one benchmark script (its table goes to the terminal) and read the figures it wrote."""
    figures = scratch / f"{name}.json"
    subprocess.run([sys.executable, str(HERE / f"{name}.py"), *arguments, "--json", str(figures)], check=True)
    return json.loads(figures.read_text(encoding="utf-8"))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--jobs", type=int, default=2, help="notebooks in parallel (default 2)")
    parser.add_argument(
        "--rows", type=float, default=1e7, help="child rows of the scale run (0: leave it out)"
    )
    parser.add_argument("--no-tests", dest="tests", action="store_false", help="do not time `make test`")
    parser.add_argument("--label", default=None, help="name of this run in the table (default: the commit)")
    args = parser.parse_args()
    commit = _commit()
    run: dict[str, object] = {
        "label": args.label or commit,
        "commit": commit,
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "cores": os.cpu_count(),
        "load_average": [round(x, 1) for x in os.getloadavg()],
    }
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="csc-bench-") as scratch_name:
        scratch = Path(scratch_name)
        jobs = ["--jobs", str(args.jobs)]
        figures |= _script("pipeline", jobs, scratch)
        figures |= _script("dashboard", jobs, scratch)
        if args.rows > 0:
            figures |= _script("scale", ["--rows", str(args.rows)], scratch)
    if args.tests:
        started = time.perf_counter()
        subprocess.run(["make", "test"], cwd=REPO, check=True)
        figures["test_suite_seconds"] = time.perf_counter() - started
    run["figures"] = figures
    run["load_average_at_end"] = [round(x, 1) for x in os.getloadavg()]
    RESULTS.mkdir(exist_ok=True)
    target = RESULTS / f"{commit}-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    target.write_text(json.dumps(run, indent=2), encoding="utf-8")
    print(f"\nCommit {commit}, {run['cores']} cores, load average {run['load_average']} at the start")
    print(table([run]))
    print(f"\nWritten to {target}; compare two runs with: python benchmarks/compare.py OLD.json NEW.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
