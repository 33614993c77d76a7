"""The one runner: a quarter's run (:func:`run_pipeline`) and a month's (:func:`run_months`) walk the steps declared
in :mod:`analysis.run.steps`, top to bottom, and publish what they made in one step.

Reads like a table of contents (:func:`_run`); each line calls down into a module that never calls back up:

1. **Configuration.** ``config/`` is read and checked (:func:`analysis.config.load_config`) before anything is
   written: a wrong measure id stops the run before its first step, naming it.
2. **The frame.** The project must be writable; the run holds its lock (:mod:`analysis.run.publication`) and a
   storage failure (full disk, read-only folder) becomes one sentence (exit code 2).
3. **The month's kernels** (a month's run only) start, with their imports, while the quarter's steps run
   (:func:`analysis.run.monthly.warm_month_kernels`).
4. **The quarter's steps** (clean, commentary, validate, analyse, the reports) into private copies of
   ``data/processed/`` and ``reports/<quarter>/`` (:func:`analysis.run.quarter_run.staged_quarter`); a month's run
   takes the latest complete quarter in the data, whose tables cover every month the data cover, so any month can
   be made in any order of runs. Every step whose inputs, code and parameters are unchanged is skipped.
5. **The month's steps** (a month's run only): the dashboard and the safeguarding board's view of each month
   into private folders (:func:`analysis.run.monthly.stage_months`), each month skipped when unchanged.
6. **One publication** (:func:`analysis.run.quarter_run.publish_run`): the quarter's tables and reports and each
   month's folder are swapped into place together, only when every step has succeeded, so a failed or killed run
   leaves the last good outputs as they were (or, killed during the renames, the next run completes them).
7. **After publication:** Quarto's render list (``--renderer none``); for a month's run, ``reports/latest-month``
   and ``reports/dashboards.html`` (:func:`analysis.run.monthly.publish_month_pages`).

Several authorities' runs are in :mod:`analysis.run.consortium`.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.config import load_config
from analysis.methods.months import month_label
from analysis.methods.quarters import Quarter
from analysis.paths import ProjectPaths
from analysis.run.monthly import (
    INDEX_PAGE,
    StagedMonths,
    publish_month_pages,
    stage_months,
    warm_month_kernels,
)
from analysis.run.publication import check_can_write, is_storage_error, project_lock, storage_error
from analysis.run.quarter_run import list_for_quarto, publish_run, staged_quarter
from analysis.run.quarter_stages import QuarterRun, StageRecord

logger = logging.getLogger(__name__)


@dataclass
class RunResult:
    """The outcome of a successful run: the quarter's reports and what each of its steps did."""

    quarter: str
    quarter_dir: Path
    report_path: Path
    renderer: str
    stages: list[StageRecord]

    @property
    def skipped_everything(self) -> bool:
        return all(stage.skipped for stage in self.stages)


@dataclass
class MonthlyResult:
    """What a month's run made: the months' folders, which were skipped, the index page and the quarter's run."""

    months: list[str]
    folders: list[Path]
    index: Path
    pipeline: RunResult
    renderer: str
    skipped: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def dashboard(self, month: str) -> Path:
        """The month's dashboard (HTML, or the executed notebook when nothing was rendered)."""
        suffix = ".ipynb" if self.renderer == "none" else ".html"
        return self.folders[self.months.index(month)] / f"dashboard{suffix}"


def run_pipeline(
    paths: ProjectPaths,
    *,
    quarter: str | None = None,
    jobs: int = 2,
    force: bool = False,
    renderer: str = "auto",
    warm_kernels: bool = True,
    new_key: bool = False,
) -> RunResult:
    """Run every step of ``quarter`` (default: the latest complete quarter in the data) and publish the outputs.

    With ``warm_kernels`` the kernels of later notebooks are started, and their imports done, while earlier steps
    run (:mod:`analysis.run.kernels`). ``new_key`` starts afresh with a new pseudonymisation key on purpose.

    Raises
    ------
    AnalysisError
        Bad input, configuration or a failed critical data check; another run in progress; a folder that cannot
        be written or a full disk (the CLI exits 2). Nothing is published.
    """
    requested = Quarter.parse(quarter) if quarter else None
    pipeline, _ = _run(
        paths,
        requested,
        [],
        jobs=jobs,
        force=force,
        renderer=renderer,
        warm_kernels=warm_kernels,
        new_key=new_key,
    )
    return pipeline


