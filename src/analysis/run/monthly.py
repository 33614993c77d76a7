"""A month's steps: the Improvement Board dashboard and the safeguarding board's core dataset, for each month.

The runner (:func:`analysis.run.pipeline.run_months`) calls these in order, after the quarter's steps have brought
the analysis tables up to date in the run's private copies:

1. :func:`warm_month_kernels`, before the quarter's steps: if any month is likely to run, the kernels of the
   months' pool start and do their imports while the quarter's steps are checked or run
   (:class:`analysis.run.kernels.WarmKernels`); the months' notebooks then run in turn in these few kernels
   (:class:`analysis.run.kernels.KernelPool`).
2. :func:`stage_months`: the months asked for are checked against the staged tables (a month outside the data:
   exit 2, nothing published); each month whose fingerprint (:func:`month_fingerprint`: the tables, the files of
   ``config/`` and the notebooks of :data:`analysis.run.steps.MONTH_STEPS`, the code, the renderer and which of its
   quarter's exception reports exist) is unchanged since its last run is skipped; the others' notebooks are
   executed with papermill (``jobs`` at once) and rendered (:mod:`analysis.run.render`) into private folders
   (``reports/.staging-<YYYY-MM>-<run>/``), which the runner publishes with the quarter in one publication.
3. :func:`publish_month_pages`, after publication: ``reports/latest-month`` points at the newest month and
   ``reports/dashboards.html`` (the index of every month's dashboard) is written again.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import nbformat
import pandas as pd

from analysis import __version__
from analysis.errors import InputDataError
from analysis.io import atomic_path, read_table, write_text
from analysis.methods.months import month_label, month_name, reported_quarter
from analysis.paths import ProjectPaths
from analysis.products.glossary import spell_out_executed
from analysis.run.fingerprints import code_fingerprint, config_digest, digest, sha256_file, tables_digest
from analysis.run.kernels import KernelPool, WarmKernels
from analysis.run.notebook_execution import execute_notebook
from analysis.run.quarter_stages import REPORTS_STAGING_PREFIX, QuarterRun
from analysis.run.steps import (
    DASHBOARD,
    MONTH_STEPS,
    SAFEGUARDING_BOARD,
    Step,
    config_read_by,
    tables_read_by,
)
from analysis.safe_text import html_text

logger = logging.getLogger(__name__)

#: What the months' kernels import before their first notebook: the imports of both month steps.
MONTH_WARM_UP = "; ".join(step.warm_up for step in MONTH_STEPS if step.warm_up)

INDEX_PAGE = "dashboards.html"
LATEST_MONTH = "latest-month"
MANIFEST_FILE = "manifest.json"
_MONTH_FOLDER = re.compile(r"^\d{4}-\d{2}$")


@dataclass
class StagedMonths:
    """The months of a run: each one's private folder (those that run), those skipped, the renderer used."""

    renderer: str
    folders: dict[str, Path] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)

    def moves(self, reports: Path) -> list[tuple[Path, Path]]:
        """(staged folder, published folder) of each month that ran, for the run's one publication."""
        return [(folder, reports / label) for label, folder in self.folders.items()]


def month_fingerprint(
    paths: ProjectPaths,
    month: str,
    renderer: str,
    *,
    processed: Path | None = None,
    reports: Path | None = None,
) -> str:
    """What a month's notebooks depend on: the tables, files of ``config/`` and notebooks of its steps, the code,
    the month, the renderer, and which of its quarter's exception reports exist (a dashboard made before them is
    made again once they are).

    ``processed`` and ``reports`` are where the tables and the quarters' reports are read (default: the published
    folders; a run reads its own staged copies).
    """
    processed = processed or paths.processed
    reports = reports or paths.reports
    quarter = reported_quarter(pd.Timestamp(f"{month}-01")).label
    notebooks = [sha256_file(paths.notebooks / step.notebook) for step in MONTH_STEPS]
    links = sorted(
        p.name for step in MONTH_STEPS for pattern in step.links for p in (reports / quarter).glob(pattern)
    )
    return digest(
        code_fingerprint(),
        config_digest(paths.config, config_read_by(MONTH_STEPS)),
        notebooks,
        tables_digest(processed, tables_read_by(MONTH_STEPS)),
        month,
        renderer,
        links,
    )


