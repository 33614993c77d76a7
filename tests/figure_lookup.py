"""Look the figures a page shows (tests/page_figures.py) up in the analysis tables, and compare pages (issues 18, 22).

:func:`expected` gives the analysis tables' value of a figure named by its key (``("month", indicator_id, month)``,
``("bench", indicator_id, time_period, column)``, ...): one small lookup per kind of figure, each reading the table
the products present (``indicators_monthly``, ``benchmark_comparison``, ``spc_as_at``, ``anticipated``,
``forecasts``, ``actions``, ``exceptions_as_at``, ``safeguarding_board``, ...). Where a product words a rule
(better or worse since last month, a target missed, "not assessed"), the lookup states the rule from the table's
figures. :func:`check_against_tables`, :func:`one_value_each` and :func:`check_exception_items` return the
disagreements as sentences (an empty list: none).
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from page_figures import NONE, DashboardItem, ExceptionItem, Shown, words

from analysis.config import Indicator, ProjectConfig
from analysis.io import read_table
from analysis.methods.exception_finder import exception_reasons
from analysis.methods.forecast import NAIVE_PLAIN
from analysis.methods.months import reported_quarter
from analysis.methods.quarters import Quarter
from analysis.methods.spc_summary import natural_range
from analysis.products.exception_report import REASON_SHORT, exception_headline, rule_words
from analysis.products.indicator_tables import latest_benchmarks
from analysis.products.presentation import overdue_action_ids

#: The analysis tables the products present.
TABLES = (
    "indicators_monthly",
    "indicators_annual",
    "spc",
    "spc_as_at",
    "benchmark_comparison",
    "exceptions",
    "exceptions_as_at",
    "actions",
    "anticipated",
    "forecasts",
    "forecast_backtest",
    "safeguarding_board",
)

Expected = str | float | None
"""A float (compared at the precision printed), a string (``c``, ``none``, a code), or None: no such figure."""


@dataclass(frozen=True)
class Analysis:
    """The analysis tables the products present, the configuration and the quarter they were made for."""

    tables: dict[str, pd.DataFrame]
    config: ProjectConfig
    quarter: Quarter

    @property
    def quarter_end(self) -> pd.Timestamp:
        """The first day of the quarter's last month (the month of its readings)."""
        return pd.Timestamp(self.quarter.months[-1])

    @property
    def monthly(self) -> pd.DataFrame:
        return self.tables["indicators_monthly"]


def load_analysis(processed: Path, config: ProjectConfig, quarter: str) -> Analysis:
    tables = {
        name: read_table(name, processed) for name in TABLES if (processed / f"{name}.parquet").is_file()
    }
    return Analysis(tables, config, Quarter.parse(quarter))


def _rows(frame: pd.DataFrame, **where: object) -> pd.DataFrame:
    mask = pd.Series(True, index=frame.index)
    for column, value in where.items():
        mask &= frame[column] == value
    return frame.loc[mask]


def _one(frame: pd.DataFrame, **where: object) -> pd.Series | None:
    rows = _rows(frame, **where)
    return None if rows.empty else rows.iloc[-1]


def _figure(row: pd.Series | None, *, missing: Expected = None) -> Expected:
    """A stored figure: ``c`` when suppressed, ``none`` when empty, else the value."""
    if row is None:
        return missing
    if bool(row.get("suppressed", False)):
        return "c"
    return NONE if pd.isna(row["value"]) else float(row["value"])


def _month(day: object) -> str | None:
    return None if pd.isna(day) else f"{pd.Timestamp(day):%Y-%m}"


# ------------------------------------------------------------------------------------ monthly figures
def _month_figure(a: Analysis, indicator_id: str, month: pd.Timestamp) -> Expected:
    return _figure(_one(a.monthly, indicator_id=indicator_id, month=month), missing=NONE)


def _target(a: Analysis, indicator_id: str) -> Expected:
    target = a.config.indicator(indicator_id).target
    return NONE if target is None else float(target.value)


def _misses(indicator: Indicator, value: float) -> bool:
    assert indicator.target is not None
    target = indicator.target.value
    return value > target if indicator.polarity == "lower_is_better" else value < target


