"""Run the expectation suites with Great Expectations, write ``validation_results`` and stop on critical failures.

Great Expectations is imported here only, inside functions, so that ``import analysis.stages.validation`` stays cheap.
Analytics are switched off (``GX_ANALYTICS_ENABLED=false`` before the import, and in the context's config) and so
are progress bars (the context's ``progress_bars`` setting), so nothing from GX reaches logs or notebook output.
"""

from __future__ import annotations

import contextlib
import logging
import os
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.config import ProjectConfig
from analysis.errors import DataCheckFailed
from analysis.io import conform, read_table, write_table
from analysis.methods.quarters import Quarter
from analysis.schemas import schema
from analysis.stages.validation import checks as derived
from analysis.stages.validation.check_types import Check, Suite, split_description
from analysis.stages.validation.suites import REQUIRED_TABLES, build_suites

logger = logging.getLogger(__name__)

RESULT_COLUMNS = schema("validation_results").column_names
DATA_QUALITY_COLUMNS = ["Check", "Rows affected", "What it means for the figures"]


# ------------------------------------------------------------------------------------------------ outcome
@dataclass(frozen=True)
class ValidationOutcome:
    """What the data checks found: the results table and a line per failed critical check and per warning."""

    results: pd.DataFrame
    critical_failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """True when no critical check failed."""
        return not self.critical_failures

    def summary(self) -> pd.DataFrame:
        """Checks passed and failed, by severity."""
        counts = (
            self.results.assign(outcome=self.results["success"].map({True: "passed", False: "failed"}))
            .pivot_table(
                index="severity", columns="outcome", values="check_id", aggfunc="count", fill_value=0
            )
            .reindex(index=["critical", "warning"], columns=["passed", "failed"], fill_value=0)
        )
        counts.columns.name = None
        return counts.rename_axis("severity").reset_index()

    def failed_checks(self) -> pd.DataFrame:
        """The failed checks, critical first: table, check, columns, rows failing, example raw rows, description."""
        failed = self.results.loc[~self.results["success"]]
        return (
            failed.sort_values(["severity", "suite", "check_id"])
            .loc[
                :,
                [
                    "severity",
                    "suite",
                    "check_id",
                    "column",
                    "unexpected_count",
                    "example_rows",
                    "description",
                ],
            ]
            .reset_index(drop=True)
        )

    def report(self) -> str:
        """Plain-text summary: counts by severity, then every failed check."""
        total = len(self.results)
        failed = int((~self.results["success"]).sum())
        lines = [f"{total} data checks run: {total - failed} passed, {failed} failed."]
        if self.critical_failures:
            lines += [f"{len(self.critical_failures)} critical check(s) failed (the run stops):"]
            lines += [f"  - {line}" for line in self.critical_failures]
        if self.warnings:
            lines += [f"{len(self.warnings)} warning(s) (reported in the data-quality section):"]
            lines += [f"  - {line}" for line in self.warnings]
        return "\n".join(lines)

    def raise_for_critical(self) -> None:
        """Raise :class:`~analysis.errors.DataCheckFailed` listing every failed critical check, if any."""
        if self.critical_failures:
            listed = "\n".join(f"  - {line}" for line in self.critical_failures)
            raise DataCheckFailed(
                f"{len(self.critical_failures)} critical data check(s) failed; correct the source data and "
                f"run again (details in validation_results and the Data Docs):\n{listed}"
            )


def failure_line(row: Mapping[str, Any]) -> str:
    """One failed check in words: table, columns, expectation, rows, example raw rows and the description.

    Only the suite, column names, counts and raw row numbers (or aggregate labels) appear: never a value.
    """
    count = row["unexpected_count"]
    how_many = "" if pd.isna(count) else f"{int(count)} row(s)"
    examples = row["example_rows"]
    where = ""
    if isinstance(examples, str) and examples:
        label = "raw rows" if examples[:1].isdigit() else "items"
        where = f"{label} {examples}"
    detail = "; ".join(part for part in (how_many, where) if part)
    what, meaning = split_description(row["description"])
    columns = f" [{row['column']}]" if isinstance(row["column"], str) and row["column"] else ""
    text = f"{row['suite']}{columns} {row['expectation']} ({row['check_id']})"
    if detail:
        text += f": {detail}"
    return f"{text}. {what}" + (f" If it fails: {meaning}" if meaning else "")


