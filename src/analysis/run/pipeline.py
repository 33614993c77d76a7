"""Run the pipeline for a quarter: clean, validate, analyse, then the report notebooks and their rendering.

Reads like a table of contents: :func:`run_pipeline` takes the lock, runs the stages into private copies
(:func:`staged_quarter`) and publishes them (:func:`publish_run`); a monthly run (:mod:`analysis.run.monthly`) calls
the same two functions with its months added to the one publication. The stages are in
:mod:`analysis.run.quarter_stages` and :mod:`analysis.run.report_stage`, their fingerprints in :mod:`analysis.run.fingerprints`,
the manifest in :mod:`analysis.run.provenance`, several authorities in :mod:`analysis.run.consortium`. Each stage is a parameterised
notebook executed with papermill into ``reports/<quarter>/`` (the audit trail). Around the stages:

- **Skipping.** A stage runs only when the fingerprint of its inputs (raw files, configuration, the package's code,
  the notebook, its parameters and the fingerprints of the stages before it) differs from the last successful run's,
  kept in ``data/processed/.pipeline-state.json``. ``force=True`` runs everything.
- **One run at a time, atomic publication** (:mod:`analysis.run.publication`). A run holds the project's lock. Stages
  write into private copies (real copies, never hard links) of ``data/processed/`` and ``reports/<quarter>/``; only
  when every stage has succeeded is each copy swapped into place in one step, so a failed or killed run never
  changes the last good outputs, and the next run finishes or cleans up after a killed one. A failed run's
  notebooks are kept in ``reports/.failed-<quarter>/`` for inspection.
- **The key.** A missing or different pseudonymisation key with existing pseudonymised data stops the run
  (:func:`analysis.inputs.pseudonymise.confirm_key`); ``new_key=True`` (``--new-key``) starts afresh on purpose.
- **Provenance.** ``reports/<quarter>/manifest.json`` records the inputs' SHA-256, the configuration's hash, versions,
  parameters and each stage's timing and whether it was skipped.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis.config import ProjectConfig, load_config
from analysis.errors import NotebookFailed, PublicationFailed
from analysis.methods.quarters import Quarter
from analysis.paths import ProjectPaths
from analysis.run.fingerprints import code_fingerprint, digest, fingerprint_files, read_state, write_json
from analysis.run.kernels import WarmKernels
from analysis.run.provenance import MANIFEST_FILE, quarter_manifest
from analysis.run.publication import (
    JOURNAL_FILE,
    STATE_FILE,
    check_can_swap,
    check_can_write,
    folder_bytes,
    is_storage_error,
    new_run_id,
    project_lock,
    publish,
    recover,
    remove_leftovers,
    staging_copy,
    storage_error,
)
from analysis.run.quarter_stages import (
    CLEAN_TABLES,
    REPORTS_STAGING_PREFIX,
    QuarterRun,
    StageRecord,
    carry_notebooks,
    ensure_quarter_reports,
    latest_complete_quarter,
    notebook_stage,
    processed_staging_prefix,
    stage_clean,
    stage_commentary,
)
from analysis.run.report_stage import index_summary, stage_reports
from analysis.schemas import ANALYSIS_TABLES

logger = logging.getLogger(__name__)

__all__ = ["MANIFEST_FILE", "RunResult", "finish_quarter", "publish_run", "run_pipeline", "staged_quarter"]


@dataclass
class RunResult:
    """The outcome of a successful run."""

    quarter: str
    quarter_dir: Path
    report_path: Path
    renderer: str
    stages: list[StageRecord]

    @property
    def skipped_everything(self) -> bool:
        return all(stage.skipped for stage in self.stages)


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
    """Run every stage for ``quarter`` (default: the latest complete quarter in the data) and publish the outputs.

    With ``warm_kernels`` the kernels of later notebooks are started, and their imports done, while earlier stages
    run (:mod:`analysis.run.kernels`). ``new_key`` starts afresh with a new pseudonymisation key on purpose.

    Raises
    ------
    AnalysisError
        Bad input, configuration or a failed critical data check; another run in progress; a folder that cannot
        be written or a full disk (the CLI exits 2). Nothing is published.
    """
    requested = Quarter.parse(quarter) if quarter else None
    with project_run(paths) as config:
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
            publish_run(run)
        return finish_quarter(run, renderer)


@contextlib.contextmanager
def project_run(paths: ProjectPaths) -> Iterator[ProjectConfig]:
    """The frame of every run (a quarter's or a monthly one): the configuration checked, the project writable, its
    lock held and storage failures explained, for the block."""
    config = load_config(paths.config)
    check_can_write([paths.root])
    with project_lock(paths.root), storage_errors_explained(paths):
        yield config


@contextlib.contextmanager
def storage_errors_explained(paths: ProjectPaths) -> Iterator[None]:
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


def _prepare_project(paths: ProjectPaths, state: dict[str, Any]) -> None:
    """Under the lock, before any stage: finish or clean up after a killed run, and check the folders can be written.

    The free space needed is about one more copy of what is published (the run's private copies).
    """
    if recover(paths.root / JOURNAL_FILE):
        logger.warning("The previous run was interrupted while publishing: its publication is now finished")
    remove_leftovers(
        [(paths.processed.parent, processed_staging_prefix(paths)), (paths.reports, REPORTS_STAGING_PREFIX)]
    )
    published_quarter = state.get("quarter")
    needs = {
        paths.processed.parent: folder_bytes(paths.processed),
        paths.reports: folder_bytes(paths.quarter_reports(published_quarter)) if published_quarter else 0,
    }
    # Each disk must hold the copies of the folders it holds: the message names the folder on the full disk.
    disks = {folder: _disk_of(folder) for folder in needs}
    for folder in needs:
        on_same_disk = sum(needs[other] for other in needs if disks[other] == disks[folder])
        check_can_write([folder], needed_bytes=on_same_disk)
    # A folder that cannot be swapped (a mount point, read-only) is found now, not after every stage has run.
    check_can_swap([paths.processed, *_published_folders(paths.reports)])


def _disk_of(folder: Path) -> int:
    """The device number of the file system holding ``folder`` (or its nearest existing parent)."""
    existing = Path(folder)
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    return existing.stat().st_dev


def _published_folders(reports: Path) -> list[Path]:
    """The quarters' and months' folders in ``reports/`` (what a publication may swap)."""
    if not reports.is_dir():
        return []
    return [p for p in reports.iterdir() if p.is_dir() and not p.is_symlink() and not p.name.startswith(".")]


@contextlib.contextmanager
def staged_quarter(
    paths: ProjectPaths,
    config: ProjectConfig,
    requested: Quarter | None,
    *,
    jobs: int,
    force: bool,
    renderer: str,
    warm: bool,
    new_key: bool,
) -> Iterator[QuarterRun]:
    """Run the quarter's stages into private copies of the published folders, and yield the run.

    Call under the project's lock. The caller publishes the copies inside the block (:func:`publish_run`), with
    any folders of its own (a monthly run's months), so that one publication puts everything in place. If the
    stages or anything in the block fail, the copies are deleted, the last good outputs are unchanged and the
    run's notebooks are kept in ``reports/.failed-<quarter>/``.
    """
    state = read_state(paths.processed)
    _prepare_project(paths, state)
    run_id = new_run_id()
    staged_processed = paths.processed.parent / f"{processed_staging_prefix(paths)}{run_id}"
    staging_copy(paths.processed, staged_processed)
    run = QuarterRun(
        paths=paths,
        config=config,
        run_id=run_id,
        staged_processed=staged_processed,
        staged_reports=None,
        state=state,
        new_state={},
        force=force,
        jobs=jobs,
        code=code_fingerprint(),
        config_hash=digest(fingerprint_files(sorted(paths.config.glob("*.yml")), paths.config)),
        new_key=new_key,
        warm=WarmKernels(paths.notebooks) if warm else None,
        tracker_quarter=requested.label if requested else None,
    )
    logger.debug("Run %s: staging in %s", run_id, staged_processed)
    holding = staged_processed.parent / f"{staged_processed.name}-notebooks"
    try:
        _run_stages(run, requested, renderer, holding)
        yield run
    except BaseException as error:
        failed = _keep_failed(run, holding, error)
        if isinstance(error, NotebookFailed) and failed is not None:
            # The message points at the executed notebook: say where it is kept, not where it was staged.
            raise NotebookFailed(
                str(error).replace(str(run.staged_reports), str(failed)).replace(str(holding), str(failed))
            ) from None
        raise
    finally:
        if run.warm is not None:
            run.warm.close()
        shutil.rmtree(holding, ignore_errors=True)


def _run_stages(run: QuarterRun, requested: Quarter | None, renderer: str, holding: Path) -> None:
    """Clean, commentary, validate, analyse and the reports, into the run's private copies."""
    stage_clean(run)
    stage_commentary(run)
    run.quarter = requested or latest_complete_quarter(run.staged_processed)
    logger.info("Reporting quarter %s: %s", run.quarter.label, run.quarter.name)
    staged_reports = ensure_quarter_reports(run)
    if (holding / "01-clean.ipynb").is_file():
        shutil.move(holding / "01-clean.ipynb", staged_reports / "01-clean.ipynb")
        run.new_state["stages"]["clean"]["notebooks"] = [f"{run.quarter.label}/01-clean.ipynb"]
        run.records[0].notebooks = run.new_state["stages"]["clean"]["notebooks"]
    else:
        carry_notebooks(run, "clean")
    notebook_stage(
        run,
        "validate",
        "02_validate.ipynb",
        "02-validate.ipynb",
        CLEAN_TABLES,
        run.parameters(quarter=run.quarter.label, data_docs_dir=str(staged_reports / "data-docs")),
        ["validation_results"],
    )
    notebook_stage(
        run,
        "analyse",
        "03_analyse.ipynb",
        "03-analyse.ipynb",
        [*CLEAN_TABLES, "validation_results"],
        run.parameters(quarter=run.quarter.label),
        list(ANALYSIS_TABLES),
        raw_files=sorted(run.paths.raw.glob(run.config.topics.ethnic_population_file)),
    )
    _, used = stage_reports(run, renderer)
    run.new_state["renderer"] = used
    run.new_state["quarter"] = run.quarter.label
    write_json(staged_reports / MANIFEST_FILE, quarter_manifest(run, renderer=used))
    write_json(run.staged_processed / STATE_FILE, run.new_state)


def finish_quarter(run: QuarterRun, renderer: str) -> RunResult:
    """After publication: Quarto's render list (for ``--renderer none``) and the run's result."""
    assert run.quarter is not None
    used = run.new_state["renderer"]
    quarter_dir = run.paths.quarter_reports(run.quarter.label)
    if renderer == "none":  # Quarto's pre-render: tell Quarto what to render next
        from analysis.run.quarto_project import prepare_quarto_render

        banner, statuses = index_summary(run.config, run.paths.processed, run.quarter)
        prepare_quarto_render(
            quarter_dir,
            authority_name=run.config.authority.name,
            quarter_label=run.quarter.label,
            banner=banner,
            statuses=statuses,
        )
    report = quarter_dir / ("quarterly-report.html" if used != "none" else "quarterly-report.ipynb")
    result = RunResult(run.quarter.label, quarter_dir, report, used, run.records)
    if result.skipped_everything:
        logger.info(
            "Nothing changed since the last run: every stage was skipped (use --force to run them again)"
        )
    return result


def publish_run(run: QuarterRun, also: Sequence[tuple[Path, Path]] = ()) -> None:
    """Swap the staged processed tables, the quarter's reports and ``also`` (staged, published) into place at once.

    One publication (:func:`analysis.run.publication.publish`): a monthly run passes its months' folders as ``also``,
    so the quarter and the months are published together or not at all.
    """
    logger.debug("Run %s: publishing", run.run_id)
    moves = [(run.staged_processed, run.paths.processed)]
    if run.staged_reports is not None and run.quarter is not None:
        moves.append((run.staged_reports, run.paths.quarter_reports(run.quarter.label)))
    publish([*moves, *also], run.run_id, run.paths.root / JOURNAL_FILE)
    if run.quarter is not None:
        _update_latest(run.paths.reports, run.quarter.label)


def _update_latest(reports: Path, quarter: str) -> None:
    """Point ``reports/latest`` at the newest quarter's folder, which need not be the quarter just run.

    Re-running a past quarter (to reproduce it) leaves ``latest`` on the newest quarter reported.
    """
    quarters = [Quarter.parse(quarter)]
    for folder in reports.iterdir():
        if folder.is_dir() and not folder.is_symlink() and (folder / MANIFEST_FILE).is_file():
            try:
                quarters.append(Quarter.parse(folder.name))
            except ValueError:
                continue
    # the link is swapped atomically below, so a reader never finds none
    quarter = max(quarters, key=lambda q: (q.financial_year_start, q.number)).label
    latest = reports / "latest"
    if latest.is_symlink() and os.readlink(latest) == quarter:
        return
    if latest.is_dir() and not latest.is_symlink():
        shutil.rmtree(latest)
    temporary = reports / f".latest-{os.getpid()}"
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(quarter, target_is_directory=True)
    os.replace(temporary, latest)


def _keep_failed(run: QuarterRun, holding: Path, error: BaseException) -> Path | None:
    """Leave the last good outputs untouched; keep the failed run's notebooks where the analyst can open them."""
    shutil.rmtree(run.staged_processed, ignore_errors=True)
    staged = run.staged_reports
    if staged is None and (holding / "01-clean.ipynb").is_file():
        staged = holding
    if staged is None or not staged.exists():
        return None
    failed = run.paths.reports / f".failed-{run.quarter.label if run.quarter else 'run'}"
    try:
        shutil.rmtree(failed, ignore_errors=True)
        failed.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged, failed)
    except OSError:
        shutil.rmtree(staged, ignore_errors=True)
        return None
    if isinstance(error, PublicationFailed) and not error.all_old:
        logger.error("The run failed while publishing; this run's notebooks are in %s", failed)
    else:
        logger.error(
            "The run failed: the last good outputs are untouched; this run's notebooks are in %s", failed
        )
    return failed
