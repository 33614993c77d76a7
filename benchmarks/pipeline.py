"""Speed and memory of a quarterly run, against a naive baseline measured the same way.

Prints, for the demo quarter:

- ours, cold: ``analysis run --force`` (stages skipped by fingerprint never apply; report notebooks in parallel,
  built-in renderer): total wall time, time per stage (from the run manifest) and peak memory of the whole
  process tree;
- the naive baseline: each notebook executed one after the other with the papermill CLI (clean, validate, analyse,
  the quarterly report, six exception reports), then each report rendered one after the other with the
  ``jupyter nbconvert`` CLI: the same figures;
- the ratio ours / baseline;
- ours, warm (nothing changed: every stage skipped) and after a commentary-only change;
- ``quarto render`` of the whole project in a copy of the checkout holding the same demo data, cold (the
  pre-render runs the pipeline from nothing, then Quarto renders the index and the ten reports and prints their
  PDFs) and with nothing changed (the pre-render skips every stage, Quarto renders no page again), beside the built-in renderer's cold and warm
  runs. Skipped, saying so, when ``quarto`` is not on PATH (``make bench`` puts the offline Quarto of
  ``../shared/tools/quarto`` on PATH as ``make test`` does).

Usage: ``python benchmarks/pipeline.py [--workdir DIR] [--jobs N] [--json FILE]`` (part of ``make bench``, which
runs ``benchmarks/bench.py``). It works on a copy of the repository's configuration and fresh demo data in a
temporary folder, never on ``data/``. ``--json`` also writes the figures for ``benchmarks/compare.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class Measured:
    seconds: float
    peak_mib: float  # the largest sum of the tree's resident set sizes (RSS), the figure
    peak_pss_mib: float  # the largest sum of its proportional set sizes (PSS): shared pages counted once


def _tree_rss(root_pid: int) -> dict[int, int]:
    """The resident set size (bytes) of a process and of each of its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(entry), int(fields[1])
        children.setdefault(ppid, []).append(pid)
        rss[pid] = int(fields[21]) * PAGE
    tree, stack = {}, [root_pid]
    while stack:
        pid = stack.pop()
        tree[pid] = rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return tree


def _pss_bytes(pids: list[int]) -> int:
    """Proportional set size of processes (``/proc/PID/smaps_rollup``): a page shared by n processes counts 1/n in
    each, so the libraries every kernel maps, and Chromium's shared memory, are counted once, not per process as a
    sum of RSS counts them."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup", encoding="ascii", errors="replace") as handle:
                total += next((int(line.split()[1]) * 1024 for line in handle if line.startswith("Pss:")), 0)
        except OSError:
            continue
    return total


def measure(commands: list[list[str]], *, env: dict[str, str], cwd: Path) -> Measured:
    """Run commands one after the other; wall time and the peak memory of each command's process tree."""
    peak = peak_pss = 0
    started = time.perf_counter()
    for command in commands:
        process = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        done = threading.Event()

        def sample(pid: int = process.pid, done: threading.Event = done) -> None:
            nonlocal peak, peak_pss
            samples = 0
            while not done.is_set():
                tree = _tree_rss(pid)
                peak = max(peak, sum(tree.values()))
                if samples % 4 == 0:  # reading smaps_rollup costs more: every 0.2 s
                    peak_pss = max(peak_pss, _pss_bytes(list(tree)))
                samples += 1
                time.sleep(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, stderr = process.communicate()
        done.set()
        sampler.join()
        if process.returncode != 0:
            sys.exit(f"{' '.join(command)} failed ({process.returncode}):\n{stderr.decode()[-3000:]}")
    return Measured(time.perf_counter() - started, peak / 2**20, peak_pss / 2**20)


def make_project(workdir: Path) -> Path:
    root = workdir / "project"
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    shutil.copytree(REPO / "config", root / "config")
    subprocess.run(
        [
            BIN / "demo-data",
            "-q",
            "--out",
            str(root / "data" / "raw"),
            "--config",
            str(root / "config"),
        ],
        check=True,
    )
    return root


def quarto_checkout(workdir: Path, raw: Path) -> Path:
    """The repository's files as a clone has them, ``.venv`` linked, and the demo data: a project to render."""
    root = workdir / "quarto-checkout"
    if root.exists():
        shutil.rmtree(root)
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for name in filter(None, listed.split("\0")):
        if (REPO / name).is_file():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, root / name)  # mtimes kept: make finds .venv up to date
    (root / ".venv").symlink_to(REPO / ".venv")
    shutil.copytree(raw, root / "data" / "raw", dirs_exist_ok=True)
    return root


def quarto_render(workdir: Path, raw: Path, env: dict[str, str]) -> tuple[Measured, Measured] | None:
    """``quarto render`` of the whole project: cold (no processed data, no reports), then with nothing changed."""
    if shutil.which("quarto", path=env.get("PATH")) is None:
        return None
    root = quarto_checkout(workdir, raw)
    quarto_env = {k: v for k, v in env.items() if k != "ANALYSIS_PROJECT_ROOT"}
    quarto_env.setdefault("QUARTO_PYTHON", str(BIN / "python"))
    cold = measure([["quarto", "render", "--quiet"]], env=quarto_env, cwd=root)
    unchanged = measure([["quarto", "render", "--quiet"]], env=quarto_env, cwd=root)
    return cold, unchanged