def outcome_from_results(
    results: pd.DataFrame, source_files: pd.DataFrame | None = None
) -> ValidationOutcome:
    """Build the outcome (lines for failed critical checks and for warnings) from a results table.

    With ``source_files``, each critical line also names the raw file, sheet and column the table came from
    (:func:`raw_source_text`).
    """
    failed = results.loc[~results["success"]]
    records = failed.to_dict("records")
    return ValidationOutcome(
        results=results,
        critical_failures=[
            failure_line(r) + raw_source_text(r["suite"], r["column"], source_files)
            for r in records
            if r["severity"] == "critical"
        ],
        warnings=[failure_line(r) for r in records if r["severity"] == "warning"],
    )


def raw_source_text(table: str, columns: object, source_files: pd.DataFrame | None) -> str:
    """`` Raw source: annex_a.xlsx sheet 'List 4', column 'Number of Previous Child Protection Plans'.``

    The raw file and sheet come from ``source_files`` (written by the cleaning stage); the raw column from the
    Annex A heading of the processed column (:data:`analysis.inputs.annex_a.ANNEX_A_BY_TABLE`). Empty when the suite is
    not a table read from a raw file.
    """
    from analysis.inputs.annex_a import ANNEX_A_BY_TABLE

    if source_files is None or source_files.empty:
        return ""
    rows = source_files.loc[source_files["table"] == table]
    if rows.empty:
        return ""
    places = []
    for row in rows.itertuples():
        sheet = row.source_sheet if isinstance(row.source_sheet, str) and row.source_sheet else None
        places.append(f"{row.source_file}" + (f" sheet '{sheet}'" if sheet else ""))
    text = f" Raw source: {'; '.join(places)}"
    spec = ANNEX_A_BY_TABLE.get(table)
    if spec is not None and isinstance(columns, str) and columns:
        wanted = [c.strip() for c in columns.split(",")]
        headings = [c.heading for name in wanted for c in spec.columns if c.column == name]
        if headings:
            text += ", column" + ("s " if len(headings) > 1 else " ") + ", ".join(f"'{h}'" for h in headings)
    return text + "."


def _found_for(examples: object) -> str:
    """`` Found for: List 9 (care_leavers): 0 usable rows; ...`` when a check's examples are named items (an
    Annex A list, an indicator's month), so a reader knows which; nothing for raw row numbers."""
    if not isinstance(examples, str) or not examples or examples[:1].isdigit():
        return ""
    return f" Found for: {examples}."


def data_quality_table(results: pd.DataFrame) -> pd.DataFrame:
    """The failed warnings for councillors: what was found, how many rows, and what it means for the figures.

    A warning about named items (an empty Annex A list, an indicator's month without a figure) names them.

    Parameters
    ----------
    results
        The ``validation_results`` table.

    Returns
    -------
    pd.DataFrame
        Columns ``Check``, ``Rows affected`` and ``What it means for the figures``; one row per failed warning.
    """
    failed = results.loc[(results["severity"] == "warning") & ~results["success"].astype(bool)]
    parts = failed["description"].map(split_description)
    rows = failed["unexpected_count"].map(lambda n: "" if pd.isna(n) else f"{int(n):,}")
    checks = [
        what + _found_for(examples) for (what, _), examples in zip(parts, failed["example_rows"], strict=True)
    ]
    return pd.DataFrame(
        {
            DATA_QUALITY_COLUMNS[0]: checks,
            DATA_QUALITY_COLUMNS[1]: rows.to_numpy(),
            DATA_QUALITY_COLUMNS[2]: parts.map(lambda p: p[1][:1].upper() + p[1][1:]).to_numpy(),
        },
        columns=DATA_QUALITY_COLUMNS,
    )


