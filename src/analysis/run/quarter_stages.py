"""The steps of a quarter's run before its reports: the run's record, the key, cleaning, commentary, validation
and analysis, each run (or skipped when its fingerprint is unchanged) into the run's private copies, as declared in
:mod:`analysis.run.steps`."""

from __future__ import annotations

import logging
import re
import shutil
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analysis.config import ProjectConfig
from analysis.errors import InputDataError, PseudonymKeyError
from analysis.inputs.pseudonymise import NEW_KEY_FLAG, confirm_key, key_check
from analysis.methods.quarters import Quarter
from analysis.paths import ProjectPaths, tracker_snapshot
from analysis.run.fingerprints import (
    config_digest,
    digest,
    fingerprint_files,
    parameters_without_paths,
    tables_digest,
    write_text_file,
)
from analysis.run.kernels import Kernel, WarmKernels, shut_down_soon
from analysis.run.notebook_execution import execute_notebook
from analysis.run.publication import staging_copy
from analysis.run.steps import REPORTS, Step, later_steps

logger = logging.getLogger(__name__)

KEY_FILE = ".pseudonym-key"
#: The key's check value, in the processed folder beside the tables it was made with (published with them).
KEY_CHECK_FILE = ".pseudonym-key-check"
_CHECK_VALUE = re.compile(r"[0-9a-f]{64}")


@dataclass
class StageRecord:
    """What happened to one stage in this run."""

    name: str
    skipped: bool
    seconds: float
    fingerprint: str
    notebooks: list[str] = field(default_factory=list)


@dataclass
class QuarterRun:
    """Everything one run needs to know, passed between the stage functions."""

    paths: ProjectPaths
    config: ProjectConfig
    run_id: str
    staged_processed: Path
    staged_reports: Path | None
    state: dict[str, Any]
    new_state: dict[str, Any]
    force: bool
    jobs: int
    code: str
    new_key: bool = False
    warm: WarmKernels | None = None
    records: list[StageRecord] = field(default_factory=list)
    quarter: Quarter | None = None
    #: The quarter asked for (its label), whose action tracker snapshot the cleaning takes; None for the latest.
    tracker_quarter: str | None = None

    def prepare_kernels(self, steps: Iterable[Step]) -> None:
        """Start, in the background, kernels for the notebooks of ``steps`` (validate, analyse, reports)."""
        if self.warm is None:
            return
        for step in steps:
            if step is REPORTS:  # the report pool's kernels (analysis.run.report_stage)
                for slot in range(max(1, self.jobs)):
                    self.warm.prepare(f"report-{slot}", step.warm_up)
            else:
                self.warm.prepare(step.name, step.warm_up)

    def config_digest(self, step: Step) -> str:
        """The hash of the files of ``config/`` that ``step`` reads (part of its fingerprint)."""
        return config_digest(self.paths.config, step.config)

    def take_kernel(self, key: str) -> Kernel | None:
        return self.warm.take(key) if self.warm is not None else None

    def parameters(self, **extra: Any) -> dict[str, Any]:
        base = {"processed_dir": str(self.staged_processed), "config_dir": str(self.paths.config)}
        return base | extra

    def previous_fingerprint(self, stage: str) -> str | None:
        return self.state.get("stages", {}).get(stage, {}).get("fingerprint")

    def should_skip(self, stage: str, fingerprint: str, outputs: Iterable[Path]) -> bool:
        return (
            not self.force
            and self.previous_fingerprint(stage) == fingerprint
            and all(path.exists() for path in outputs)
        )

    def record(
        self, stage: str, fingerprint: str, started: float, *, skipped: bool, notebooks: list[str]
    ) -> None:
        seconds = round(time.perf_counter() - started, 3)
        self.records.append(StageRecord(stage, skipped, seconds, fingerprint, notebooks))
        self.new_state.setdefault("stages", {})[stage] = {"fingerprint": fingerprint, "notebooks": notebooks}
        if skipped:
            logger.info("Skipped %s: its inputs, code and parameters are unchanged since the last run", stage)
        else:
            logger.info("Ran %s in %.1f s", stage, seconds)


#: Name prefix of a run's private copy of ``reports/<quarter>/`` (in ``reports/``) and of ``data/processed/``.
REPORTS_STAGING_PREFIX = ".staging-"


def processed_staging_prefix(paths: ProjectPaths) -> str:
    return f".{paths.processed.name}.staging-"


