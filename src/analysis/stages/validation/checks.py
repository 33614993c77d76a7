"""Frames derived from the processed tables so that Great Expectations can check what spans rows or tables.

Each function is pure (DataFrames in, a DataFrame out). Derived frames about child-level rows keep the raw row
number (``source_row``) of the row judged; aggregate frames (monthly volumes, coverage) carry an ``item`` label
such as ``referrals, May 2015`` instead, which a failed check quotes in place of raw row numbers. No derived frame
carries an identifier into a label.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis.config import Authority, ProjectConfig
from analysis.config_indicators import DataCheckSettings
from analysis.methods.quarters import Quarter

logger = logging.getLogger(__name__)

#: Monthly volumes whose plausibility is checked: measure -> (processed table, date column counted).
VOLUME_MEASURES: dict[str, tuple[str, str]] = {
    "contacts": ("contacts", "contact_date"),
    "referrals": ("referrals", "referral_date"),
    "assessments": ("assessments", "assessment_start_date"),
    "cp_plan_starts": ("cp_plans", "cp_plan_start_date"),
}

NATIONAL, REGIONAL, LOCAL = "National", "Regional", "Local authority"
ENGLAND_CODE = "E92000001"


def extract_date_of(source_files: pd.DataFrame | None, today: date) -> date:
    """The date the raw data was extracted: the latest ``extract_date`` in ``source_files``, else ``today``.

    Notes
    -----
    A date after the extract date cannot be a real event; it bounds every date check.
    """
    if (
        source_files is None
        or "extract_date" not in source_files
        or source_files["extract_date"].isna().all()
    ):
        logger.info("No extract date recorded in source_files: dates are checked against today (%s)", today)
        return today
    return pd.Timestamp(source_files["extract_date"].max()).date()


def _month_label(month: pd.Timestamp) -> str:
    return f"{month:%B %Y}"


def monthly_volumes(
    tables: Mapping[str, pd.DataFrame], quarter: Quarter, settings: DataCheckSettings
) -> pd.DataFrame:
    """Each month of the quarter's count of contacts, referrals, assessments and CP plan starts against its norm.

    The norm is the median monthly count over the ``settings.volume_history_months`` months before the quarter,
    counting only months on or after the table's first recorded month (a table starting mid-history has fewer
    months of history). With fewer than ``settings.volume_minimum_history_months`` months, or a zero median, the
    month is not judged (``ratio`` empty).

    Returns
    -------
    pd.DataFrame
        ``item`` (e.g. ``referrals, May 2015: 5 against a usual 400``), ``measure``, ``month``, ``count``,
        ``history_months``, ``history_median`` and ``ratio`` (count / median).

    Notes
    -----
    A local plausibility rule, not a DfE definition: a month far below its usual volume almost always means a
    partial or broken extract, far above it duplicated or mis-dated rows.
    """
    first_month = pd.Timestamp(quarter.start)
    history_start = first_month - pd.DateOffset(months=settings.volume_history_months)
    months = pd.date_range(history_start, pd.Timestamp(quarter.end), freq="MS")
    rows: list[dict[str, object]] = []
    for measure, (table, column) in VOLUME_MEASURES.items():
        if table not in tables:
            continue
        dates = tables[table][column].dropna()
        counts = dates.dt.to_period("M").dt.to_timestamp().value_counts()
        counts = counts.reindex(months, fill_value=0)
        covered_from = dates.min().to_period("M").to_timestamp() if len(dates) else first_month
        history = counts[(counts.index < first_month) & (counts.index >= covered_from)]
        median = float(history.median()) if len(history) else np.nan
        judged = len(history) >= settings.volume_minimum_history_months and median > 0
        for month in quarter.months:
            count = int(counts.get(month, 0))
            usual = f"a usual {median:,.0f}" if judged else "no usable history"
            rows.append(
                {
                    "item": f"{measure}, {_month_label(month)}: {count:,} against {usual}",
                    "measure": measure,
                    "month": month,
                    "count": count,
                    "history_months": len(history),
                    "history_median": median,
                    "ratio": count / median if judged else np.nan,
                }
            )
    frame = pd.DataFrame(
        rows, columns=["item", "measure", "month", "count", "history_months", "history_median", "ratio"]
    )
    return frame.astype(
        {"count": "int64", "history_months": "int64", "history_median": "float64", "ratio": "float64"}
    )


def scorecard_with_units(scorecard: pd.DataFrame, config: ProjectConfig) -> pd.DataFrame:
    """The scorecard with ``percent_value`` (figures of % indicators) and ``quantity_value`` (every other unit).

    Notes
    -----
    Splitting the value column by the indicator's unit (config/indicators.yml) lets one range expectation check
    percentages (0 to 100) and another that counts, FTE, weeks and days are not negative.
    """
    units = scorecard["indicator_id"].map({i.id: i.unit for i in config.indicators})
    is_percent = units == "%"
    return scorecard.assign(
        percent_value=scorecard["value"].where(is_percent),
        quantity_value=scorecard["value"].where(~is_percent & units.notna()),
    )


def scorecard_coverage(scorecard: pd.DataFrame, config: ProjectConfig, quarter: Quarter) -> pd.DataFrame:
    """One row per scorecard indicator in config and month of the quarter: does the scorecard give a figure?

    Returns
    -------
    pd.DataFrame
        ``item`` (e.g. ``agency_social_worker_rate, May 2015``), ``indicator_id``, ``month``, ``has_value``.
    """
    wanted = [i.id for i in config.indicators if i.source == "scorecard"]
    grid = pd.MultiIndex.from_product([wanted, quarter.months], names=["indicator_id", "month"]).to_frame(
        index=False
    )
    grid["month"] = grid["month"].astype("datetime64[s]")
    present = scorecard.loc[scorecard["value"].notna(), ["indicator_id", "month"]].drop_duplicates()
    present = present.astype({"indicator_id": "str", "month": "datetime64[s]"}).assign(has_value=True)
    merged = grid.astype({"indicator_id": "str"}).merge(present, on=["indicator_id", "month"], how="left")
    merged["has_value"] = merged["has_value"].fillna(False).astype("bool")
    merged.insert(0, "item", merged["indicator_id"] + ", " + merged["month"].map(_month_label))
    return merged


def _area_rows(benchmarks: pd.DataFrame, authority: Authority) -> dict[str, pd.Series]:
    """Masks of the rows for England, the authority's region and the authority itself."""
    return {
        "England": benchmarks["geographic_level"].eq(NATIONAL),
        authority.region.name: benchmarks["geographic_level"].eq(REGIONAL)
        & benchmarks["area_code"].eq(authority.region.code),
        authority.name: benchmarks["geographic_level"].eq(LOCAL)
        & benchmarks["old_la_code"].eq(authority.old_la_code),
    }