# ------------------------------------------------------------------------------------------- frames to check
def read_processed(processed_dir: Path) -> dict[str, pd.DataFrame]:
    """The processed tables the checks need (``source_files`` too, if it was written)."""
    tables = {name: read_table(name, processed_dir) for name in REQUIRED_TABLES}
    if (Path(processed_dir) / "source_files.parquet").is_file():
        tables["source_files"] = read_table("source_files", processed_dir)
    return tables


def frames_to_check(
    tables: Mapping[str, pd.DataFrame], config: ProjectConfig, quarter: Quarter
) -> dict[str, pd.DataFrame]:
    """The processed tables (scorecard with its figures split by unit) and the derived frames, by suite name."""
    frames = {name: tables[name] for name in REQUIRED_TABLES}
    frames["scorecard"] = derived.scorecard_with_units(tables["scorecard"], config)
    frames["monthly_volumes"] = derived.monthly_volumes(tables, quarter, config.data_checks)
    frames["scorecard_coverage"] = derived.scorecard_coverage(tables["scorecard"], config, quarter)
    frames["scorecard_percent_scale"] = derived.scorecard_percent_scale(
        tables["scorecard"], config, tables.get("source_files")
    )
    frames["benchmark_coverage"] = derived.benchmark_coverage(tables["benchmarks"], config.authority)
    frames["benchmark_authority"] = derived.benchmark_authority_presence(tables["benchmarks"], config)
    frames["referral_before_assessment"] = derived.referral_before_assessment(
        tables["referrals"], tables["assessments"]
    )
    frames["annex_a_lists"] = derived.annex_a_list_rows(tables, config)
    frames["annex_a_links"] = derived.annex_a_links(tables)
    return frames


# ------------------------------------------------------------------------------------------ Great Expectations
def _import_gx() -> Any:
    """Import Great Expectations with analytics off and without its import-time deprecation warnings."""
    os.environ["GX_ANALYTICS_ENABLED"] = "false"
    # GX logs its own housekeeping at INFO (e.g. "Skipping registering function ..."): keep only its warnings.
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    with warnings.catch_warnings():
        # At import GX 1.24 uses the deprecated sre_constants/sre_parse modules and tqdm.auto warns that
        # ipywidgets is absent: not ours to fix, and nothing the user can act on.
        warnings.simplefilter("ignore")
        import great_expectations as gx
        import great_expectations.expectations  # noqa: F401
    return gx


def preload_great_expectations() -> None:
    """Import Great Expectations as the stage will, ahead of time (for a kernel prepared in advance)."""
    _import_gx()


def _gx_context(data_docs_dir: Path | None) -> Any:
    """An ephemeral GX context: in-memory stores, no analytics, no progress bars, optionally a Data Docs site."""
    gx = _import_gx()
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    sites = {}
    if data_docs_dir is not None:
        sites["local_site"] = {
            "class_name": "SiteBuilder",
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(data_docs_dir),
            },
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        }
    project_config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
        analytics_enabled=False,
        data_docs_sites=sites,
    )
    return gx.get_context(project_config=project_config, mode="ephemeral")


def _expectation(check: Check) -> Any:
    import great_expectations.expectations as gxe

    meta = {"check_id": check.check_id, "severity": check.severity, "description": check.description}
    return getattr(gxe, check.expectation)(**check.kwargs, meta=meta)


def _example_rows(result: Mapping[str, Any], row_label: str, limit: int) -> str:
    """Up to ``limit`` distinct values of ``row_label`` (raw row numbers or aggregate labels) of failing rows."""
    seen: list[str] = []
    for entry in result.get("unexpected_index_list") or []:
        value = entry.get(row_label) if isinstance(entry, Mapping) else None
        if value is None or pd.isna(value):
            continue
        text = str(int(value)) if row_label == "source_row" else str(value)
        if text not in seen:
            seen.append(text)
        if len(seen) == limit:
            break
    return ", ".join(seen)