def _target_missed(a: Analysis, indicator_id: str, month: pd.Timestamp) -> Expected:
    indicator = a.config.indicator(indicator_id)
    value = _month_figure(a, indicator_id, month)
    if indicator.target is None or not isinstance(value, float):
        return None
    return "missed" if _misses(indicator, value) else "met"


def _target_record(a: Analysis, indicator_id: str, since: pd.Timestamp) -> Expected:
    """ "N of the M months since then missed it": the published months from ``since`` to the quarter's end."""
    indicator = a.config.indicator(indicator_id)
    rows = _rows(a.monthly, indicator_id=indicator_id)
    rows = rows.loc[
        (rows["month"] >= since) & (rows["month"] <= a.quarter_end) & ~rows["suppressed"].astype(bool)
    ]
    values = rows["value"].dropna()
    missed = sum(_misses(indicator, float(round(v, indicator.decimals))) for v in values)
    return f"{missed}/{len(values)}"


def chart_points(monthly: pd.DataFrame, indicator_id: str, end: pd.Timestamp) -> pd.DataFrame:
    """An SPC chart's points up to ``end``: every month with a figure, and every suppressed month (a gap)."""
    rows = _rows(monthly, indicator_id=indicator_id)
    suppressed = rows["suppressed"].astype(bool)
    return rows.loc[(rows["month"] <= end) & (rows["value"].notna() | suppressed)].sort_values("month")


def _chart_points(a: Analysis, indicator_id: str, end: pd.Timestamp) -> pd.DataFrame:
    return chart_points(a.monthly, indicator_id, end)


def _chart_count(a: Analysis, kind: str, indicator_id: str) -> Expected:
    points = _chart_points(a, indicator_id, a.quarter_end)
    hidden = points["suppressed"].astype(bool)
    if kind == "published_months":
        return float((~hidden).sum())
    if kind == "chart_months":
        return float(len(points))
    if kind == "hidden_months":
        return float(hidden.sum())
    shown = points.loc[~hidden]
    return _month(shown["month"].iloc[0]) if len(shown) else None  # chart_first_month


def not_assessed(monthly: pd.DataFrame, indicator_id: str, as_at: pd.Timestamp, minimum_points: int) -> bool:
    """The products read no variation or assurance from a chart with fewer published monthly figures than a
    baseline needs, or mostly suppressed ones (the reports' and the dashboard's "Not assessed")."""
    points = chart_points(monthly, indicator_id, as_at)
    if points.empty:
        return False
    hidden = int(points["suppressed"].astype(bool).sum())
    return len(points) - hidden < minimum_points or hidden * 2 > len(points)


def _not_assessed(a: Analysis, indicator_id: str, as_at: pd.Timestamp) -> bool:
    return not_assessed(a.monthly, indicator_id, as_at, a.config.spc.minimum_baseline_points)


def _window(a: Analysis, indicator_id: str, first: pd.Timestamp, last: pd.Timestamp, stat: str) -> Expected:
    """A sparkline's months: its lowest and highest figure shown, its latest month shown, the months left out."""
    rows = _rows(a.monthly, indicator_id=indicator_id)
    rows = rows.loc[(rows["month"] >= first) & (rows["month"] <= last)]
    shown = rows.loc[~rows["suppressed"].astype(bool)].dropna(subset=["value"]).sort_values("month")
    if stat == "hidden":
        return float(len(pd.date_range(first, last, freq="MS")) - len(shown))
    if shown.empty:
        return None
    if stat == "latest_month":
        return _month(shown["month"].iloc[-1])
    return float(shown["value"].min() if stat == "lowest" else shown["value"].max())


def _moved(a: Analysis, indicator_id: str, month: pd.Timestamp, previous: pd.Timestamp) -> Expected:
    """Better, worse or the same since the month before, at the decimals printed (the dashboard's rule)."""
    indicator = a.config.indicator(indicator_id)
    now, before = _month_figure(a, indicator_id, month), _month_figure(a, indicator_id, previous)
    if not isinstance(now, float) or not isinstance(before, float):
        return None
    now, before = round(now, indicator.decimals), round(before, indicator.decimals)
    if now == before:
        return "same"
    return "better" if (now > before) == (indicator.polarity == "higher_is_better") else "worse"