def benchmark_coverage(benchmarks: pd.DataFrame, authority: Authority) -> pd.DataFrame:
    """For each publication, its latest year and the year before: how many rows England, the region and the LA have.

    Returns
    -------
    pd.DataFrame
        ``item`` (e.g. ``c1 2014-15, Medway``), ``publication``, ``time_period``, ``area``, ``rows``.

    Notes
    -----
    Years are DfE's years ending 31 March (``time_period`` 2015 = 2014-15).
    """
    rows: list[dict[str, object]] = []
    masks = _area_rows(benchmarks, authority)
    for publication, group in benchmarks.groupby("publication", sort=True):
        latest = int(group["time_period"].max())
        # A publication of national figures only (e.g. national adoption times) is checked for England only.
        national_only = set(group["geographic_level"]) == {NATIONAL}
        covered = {area: mask for area, mask in masks.items() if not national_only or area == "England"}
        for year in (latest, latest - 1):
            in_year = group["time_period"].eq(year)
            for area, mask in covered.items():
                rows.append(
                    {
                        "item": f"{publication} {year - 1}-{year % 100:02d}, {area}",
                        "publication": publication,
                        "time_period": year,
                        "area": area,
                        "rows": int((in_year & mask.loc[group.index]).sum()),
                    }
                )
    frame = pd.DataFrame(rows, columns=["item", "publication", "time_period", "area", "rows"])
    return frame.astype({"time_period": "int64", "rows": "int64"})


def benchmark_authority_presence(benchmarks: pd.DataFrame, config: ProjectConfig) -> pd.DataFrame:
    """One row per configured publication: how many rows it has for the configured authority (zero if absent)."""
    authority = config.authority
    is_authority = _area_rows(benchmarks, authority)[authority.name]
    counts = benchmarks.loc[is_authority, "publication"].value_counts()
    publications = list(config.benchmarks.publications)
    return pd.DataFrame(
        {
            "item": publications,
            "authority_rows": [int(counts.get(p, 0)) for p in publications],
        }
    ).astype({"authority_rows": "int64"})