def _result_row(suite: Suite, check: Check, outcome: Any, limit: int) -> dict[str, Any]:
    result = outcome.result or {}
    count = result.get("unexpected_count")
    percent = result.get("unexpected_percent")
    description = check.description
    exception = (outcome.exception_info or {}) if isinstance(outcome.exception_info, Mapping) else {}
    messages = [
        info.get("exception_message")
        for info in ([exception] if "raised_exception" in exception else exception.values())
        if isinstance(info, Mapping) and info.get("raised_exception")
    ]
    if messages:
        description = f"{description} (The check could not run: {messages[0]})"
    return {
        "suite": suite.name,
        "expectation": outcome.expectation_config.type,
        "check_id": check.check_id,
        "column": check.columns or None,
        "severity": check.severity,
        "success": bool(outcome.success),
        "unexpected_count": None if count is None else int(count),
        "unexpected_percent": None if percent is None else float(percent),
        "example_rows": _example_rows(result, suite.row_label, limit) or None,
        "description": description,
    }


def _without_row_values(context: Any) -> None:
    """Strip row values from the stored results so the Data Docs show raw row numbers only, never identifiers."""
    store = context.validation_results_store
    for key in store.list_keys():
        stored = store.get(key)
        for outcome in stored.results:
            result = outcome.result
            for name in ("unexpected_list", "partial_unexpected_list", "partial_unexpected_counts"):
                result.pop(name, None)
            labels = result.get("unexpected_index_column_names") or []
            for name in ("unexpected_index_list", "partial_unexpected_index_list"):
                if name in result:
                    result[name] = [{k: v for k, v in row.items() if k in labels} for row in result[name]]
            result.pop("unexpected_index_query", None)
        store.set(key, stored)


def run_suites(
    suites: list[Suite],
    frames: dict[str, pd.DataFrame],
    *,
    example_rows: int,
    data_docs_dir: Path | None = None,
    let_go: bool = False,
) -> pd.DataFrame:
    """Run each suite on its frame with Great Expectations; one results row per expectation (schema order).

    Each suite gets a dataframe asset, a whole-dataframe batch definition, a validation definition and a
    checkpoint; the frame is passed as ``batch_parameters={"dataframe": frame}``. Results are requested in GX's
    ``COMPLETE`` format with the suite's row label as ``unexpected_index_column_names``.

    ``let_go``: each frame is taken out of ``frames`` when its suite runs, so that, the caller holding it nowhere
    else, its memory is freed before the next suite's (issue 21: the validation of ten million rows held every
    table to the end).
    """
    gx = _import_gx()
    context = _gx_context(data_docs_dir)
    source = context.data_sources.add_pandas("processed")
    rows: list[dict[str, Any]] = []
    for suite in suites:
        frame = frames.pop(suite.name) if let_go else frames[suite.name]
        batch = source.add_dataframe_asset(suite.name).add_batch_definition_whole_dataframe("whole_table")
        # The suite is built whole and stored once: adding expectations one by one re-serialises it each time.
        gx_suite = context.suites.add(
            gx.ExpectationSuite(name=suite.name, expectations=[_expectation(check) for check in suite.checks])
        )
        by_id = {check.check_id: check for check in suite.checks}
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(name=suite.name, data=batch, suite=gx_suite)
        )
        label = [suite.row_label] if suite.row_label in frame.columns else []
        checkpoint = context.checkpoints.add(
            gx.Checkpoint(
                name=f"{suite.name}_checkpoint",
                validation_definitions=[definition],
                result_format={"result_format": "COMPLETE", "unexpected_index_column_names": label},
            )
        )
        run = checkpoint.run(batch_parameters={"dataframe": _dates_in_nanoseconds(frame)})
        for validation in run.run_results.values():
            for outcome in validation.results:
                check = by_id[outcome.expectation_config.meta["check_id"]]
                rows.append(_result_row(suite, check, outcome, example_rows))
        logger.debug("Suite %s: %d expectations on %d rows", suite.name, len(suite.checks), len(frame))
        del frame, run  # with let_go nothing holds the frame now: its memory can go before the next suite's
    if data_docs_dir is not None:
        _without_row_values(context)
        context.build_data_docs()
        logger.info("Data Docs written to %s", data_docs_dir)
    order = {check.check_id: n for n, check in enumerate(c for s in suites for c in s.checks)}
    results = pd.DataFrame(rows, columns=RESULT_COLUMNS)
    return conform(results.sort_values("check_id", key=lambda ids: ids.map(order)), "validation_results")


