"""Run the monthly products: the Improvement Board dashboard and the safeguarding board's core dataset.

:func:`run_months` reads like a table of contents:

1. **The quarter's stages.** :func:`analysis.run.pipeline.staged_quarter` for the latest complete quarter in the data,
   into private copies: its tables cover every month the data cover, so any month can be made, in any order of
   runs. A dashboard links to the exception reports of the latest quarter that had ended by its month, when that
   quarter has been run. Every stage whose inputs, code and parameters are unchanged is skipped, so when the
   quarterly run is up to date this costs a few seconds. The months asked for are checked against the staged
   tables (a month outside the data: exit 2, nothing published).
2. **The month's notebooks.** ``notebooks/monthly_dashboard.ipynb`` and ``notebooks/safeguarding_board.ipynb``,
   executed with papermill for each month, in parallel (``jobs``), each in a kernel started and warmed in advance
   (:class:`analysis.run.kernels.WarmKernels`, as the quarterly report batch does). A month whose notebooks' inputs
   (tables, configuration, code, renderer) are unchanged since its last run is skipped.
3. **Rendering** with the same renderers as the quarterly reports (:mod:`analysis.run.render`).
4. **One publication.** The whole run holds the project's lock (:func:`analysis.run.publication.project_lock`). The
   quarter's processed tables and reports and each month's folder (``reports/.staging-<YYYY-MM>-<run>/``) are
   swapped into place by one :func:`analysis.run.publication.publish` (one journal, one rename per folder) only when
   every stage and every month has succeeded: a failed or killed monthly run leaves the quarter and the months
   as they were, or (a kill during the renames) the next run completes them all. Then ``reports/dashboards.html``
   (the index of every month's dashboard) is rewritten and ``reports/latest-month`` points at the newest month.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import nbformat
import pandas as pd

from analysis import __version__
from analysis.config import ProjectConfig
from analysis.errors import InputDataError
from analysis.io import read_table, write_text
from analysis.methods.months import month_label, month_name, reported_quarter
from analysis.paths import ProjectPaths
from analysis.products.glossary import spell_out_executed
from analysis.run.fingerprints import code_fingerprint, tables_digest
from analysis.run.kernels import WarmKernels
from analysis.run.notebook_execution import execute_notebook
from analysis.run.pipeline import (
    RunResult,
    finish_quarter,
    project_run,
    publish_run,
    staged_quarter,
)
from analysis.run.quarter_stages import REPORTS_STAGING_PREFIX, QuarterRun
from analysis.safe_text import html_text

logger = logging.getLogger(__name__)

#: (source notebook, executed file name) of each monthly product.
MONTHLY_NOTEBOOKS = (
    ("monthly_dashboard.ipynb", "dashboard.ipynb"),
    ("safeguarding_board.ipynb", "safeguarding-board.ipynb"),
)
#: The tables the monthly notebooks read (a change to any of them re-runs the months).
MONTHLY_TABLES = (
    "indicators_monthly",
    "spc_as_at",
    "benchmark_comparison",
    "exceptions_as_at",
    "actions",
    "safeguarding_board",
)
WARM_UP = "import analysis.products.dashboard, analysis.products.safeguarding_board"
INDEX_PAGE = "dashboards.html"
LATEST_MONTH = "latest-month"
MANIFEST_FILE = "manifest.json"
_MONTH_FOLDER = re.compile(r"^\d{4}-\d{2}$")


@dataclass
class MonthlyResult:
    """What a monthly run made: the months' folders, which were skipped, the index page and the quarter's run."""

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


def _digest(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def month_fingerprint(
    paths: ProjectPaths,
    month: str,
    renderer: str,
    *,
    processed: Path | None = None,
    reports: Path | None = None,
) -> str:
    """What a month's notebooks depend on: tables they read, configuration, code, month, renderer, and which of
    its quarter's exception reports exist (a dashboard made before them is made again once they are).

    ``processed`` and ``reports`` are where the tables and the quarters' reports are read (default: the published
    folders; a run reads its own staged copies).
    """
    processed = processed or paths.processed
    reports = reports or paths.reports
    quarter = reported_quarter(pd.Timestamp(f"{month}-01")).label
    config = [
        (p.name, hashlib.sha256(p.read_bytes()).hexdigest()) for p in sorted(paths.config.glob("*.yml"))
    ]
    notebooks = [
        hashlib.sha256((paths.notebooks / source).read_bytes()).hexdigest() for source, _ in MONTHLY_NOTEBOOKS
    ]
    links = sorted(p.name for p in (reports / quarter).glob("exceptions-*.*"))
    return _digest(
        code_fingerprint(),
        config,
        notebooks,
        tables_digest(processed, MONTHLY_TABLES),
        month,
        renderer,
        links,
    )


def _previous_fingerprint(folder: Path) -> str | None:
    try:
        return json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8")).get("fingerprint")
    except (OSError, json.JSONDecodeError):
        return None


def _probably_unchanged(paths: ProjectPaths, label: str, renderer: str) -> bool:
    """Whether a month looks up to date before the quarter's run (then no kernel is started for it in advance).

    Only a guess to save starting kernels that would not be used: the decision is taken after the quarter's run.
    """
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


def _outputs(folder: Path, renderer: str) -> list[Path]:
    suffix = ".ipynb" if renderer == "none" else ".html"
    return [folder / output.replace(".ipynb", suffix) for _, output in MONTHLY_NOTEBOOKS]


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


def _render(folders: list[Path], renderer: str, project: Path) -> None:
    """Render every executed monthly notebook: Quarto one at a time, or the built-in renderer."""
    from analysis.products.executed_notebooks import notebook_title
    from analysis.run.quarto_project import find_quarto_project
    from analysis.run.render import render_notebook_html, render_with_quarto

    notebooks = [folder / output for folder in folders for _, output in MONTHLY_NOTEBOOKS]
    if renderer == "quarto":
        render_with_quarto(notebooks, project_dir=find_quarto_project(project) or project)
        return
    for notebook in notebooks:
        title = notebook_title(nbformat.read(notebook, as_version=4)) or notebook.stem
        render_notebook_html(notebook, notebook.with_suffix(".html"), title=title)


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
    """Make the dashboard and the safeguarding board's view for each month, reusing every unchanged stage.

    Parameters
    ----------
    paths
        The project's folders.
    months
        First days of the months (e.g. from :func:`analysis.methods.months.parse_month_range`).
    jobs
        Notebooks executed at once.
    force
        Run every stage and every month again.
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
    with project_run(paths) as config:
        return _run_months_locked(
            paths,
            config,
            months,
            jobs=jobs,
            force=force,
            renderer=renderer,
            warm_kernels=warm_kernels,
            new_key=new_key,
        )