def naive_baseline(root: Path, quarter: str, env: dict[str, str]) -> Measured:
    """The by-hand way: papermill CLI per notebook, one after the other, then nbconvert CLI per report.

    The notebooks get the same parameters as in ``analysis run`` (Data Docs included), so both do the same work.
    """
    out = root / "naive"
    out.mkdir(exist_ok=True)
    processed = root / "naive-processed"
    common = ["-p", "processed_dir", str(processed), "-p", "config_dir", str(root / "config")]
    papermill = str(BIN / "papermill")
    notebooks = REPO / "notebooks"
    commands = [
        [papermill, "--no-progress-bar", str(notebooks / "01_clean.ipynb"), str(out / "01-clean.ipynb"), *common,
         "-p", "raw_dir", str(root / "data" / "raw"), "-p", "key_file", str(root / ".pseudonym-key")],
        [papermill, "--no-progress-bar", str(notebooks / "02_validate.ipynb"), str(out / "02-validate.ipynb"),
         *common, "-p", "quarter", quarter, "-p", "data_docs_dir", str(out / "data-docs")],
        [papermill, "--no-progress-bar", str(notebooks / "03_analyse.ipynb"), str(out / "03-analyse.ipynb"),
         *common, "-p", "quarter", quarter],
        [papermill, "--no-progress-bar", str(notebooks / "quarterly_report.ipynb"),
         str(out / "quarterly-report.ipynb"), *common, "-p", "quarter", quarter],
    ]  # fmt: skip
    reports = [out / "quarterly-report.ipynb"]
    for theme in range(1, 7):
        target = out / f"exceptions-{theme}.ipynb"
        commands.append(
            [papermill, "--no-progress-bar", str(notebooks / "exception_report.ipynb"), str(target), *common,
             "-p", "quarter", quarter, "-p", "theme", str(theme)]
        )  # fmt: skip
        reports.append(target)
    for report in reports:
        commands.append([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(report)])
    return measure(commands, env=env, cwd=notebooks)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--workdir", type=Path, default=None, help="where to build the demo project (default: temp)"
    )
    parser.add_argument("--jobs", type=int, default=2, help="report notebooks in parallel (default 2)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this JSON file")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="csc-bench-"))
    root = make_project(workdir)
    env = os.environ | {"ANALYSIS_PROJECT_ROOT": str(root), "GX_ANALYTICS_ENABLED": "false"}
    run = [str(BIN / "analysis"), "-q", "run", "--renderer", "builtin", "--jobs", str(args.jobs)]

    ours = measure([[*run, "--force"]], env=env, cwd=root)
    manifest_path = next((root / "reports").glob("*/manifest.json"))
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    quarter = manifest["quarter"]
    warm = measure([run], env=env, cwd=root)
    commentary = root / "data" / "raw" / "commentary" / f"{quarter}.md"
    commentary.write_text(commentary.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    commentary_only = measure([run], env=env, cwd=root)
    baseline = naive_baseline(root, quarter, env)
    quarto = quarto_render(workdir, root / "data" / "raw", env)

    cpus = os.cpu_count()
    pdfs = len(list(manifest_path.parent.glob("*.pdf")))
    print(f"Demo quarter {quarter}, {cpus} cores, report notebooks in parallel: {args.jobs}")
    print(f"PDFs printed by the cold run: {pdfs}" + ("" if pdfs else " (no Chromium: `make browser`)"))
    print(f"{'run':<44}{'wall s':>9}{'peak MiB':>10}{'PSS MiB':>9}")
    print(
        f"{'ours, cold (analysis run --force)':<44}{ours.seconds:>9.1f}{ours.peak_mib:>10.0f}"
        f"{ours.peak_pss_mib:>9.0f}"
    )
    for stage in manifest["stages"]:
        print(f"{'  stage ' + stage['name']:<44}{stage['seconds']:>9.1f}")
    print(
        f"{'naive baseline (papermill CLI, nbconvert CLI)':<44}{baseline.seconds:>9.1f}{baseline.peak_mib:>10.0f}"
        f"{baseline.peak_pss_mib:>9.0f}"
    )
    print(f"{'ratio ours / baseline':<44}{ours.seconds / baseline.seconds:>9.2f}")
    print(f"{'ours, warm (nothing changed)':<44}{warm.seconds:>9.2f}{warm.peak_mib:>10.0f}")
    print(f"{'ours, commentary changed':<44}{commentary_only.seconds:>9.1f}{commentary_only.peak_mib:>10.0f}")
    if quarto is None:
        print("quarto render: skipped, quarto is not on PATH")
    else:
        cold, unchanged = quarto
        print(f"{'quarto render, cold (with the PDFs)':<44}{cold.seconds:>9.1f}{cold.peak_mib:>10.0f}")
        print(f"{'quarto render, nothing changed':<44}{unchanged.seconds:>9.1f}{unchanged.peak_mib:>10.0f}")
        print(
            f"{'  built-in beside it: cold / nothing changed':<44}{ours.seconds:>9.1f}{warm.seconds:>10.2f}"
        )
    print(f"(work folder: {workdir})")
    if args.json is not None:
        stage_seconds = {stage["name"]: stage["seconds"] for stage in manifest["stages"]}
        figures = {
            "cold_seconds": ours.seconds,
            "cold_peak_mib": ours.peak_mib,
            "cold_peak_pss_mib": ours.peak_pss_mib,
            "cold_pdfs": pdfs,
            "naive_seconds": baseline.seconds,
            "naive_peak_mib": baseline.peak_mib,
            "naive_peak_pss_mib": baseline.peak_pss_mib,
            "cold_ratio": ours.seconds / baseline.seconds,
            "reports_stage_seconds": stage_seconds.get("reports"),
            "warm_seconds": warm.seconds,
            "commentary_only_seconds": commentary_only.seconds,
            "quarto_cold_seconds": quarto[0].seconds if quarto else None,
            "quarto_unchanged_seconds": quarto[1].seconds if quarto else None,
        }
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