def warm_month_kernels(
    paths: ProjectPaths, labels: Sequence[str], renderer: str, *, force: bool, jobs: int
) -> WarmKernels:
    """Start, in the background, the kernels of the months' pool (one per notebook run at once), if any month
    looks out of date.

    Whether a month is up to date is only guessed here, from the published folders, to save starting kernels that
    would not be used: :func:`stage_months` decides, after the quarter's steps.
    """
    likely = [label for label in labels if force or not _probably_unchanged(paths, label, renderer)]
    warm = WarmKernels(paths.notebooks)
    for slot in range(min(max(1, jobs), len(_notebook_jobs(likely)))):
        warm.prepare(f"month-{slot}", MONTH_WARM_UP)
    return warm


def _probably_unchanged(paths: ProjectPaths, label: str, renderer: str) -> bool:
    folder = paths.reports / label
    try:
        previous = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return False
    used = previous.get("renderer", "")
    if {"builtin": "built-in"}.get(renderer, renderer) not in {"auto", used}:
        return False
    return previous.get("fingerprint") == month_fingerprint(paths, label, used) and all(
        p.is_file() for p in _outputs(folder, used)
    )


def _previous_fingerprint(folder: Path) -> str | None:
    try:
        return json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8")).get("fingerprint")
    except (OSError, json.JSONDecodeError):
        return None


def _outputs(folder: Path, renderer: str) -> list[Path]:
    suffix = ".ipynb" if renderer == "none" else ".html"
    return [folder / step.executed.replace(".ipynb", suffix) for step in MONTH_STEPS]


def _notebook_jobs(labels: Sequence[str]) -> list[tuple[str, Step]]:
    return [(label, step) for label in labels for step in MONTH_STEPS]


def check_months_in_data(processed: Path, months: Sequence[pd.Timestamp]) -> None:
    """Every month asked for must lie within the months the indicators cover (else a clear error, exit 2)."""
    monthly = read_table("indicators_monthly", processed, columns=["month", "value"]).dropna(subset=["value"])
    if monthly.empty:
        raise InputDataError(processed / "indicators_monthly.parquet", "no indicator has a monthly figure")
    first, last = monthly["month"].min(), monthly["month"].max()
    for month in months:
        if not first <= month <= last:
            raise InputDataError(
                processed / "indicators_monthly.parquet",
                f"month {month_label(month)} has no figures",
                expected=f"a month from {month_label(first)} to {month_label(last)} (the months in the data)",
            )


def stage_months(
    run: QuarterRun,
    months: Sequence[pd.Timestamp],
    renderer: str,
    *,
    jobs: int,
    force: bool,
    warm: WarmKernels | None,
) -> StagedMonths:
    """Each month's steps into a private folder (unless unchanged), reading the quarter's staged tables and reports.

    On any failure no month is kept but in ``reports/.failed-<YYYY-MM>/``; the caller's publication is not made.
    """
    check_months_in_data(run.staged_processed, months)
    labels = [month_label(m) for m in months]
    staged = StagedMonths("none" if renderer == "none" else run.new_state["renderer"])
    view = _reports_view(run)
    try:
        fingerprints = {
            label: month_fingerprint(
                run.paths, label, staged.renderer, processed=run.staged_processed, reports=view
            )
            for label in labels
        }
        to_run = [
            label
            for label in labels
            if force
            or _previous_fingerprint(run.paths.reports / label) != fingerprints[label]
            or not all(p.is_file() for p in _outputs(run.paths.reports / label, staged.renderer))
        ]
        staged.skipped = [label for label in labels if label not in to_run]
        if staged.skipped:
            logger.info("Unchanged since their last run: %s", ", ".join(staged.skipped))
        staged.folders = _run_month_notebooks(
            run, view, to_run, fingerprints, staged.renderer, jobs=jobs, warm=warm
        )
    finally:
        shutil.rmtree(view, ignore_errors=True)
    return staged