def _run_months_locked(
    paths: ProjectPaths,
    config: ProjectConfig,
    months: Sequence[pd.Timestamp],
    *,
    jobs: int,
    force: bool,
    renderer: str,
    warm_kernels: bool,
    new_key: bool,
) -> MonthlyResult:
    started = time.perf_counter()
    wanted = sorted({pd.Timestamp(m) for m in months})
    if not wanted:
        raise ValueError("no months to run")
    labels = [month_label(m) for m in wanted]
    logger.info("Months %s to %s: the quarter's pipeline first", labels[0], labels[-1])
    # The months' kernels start (and import the package) while the quarter's stages are checked or run.
    warm = WarmKernels(paths.notebooks) if warm_kernels else None
    try:
        if warm is not None:
            likely = [label for label in labels if force or not _probably_unchanged(paths, label, renderer)]
            for label, output in _kernel_keys(likely)[: _lookahead(jobs)]:
                warm.prepare(f"{label}/{output}", WARM_UP)
        # The latest complete quarter in the data: its tables cover every month the data cover, so any month
        # can be made, in any order of runs (a dashboard links to its own quarter's exception reports).
        with staged_quarter(
            paths, config, None, jobs=jobs, force=force, renderer=renderer, warm=warm_kernels, new_key=new_key
        ) as run:
            check_months_in_data(run.staged_processed, wanted)
            used = "none" if renderer == "none" else run.new_state["renderer"]
            view = _reports_view(run)
            try:
                fingerprints = {
                    label: month_fingerprint(paths, label, used, processed=run.staged_processed, reports=view)
                    for label in labels
                }
                to_run = [
                    label
                    for label in labels
                    if force
                    or _previous_fingerprint(paths.reports / label) != fingerprints[label]
                    or not all(p.is_file() for p in _outputs(paths.reports / label, used))
                ]
                skipped = [label for label in labels if label not in to_run]
                if skipped:
                    logger.info("Unchanged since their last run: %s", ", ".join(skipped))
                staged = _run_months(run, view, to_run, fingerprints, used, jobs=jobs, warm=warm)
            finally:
                shutil.rmtree(view, ignore_errors=True)
            logger.info(
                "Publishing the quarter %s and %d month(s) together",
                run.quarter.label if run.quarter else "",
                len(staged),
            )
            publish_run(run, [(folder, paths.reports / label) for label, folder in staged.items()])
        pipeline = finish_quarter(run, renderer)
    finally:
        if warm is not None:
            warm.close()
    _update_latest_month(paths.reports)
    index = paths.reports / INDEX_PAGE
    _write_page(index, dashboards_index_html(paths.reports, authority_name=config.authority.name))
    seconds = round(time.perf_counter() - started, 3)
    logger.info("Monthly products for %d month(s) in %.1f s (%d skipped)", len(labels), seconds, len(skipped))
    folders = [paths.reports / label for label in labels]
    return MonthlyResult(labels, folders, index, pipeline, used, skipped, seconds)


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


