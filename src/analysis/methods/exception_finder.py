"""Find what each theme's exception report must show: indicators and actions that need the Board's attention.

An indicator is an exception when its latest point shows special-cause variation of concern, when it is
consistently failing its target (the target lies beyond its process limits on the wrong side) or its process has
changed and its latest month missed the target (assurance ``changed_missing_target``), or when it has
moved into the worst quartile of authorities (band D in its latest published year, not D the year before). An
action is an exception when it is reported off track, or overdue: due on or before the quarter's last day and not
complete. An indicator with an anticipated trend (a planned path or a forecast, :mod:`analysis.methods.trajectory`) is an
exception when its latest month is out of line with it; SPC signals of the anticipated movement itself are not.
A theme with none yields no rows (the report says so).

Each item is one exception, however many reasons it has: an action both off track and overdue is one row whose
``reason_codes`` are ``off_track,overdue`` and whose ``reasons`` give both sentences (one per line), so a theme's
count of exceptions counts items, not reasons. Each finder below returns one row per item and reason (the "long"
form); :func:`combine_reasons` folds them into one row per item. Anticipated trends add their ``out_of_line``
rows the same way, and any further finder adds its long rows through ``find_exceptions(extra_reasons=...)``. An action's title carries its reference ("Action
4.1: ...") so the reader can find it in the actions table.

Notes
-----
Exception reporting as in the Improvement Board's themed reports (committee paper, 21 July 2015, section 4);
variation and assurance: NHS England "Making Data Count"; quartile bands: DfE LAIT.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date

import pandas as pd

from analysis.config import ProjectConfig
from analysis.methods.benchmarking import year_end
from analysis.methods.quarters import Quarter
from analysis.methods.spc_rules import CONCERN
from analysis.methods.spc_summary import CHANGED_MISSING_TARGET, CONSISTENTLY_FAILING
from analysis.schemas import schema
from analysis.units import format_number

logger = logging.getLogger(__name__)

SPECIAL_CAUSE_CONCERN = "special_cause_concern"
FAILING_TARGET = "failing_target"
WORST_QUARTILE = "worst_quartile"
OFF_TRACK = "off_track"
OVERDUE = "overdue"
OUT_OF_LINE = "out_of_line"  # out of line with the anticipated trend (analysis.methods.trajectory)
#: Order of reasons within an item (codes not listed here follow, alphabetically).
REASON_ORDER = (OUT_OF_LINE, SPECIAL_CAUSE_CONCERN, FAILING_TARGET, WORST_QUARTILE, OFF_TRACK, OVERDUE)
#: How ``reason_codes`` and ``reasons`` join an item's several reasons (a reason never contains a newline).
CODE_SEPARATOR = ","
REASON_SEPARATOR = "\n"
#: Columns of the long form: one row per item and reason, before :func:`combine_reasons`.
LONG_COLUMNS = ("theme", "kind", "item_id", "title", "reason_code", "reason", "since")
WORST_BAND = "D"
COMPLETE = "complete"


def long_date(day: date | pd.Timestamp) -> str:
    """``30 June 2015``."""
    day = pd.Timestamp(day)
    return f"{day.day} {day:%B %Y}"


def financial_year_label(year_ending: int) -> str:
    """``2014-15`` for the year ending 31 March 2015."""
    return f"{year_ending - 1}-{year_ending % 100:02d}"


def _is(value: object, text: str) -> bool:
    """``value == text`` where the value may be missing (pd.NA in the schema's string columns)."""
    return isinstance(value, str) and value == text


def _first_sentence(text: str) -> str:
    return text.split(". ")[0].rstrip(".")


def action_title(action_id: str, text: str) -> str:
    """An action as the reports name it, reference first: ``Action 4.1: Launch the early help hubs``."""
    return f"Action {action_id}: {text}"


def indicator_exceptions(
    spc_summary: pd.DataFrame, benchmark_comparison: pd.DataFrame, config: ProjectConfig
) -> pd.DataFrame:
    """Indicators showing special-cause concern, consistently failing their target or newly in the worst quartile.

    Notes
    -----
    Variation and assurance as NHS England "Making Data Count" reads an XmR chart; "moved into the worst
    quartile" compares the latest published year's LAIT band with the year before's (both must be known).
    """
    rows: list[dict[str, object]] = []
    for summary in spc_summary.itertuples(index=False):
        if summary.indicator_id not in config.indicators_by_id:
            continue
        indicator = config.indicator(summary.indicator_id)
        base = {
            "theme": indicator.theme,
            "kind": "indicator",
            "item_id": indicator.id,
            "title": indicator.name,
        }
        if _is(summary.variation, CONCERN):
            rows.append(
                base
                | {
                    "reason_code": SPECIAL_CAUSE_CONCERN,
                    "reason": _first_sentence(str(summary.description)),
                    "since": summary.since,
                }
            )
        target = None if indicator.target is None else format_number(indicator.target.value, indicator)
        if _is(summary.assurance, CONSISTENTLY_FAILING) and target is not None:
            rows.append(
                base
                | {
                    "reason_code": FAILING_TARGET,
                    "reason": (
                        f"Consistently failing the target of {target}: the target is beyond what the "
                        "process gives month to month, so it will not be met without a change"
                    ),
                    "since": pd.NaT,
                }
            )
        elif _is(summary.assurance, CHANGED_MISSING_TARGET) and target is not None:
            month = (
                f"{pd.Timestamp(summary.latest_month):%B %Y}"
                if pd.notna(summary.latest_month)
                else "the latest month"
            )
            rows.append(
                base
                | {
                    "reason_code": FAILING_TARGET,
                    "reason": (
                        f"Missed the target of {target} in {month}; performance has changed, so whether the "
                        "target will be met cannot be judged yet"
                    ),
                    "since": pd.NaT,
                }
            )
    for indicator_id, years in benchmark_comparison.groupby("indicator_id", sort=True):
        if indicator_id not in config.indicators_by_id:
            continue
        indicator = config.indicator(str(indicator_id))
        years = years.sort_values("time_period")
        latest = years.iloc[-1]
        previous = years.loc[years["time_period"] == latest["time_period"] - 1, "quartile_band"]
        if (
            not _is(latest["quartile_band"], WORST_BAND)
            or previous.empty
            or not isinstance(previous.iloc[0], str)
        ):
            continue
        if _is(previous.iloc[0], WORST_BAND):
            continue
        year = int(latest["time_period"])
        # The published year as the comparison names it ("2014-15"; "Sep 2014" for the workforce census), and the
        # day that year began (1 April; 1 October for the year to 30 September).
        label = latest.get("period_label")
        published_year = label if isinstance(label, str) and label else financial_year_label(year)
        began = pd.Timestamp(year - 1, 4, 1)
        if indicator.benchmark is not None:
            ends = year_end(config.benchmarks.release_of(indicator.benchmark.publication), year)
            began = pd.Timestamp(ends) - pd.DateOffset(years=1) + pd.Timedelta(days=1)
        rows.append(
            {
                "theme": indicator.theme,
                "kind": "indicator",
                "item_id": indicator.id,
                "title": indicator.name,
                "reason_code": WORST_QUARTILE,
                "reason": (
                    f"Moved into the worst quarter of authorities in {published_year} (ranked "
                    f"{int(latest['rank'])} of {int(latest['authorities_ranked'])}; band {previous.iloc[0]} the year "
                    "before)"
                ),
                "since": began,
            }
        )
    return pd.DataFrame(rows)


def action_exceptions(actions: pd.DataFrame, quarter: Quarter) -> pd.DataFrame:
    """Improvement Plan actions that are off track, or overdue (due by the quarter's end and not complete).

    Notes
    -----
    Action statuses of the Improvement Plan tracker (``not_started``, ``on_track``, ``at_risk``, ``off_track``,
    ``complete``).
    """
    end = pd.Timestamp(quarter.end)
    rows: list[dict[str, object]] = []
    for action in actions.itertuples(index=False):
        base = {
            "theme": int(action.theme),
            "kind": "action",
            "item_id": str(action.action_id),
            "title": action_title(str(action.action_id), str(action.action)),
        }
        if _is(action.status, OFF_TRACK):
            update = (
                action.latest_update
                if isinstance(action.latest_update, str) and action.latest_update
                else None
            )
            reason = "Reported off track" + (f": {update}" if update else "")
            rows.append(base | {"reason_code": OFF_TRACK, "reason": reason, "since": pd.NaT})
        if (
            pd.notna(action.due_date)
            and pd.Timestamp(action.due_date) <= end
            and not _is(action.status, COMPLETE)
        ):
            rows.append(
                base
                | {
                    "reason_code": OVERDUE,
                    "reason": f"Due {long_date(action.due_date)} and not complete",
                    "since": pd.Timestamp(action.due_date),
                }
            )
    return pd.DataFrame(rows)


def _one_line(text: object) -> str:
    """A reason on one line: runs of whitespace (newlines from a tracker's cell included) become one space."""
    return " ".join(str(text).split())


def combine_reasons(long: pd.DataFrame) -> pd.DataFrame:
    """One row per item from the long form (one row per item and reason): codes and reasons joined, in order.

    Parameters
    ----------
    long
        Columns :data:`LONG_COLUMNS`; an item may appear once per reason.

    Returns
    -------
    pandas.DataFrame
        ``theme``, ``kind``, ``item_id``, ``title``, ``reason_codes`` (codes joined by ``,`` in
        :data:`REASON_ORDER`), ``reasons`` (their sentences in the same order, joined by a newline) and ``since``
        (the earliest start of any reason; empty when none has one). A reason given twice counts once.
    """
    order = {code: n for n, code in enumerate(REASON_ORDER)}
    rows = []
    for (theme, kind, item_id), reasons in long.groupby(["theme", "kind", "item_id"], sort=False):
        ranked = reasons.assign(
            _order=reasons["reason_code"].map(lambda c: (order.get(c, len(order)), str(c)))
        ).sort_values("_order", kind="stable")
        ranked = ranked.drop_duplicates("reason_code")
        since = pd.to_datetime(ranked["since"]).dropna()
        rows.append(
            {
                "theme": int(theme),
                "kind": str(kind),
                "item_id": str(item_id),
                "title": str(ranked["title"].iloc[0]),
                "reason_codes": CODE_SEPARATOR.join(ranked["reason_code"].astype(str)),
                "reasons": REASON_SEPARATOR.join(_one_line(r) for r in ranked["reason"]),
                "since": since.min() if len(since) else pd.NaT,
            }
        )
    return pd.DataFrame(rows)


def exception_reasons(exception: pd.Series | dict[str, object]) -> list[tuple[str, str]]:
    """An exception's reasons as ``(code, sentence)`` pairs, in order (the inverse of :func:`combine_reasons`)."""
    codes = str(exception["reason_codes"]).split(CODE_SEPARATOR)
    sentences = str(exception["reasons"]).split(REASON_SEPARATOR)
    if len(codes) != len(sentences):
        raise ValueError(
            f"exception {exception['item_id']!r}: {len(codes)} reason codes but {len(sentences)} reasons"
        )
    return list(zip(codes, sentences, strict=True))


def find_exceptions(
    spc_summary: pd.DataFrame,
    benchmark_comparison: pd.DataFrame,
    actions: pd.DataFrame,
    config: ProjectConfig,
    quarter: Quarter,
    anticipated: pd.DataFrame | None = None,
    *,
    extra_reasons: Iterable[pd.DataFrame] = (),
) -> pd.DataFrame:
    """Every exception of the quarter, by theme, in the ``exceptions`` schema: one row per item.

    Parameters
    ----------
    spc_summary, benchmark_comparison
        The analysis tables of the same run.
    actions
        The ``actions`` table (Improvement Plan tracker).
    config
        The configuration (indicators' themes, names and targets).
    quarter
        The reporting quarter (its last day decides what is overdue).
    anticipated
        The ``anticipated`` table (:mod:`analysis.methods.trajectory`), if any: see :func:`anticipated_trend_exceptions`.
    extra_reasons
        More reasons found elsewhere, in the long form (:data:`LONG_COLUMNS`): they join the item's other
        reasons (or make it an exception).

    Returns
    -------
    pandas.DataFrame
        One row per theme and item, with every reason that makes it an exception (``reason_codes`` from
        out_of_line, special_cause_concern, failing_target, worst_quartile, off_track, overdue, comma-separated,
        and ``reasons``, one plain-English sentence per code, newline-separated; :func:`exception_reasons`
        splits them); ordered by theme, indicators before actions, then by reference.

    Notes
    -----
    See the module docstring for the definition of an exception.
    """
    table = schema("exceptions")
    parts = [
        part.loc[:, list(LONG_COLUMNS)]
        for part in (
            anticipated_trend_exceptions(
                indicator_exceptions(spc_summary, benchmark_comparison, config),
                anticipated,
                spc_summary,
                config,
            ),
            action_exceptions(actions, quarter),
            *extra_reasons,
        )
        if not part.empty
    ]
    if not parts:
        logger.info("No exceptions in %s", quarter.label)
        return pd.DataFrame({c.name: pd.Series(dtype=c.dtype) for c in table.columns})
    found = combine_reasons(pd.concat(parts, ignore_index=True)).assign(quarter=quarter.label)
    found["_kind"] = (found["kind"] != "indicator").astype(int)
    found["_ref"] = [
        _reference_order(i) if k == "action" else (0,)
        for k, i in zip(found["kind"], found["item_id"], strict=True)
    ]
    found = found.sort_values(["theme", "_kind", "_ref", "item_id"]).drop(columns=["_kind", "_ref"])
    for theme, count in found.groupby("theme").size().items():
        logger.info("Theme %s: %d exceptions in %s", theme, count, quarter.label)
    return (
        found.loc[:, table.column_names]
        .astype({c.name: c.dtype for c in table.columns})
        .reset_index(drop=True)
    )


def _reference_order(action_id: str) -> tuple[int, ...]:
    """``1.10`` after ``1.9``: action references sort by their numbers."""
    return tuple(int(part) if part.isdigit() else 0 for part in str(action_id).split("."))


def anticipated_trend_exceptions(
    indicator_rows: pd.DataFrame,
    anticipated: pd.DataFrame | None,
    spc_summary: pd.DataFrame,
    config: ProjectConfig,
) -> pd.DataFrame:
    """Indicator exceptions once anticipated trends are taken into account (``out_of_line`` rows added).

    An indicator whose latest month has an anticipated band is judged against it: its SPC special-cause row is
    dropped (a planned movement is not an exception; a departure from the plan is reported once, as
    ``out_of_line``). Its other reasons (target, worst quartile) stay.

    Notes
    -----
    Committee paper, 21 July 2015, para 5.2; :mod:`analysis.methods.trajectory` defines the bands and the rule.
    """
    from analysis.methods.trajectory import judged_against_trend, out_of_line_exceptions

    if anticipated is None or anticipated.empty:
        return indicator_rows
    judged = judged_against_trend(anticipated, spc_summary)
    if not indicator_rows.empty:
        superseded = indicator_rows["item_id"].isin(judged) & (
            indicator_rows["reason_code"] == SPECIAL_CAUSE_CONCERN
        )
        indicator_rows = indicator_rows.loc[~superseded]
    parts = [p for p in (out_of_line_exceptions(anticipated, config), indicator_rows) if not p.empty]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
