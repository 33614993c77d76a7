"""Speed and memory of stage 1 (cleaning): demo data at scale 1 and at about a million child-level rows.

Run with ``.venv/bin/python benchmarks/cleaning.py``. Prints, for each scale, the child-level rows read, the
seconds ``clean_all`` took, rows per second and the peak resident memory of a fresh process (ru_maxrss).
Each scale runs in its own process, and the demo data are generated in yet another, so that the peak memory
reported is that of the cleaning alone (with the interpreter and libraries).
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_ROWS = 1_000_000
KEY = b"benchmark-key-not-secret-32bytes"


def _child_rows(raw: Path) -> int:
    """Data rows in the Annex A CSV lists (lines minus the heading), read without the cleaning code."""
    total = 0
    for path in sorted((raw / "annex_a").glob("List_*.csv")):
        with path.open("rb") as handle:
            total += sum(1 for _ in handle) - 1
    return total


def measure(scale: float, seed: int) -> dict[str, float]:
    """Generate demo data at ``scale`` (CSV lists), clean it, and return rows, seconds and peak memory."""
    from analysis.config import load_config
    from analysis.stages.cleaning import clean_all

    config = load_config(ROOT / "config")
    with tempfile.TemporaryDirectory(prefix="bench-clean-") as folder:
        raw, processed = Path(folder) / "raw", Path(folder) / "processed"
        # Generated in another process, so that the peak memory below is the cleaning's own.
        subprocess.run(
            [
                sys.executable,
                "-m",
                "demo_data.cli",
                "-q",
                "--out",
                str(raw),
                "--scale",
                str(scale),
            ]
            + ["--seed", str(seed), "--config", str(ROOT / "config")],
            check=True,
        )
        xlsx = raw / "annex_a.xlsx"
        if xlsx.exists() and (raw / "annex_a").is_dir():
            xlsx.unlink()  # time the CSV lists, as a large extract would come
        rows = _child_rows(raw) if (raw / "annex_a").is_dir() else float("nan")
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        summary = clean_all(raw, processed, config, key=KEY)
        seconds = time.perf_counter() - started
        peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    read = float(summary.tables.loc[summary.tables["table"].isin(_child_tables()), "rows_read"].sum())
    return {
        "scale": scale,
        "rows": read if read else rows,
        "seconds": seconds,
        "rows_per_second": (read or rows) / seconds,
        "peak_mib": peak_kib / 1024,
        "peak_before_mib": before / 1024,
    }


def _child_tables() -> list[str]:
    from analysis.schemas import CHILD_LEVEL_TABLES

    return CHILD_LEVEL_TABLES


def _in_subprocess(scale: float, seed: int) -> dict[str, float]:
    output = subprocess.run(
        [sys.executable, __file__, "--one", str(scale), "--seed", str(seed)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--one", type=float, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=2015)
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(measure(args.one, args.seed)))
        return
    small = _in_subprocess(1.0, args.seed)
    large_scale = float(math.ceil(TARGET_ROWS / small["rows"]))
    large = _in_subprocess(large_scale, args.seed)
    print(f"{'scale':>6} {'child rows':>11} {'seconds':>8} {'rows/s':>9} {'peak MiB':>9}")
    for result in (small, large):
        print(
            f"{result['scale']:>6.0f} {result['rows']:>11,.0f} {result['seconds']:>8.1f} "
            f"{result['rows_per_second']:>9,.0f} {result['peak_mib']:>9,.0f}"
        )


if __name__ == "__main__":
    main()