def ensure_quarter_reports(run: QuarterRun) -> Path:
    """Create this run's private copy of ``reports/<quarter>/`` (real copies of the last good files) on first use."""
    if run.staged_reports is None:
        assert run.quarter is not None
        target = run.paths.quarter_reports(run.quarter.label)
        staged = run.paths.reports / f"{REPORTS_STAGING_PREFIX}{run.quarter.label}-{run.run_id}"
        staging_copy(target, staged)
        run.staged_reports = staged
    return run.staged_reports


def carry_notebooks(run: QuarterRun, stage: str) -> None:
    """When a skipped stage's executed notebooks live in another quarter's folder, copy them into this one."""
    staged = ensure_quarter_reports(run)
    for recorded in run.state.get("stages", {}).get(stage, {}).get("notebooks", []):
        source = run.paths.reports / recorded
        target = staged / Path(recorded).name
        if source.is_file() and not target.exists():
            shutil.copy2(source, target)


def read_key_check(processed: Path, state: dict[str, Any]) -> str | None:
    """The check value of the key the processed data were made with (:func:`analysis.inputs.pseudonymise.key_check`).

    Kept in its own file beside the tables, ``data/processed/.pseudonym-key-check``, published with them. Before
    that file existed it was kept in the run's state file, which is still read when the file is absent.

    Raises
    ------
    PseudonymKeyError
        The file exists but cannot be read or does not hold a check value: the run stops (exit code 2) rather
        than accept a key it cannot check.
    """
    path = processed / KEY_CHECK_FILE
    if not path.exists() and not path.is_symlink():
        recorded = state.get("key_check")
        return str(recorded) if recorded else None
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else "not text"
        raise PseudonymKeyError(
            f"The key's check value {path} cannot be read ({reason}): the key cannot be checked against the "
            f"processed data. Restore the file, or run again with {NEW_KEY_FLAG} to start afresh on purpose."
        ) from None
    if not _CHECK_VALUE.fullmatch(text):
        raise PseudonymKeyError(
            f"The key's check value {path} does not hold a check value (64 hexadecimal digits): the key cannot be "
            f"checked against the processed data. Restore the file, or run again with {NEW_KEY_FLAG} to start "
            "afresh on purpose."
        )
    return text


def stage_clean(run: QuarterRun, step: Step) -> str:
    """Stage 1: raw files to tidy, pseudonymised tables (:data:`analysis.run.steps.CLEAN`, ``01_clean.ipynb``).

    Its executed notebook waits in :func:`holding_folder` until the quarter (read from the cleaned data) is known.
    """
    assert step.raw is not None
    started = time.perf_counter()
    raw_files = step.raw.files(run.paths.raw)
    if not raw_files:
        raise InputDataError(
            run.paths.raw, "there are no input files", expected="run 'demo-data' (or 'make demo-data') first"
        )
    key_file = run.paths.root / KEY_FILE
    # The key is checked (and made, only when there is no pseudonymised data or on purpose) here, before
    # fingerprinting, so that a new key re-runs the cleaning; only its check value enters the fingerprint.
    key_digest = key_check(
        confirm_key(
            key_file,
            recorded_check=read_key_check(run.paths.processed, run.state),
            has_pseudonymised_data=any(
                (run.paths.processed / f"{table}.parquet").is_file() for table in step.writes
            ),
            new_key=run.new_key,
        )
    )
    write_text_file(run.staged_processed / KEY_CHECK_FILE, key_digest + "\n")
    fingerprint = digest(
        step.name,
        run.code,
        run.config_digest(step),
        fingerprint_files(raw_files, run.paths.raw),
        key_digest,
        tracker_file(run),
    )
    outputs = [run.staged_processed / "source_files.parquet"]
    if run.should_skip(step.name, fingerprint, outputs):
        run.record(
            step.name,
            fingerprint,
            started,
            skipped=True,
            notebooks=run.state["stages"][step.name]["notebooks"],
        )
        return fingerprint
    holding = holding_folder(run.staged_processed)
    holding.mkdir(parents=True, exist_ok=True)
    run.prepare_kernels(later_steps(step))
    execute_notebook(
        run.paths.notebooks / step.notebook,
        holding / step.executed,
        run.parameters(raw_dir=str(run.paths.raw), key_file=str(key_file), quarter=run.tracker_quarter),
        cwd=run.paths.notebooks,
    )
    run.record(step.name, fingerprint, started, skipped=False, notebooks=[])
    return fingerprint