def _annual(a: Analysis, indicator_id: str, period_type: str, label: str) -> Expected:
    annual = a.tables["indicators_annual"]
    return _figure(_one(annual, indicator_id=indicator_id, period_type=period_type, period_label=label))


def _suppressed_this_quarter(a: Analysis, quarter: str) -> Expected:
    months = [pd.Timestamp(m) for m in Quarter.parse(quarter).months]
    ids = {i.id for i in a.config.indicators}
    rows = a.monthly.loc[a.monthly["month"].isin(months) & a.monthly["indicator_id"].isin(ids)]
    return float(rows["suppressed"].astype(bool).sum())


# ------------------------------------------------------------------------------------------ benchmarks
def _comparison(a: Analysis, kind: str, indicator_id: str, *rest: object) -> Expected:
    comparison = a.tables["benchmark_comparison"]
    if kind == "release":  # the release of the year the tables compare
        row = _one(latest_benchmarks(comparison), indicator_id=indicator_id)
        return None if row is None else str(row["release"])
    if (
        kind == "bench_span"
    ):  # the years a benchmark chart shows: those with a figure for England or the authority
        rows = _rows(comparison, indicator_id=indicator_id).sort_values("time_period")
        shown = rows.loc[rows["england"].notna() | rows["local_value"].notna()]
        if shown.empty:
            return None
        # The years as the analysis stage names them: "2013-14", or "Sep 2014" for the workforce census.
        return f"{shown['period_label'].iloc[0]}/{shown['period_label'].iloc[-1]}"
    time_period, *column = rest
    row = _one(comparison, indicator_id=indicator_id, time_period=time_period)
    if row is None:  # an indicator compared with nothing shows no figure
        return NONE if kind == "bench" and _rows(comparison, indicator_id=indicator_id).empty else None
    if kind == "bench":
        if column[0] == "local_value" and bool(row["local_suppressed"]):
            return "c"
        return NONE if pd.isna(row[column[0]]) else float(row[column[0]])
    if kind == "rank":
        return None if pd.isna(row["rank"]) else f"{int(row['rank'])}/{int(row['authorities_ranked'])}"
    if kind == "band":
        return None if pd.isna(row["quartile_band"]) else str(row["quartile_band"])
    return str(row["direction_of_travel"])  # direction


# ---------------------------------------------------------------------------------------- SPC readings
def _reading(a: Analysis, kind: str, indicator_id: str, as_at: pd.Timestamp) -> Expected:
    """The SPC reading as it stood at ``as_at`` (``spc_as_at``); "not assessed" where the products read none."""
    if kind in ("variation", "assurance") and _not_assessed(a, indicator_id, as_at):
        return "not_assessed"
    row = _one(a.tables["spc_as_at"], indicator_id=indicator_id, as_at=as_at)
    if row is None:
        return NONE if kind != "assurance_latest" else None
    value = row[{"spc_since": "since", "rule_words": "rule"}.get(kind, kind.removesuffix("_latest"))]
    if kind == "spc_since":
        return _month(value) or NONE
    if kind == "description":
        return words(str(value))
    if kind == "rule_words":
        return rule_words(str(value), a.config) if isinstance(value, str) else ""
    if not isinstance(value, str):
        return NONE if kind != "assurance_latest" else None
    if kind == "assurance":  # "changed": performance has changed, so the target cannot be judged
        return "changed" if value.startswith("changed_") else value
    if kind == "assurance_latest":  # and whether the latest month met it
        return value.removeprefix("changed_").removesuffix("_target")
    return value


def _baseline(a: Analysis, indicator_id: str) -> Expected:
    row = _one(a.tables["spc_as_at"], indicator_id=indicator_id, as_at=a.quarter_end)
    return None if row is None else float(row["baseline_points"])