def _lookahead(jobs: int) -> int:
    """Kernels kept ready ahead of the notebooks running: one more than run at once (each holds memory)."""
    return max(1, jobs) + 1


def _kernel_keys(labels: Sequence[str]) -> list[tuple[str, str]]:
    return [(label, output) for label in labels for _, output in MONTHLY_NOTEBOOKS]


def _run_months(
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
    jobs_list = [(label, source, output) for label in labels for source, output in MONTHLY_NOTEBOOKS]
    try:
        ahead = _lookahead(jobs)

        def execute(index: int, job: tuple[str, str, str]) -> None:
            label, source, output = job
            if warm is not None and index + ahead < len(jobs_list):
                later_label, _, later_output = jobs_list[index + ahead]
                warm.prepare(f"{later_label}/{later_output}", WARM_UP)
            parameters = {
                "month": label,
                "processed_dir": str(run.staged_processed),
                "config_dir": str(paths.config),
                "manifest_path": "",
            }
            if source == "monthly_dashboard.ipynb":
                parameters["reports_dir"] = str(view)
            execute_notebook(
                paths.notebooks / source,
                staged[label] / output,
                parameters,
                cwd=paths.notebooks,
                kernel=warm.take(f"{label}/{output}") if warm is not None else None,
            )
            spell_out_executed(staged[label] / output, run.config.glossary)  # config/glossary.yml

        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            futures = [pool.submit(execute, n, job) for n, job in enumerate(jobs_list)]
            try:
                for future in futures:
                    future.result()
            except BaseException:
                for pending in futures:
                    pending.cancel()
                raise
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


def _write_manifest(folder: Path, label: str, fingerprint: str, quarter: str, renderer: str) -> None:
    manifest = {
        "month": label,
        "quarter_of_exception_reports": quarter,
        "renderer": renderer,
        "package_version": __version__,
        "fingerprint": fingerprint,
        "run_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "notebooks": [output for _, output in MONTHLY_NOTEBOOKS],
    }
    write_text(folder / MANIFEST_FILE, json.dumps(manifest, indent=2, sort_keys=True) + "\n")


def _update_latest_month(reports: Path) -> None:
    """Point ``reports/latest-month`` at the newest month's folder (Quarto's render list includes it)."""
    months = month_folders(reports)
    if not months:
        return
    latest = reports / LATEST_MONTH
    if latest.is_symlink() or latest.is_file():
        latest.unlink()
    elif latest.is_dir():
        shutil.rmtree(latest)
    latest.symlink_to(months[-1].name, target_is_directory=True)


def month_folders(reports: Path) -> list[Path]:
    """The months' folders in ``reports/`` (``YYYY-MM`` holding a dashboard), oldest first."""
    if not reports.is_dir():
        return []
    return sorted(
        p
        for p in reports.iterdir()
        if p.is_dir() and not p.is_symlink() and _MONTH_FOLDER.match(p.name) and any(p.glob("dashboard.*"))
    )


def _write_page(target: Path, text: str) -> None:
    from analysis.io import atomic_path
    from analysis.products.html_pages import PAGE_MODE

    with atomic_path(target) as temporary:
        temporary.write_text(text, encoding="utf-8")
        temporary.chmod(PAGE_MODE)


def dashboards_index_html(reports: Path, *, authority_name: str) -> str:
    """The index of every month's dashboard and safeguarding board view, newest first."""
    from analysis.products.html_pages import PAGE_HEAD, STYLESHEET

    title = f"{authority_name} children's services: monthly dashboards"
    items = []
    for folder in reversed(month_folders(reports)):
        name = month_name(pd.Timestamp(f"{folder.name}-01"))
        links = []
        for stem, text in (
            ("dashboard", "Improvement Board dashboard"),
            ("safeguarding-board", "safeguarding board"),
        ):
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
