"""What the topic reports add to a quarter's run: their tables in the analysis stage, and their notebooks.

Measured on the processed tables of the last run (``make report`` first), writing only to a temporary folder:

- the topic tables (:func:`analysis.stages.topics.topic_tables`: profiles, disproportionality, journeys, drift and
  the comparisons with England, for every topic of ``config/topics.yml``), timed inside the analysis stage's work;
- each topic report: its notebook executed with papermill, rendered with the built-in renderer, printed to A4 PDF
  with headless Chromium (as ``analysis run`` does for every report), one after another.

The run executes the report notebooks ``--jobs`` at a time, so the wall time the topic reports add to a run is about
the notebooks' total divided by the jobs (printed as well). Usage: ``python benchmarks/topic_batch.py [--quarter
2015-16-Q1] [--jobs 2]``.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def processor_seconds() -> float:
    """Processor time used so far by this process and its finished children (kernels, Chromium)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quarter", default="2015-16-Q1")
    parser.add_argument(
        "--jobs", type=int, default=2, help="the run's --jobs, for the wall time (default: 2)"
    )
    args = parser.parse_args()

    from analysis.config import load_config
    from analysis.methods.quarters import Quarter
    from analysis.run.notebook_execution import execute_notebook
    from analysis.run.pdf import find_chromium, print_pdfs_in_one_browser
    from analysis.run.render import render_notebook_html
    from analysis.stages.analyse import read_inputs
    from analysis.stages.topics import ethnic_population_for, topic_tables

    config = load_config(REPO / "config")
    processed = REPO / "data" / "processed"
    if not (processed / "topic_profile.parquet").is_file():
        print("No processed topic tables: run 'make report' first", file=sys.stderr)
        return 2
    quarter = Quarter.parse(args.quarter)
    tables = read_inputs(processed, config)
    started, cpu = time.perf_counter(), processor_seconds()
    topic_tables(tables, config, quarter, ethnic_population_for(REPO / "data" / "raw", config))
    tables_seconds = time.perf_counter() - started
    print(
        f"topic tables (analysis stage): {tables_seconds:.1f} s ({processor_seconds() - cpu:.1f} s of processor)"
    )
    cpu = processor_seconds()

    chromium = find_chromium()
    notebook_seconds = []
    with tempfile.TemporaryDirectory(prefix="topic-batch-") as folder:
        for topic in config.topics.topics:
            output = Path(folder) / f"topic-{topic.id}.ipynb"
            started = time.perf_counter()
            execute_notebook(
                REPO / "notebooks" / "topic_report.ipynb",
                output,
                {
                    "quarter": quarter.label,
                    "topic": topic.id,
                    "processed_dir": str(processed),
                    "config_dir": str(REPO / "config"),
                },
                cwd=REPO / "notebooks",
            )
            executed = time.perf_counter() - started
            page = render_notebook_html(output, output.with_suffix(".html"), title=topic.title)
            rendered = time.perf_counter() - started
            if chromium:
                print_pdfs_in_one_browser([page], chromium=chromium)
            total = time.perf_counter() - started
            notebook_seconds.append(total)
            print(
                f"topic-{topic.id}: executed {executed:.1f} s, rendered {rendered - executed:.1f} s, "
                f"PDF {total - rendered:.1f} s, in all {total:.1f} s"
            )
    batch = sum(notebook_seconds)
    print(
        f"topic reports' processor time (notebooks' kernels, rendering, Chromium): {processor_seconds() - cpu:.1f} s"
    )
    print(
        f"topic reports, one after another: {batch:.1f} s; in a run with --jobs {args.jobs}: about "
        f"{batch / args.jobs:.1f} s of wall time; with the tables: about {tables_seconds + batch / args.jobs:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