def _new_signal(a: Analysis, indicator_id: str, month: pd.Timestamp) -> Expected:
    now = _reading(a, "variation", indicator_id, month)
    before = _reading(a, "variation", indicator_id, month - pd.DateOffset(months=1))
    return "new" if now not in ("common_cause", NONE) and now != before else f"not new ({before} -> {now})"


def _spc_point(a: Analysis, kind: str, indicator_id: str, month: pd.Timestamp) -> Expected:
    """A point of the SPC table: its special cause (``point``) or where it sits against the limits."""
    row = _one(a.tables["spc"], indicator_id=indicator_id, month=month)
    if row is None:
        return None
    if kind == "point":
        return str(row["point_class"]) if isinstance(row["point_class"], str) else "common_cause"
    value = float(row["value"])
    if pd.notna(row["upper_limit"]) and value > row["upper_limit"]:
        return "above"
    if pd.notna(row["lower_limit"]) and value < row["lower_limit"]:
        return "below"
    return "within"


def _limits(a: Analysis, indicator_id: str, side: str) -> Expected:
    """The process limits at the quarter's last month, as the charts show them (never beyond 0 or 100%)."""
    row = _one(a.tables["spc"], indicator_id=indicator_id, month=a.quarter_end)
    if row is None:
        return None
    low, high = natural_range(a.config.indicator(indicator_id))
    value = float(row[f"{side}_limit"])
    value = value if low is None else max(value, low)
    return value if high is None else min(value, high)


def _indicator_count(a: Analysis, quarter: str, theme: int, code: str) -> Expected:
    readings = [_reading(a, "variation", i.id, a.quarter_end) for i in a.config.indicators_for_theme(theme)]
    return float(sum(r == code for r in readings))


# ------------------------------------------------------------------------- anticipated and forecasts
def _anticipated(a: Analysis, kind: str, indicator_id: str, month: pd.Timestamp, *stat: str) -> Expected:
    table = a.tables.get("anticipated")
    row = None if table is None else _one(table, indicator_id=indicator_id, month=month)
    if row is None:
        return None
    return str(row["position"]) if kind == "anticipated_position" else float(row[stat[0]])


def _forecast(a: Analysis, kind: str, series_id: str, *rest: object) -> Expected:
    forecasts = a.tables["forecasts"]
    if kind == "fitted":
        rows = _rows(forecasts, series_id=series_id)
        return None if rows.empty else _month(rows[f"fitted_{rest[0]}"].iloc[0])
    month, stat = rest
    row = _one(forecasts, series_id=series_id, month=month)
    if row is None:
        return None
    return str(bool(row[f"too_uncertain_{stat}"])) if kind == "forecast_uncertain" else float(row[str(stat)])


def _backtest_method(a: Analysis, series_id: str) -> Expected:
    """The method the looking-ahead section says it used, in its words (products/looking_ahead.py)."""
    row = _one(a.tables["forecast_backtest"], series_id=series_id)
    if row is None:
        return None
    return NAIVE_PLAIN if row["method"] == "naive" else "the statistical model"


def _backtest(a: Analysis, series_id: str, stat: str) -> Expected:
    row = _one(a.tables["forecast_backtest"], series_id=series_id)
    if row is None:
        return None
    value = row[stat]
    return value if isinstance(value, str) else (NONE if pd.isna(value) else float(value))


# ------------------------------------------------------------------------------ actions and exceptions
def _action(a: Analysis, kind: str, ref: str, *quarter: str) -> Expected:
    row = _one(a.tables["actions"], action_id=ref)
    if row is None:
        return None
    if kind == "action_status":  # overdue when the analysis found it so, else the tracker's status
        return (
            "overdue" if ref in overdue_action_ids(a.tables["exceptions"], quarter[0]) else str(row["status"])
        )
    if kind == "action_tracker_status":
        return str(row["status"])
    due = pd.Timestamp(row["due_date"])
    return f"{due:%Y-%m}" if kind == "action_due" else f"{due:%Y-%m-%d}"