def _reports_view(run: QuarterRun) -> Path:
    """A folder of links to each quarter's reports as they will be once published (this run's staged quarter).

    The dashboards check which exception reports exist through it, and link to them by relative paths, so the
    links are right once the quarter and the months are published together.
    """
    view = run.paths.reports / f"{REPORTS_STAGING_PREFIX}view-{run.run_id}"
    view.mkdir(parents=True)
    if run.paths.reports.is_dir():
        for folder in run.paths.reports.iterdir():
            if folder.is_dir() and not folder.name.startswith("."):
                (view / folder.name).symlink_to(folder.resolve(), target_is_directory=True)
    if run.staged_reports is not None and run.quarter is not None:
        (view / run.quarter.label).unlink(missing_ok=True)
        (view / run.quarter.label).symlink_to(run.staged_reports.resolve(), target_is_directory=True)
    return view


def _run_month_notebooks(
    run: QuarterRun,
    view: Path,
    labels: list[str],
    fingerprints: dict[str, str],
    renderer: str,
    *,
    jobs: int,
    warm: WarmKernels | None,
) -> dict[str, Path]:
    """Execute and render the months' notebooks into private folders (label -> staged folder), to be published
    with the quarter; on any failure none is kept but in ``reports/.failed-<YYYY-MM>/``."""
    paths = run.paths
    staged = {label: paths.reports / f"{REPORTS_STAGING_PREFIX}{label}-{run.run_id}" for label in labels}
    for folder in staged.values():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    jobs_list = _notebook_jobs(labels)
    # At most `jobs` kernels, each running notebook after notebook (analysis.run.kernels.KernelPool).
    kernels = KernelPool(
        paths.notebooks,
        MONTH_WARM_UP,
        jobs,
        ready=lambda slot: warm.take(f"month-{slot}") if warm is not None else None,
        notebooks=len(jobs_list),
    )
    try:

        def execute(job: tuple[str, Step]) -> None:
            label, step = job
            parameters = {
                "month": label,
                "processed_dir": str(run.staged_processed),
                "config_dir": str(paths.config),
                "manifest_path": "",
            }
            if step is DASHBOARD:
                parameters["reports_dir"] = str(view)
            with kernels.lease() as kernel:
                execute_notebook(
                    paths.notebooks / step.notebook,
                    staged[label] / step.executed,
                    parameters,
                    cwd=paths.notebooks,
                    kernel=kernel,
                )
            spell_out_executed(staged[label] / step.executed, run.config.glossary)  # config/glossary.yml

        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            futures = [pool.submit(execute, job) for job in jobs_list]
            try:
                for future in futures:
                    future.result()
            except BaseException:
                for pending in futures:
                    pending.cancel()
                raise
            finally:
                kernels.close()
        if renderer != "none" and staged:
            _render(list(staged.values()), renderer, paths.root)
        for label, folder in staged.items():
            quarter = reported_quarter(pd.Timestamp(f"{label}-01")).label
            _write_manifest(folder, label, fingerprints[label], quarter, renderer)
    except BaseException:
        for label, folder in staged.items():
            failed = paths.reports / f".failed-{label}"
            shutil.rmtree(failed, ignore_errors=True)
            if folder.exists():
                os.replace(folder, failed)
        logger.error(
            "The monthly run failed: the last good outputs are untouched; its notebooks are in .failed-*"
        )
        raise
    return staged