def referral_before_assessment(referrals: pd.DataFrame, assessments: pd.DataFrame) -> pd.DataFrame:
    """For each assessment, whether the child has a referral on or before its start (empty where not judged).

    An assessment is judged only if its child has a referral in the data and it starts on or after the first
    referral in the data (earlier referrals are outside the extract, so their absence says nothing).

    Returns
    -------
    pd.DataFrame
        ``source_row`` (the assessment's raw row) and ``referral_on_or_before_start`` (boolean, nullable).

    Notes
    -----
    Working Together to Safeguard Children (2015), chapter 1: a social work assessment follows the acceptance of
    a referral by children's social care.
    """
    judged = pd.Series(pd.NA, index=assessments.index, dtype="boolean")
    referral_days = referrals[["child_id", "referral_date"]].dropna()
    if referral_days.empty or assessments.empty:
        return pd.DataFrame({"source_row": assessments["source_row"], "referral_on_or_before_start": judged})
    first_referral_by_child = referral_days.groupby("child_id")["referral_date"].min()
    first_child = assessments["child_id"].map(first_referral_by_child)
    in_scope = first_child.notna() & assessments["assessment_start_date"].ge(
        referral_days["referral_date"].min()
    )
    judged = judged.mask(in_scope, assessments["assessment_start_date"].ge(first_child))
    return pd.DataFrame({"source_row": assessments["source_row"], "referral_on_or_before_start": judged})


# ------------------------------------------------------------------------------- Annex A lists without rows
#: Units of figures that an empty list would publish as a real 0 (a percentage or a mean of nothing is empty).
UNITS_PUBLISHED_AS_ZERO = frozenset({"count", "rate per 10,000"})


def annex_a_list_rows(tables: Mapping[str, pd.DataFrame], config: ProjectConfig) -> pd.DataFrame:
    """One row per Annex A list: its usable rows, split by what an empty list would do to the published figures.

    Returns
    -------
    pd.DataFrame
        ``item`` (e.g. ``List 5 (section47): 0 usable rows; feeds section_47_enquiries``), ``table``, ``rows``,
        ``rows_behind_counts`` (the rows where a count or rate per 10,000 is computed from the list, else empty)
        and ``rows_behind_other`` (the rows of every other list, else empty).

    Notes
    -----
    Ofsted Annex A: every list covers the whole inspection window, so a list with a heading row and no usable
    rows (header-only, or every row set aside) is an incomplete extract, not a real zero. A count or rate made from
    it would be published as 0 (a wrong figure: critical); a percentage or duration would be empty (a warning).
    """
    from analysis.inputs.annex_a import ANNEX_A_LISTS

    rows: list[dict[str, object]] = []
    for spec in ANNEX_A_LISTS:
        if spec.table not in tables:
            continue
        uses = [i for i in config.indicators if i.source == "case_records" and spec.table in i.tables]
        counted = any(i.unit in UNITS_PUBLISHED_AS_ZERO for i in uses)
        n = len(tables[spec.table])
        feeds = ", ".join(i.id for i in uses) or "no indicator"
        rows.append(
            {
                "item": f"List {spec.number} ({spec.table}): {n:,} usable rows; feeds {feeds}",
                "table": spec.table,
                "rows": n,
                "rows_behind_counts": float(n) if counted else np.nan,
                "rows_behind_other": np.nan if counted else float(n),
            }
        )
    frame = pd.DataFrame(rows, columns=["item", "table", "rows", "rows_behind_counts", "rows_behind_other"])
    return frame.astype({"rows": "int64", "rows_behind_counts": "float64", "rows_behind_other": "float64"})


# ------------------------------------------------------------------------------ Annex A lists that must link up
#: Pairs of Annex A lists whose children must overlap: (earlier list's table, later list's table, the rule).
#: Each later step of a child's journey follows the earlier one for at least some children in any extract.
LINKED_LISTS: tuple[tuple[str, str, str], ...] = (
    ("contacts", "referrals", "a referral is a contact accepted by children's social care"),
    ("referrals", "assessments", "an assessment follows an accepted referral"),
    ("children_in_need", "cp_plans", "a child on a child protection plan is a child in need"),
)