#: The quarterly summary's groups of action readings ("on track or complete", ...), in its order.
ACTION_GROUPS = (("on_track", "complete"), ("off_track", "at_risk"), ("overdue",), ("not_started",))


def _action_counts(a: Analysis, quarter: str, theme: int) -> Expected:
    actions = _rows(a.tables["actions"], theme=theme)
    overdue = overdue_action_ids(a.tables["exceptions_as_at"], quarter)
    readings = [
        "overdue" if str(ref) in overdue else str(status)
        for ref, status in zip(actions["action_id"], actions["status"], strict=True)
    ]
    return "/".join(str(sum(r in group for r in readings)) for group in ACTION_GROUPS)


def _exception(a: Analysis, kind: str, quarter: str, *rest: object) -> Expected:
    rows = _rows(a.tables["exceptions_as_at"], quarter=quarter)
    if kind == "exception_count":
        return float((rows["theme"] == rest[0]).sum())
    if kind == "exception_listed":  # a line of the summary's top exceptions
        theme, line = rest
        lines = {exception_headline(r) for _, r in _rows(rows, theme=theme).iterrows()}
        return "listed" if line in lines else "not an exception"
    row = _one(rows, item_id=rest[0])
    if row is None:
        return None
    if kind == "exception_reasons":
        return str(row["reason_codes"])
    if kind == "exception_reason_text":
        return " | ".join(words(reason) for _, reason in exception_reasons(row))
    return _month(row["since"]) or NONE  # exception_since


def _open_exceptions(a: Analysis, month: pd.Timestamp) -> Expected:
    exceptions = a.tables["exceptions_as_at"]
    return float((exceptions["quarter"] == reported_quarter(month).label).sum())


# ------------------------------------------------------------------------------ safeguarding board
def _board(a: Analysis, measure_id: str, period: str, month: pd.Timestamp) -> Expected:
    row = _one(a.tables["safeguarding_board"], measure_id=measure_id, period=period, month=month)
    if row is not None and isinstance(row["note"], str) and row["note"].startswith("not available: column"):
        return "unavailable"
    return _figure(row, missing=NONE)


def _one_of(kinds: str, lookup: Callable[..., Expected]) -> dict[str, Callable[..., Expected]]:
    """``lookup(analysis, kind, *key)`` for each of the kinds."""
    return {kind: (lambda a, *key, _kind=kind: lookup(a, _kind, *key)) for kind in kinds.split()}


#: How each kind of figure is looked up: ``LOOKUPS[kind](analysis, *rest_of_the_key)``.
LOOKUPS: dict[str, Callable[..., Expected]] = {
    "month": _month_figure,
    "target": _target,
    "target_missed": _target_missed,
    "target_record": _target_record,
    "window": _window,
    "moved": _moved,
    "rolling": lambda a, i, label: _annual(a, i, "rolling_12_months", label),
    "annual": _annual,
    "suppressed_this_quarter": _suppressed_this_quarter,
    **_one_of("published_months chart_months hidden_months chart_first_month", _chart_count),
    **_one_of("bench rank band direction release bench_span", _comparison),
    **_one_of("variation assurance assurance_latest spc_since description rule_words", _reading),
    "baseline": _baseline,
    "new_signal": _new_signal,
    **_one_of("position point", _spc_point),
    "limits": _limits,
    "indicator_count": _indicator_count,
    **_one_of("anticipated anticipated_position", _anticipated),
    **_one_of("forecast forecast_uncertain fitted", _forecast),
    "backtest": _backtest,
    "backtest_method": _backtest_method,
    **_one_of("action_status action_tracker_status action_due action_due_day", _action),
    "action_counts": _action_counts,
    **_one_of(
        "exception_count exception_listed exception_reasons exception_reason_text exception_since", _exception
    ),
    "open_exceptions": _open_exceptions,
    "board": _board,
    "board_not_applicable": lambda a, measure_id, period: "stock",
}
#: Kinds that are no figure: what a reader counted, for its own test.
NOT_FIGURES = {"rows_read"}


