"""The end of each report: what the data checks found (data quality), the indicators' definitions and sources, the
SPC rules in plain words, and this run's provenance (data period, extract date, pipeline version, input files).

The run's settings, file names and checksums are not printed here: they are in the run's manifest beside the
reports (the audit trail), which the provenance table points to.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from analysis import __version__
from analysis.config import ProjectConfig
from analysis.inputs.annex_a import MISSING_COLUMN_RULE, UNMATCHED_HEADING_RULE
from analysis.products.presentation import heading, html_block, markdown, table_html
from analysis.products.report_data import ReportData
from analysis.safe_text import markdown_text

NOT_RECORDED = "not recorded"
#: Where the run's settings, file names and checksums are: the audit trail, not the page.
AUDIT_TRAIL = (
    "the run's settings, the name and checksum of every input file and the software used are in the run's record, "
    'under "Audit trail" on the reports\' index page'
)


# ------------------------------------------------------------------------------------------ data quality
def data_quality_text(data: ReportData) -> str:
    """What the data checks found, in plain words: warnings, rows set aside, suppressed figures, fixes.

    Notes
    -----
    Critical checks stop the pipeline before any figure is computed, so a report only exists when they passed;
    warnings are listed here. Suppression: DfE's rule for counts of 1 to 5.
    """
    results = data.validation_results
    lines = []
    n_checks, n_tables = len(results), results["suite"].nunique()
    critical_failed = results.loc[(results["severity"] == "critical") & ~results["success"]]
    warnings = results.loc[(results["severity"] == "warning") & ~results["success"]]
    lines.append(
        f"The data passed {n_checks - len(critical_failed) - len(warnings)} of {n_checks} checks on "
        f"{n_tables} tables. "
        + (
            "All critical checks passed."
            if critical_failed.empty
            else f"{len(critical_failed)} critical checks failed."
        )
    )
    if warnings.empty:
        lines.append("\nNo check raised a warning.")
    else:
        lines.append(f"\n{len(warnings)} check{'s' if len(warnings) != 1 else ''} raised a warning:\n")
        for w in warnings.itertuples():
            count = "" if pd.isna(w.unexpected_count) else f" ({int(w.unexpected_count):,} rows"
            if count and pd.notna(w.unexpected_percent):
                count += f", {w.unexpected_percent:.1f}%"
            lines.append(f"- {w.description}{count + ')' if count else ''}")
    quarantine = data.quarantine
    if quarantine.empty:
        lines.append("\nNo rows had to be set aside.")
    else:
        lines.append(
            f"\n{len(quarantine):,} row{'s' if len(quarantine) != 1 else ''} could not be used and "
            f"{'were' if len(quarantine) != 1 else 'was'} set aside for the data team to correct:\n"
        )
        grouped = quarantine.groupby(["table", "reason"], sort=True).size().reset_index(name="rows")
        for g in grouped.itertuples():
            lines.append(
                f"- {markdown_text(g.table.replace('_', ' '))}: {g.rows:,} ({markdown_text(g.reason)})"
            )
    start = pd.Timestamp(data.quarter.months[0])
    end = pd.Timestamp(data.quarter.months[-1])
    monthly = data.indicators_monthly
    in_quarter = monthly.loc[(monthly["month"] >= start) & (monthly["month"] <= end) & monthly["suppressed"]]
    if in_quarter.empty:
        lines.append("\nNo figure this quarter had to be suppressed.")
    else:
        names = sorted(
            {
                data.config.indicator(i).name if i in data.config.indicators_by_id else i
                for i in in_quarter["indicator_id"]
            }
        )
        lines.append(
            f"\n{len(in_quarter)} monthly figure{'s' if len(in_quarter) != 1 else ''} this quarter "
            f'{"are" if len(in_quarter) != 1 else "is"} shown as "c" because the number behind '
            f"{'them' if len(in_quarter) != 1 else 'it'} is between 1 and 5: {', '.join(names)}."
        )
    lines.extend(not_available_lines(data.config, data.cleaning_log))
    notes = (
        data.cleaning_log["rule"].astype(str).str.startswith((MISSING_COLUMN_RULE, UNMATCHED_HEADING_RULE))
    )
    fixes = data.cleaning_log.loc[(data.cleaning_log["rows_affected"] > 0) & ~notes]
    if not fixes.empty:
        total = int(fixes["rows_affected"].sum())
        lines.append(
            f"\nThe cleaning made {len(fixes)} kinds of automatic correction to {total:,} rows "
            "(for example dates typed as text); they are listed in the cleaning notebook."
        )
    return "\n".join(lines)


def not_available_lines(config: ProjectConfig, cleaning_log: pd.DataFrame) -> list[str]:
    """Markdown lines naming each indicator not available for want of an Annex A column, and why.

    Notes
    -----
    The reasons come from :func:`analysis.stages.indicators.unavailable_indicators` (the cleaning log's missing columns).
    """
    from analysis.stages.indicators import unavailable_indicators

    reasons = unavailable_indicators(config, cleaning_log)
    if not reasons:
        return []
    several = len(reasons) != 1
    lines = [
        f"\n{len(reasons)} indicator{'s are' if several else ' is'} not available because the Annex A workbook "
        f"lacks a column {'they need' if several else 'it needs'}:\n"
    ]
    for indicator in config.indicators:
        if indicator.id in reasons:  # names from config/, headings from the template: escaped all the same
            lines.append(f"- {markdown_text(indicator.name)}: {markdown_text(reasons[indicator.id])}")
    return lines


# -------------------------------------------------------------------------------------------- provenance
def definitions_table(config: ProjectConfig, indicator_ids: Iterable[str] | None = None) -> pd.DataFrame:
    """Each indicator's definition and source, in registry order."""
    wanted = None if indicator_ids is None else set(indicator_ids)
    rows = [
        {"Indicator": i.name, "Definition": i.definition, "Source": i.reference}
        for i in config.indicators
        if wanted is None or i.id in wanted
    ]
    return pd.DataFrame(rows, columns=["Indicator", "Definition", "Source"])


def spc_rules_text(config: ProjectConfig) -> str:
    """The SPC rules this run used, from ``config/indicators.yml``, in plain words.

    Notes
    -----
    NHS England, "Making Data Count" (2019); rules as NHSRplotthedots implements them.
    """
    spc = config.spc
    rules = spc.rules
    lines = [
        "Each chart shows one figure month by month. The line across the middle is the average; the shaded band "
        "is the range expected from normal month-to-month variation (the *process limits* of a statistical "
        "process control chart read with NHS England's *Making Data Count* rules). The average and the "
        f"range come from the first {spc.baseline_points} months of each period; with fewer than "
        f"{spc.minimum_baseline_points} months they are provisional. A month is marked as an unusual change "
        "(a *special cause*) when:",
        "",
    ]
    if rules.outside_limits:
        lines.append("- it is outside the expected range;")
    if rules.run_length:
        lines.append(
            f"- it is one of {rules.run_length} or more months in a row on the same side of the average;"
        )
    if rules.trend_length:
        lines.append(
            f"- it is one of {rules.trend_length} or more months in a row each higher, or each lower, than the "
            "one before;"
        )
    if rules.two_of_three_beyond_two_sigma:
        lines.append(
            "- it is one of two out of three months in a row close to the same edge of the expected range "
            "(beyond two standard deviations)."
        )
    lines.append(
        "\nAn unusual change is an improvement or a concern depending on whether higher is better for that "
        "figure. Anything else is normal variation (*common cause*): no sign of real change. Where the service "
        "changed, the average and range start again (vertical lines on the charts)."
    )
    lines.append(
        "\nWhether an indicator will meet its target (assurance) is read from where the target sits against the "
        "process limits. When the latest month is itself an unusual change, performance has changed and the "
        "limits describe it as it was, so the report says the target cannot be judged yet, and whether the "
        "latest month met it. Limits shown never go below 0 or, for a percentage, above 100%. An indicator with "
        f"fewer than {spc.minimum_baseline_points} published monthly figures, or mostly suppressed ones, has no "
        "monthly chart: its figure by year is shown instead."
    )
    return "\n".join(lines)


def provenance_table(data: ReportData) -> pd.DataFrame:
    """Data period, extract date, pipeline version, input files and software (from the manifest).

    The run's parameters, the input files' names and their checksums stay in the manifest (the audit trail): the
    table says where they are, not what they are (issue 22, point 7).
    """
    manifest = data.manifest or {}
    period = manifest.get("data_period") or {}
    monthly = data.indicators_monthly.dropna(subset=["value"])
    if period:
        data_period = f"{_month_name(period.get('first_month'))} to {_month_name(period.get('last_month'))}"
    elif not monthly.empty:
        data_period = f"{monthly['month'].min():%B %Y} to {monthly['month'].max():%B %Y}"
    else:
        data_period = NOT_RECORDED
    extract = _day_name(manifest.get("extract_date"))
    if not extract:
        dates = data.source_files["extract_date"].dropna()
        extract = f"{dates.max():%-d %B %Y}" if not dates.empty else NOT_RECORDED
    version = manifest.get("package_version")
    commit = manifest.get("git_commit")
    pipeline = f"analysis {version}" if version else f"analysis {__version__} (run not recorded)"
    if commit:
        pipeline += f", commit {str(commit)[:12]}"
    inputs = manifest.get("inputs")
    input_text = (
        f"{len(inputs)} files, each recorded with a checksum that shows whether it has changed since"
        if inputs
        else NOT_RECORDED
    )
    libraries = manifest.get("libraries")
    library_text = ", ".join(f"{k} {v}" for k, v in sorted(libraries.items())) if libraries else NOT_RECORDED
    rows = [
        ("Data period", data_period),
        ("Extract date", str(extract)),
        ("Quarter reported", data.quarter.name),  # in words; the manifest keeps its label
        ("Pipeline version", pipeline),
        ("Input files", input_text),
        ("Full record", AUDIT_TRAIL if manifest else NOT_RECORDED),
        ("Python", str(manifest.get("python", NOT_RECORDED))),
        ("Libraries", library_text),
    ]
    return pd.DataFrame(rows, columns=["Item", "Value"])


def _day_name(day: object) -> str | None:
    """``2015-07-10`` -> ``10 July 2015``; nothing recorded -> ``None``."""
    if not day:
        return None
    try:
        return f"{pd.Timestamp(str(day)):%-d %B %Y}"
    except ValueError:
        return str(day)


def _month_name(month: object) -> str:
    """``2015-06-01`` -> ``June 2015``: a data period is a span of months, not of days."""
    if not month:
        return NOT_RECORDED
    try:
        return f"{pd.Timestamp(str(month)):%B %Y}"
    except ValueError:
        return str(month)


def method_blocks(
    data: ReportData, *, theme: int | None = None, indicator_ids: list[str] | None = None
) -> list[object]:
    """The "Method and provenance" section: definitions and sources, SPC rules, data period, run details.

    With ``theme``, only that theme's indicators are defined (the exception reports); with ``indicator_ids``, only
    those (a topic report's indicators, ``config/topics.yml``).
    """
    if indicator_ids is None and theme is not None:
        indicator_ids = [i.id for i in data.config.indicators_for_theme(theme)]
    blocks: list[object] = [heading(2, "Method and provenance")]
    if indicator_ids == []:  # a theme measured by its actions alone: no definitions, no charts to read
        blocks.append(
            markdown("This theme has no performance indicators: its progress is shown by its actions.")
        )
    else:
        blocks += [
            heading(3, "Definitions and sources"),
            html_block(
                table_html(
                    definitions_table(data.config, indicator_ids), caption="Indicator definitions and sources"
                )
            ),
            heading(3, "How the charts are read"),
            markdown(spc_rules_text(data.config)),
        ]
    return blocks + [
        heading(3, "This run"),
        html_block(
            table_html(provenance_table(data), caption="Data period, extract date and pipeline version")
        ),
    ]
