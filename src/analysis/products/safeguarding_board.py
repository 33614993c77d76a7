"""The local safeguarding children board's core dataset: referral, assessment, planning and review, by month.

The committee paper (21 July 2015, para 3.1) says the core safeguarding processes, "referral, assessment, planning
and review for children in need and those who are subject to child protection plans", go routinely to the
safeguarding board "using their agreed dataset". The measures are defined in ``config/indicators.yml``
(``safeguarding_board_measures``), chosen and ordered by ``config/dashboard.yml``, and computed by the analysis
stage into the ``safeguarding_board`` table (:mod:`analysis.stages.indicators.board`), suppression applied. This
module only reads that table and presents the month: the month, the month before and the 12 months to its end.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.config import ProjectConfig, load_config
from analysis.config_indicators import BoardMeasure
from analysis.config_measures import board_measure_ids
from analysis.inputs.annex_a import MISSING_FROM_LIST
from analysis.io import read_table
from analysis.methods.months import month_name, parse_month
from analysis.methods.suppression import NOT_AVAILABLE_SYMBOL, publishable
from analysis.products.presentation import DEMO_BANNER, SUPPRESSED_FOOTNOTE
from analysis.products.report_data import load_manifest
from analysis.safe_text import html_text

BOARD_TABLE = "safeguarding_board"
NOT_APPLICABLE = "–"
NOT_AVAILABLE = "not available"
#: A ``note`` that makes the whole measure unavailable (a column missing from the raw lists, as
#: :func:`analysis.inputs.annex_a.missing_column_reason` says it): said beside its name.
UNAVAILABLE_PREFIX = "not available: "
UNIT_SUFFIX = {"%": "%", "days": " days"}


@dataclass(frozen=True)
class BoardData:
    """The configuration, the month and the analysis stage's ``safeguarding_board`` rows."""

    config: ProjectConfig
    month: pd.Timestamp
    table: pd.DataFrame
    manifest: dict[str, Any] | None = None

    @property
    def measures(self) -> list[BoardMeasure]:
        """The measures shown, in ``dashboard.yml``'s order (the loader has checked every id)."""
        defined = {m.id: m for m in self.config.registry.safeguarding_board_measures}
        return [defined[m] for m in board_measure_ids(self.config)]


def load_board_data(
    month: str, processed_dir: str | Path, config_dir: str | Path, manifest_path: str | Path | None = None
) -> BoardData:
    """Read the configuration and the ``safeguarding_board`` table (``month`` as ``YYYY-MM``)."""
    return BoardData(
        config=load_config(config_dir),
        month=parse_month(month),
        table=read_table(BOARD_TABLE, Path(processed_dir)),
        manifest=load_manifest(manifest_path),
    )


def board_title(authority: str, month: pd.Timestamp) -> str:
    """``Medway safeguarding children board: core dataset, June 2015``."""
    return f"{authority} safeguarding children board: core dataset, {month_name(month)}"


def column_labels(month: pd.Timestamp) -> list[str]:
    """``Jun 2015``, ``May 2015``, ``12 months to Jun 2015``."""
    return [f"{month:%b %Y}", f"{month - pd.DateOffset(months=1):%b %Y}", f"12 months to {month:%b %Y}"]


def _cell(row: pd.Series | None, measure: BoardMeasure) -> str:
    """One stored figure as printed: ``c`` when suppressed, ``x`` when absent, else with its unit."""
    if row is None:
        return NOT_AVAILABLE_SYMBOL
    text = publishable(row["value"], bool(row["suppressed"]), decimals=measure.decimals)
    if text not in {"c", NOT_AVAILABLE_SYMBOL}:
        text += UNIT_SUFFIX.get(measure.unit, "")
    return text


