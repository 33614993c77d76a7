"""How the cost of cleaning, validation and analysis grows with the volume of child-level rows.

For each target volume (default about 1, 5 and 10 million Annex A rows) it writes a scaled demo
(``demo-data --scale N``: CSV lists), then runs each stage in its own process (so that each peak memory
figure is that stage's alone) and prints seconds, rows per second and peak resident memory, and the cost per
million rows, which stays flat when the cost grows linearly.

Usage: ``python benchmarks/scale.py [--rows 1e6 5e6 1e7] [--workdir DIR] [--json FILE]`` (``--json`` writes the
largest volume's figures for ``benchmarks/compare.py``). Needs about 10 GB of disk at 10 million
rows and takes about a quarter of an hour on 2 cores.

The cleaning validates each CIN census against DfE's schema only where the returns stage finds the schemas
(``../shared/data/cin_census_schemas`` beside the project's folder): not in the default temporary work folder. Give
a ``--workdir`` beside ``shared/`` to include that validation, most of the cleaning's time at scale; each volume's
lines say which.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from analysis.stages.returns.stage import census_schemas

REPO = Path(__file__).resolve().parents[1]
#: Annex A rows the demo writes at scale 1 (printed by `demo-data`); used to pick the scale for a target.
ROWS_AT_SCALE_1 = 89_542

STAGE_CODE = {
    "clean": """
from analysis.stages.cleaning import clean_all
from analysis.inputs.pseudonymise import load_or_create_key
summary = clean_all(raw, processed, config, key=load_or_create_key(root / ".pseudonym-key"))
rows = int(summary.tables["rows_read"].sum())
""",
    "validate": """
from analysis.stages.validation import validate_processed
outcome = validate_processed(processed, config, quarter, raise_on_critical=False)
rows = None
""",
    "analyse": """
from analysis.stages.analyse import analyse_all
analyse_all(processed, config, quarter)
rows = None
""",
}

PRELUDE = """
import json, resource, sys, time
from pathlib import Path
from analysis.config import load_config
from analysis.methods.quarters import Quarter
root = Path(sys.argv[1]); raw = root / "raw"; processed = root / "processed"
config = load_config(root / "config"); quarter = Quarter.parse("2015-16-Q1")
started = time.perf_counter()
"""

EPILOGUE = """
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "peak_mib": peak, "rows": rows}))
"""


def run_stage(stage: str, root: Path) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", PRELUDE + STAGE_CODE[stage] + EPILOGUE, str(root)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        sys.exit(f"{stage} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--rows", type=float, nargs="+", default=[1e6, 5e6, 1e7], help="target child-level rows"
    )
    parser.add_argument("--workdir", type=Path, default=None, help="where to write the scaled demos")
    parser.add_argument(
        "--json", type=Path, default=None, help="also write the largest volume's figures here"
    )
    args = parser.parse_args()
    largest: dict[str, float] = {}
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="csc-scale-"))
    print(f"{'rows':>11} {'stage':<9}{'seconds':>9}{'rows/s':>11}{'s per M rows':>13}{'peak MiB':>10}")
    for target in args.rows:
        scale = round(target / ROWS_AT_SCALE_1, 2)
        root = workdir / f"scale-{scale:g}"
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
        shutil.copytree(REPO / "config", root / "config")
        started = time.perf_counter()
        subprocess.run(
            [Path(sys.executable).parent / "demo-data", "-q", "--out", str(root / "raw"),
             "--scale", str(scale), "--config", str(root / "config")],
            check=True,
        )  # fmt: skip
        generated = time.perf_counter() - started
        rows = None
        total_seconds, peak_mib = 0.0, 0.0
        for stage in STAGE_CODE:
            figures = run_stage(stage, root)
            rows = figures["rows"] or rows
            assert rows is not None
            total_seconds += figures["seconds"]
            peak_mib = max(peak_mib, figures["peak_mib"])
            print(
                f"{rows:>11,} {stage:<9}{figures['seconds']:>9.1f}{rows / figures['seconds']:>11,.0f}"
                f"{figures['seconds'] / (rows / 1e6):>13.1f}{figures['peak_mib']:>10,.0f}",
                flush=True,
            )
        print(f"{'':>11} (demo data generated in {generated:.0f} s at scale {scale:g})", flush=True)
        schemas = census_schemas(root / "config")
        print(
            f"{'':>11} (CIN census validated against its schemas: "
            f"{'yes, ' + str(schemas.resolve()) if schemas else 'no, none beside ' + str(root)})",
            flush=True,
        )
        shutil.rmtree(root / "raw")
        largest = {"scale_rows": rows, "scale_seconds": total_seconds, "scale_peak_mib": peak_mib}
    peak_self = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"largest single process: {peak_self:,.0f} MiB (work folder {workdir})")
    if args.json is not None:
        args.json.write_text(json.dumps(largest, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