def _render(folders: list[Path], renderer: str, project: Path) -> None:
    """Render every executed monthly notebook: Quarto one at a time, or the built-in renderer."""
    from analysis.products.executed_notebooks import notebook_title
    from analysis.run.quarto_project import find_quarto_project
    from analysis.run.render import render_notebook_html, render_with_quarto

    notebooks = [folder / step.executed for folder in folders for step in MONTH_STEPS]
    if renderer == "quarto":
        render_with_quarto(notebooks, project_dir=find_quarto_project(project) or project)
        return
    for notebook in notebooks:
        title = notebook_title(nbformat.read(notebook, as_version=4)) or notebook.stem
        render_notebook_html(notebook, notebook.with_suffix(".html"), title=title)


def _write_manifest(folder: Path, label: str, fingerprint: str, quarter: str, renderer: str) -> None:
    manifest = {
        "month": label,
        "quarter_of_exception_reports": quarter,
        "renderer": renderer,
        "package_version": __version__,
        "fingerprint": fingerprint,
        "run_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "notebooks": [step.executed for step in MONTH_STEPS],
    }
    write_text(folder / MANIFEST_FILE, json.dumps(manifest, indent=2, sort_keys=True) + "\n")


def publish_month_pages(reports: Path, *, authority_name: str) -> None:
    """After publication: ``reports/latest-month`` points at the newest month (Quarto's render list includes it),
    and the index of every month's dashboard (:data:`INDEX_PAGE`) is written again."""
    from analysis.products.html_pages import PAGE_MODE

    months = month_folders(reports)
    if months:
        latest = reports / LATEST_MONTH
        if latest.is_symlink() or latest.is_file():
            latest.unlink()
        elif latest.is_dir():
            shutil.rmtree(latest)
        latest.symlink_to(months[-1].name, target_is_directory=True)
    page = dashboards_index_html(reports, authority_name=authority_name)
    with atomic_path(reports / INDEX_PAGE) as temporary:
        temporary.write_text(page, encoding="utf-8")
        temporary.chmod(PAGE_MODE)


def month_folders(reports: Path) -> list[Path]:
    """The months' folders in ``reports/`` (``YYYY-MM`` holding a dashboard), oldest first."""
    if not reports.is_dir():
        return []
    return sorted(
        p
        for p in reports.iterdir()
        if p.is_dir() and not p.is_symlink() and _MONTH_FOLDER.match(p.name) and any(p.glob("dashboard.*"))
    )


def dashboards_index_html(reports: Path, *, authority_name: str) -> str:
    """The index of every month's dashboard and safeguarding board view, newest first."""
    from analysis.products.html_pages import PAGE_HEAD, STYLESHEET

    title = f"{authority_name} children's services: monthly dashboards"
    items = []
    for folder in reversed(month_folders(reports)):
        name = month_name(pd.Timestamp(f"{folder.name}-01"))
        links = []
        for step, text in (
            (DASHBOARD, "Improvement Board dashboard"),
            (SAFEGUARDING_BOARD, "safeguarding board"),
        ):
            stem = Path(step.executed).stem
            target = folder / f"{stem}.html"
            if not target.is_file():
                target = folder / f"{stem}.ipynb"
            if target.is_file():
                links.append(
                    f'<a href="{html_text(folder.name)}/{html_text(target.name)}">{html_text(text)}, {html_text(name)}</a>'
                )
        items.append(f"<li>{html_text(name)}: {' · '.join(links)}</li>")
    body = f"<ul>{''.join(items)}</ul>" if items else "<p>No monthly dashboards have been made yet.</p>"
    css = STYLESHEET.read_text(encoding="utf-8")
    return (
        PAGE_HEAD + f"<title>{html_text(title)}</title>\n<style>\n{css}\n</style>\n</head>\n<body>\n"
        f'<main class="report"><h1>{html_text(title)}</h1>\n'
        f'<nav class="report-index" aria-label="Monthly dashboards">{body}</nav></main>\n</body>\n</html>\n'
    )