def run_months(
    paths: ProjectPaths,
    months: Sequence[pd.Timestamp],
    *,
    jobs: int = 2,
    force: bool = False,
    renderer: str = "auto",
    warm_kernels: bool = True,
    new_key: bool = False,
) -> MonthlyResult:
    """Make the dashboard and the safeguarding board's view for each month, reusing every unchanged step.

    Parameters
    ----------
    paths
        The project's folders.
    months
        First days of the months (e.g. from :func:`analysis.methods.months.parse_month_range`).
    jobs
        Notebooks executed at once.
    force
        Run every step and every month again.
    renderer
        ``auto``, ``quarto``, ``builtin`` or ``none``, as for the quarterly reports.
    warm_kernels
        Start the notebooks' kernels, and their imports, ahead of time.
    new_key
        Start afresh with a new pseudonymisation key, as ``run_pipeline(new_key=True)``.

    Raises
    ------
    AnalysisError
        Bad input or configuration, a month outside the data, a failed data check or notebook (the CLI exits 2);
        no month's last good outputs are changed.
    """
    started = time.perf_counter()
    wanted = sorted({pd.Timestamp(m) for m in months})
    if not wanted:
        raise ValueError("no months to run")
    labels = [month_label(m) for m in wanted]
    pipeline, staged = _run(
        paths,
        None,
        wanted,
        jobs=jobs,
        force=force,
        renderer=renderer,
        warm_kernels=warm_kernels,
        new_key=new_key,
    )
    assert staged is not None
    seconds = round(time.perf_counter() - started, 3)
    logger.info(
        "Monthly products for %d month(s) in %.1f s (%d skipped)", len(labels), seconds, len(staged.skipped)
    )
    folders = [paths.reports / label for label in labels]
    return MonthlyResult(
        labels, folders, paths.reports / INDEX_PAGE, pipeline, staged.renderer, staged.skipped, seconds
    )


def _run(
    paths: ProjectPaths,
    requested: Quarter | None,
    months: Sequence[pd.Timestamp],
    *,
    jobs: int,
    force: bool,
    renderer: str,
    warm_kernels: bool,
    new_key: bool,
) -> tuple[RunResult, StagedMonths | None]:
    """The quarter's steps, then the months' (if any), published together: the table of contents of every run."""
    with _storage_errors_explained(paths):
        config = load_config(paths.config)
        check_can_write([paths.root])
        with project_lock(paths.root):
            labels = [month_label(m) for m in months]
            if labels:
                logger.info("Months %s to %s: the quarter's pipeline first", labels[0], labels[-1])
            warm = (
                warm_month_kernels(paths, labels, renderer, force=force, jobs=jobs)
                if labels and warm_kernels
                else None
            )
            staged: StagedMonths | None = None
            try:
                with staged_quarter(
                    paths,
                    config,
                    requested,
                    jobs=jobs,
                    force=force,
                    renderer=renderer,
                    warm=warm_kernels,
                    new_key=new_key,
                ) as run:
                    if labels:
                        staged = stage_months(run, months, renderer, jobs=jobs, force=force, warm=warm)
                        logger.info(
                            "Publishing the quarter %s and %d month(s) together",
                            run.quarter.label if run.quarter else "",
                            len(staged.folders),
                        )
                    publish_run(run, staged.moves(paths.reports) if staged else ())
            finally:
                if warm is not None:
                    warm.close()
            if renderer == "none":
                list_for_quarto(run)
            if staged is not None:
                publish_month_pages(paths.reports, authority_name=config.authority.name)
            return _quarter_result(run), staged


def _quarter_result(run: QuarterRun) -> RunResult:
    assert run.quarter is not None
    used = run.new_state["renderer"]
    quarter_dir = run.paths.quarter_reports(run.quarter.label)
    report = quarter_dir / ("quarterly-report.html" if used != "none" else "quarterly-report.ipynb")
    result = RunResult(run.quarter.label, quarter_dir, report, used, run.records)
    if result.skipped_everything:
        logger.info(
            "Nothing changed since the last run: every stage was skipped (use --force to run them again)"
        )
    return result


@contextlib.contextmanager
def _storage_errors_explained(paths: ProjectPaths) -> Iterator[None]:
    """Turn a storage failure (full disk, read-only folder) inside the block into one sentence (exit code 2).

    A full disk often gives an error without a file name (a write, not an open): the message then names the
    folder, of those the run writes, whose disk has the least room left, not the project's root.
    """
    try:
        yield
    except OSError as error:
        if is_storage_error(error):
            place = paths.root
            if not getattr(error, "filename", None):
                place = min(
                    [paths.processed.parent, paths.reports, paths.root],
                    key=lambda folder: shutil.disk_usage(folder).free if folder.exists() else float("inf"),
                )
            raise storage_error(error, place) from None
        raise