def annex_a_links(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per pair of :data:`LINKED_LISTS`: whether any child (pseudonym) is in both lists.

    Returns
    -------
    pd.DataFrame
        ``item`` (e.g. ``List 3 (referrals) and List 4 (assessments): an assessment follows an accepted
        referral``), ``first_list``, ``second_list`` and ``children_in_both`` (empty where either list has no rows:
        :func:`annex_a_list_rows` reports that). No count of children is put in the label.

    Notes
    -----
    Working Together to Safeguard Children (2015), chapter 1 (contact, referral, assessment); DfE CIN census
    guidance (children on a plan are children in need). Lists that share no child at all were not exported with
    one identifier: a list with identifiers of another system, or formatted differently, which the cleaning
    cannot recognise (:func:`analysis.inputs.parsing.normalise_identifier` aligns numbers and zero-padded text). Every
    figure joining them would be published as 0 (issue 23: "Referrals that led to an assessment 0.0%").
    """
    from analysis.inputs.annex_a import ANNEX_A_BY_TABLE

    rows: list[dict[str, object]] = []
    for first, second, rule in LINKED_LISTS:
        if first not in tables or second not in tables:
            continue
        one, other = ANNEX_A_BY_TABLE[first], ANNEX_A_BY_TABLE[second]
        both = _distinct_in_both(tables[first]["child_id"], tables[second]["child_id"])
        rows.append(
            {
                "item": f"{one.sheet} ({first}) and {other.sheet} ({second}): {rule}",
                "first_list": one.sheet,
                "second_list": other.sheet,
                "children_in_both": both,
            }
        )
    frame = pd.DataFrame(rows, columns=["item", "first_list", "second_list", "children_in_both"])
    return frame.astype({"children_in_both": "float64"})


def _distinct_in_both(first: pd.Series, second: pd.Series) -> float:
    """How many distinct values (missing left out) are in both columns; NaN when either has none.

    Counted with Arrow's ``unique`` and ``is_in``, not Python sets of every identifier: at 10 million rows the sets
    took 3 s of a 3-million-row list's check (pandas' ``isin`` on Arrow strings, 6 s), Arrow 1 s (issue 21).
    """
    values = [pc.unique(pa.array(column.dropna(), type=pa.large_string())) for column in (first, second)]
    if not len(values[0]) or not len(values[1]):
        return np.nan
    return float(pc.sum(pc.is_in(values[0], value_set=values[1])).as_py())


def scorecard_percent_scale(
    scorecard: pd.DataFrame, config: ProjectConfig, source_files: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Each figure of a percentage scorecard row, and whether it looks like a fraction keyed in a row of percents.

    A figure ``v`` with ``0 < v < 1`` in a row whose other months' median ``m`` is at least 1 looks like a
    fraction (0.284 for 28.4%) when ``100 * v`` lies within a factor of two of ``m``: published as it stands it
    would be a wrong figure (0.284%).

    Returns
    -------
    pd.DataFrame
        ``item`` (indicator, month, the figure, the row's usual level and where it is: raw file, sheet, row and
        column), ``source_row`` and ``looks_like_fraction``.

    Notes
    -----
    A local plausibility rule, not a DfE definition: a scorecard that mixes 0.284 and 28.4 in one row has a cell
    typed as a fraction without Excel's percentage format.
    """
    percent_ids = {i.id for i in config.indicators if i.unit == "%" and i.source == "scorecard"}
    rows = scorecard.loc[scorecard["indicator_id"].isin(percent_ids) & scorecard["value"].notna()]
    where = _scorecard_source(source_files)
    records: list[dict[str, object]] = []
    for _, group in rows.groupby("indicator_id", sort=True):
        values = group["value"].astype("float64")
        for index, value in values.items():
            others = values.drop(index)
            median = float(others.median()) if not others.empty else float("nan")
            fraction = bool(0 < value < 1 and median >= 1 and 0.5 <= 100 * value / median <= 2)
            row = group.loc[index]
            records.append(
                {
                    "item": (
                        f"{row['indicator_id']}, {_month_label(pd.Timestamp(row['month']))}: {value:g} in a row "
                        f"of about {median:.3g} ({where}row {int(row['source_row'])}, column "
                        f"'{row['source_column']}')"
                    ),
                    "source_row": int(row["source_row"]),
                    "looks_like_fraction": fraction,
                }
            )
    return pd.DataFrame(records, columns=["item", "source_row", "looks_like_fraction"]).astype(
        {"looks_like_fraction": "bool", "source_row": "int64"}
    )


def _scorecard_source(source_files: pd.DataFrame | None) -> str:
    """``scorecard.xlsx sheet 'Scorecard', `` from ``source_files`` (empty when not recorded)."""
    if source_files is None or source_files.empty:
        return ""
    rows = source_files.loc[source_files["table"] == "scorecard"]
    if rows.empty:
        return ""
    first = rows.iloc[0]
    sheet = first["source_sheet"]
    return (
        f"{first['source_file']}" + (f" sheet '{sheet}'" if isinstance(sheet, str) and sheet else "") + ", "
    )