def _dates_in_nanoseconds(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its dates (``datetime64[s]`` in our tables) in nanoseconds, for Great Expectations.

    GX compares a column of dates with its bounds in one vectorised step only when the column is
    ``datetime64[ns]`` (great_expectations ``column_values_between.py``, ``ColumnValuesBetween._pandas``); any other
    unit is compared one value at a time in Python, 10 of the 22 s of the checks on a million Annex A rows
    (issue 21). The same dates, so the same results. A column holding a date nanoseconds cannot (after 2262, say
    a mistyped year) is left in seconds: GX's slower comparison gives its answer.
    """
    converted = {}
    for column, dtype in frame.dtypes.items():
        if pd.api.types.is_datetime64_dtype(dtype) and not pd.api.types.is_datetime64_ns_dtype(dtype):
            with contextlib.suppress(pd.errors.OutOfBoundsDatetime):
                converted[str(column)] = frame[column].astype("datetime64[ns]")
    return frame.assign(**converted) if converted else frame


# ---------------------------------------------------------------------------------------------- entry point
def validate_processed(
    processed_dir: Path,
    config: ProjectConfig,
    quarter: Quarter,
    *,
    data_docs_dir: Path | None = None,
    raise_on_critical: bool = True,
    today: date | None = None,
) -> ValidationOutcome:
    """Check the processed tables; write ``validation_results``; raise if a critical check failed.

    Parameters
    ----------
    processed_dir
        Folder of the processed tables (the results table is written here too).
    config
        The project configuration (tolerances in ``config.data_checks``).
    quarter
        The quarter being reported (its months are the ones whose volumes and scorecard figures are checked).
    data_docs_dir
        If given, Great Expectations' Data Docs (HTML for the analyst, showing raw row numbers but no values)
        are built there.
    raise_on_critical
        Raise :class:`~analysis.errors.DataCheckFailed` after writing the results if a critical check failed.
        ``False`` lets a notebook show the results first and then call ``outcome.raise_for_critical()``.
    today
        The date to check against when ``source_files`` records no extract date (default: today).

    Returns
    -------
    ValidationOutcome
        Results table, lines for failed critical checks and warnings, and :meth:`~ValidationOutcome.report`.

    Notes
    -----
    The checks are defined in :mod:`analysis.stages.validation.suites`, each with the source of its rule.
    """
    processed_dir = Path(processed_dir)
    tables = read_processed(processed_dir)
    extract = derived.extract_date_of(tables.get("source_files"), today or date.today())
    frames = frames_to_check(tables, config, quarter)
    source_files = tables.get("source_files")
    del tables  # the frames hold what the checks read, each let go once its suite has run (run_suites)
    suites = build_suites(config, extract, list(REQUIRED_TABLES))
    if data_docs_dir is not None:
        Path(data_docs_dir).mkdir(parents=True, exist_ok=True)
    results = run_suites(
        suites, frames, example_rows=config.data_checks.example_rows, data_docs_dir=data_docs_dir, let_go=True
    )
    write_table(results, "validation_results", processed_dir)
    outcome = outcome_from_results(results, source_files)
    logger.info(
        "Data checks for %s: %d run, %d critical failure(s), %d warning(s)",
        quarter.label,
        len(results),
        len(outcome.critical_failures),
        len(outcome.warnings),
    )
    if raise_on_critical:
        outcome.raise_for_critical()
    return outcome
