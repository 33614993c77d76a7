"""A quarter's steps run into private copies of the published folders, and their publication in one step.

:func:`staged_quarter` walks :data:`analysis.run.steps.QUARTER_STEPS` (clean, commentary, validate, analyse, the
reports) into private copies of ``data/processed/`` and ``reports/<quarter>/``; the caller publishes them, with any
folders of its own (a month's), by :func:`publish_run`. Around the steps:

- **Skipping.** A step runs only when the fingerprint of what it reads (raw files, the files of ``config/`` it
  reads, the package's code, its notebook and parameters, the tables it reads) differs from the last successful
  run's, kept in ``data/processed/.pipeline-state.json``. ``force=True`` runs everything.
- **Atomic publication** (:mod:`analysis.run.publication`). Steps write into private copies (real copies, never
  hard links); only when every step has succeeded is each copy swapped into place in one step, so a failed or
  killed run never changes the last good outputs, and the next run finishes or cleans up after a killed one. A
  failed run's notebooks are kept in ``reports/.failed-<quarter>/`` for inspection.
- **The key.** A missing or different pseudonymisation key with existing pseudonymised data stops the run
  (:func:`analysis.inputs.pseudonymise.confirm_key`); ``new_key=True`` (``--new-key``) starts afresh on purpose.
- **Provenance.** ``reports/<quarter>/manifest.json`` records the inputs' SHA-256, the configuration's hash,
  versions, parameters and each step's timing and whether it was skipped (:mod:`analysis.run.provenance`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from analysis.config import ProjectConfig
from analysis.errors import NotebookFailed, PublicationFailed
from analysis.methods.quarters import Quarter
from analysis.paths import ProjectPaths
from analysis.run.fingerprints import code_fingerprint, read_state, write_json
from analysis.run.kernels import WarmKernels
from analysis.run.provenance import MANIFEST_FILE, quarter_manifest
from analysis.run.publication import (
    JOURNAL_FILE,
    STATE_FILE,
    check_can_swap,
    check_can_write,
    folder_bytes,
    new_run_id,
    publish,
    recover,
    remove_leftovers,
    staging_copy,
)
from analysis.run.quarter_stages import (
    REPORTS_STAGING_PREFIX,
    QuarterRun,
    carry_notebooks,
    ensure_quarter_reports,
    holding_folder,
    latest_complete_quarter,
    notebook_stage,
    processed_staging_prefix,
    stage_clean,
    stage_commentary,
)
from analysis.run.report_stage import index_summary, stage_reports
from analysis.run.steps import ANALYSE, CLEAN, COMMENTARY, QUARTER_STEPS, REPORTS, VALIDATE

logger = logging.getLogger(__name__)


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
    """Run the quarter's steps into private copies of the published folders, and yield the run.

    Call under the project's lock. The caller publishes the copies inside the block (:func:`publish_run`), with
    any folders of its own (a month's), so that one publication puts everything in place. If the steps or
    anything in the block fail, the copies are deleted, the last good outputs are unchanged and the run's
    notebooks are kept in ``reports/.failed-<quarter>/``.
    """
    state = _prepare_project(paths)
    run_id = new_run_id()
    staged_processed = paths.processed.parent / f"{processed_staging_prefix(paths)}{run_id}"
    staging_copy(paths.processed, staged_processed)
    holding = holding_folder(staged_processed)
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
        new_key=new_key,
        warm=WarmKernels(paths.notebooks) if warm else None,
        tracker_quarter=requested.label if requested else None,
    )
    logger.debug("Run %s: staging in %s", run_id, staged_processed)
    try:
        _run_steps(run, requested, renderer)
        yield run
    except BaseException as error:
        failed = _keep_failed(run, error)
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


def _prepare_project(paths: ProjectPaths) -> dict[str, Any]:
    """Under the lock, before any step: finish or clean up after a killed run, check the folders can be written, and
    return the state of the last run's steps (read once a killed publication is finished: if it could not be, the
    state is gone and every step runs).

    The free space needed is about one more copy of what is published (the run's private copies).
    """
    if recover(paths.root / JOURNAL_FILE):
        logger.warning("The previous run was interrupted while publishing: its publication is now finished")
    remove_leftovers(
        [(paths.processed.parent, processed_staging_prefix(paths)), (paths.reports, REPORTS_STAGING_PREFIX)]
    )
    state = read_state(paths.processed)
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
    # A folder that cannot be swapped (a mount point, read-only) is found now, not after every step has run.
    published = [p for p in paths.reports.iterdir() if p.is_dir()] if paths.reports.is_dir() else []
    check_can_swap(
        [paths.processed, *(p for p in published if not p.is_symlink() and not p.name.startswith("."))]
    )
    return state


def _disk_of(folder: Path) -> int:
    """The device number of the file system holding ``folder`` (or its nearest existing parent)."""
    existing = Path(folder)
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    return existing.stat().st_dev


def _run_steps(run: QuarterRun, requested: Quarter | None, renderer: str) -> None:
    """The quarter's steps, in order (:data:`analysis.run.steps.QUARTER_STEPS`), into the run's private copies."""
    stage_clean(run, CLEAN)
    stage_commentary(run, COMMENTARY)
    run.quarter = requested or latest_complete_quarter(run.staged_processed)
    logger.info("Reporting quarter %s: %s", run.quarter.label, run.quarter.name)
    staged_reports = ensure_quarter_reports(run)
    cleaned = holding_folder(run.staged_processed) / CLEAN.executed
    if cleaned.is_file():
        shutil.move(cleaned, staged_reports / CLEAN.executed)
        run.new_state["stages"][CLEAN.name]["notebooks"] = [f"{run.quarter.label}/{CLEAN.executed}"]
        run.records[0].notebooks = run.new_state["stages"][CLEAN.name]["notebooks"]
    else:
        carry_notebooks(run, CLEAN.name)
    _validate_and_analyse(run, staged_reports)
    _, used = stage_reports(run, REPORTS, renderer)
    run.new_state["renderer"] = used
    run.new_state["quarter"] = run.quarter.label
    write_json(staged_reports / MANIFEST_FILE, quarter_manifest(run, renderer=used))
    write_json(run.staged_processed / STATE_FILE, run.new_state)


def _validate_and_analyse(run: QuarterRun, staged_reports: Path) -> None:
    """The validation and the analysis of the cleaned tables, side by side (each keeps a core busy).

    The analysis reads the cleaned tables only, not the validation's results, so it need not wait for them; the
    reports do. A validation that fails stops the run with its own error whatever the analysis did (the analysis is
    waited for, and its tables are never published); an analysis that fails stops it with the analysis's error.
    """
    assert run.quarter is not None
    # Great Expectations adds a run's results to the Data Docs site it finds: the site is made afresh each time the
    # validation runs, so it shows this validation only (it kept every earlier run's, without end).
    data_docs = staged_reports / "data-docs"
    validate = run.parameters(quarter=run.quarter.label, data_docs_dir=str(data_docs))
    # The topics' ethnic population file is read by the notebook itself, under the name topics.yml gives it.
    population = sorted(run.paths.raw.glob(run.config.topics.ethnic_population_file))
    analyse = run.parameters(quarter=run.quarter.label)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="analyse") as beside:
        analysing = beside.submit(notebook_stage, run, ANALYSE, analyse, raw_files=population)
        try:
            notebook_stage(run, VALIDATE, validate, written_whole=[data_docs])
        finally:
            analysis_error = analysing.exception()  # waits for the analysis, whatever the validation did
    if analysis_error is not None:
        raise analysis_error
    order = [step.name for step in QUARTER_STEPS]
    run.records.sort(key=lambda record: order.index(record.name))  # the manifest lists the steps in order


def _keep_failed(run: QuarterRun, error: BaseException) -> Path | None:
    """Leave the last good outputs untouched; keep the failed run's notebooks where the analyst can open them."""
    shutil.rmtree(run.staged_processed, ignore_errors=True)
    staged = run.staged_reports
    holding = holding_folder(run.staged_processed)
    if staged is None and (holding / CLEAN.executed).is_file():
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


def publish_run(run: QuarterRun, also: Sequence[tuple[Path, Path]] = ()) -> None:
    """Swap the staged processed tables, the quarter's reports and ``also`` (staged, published) into place at once.

    One publication (:func:`analysis.run.publication.publish`): a month's run passes its months' folders as
    ``also``, so the quarter and the months are published together or not at all. Then ``reports/latest`` points
    at the newest quarter.
    """
    logger.debug("Run %s: publishing", run.run_id)
    moves = [(run.staged_processed, run.paths.processed)]
    if run.staged_reports is not None and run.quarter is not None:
        moves.append((run.staged_reports, run.paths.quarter_reports(run.quarter.label)))
    publish([*moves, *also], run.run_id, run.paths.root / JOURNAL_FILE)
    if run.quarter is not None:
        update_latest(run.paths.reports, run.quarter.label)


def update_latest(reports: Path, quarter: str) -> None:
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


def list_for_quarto(run: QuarterRun) -> None:
    """After publication, for ``--renderer none`` (Quarto's pre-render): tell Quarto what to render next."""
    from analysis.run.quarto_project import prepare_quarto_render

    assert run.quarter is not None
    banner, statuses = index_summary(run.config, run.paths.processed, run.quarter)
    prepare_quarto_render(
        run.paths.quarter_reports(run.quarter.label),
        authority_name=run.config.authority.name,
        quarter_label=run.quarter.label,
        banner=banner,
        statuses=statuses,
    )