def core_dataset(data: BoardData) -> pd.DataFrame:
    """The core dataset for the month: one row per configured measure, every figure as it is published.

    Returns
    -------
    pandas.DataFrame
        ``measure_id``, ``stage``, ``Measure``, the month, the month before, the 12 months to the month's end
        (``–`` for a count at the month end), and ``note`` (why a measure is not available).
    """
    labels = column_labels(data.month)
    previous = data.month - pd.DateOffset(months=1)
    wanted = [("month", data.month), ("month", previous), ("12_months", data.month)]
    table = data.table.set_index(["measure_id", "period", "month"]).sort_index()
    rows = []
    for measure in data.measures:
        row: dict[str, str] = {"measure_id": measure.id, "stage": measure.stage, "Measure": measure.name}
        stored = [
            table.loc[(measure.id, period, month)] if (measure.id, period, month) in table.index else None
            for period, month in wanted
        ]
        notes = {str(r["note"]) for r in stored if r is not None and pd.notna(r["note"])}
        unavailable = sorted(n for n in notes if n.startswith(UNAVAILABLE_PREFIX) and MISSING_FROM_LIST in n)
        if unavailable:
            row.update(dict.fromkeys(labels, NOT_AVAILABLE))
            row["note"] = unavailable[0]
        else:
            row.update({label: _cell(r, measure) for label, r in zip(labels, stored, strict=True)})
            if measure.timing == "stock":
                row[labels[2]] = NOT_APPLICABLE
            row["note"] = ""
        rows.append(row)
    return pd.DataFrame(rows, columns=["measure_id", "stage", "Measure", *labels, "note"])


# ----------------------------------------------------------------------------------------------- HTML
def board_html(data: BoardData) -> str:
    """The core dataset as an accessible table grouped by stage (referral, assessment, planning, review)."""
    from analysis.products.dashboard import stylesheet_html

    e = html_text
    table = core_dataset(data)
    labels = column_labels(data.month)
    parts = ['<div class="mdc-dashboard">', stylesheet_html()]
    if data.config.authority.demo:
        parts.append(
            f'<p class="demo-banner" role="note"><strong>{e(DEMO_BANNER)}</strong>: every figure here is made up '
            "for demonstration. It describes no real child or council.</p>"
        )
    head = '<th scope="col" class="col-name">Measure</th>' + "".join(
        f'<th scope="col">{e(label)}</th>' for label in labels
    )
    body = []
    for stage, rows in table.groupby("stage", sort=False):
        body.append(
            f'<tr><th scope="colgroup" colspan="{len(labels) + 1}" class="sg-stage">{e(stage)}</th></tr>'
        )
        for record in rows.to_dict("records"):
            cells = "".join(f'<td class="sg-figure">{e(record[label])}</td>' for label in labels)
            name = e(record["Measure"])
            if record["note"]:
                name += f'<br><span class="provisional">{e(record["note"])}</span>'
            body.append(f'<tr><th scope="row" class="col-name">{name}</th>{cells}</tr>')
    parts.append(
        '<section class="dash-block" aria-labelledby="sg-core"><h2 id="sg-core">Referral, assessment, planning and '
        "review</h2>"
        f'<table class="dash-table sg-table" data-quarto-disable-processing="true"><caption class="visually-hidden">'
        f"Core dataset, {e(month_name(data.month))}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )
    notes = [
        "Counts are of events in the period (a referral, an assessment completed) unless they say 'at the month end'. "
        "– : not applicable (a count at the month end has no 12-month figure).",
        SUPPRESSED_FOOTNOTE,
        "x: not available (nothing in the period to base it on, or the 12 months begin before the data do).",
    ]
    parts.append("".join(f'<p class="dash-note">{e(n)}</p>' for n in notes))
    parts.append("</section></div>")
    return "".join(parts)


def method_html(data: BoardData) -> str:
    """The method section: each measure's definition and its DfE or Ofsted source."""
    e = html_text
    rows = "".join(
        f'<tr><th scope="row">{e(m.name)}</th><td>{e(m.definition)}</td><td>{e(m.source)}</td></tr>'
        for m in data.measures
    )
    suppression = data.config.suppression
    return (
        '<div class="mdc-dashboard"><section class="dash-key" aria-labelledby="sg-method"><h2 id="sg-method">Method: '
        'definitions and sources</h2><table class="dash-table sg-method" data-quarto-disable-processing="true">'
        '<caption class="visually-hidden">Definitions and sources</caption><thead><tr><th scope="col" '
        'class="col-name">Measure</th><th scope="col">Definition</th><th scope="col">Source</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
        '<p class="dash-note">Working days exclude weekends and bank holidays in England and Wales. Small numbers: '
        f"counts of {suppression.min_count} to {suppression.max_count} children, and percentages or averages made "
        "from them, are shown as c (DfE's rule). Children in need and children on a plan at the month end are the "
        "counts behind the quarterly report's rates per 10,000: the same figures.</p></section></div>"
    )