def expected(analysis: Analysis, key: tuple[object, ...]) -> Expected:
    """The analysis tables' value of the figure a key names."""
    kind, *rest = key
    assert kind in LOOKUPS, f"no table holds figures of kind {kind!r}"
    return LOOKUPS[str(kind)](analysis, *rest)


def agrees(shown: str, wanted: Expected) -> bool:
    """A printed value against the tables': a number at the precision printed, anything else exactly."""
    if wanted is None:
        return False
    if isinstance(wanted, float):
        if not re.fullmatch(r"-?\d+(?:\.\d+)?", shown):
            return False
        decimals = len(shown.split(".")[1]) if "." in shown else 0
        return math.isclose(float(f"{wanted:.{decimals}f}"), float(shown))
    return shown == wanted


# -------------------------------------------------------------------------------------------- checks
def check_against_tables(analysis: Analysis, shown: Iterable[Shown]) -> list[str]:
    """Every figure shown is the analysis tables' for the same figure and period (issue 18)."""
    problems = []
    for figure in shown:
        if figure.key[0] in NOT_FIGURES:
            continue
        wanted = expected(analysis, figure.key)
        if not agrees(figure.value, wanted):
            problems.append(
                f"{figure.page}: {figure.where}: {key_words(figure.key)} shows {figure.text!r}, "
                f"the analysis tables have {'no such figure' if wanted is None else repr(wanted)}"
            )
    return problems


def one_value_each(shown: Iterable[Shown]) -> list[str]:
    """Every figure (name and period) printed on more than one page, or twice on one, has one value (issue 22)."""
    values: dict[tuple[object, ...], dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for figure in shown:
        if figure.key[0] not in NOT_FIGURES:
            values[figure.key][figure.value].append(f"{figure.page} ({figure.where}: {figure.text!r})")
    return [
        f"{key_words(key)} has {len(found)} values: "
        + "; ".join(f"{value} on {', '.join(where)}" for value, where in found.items())
        for key, found in values.items()
        if len(found) > 1
    ]


def pages_of(shown: Iterable[Shown]) -> dict[tuple[object, ...], set[str]]:
    """The pages each figure is printed on."""
    pages: dict[tuple[object, ...], set[str]] = defaultdict(set)
    for figure in shown:
        if figure.key[0] not in NOT_FIGURES:
            pages[figure.key].add(figure.page)
    return pages


def key_words(key: tuple[object, ...]) -> str:
    return " ".join(f"{part:%b %Y}" if isinstance(part, pd.Timestamp) else str(part) for part in key)


def check_exception_items(
    analysis: Analysis, reports: dict[str, list[ExceptionItem]], dashboard: list[DashboardItem]
) -> list[str]:
    """The exception reports list the analysis' exceptions of the quarter, each under its theme, in order, with
    its reasons; the dashboard lists the same items, each under the report it links to, with the same reasons."""
    exceptions = _rows(analysis.tables["exceptions"], quarter=analysis.quarter.label)
    problems = []
    on_dashboard: dict[str, list[str]] = defaultdict(list)
    for item in dashboard:
        on_dashboard[item.report].append(item.line)
    for page, items in reports.items():
        stored = _rows(exceptions, theme=int(page.split("-")[1]))
        titles = [str(t) for t in stored["title"]]
        if [i.title for i in items] != titles:
            problems.append(f"{page}: lists {[i.title for i in items]}, the analysis {titles}")
            continue
        headlines = []
        for item, codes in zip(items, stored["reason_codes"], strict=True):
            if list(item.reason_codes) != str(codes).split(","):
                problems.append(
                    f"{page}: {item.title}: reasons {list(item.reason_codes)}, the analysis {codes}"
                )
            headlines.append(f"{item.title} ({'; '.join(REASON_SHORT.get(c, c) for c in item.reason_codes)})")
        if on_dashboard.get(page, []) != headlines:
            problems.append(
                f"{page}: the dashboard lists {on_dashboard.get(page, [])}, the report {headlines}"
            )
    extra = set(on_dashboard) - set(reports)
    if extra:
        problems.append(
            f"the dashboard lists exceptions under {sorted(extra)}, which are no exception report"
        )
    return problems