def tracker_file(run: QuarterRun) -> str:
    """Which action tracker the cleaning reads (:func:`analysis.paths.tracker_snapshot`): the quarter's snapshot, or
    ``""`` for the undated tracker. The quarter asked for matters to the cleaning only through this choice, so a run
    for the latest quarter and one naming it, with no snapshot for it, find the same cleaned tables up to date."""
    snapshot = tracker_snapshot(run.paths.raw, run.tracker_quarter)
    return "" if snapshot is None else snapshot.relative_to(run.paths.raw).as_posix()


def holding_folder(staged_processed: Path) -> Path:
    """Where the cleaning's executed notebook waits until the quarter's reports folder is known."""
    return staged_processed.parent / f"{staged_processed.name}-notebooks"


def stage_commentary(run: QuarterRun, step: Step) -> str:
    """The analyst's commentary (:data:`analysis.run.steps.COMMENTARY`), read apart from the rest so that editing
    it re-runs only the reports."""
    assert step.raw is not None
    started = time.perf_counter()
    files = step.raw.files(run.paths.raw)
    fingerprint = digest(
        step.name, run.code, run.config_digest(step), fingerprint_files(files, run.paths.raw)
    )
    (table,) = step.writes
    outputs = [run.staged_processed / f"{table}.parquet"]
    if run.should_skip(step.name, fingerprint, outputs):
        run.record(step.name, fingerprint, started, skipped=True, notebooks=[])
        return fingerprint
    # imported only when the commentary changed: the cleaning package it is part of takes 0.2 s to load
    from analysis.io import write_table
    from analysis.stages.cleaning.commentary import read_commentary

    write_table(read_commentary(run.paths.raw / step.raw.folder, run.config), table, run.staged_processed)
    run.record(step.name, fingerprint, started, skipped=False, notebooks=[])
    return fingerprint


def latest_complete_quarter(processed: Path) -> Quarter:
    """The latest quarter that ends on or before the extract date recorded by the cleaning stage."""
    from analysis.io import read_table

    sources = read_table("source_files", processed)
    extract = sources["extract_date"].dropna()
    if extract.empty:
        raise InputDataError(
            processed / "source_files.parquet",
            "no extract date was found in the raw files",
            expected="an extract date on the Annex A cover sheet; or pass --quarter",
        )
    return Quarter.latest_complete(extract.max().date())


def notebook_stage(
    run: QuarterRun,
    step: Step,
    parameters: dict[str, Any],
    *,
    raw_files: Sequence[Path] = (),
    written_whole: Sequence[Path] = (),
) -> str:
    """Run (or skip) a step's notebook, which reads the step's ``reads`` tables and writes its ``writes`` tables.

    ``raw_files``: raw inputs the notebook reads itself (not through a processed table), fingerprinted with them.
    ``written_whole``: folders of the run's private copies that the notebook writes whole (the validation's Data
    Docs), removed before it runs, so that nothing of an earlier run stays in them; kept when the step is skipped.
    """
    started = time.perf_counter()
    staged = ensure_quarter_reports(run)
    upstream = tables_digest(run.staged_processed, step.reads)
    fingerprint = digest(
        step.name,
        run.code,
        run.config_digest(step),
        upstream,
        parameters_without_paths(parameters),
        *([fingerprint_files(list(raw_files), run.paths.raw)] if raw_files else []),
    )
    targets = [run.staged_processed / f"{table}.parquet" for table in step.writes]
    if run.should_skip(step.name, fingerprint, targets):
        carry_notebooks(run, step.name)
        run.record(
            step.name,
            fingerprint,
            started,
            skipped=True,
            notebooks=run.state["stages"][step.name]["notebooks"],
        )
        return fingerprint
    run.prepare_kernels(later_steps(step))
    for folder in written_whole:
        shutil.rmtree(folder, ignore_errors=True)
    kernel = run.take_kernel(step.name)
    try:
        execute_notebook(
            run.paths.notebooks / step.notebook,
            staged / step.executed,
            parameters,
            cwd=run.paths.notebooks,
            kernel=kernel,
        )
    finally:
        if kernel is not None:
            shut_down_soon(kernel)
    assert run.quarter is not None
    run.record(
        step.name, fingerprint, started, skipped=False, notebooks=[f"{run.quarter.label}/{step.executed}"]
    )
    return fingerprint
