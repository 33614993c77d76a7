"""The themed exception reports: each exception of a theme this quarter, why it is there in plain words, its context
(SPC reading, latest month, target, comparison) and its charts, or the statement that there are none.
"""

from __future__ import annotations

import pandas as pd

from analysis.config import ProjectConfig
from analysis.config_indicators import Indicator
from analysis.config_plan import Theme
from analysis.methods.benchmarking import neighbours_label
from analysis.methods.exception_finder import OVERDUE, exception_reasons
from analysis.methods.quarters import Quarter
from analysis.methods.spc_rules import RULE_OUTSIDE_LIMITS, RULE_RUN, RULE_TREND, RULE_TWO_OF_THREE
from analysis.products.indicator_charts import indicator_figures, no_monthly_chart_reason
from analysis.products.indicator_tables import latest_benchmarks, latest_values
from analysis.products.presentation import (
    action_status_text,
    display_value,
    heading,
    html_block,
    markdown,
    overdue_action_ids,
)
from analysis.products.report_data import ReportData, commentary_text
from analysis.safe_text import commentary_html, markdown_text
from analysis.units import format_number

REASON_LABELS: dict[str, str] = {
    "out_of_line": "Out of line with the anticipated trend (planned path or forecast)",
    "special_cause_concern": "Unusual change for the worse (statistical process control)",
    "failing_target": "Not meeting its target",
    "worst_quartile": "Moved into the bottom 25% of councils in England (it was not there the year before)",
    "off_track": "Action off track",
    "overdue": "Action overdue",
}
#: A reason in a few words, for the summary's list of exceptions.
REASON_SHORT: dict[str, str] = {
    "out_of_line": "out of line with its anticipated trend",
    "special_cause_concern": "unusual change for the worse",
    "failing_target": "not meeting its target",
    "worst_quartile": "moved into the bottom 25% of councils",
    "off_track": "off track",
    "overdue": "overdue",
}


# ------------------------------------------------------------------------------------------- exceptions
def theme_exceptions(exceptions: pd.DataFrame, quarter: Quarter, theme: int) -> pd.DataFrame:
    """The exceptions of one theme this quarter (one row per item), in the finder's order: indicators first."""
    rows = exceptions.loc[(exceptions["quarter"] == quarter.label) & (exceptions["theme"] == theme)]
    return rows.reset_index(drop=True)


def exception_headline(exception: pd.Series) -> str:
    """An exception in one line: its title (an action with its reference) and every reason in a few words.

    e.g. ``Action 4.1: Launch the hubs (off track; overdue)``.
    """
    reasons = [REASON_SHORT.get(code, code.replace("_", " ")) for code, _ in exception_reasons(exception)]
    return f"{exception['title']} ({'; '.join(reasons)})"


def no_exceptions_text(theme: Theme, quarter: Quarter) -> str:
    """The clear statement for a theme with nothing to report by exception."""
    return (
        f"Theme {theme.label} has **no exceptions** in {quarter.name}: no indicator was out of line with its "
        "anticipated trend, showed an unusual change for the worse, was failing its target or moved into the "
        "bottom 25% of councils this year (one already there the year before is shown in the tables, not "
        "repeated here), and no action was off track or overdue."
    )


def rule_words(rules: str, config: ProjectConfig) -> str:
    """SPC rule codes (``run,outside_limits``) in plain words for councillors, joined with "and".

    Notes
    -----
    The rules of NHS England's "Making Data Count" (2019) as ``analysis.methods.spc`` applies them; the numbers come
    from ``config/indicators.yml``.
    """
    settings = config.spc.rules
    words = {
        RULE_OUTSIDE_LIMITS: "the latest month is outside the range expected from month-to-month variation",
        RULE_RUN: f"{settings.run_length} or more months in a row are on the same side of the average",
        RULE_TREND: f"{settings.trend_length} or more months in a row have each risen, or each fallen",
        RULE_TWO_OF_THREE: "two of the last three months are close to the edge of the expected range",
    }
    said = [
        words.get(code.strip(), code.strip().replace("_", " ")) for code in rules.split(",") if code.strip()
    ]
    text = " and ".join(said)
    return text[:1].upper() + text[1:] + "." if text else ""


def exception_context(data: ReportData, exception: pd.Series) -> str:
    """Markdown for one exception: the rule that fired and since when, target and benchmark context."""
    reasons = exception_reasons(exception)
    if len(reasons) == 1:
        code, reason = reasons[0]
        lines = [
            f"- **Why it is here:** {markdown_text(REASON_LABELS.get(code, code))}. {markdown_text(reason)}"
        ]
    else:
        lines = ["- **Why it is here:**"]
        lines.extend(
            f"    - {markdown_text(REASON_LABELS.get(code, code))}. {markdown_text(reason)}"
            for code, reason in reasons
        )
    if pd.notna(exception["since"]):
        lines.append(f"- **Since:** {pd.Timestamp(exception['since']):%B %Y}")
    if exception["kind"] == "indicator" and exception["item_id"] in data.config.indicators_by_id:
        indicator = data.config.indicator(exception["item_id"])
        summary = data.spc_summary.loc[data.spc_summary["indicator_id"] == indicator.id]
        no_chart = no_monthly_chart_reason(data, indicator)
        if no_chart is not None:
            lines.append(
                "- **Reading of the chart:** no monthly chart: too few published monthly figures (see below)"
            )
        elif not summary.empty:
            s = summary.iloc[0]
            if isinstance(s["rule"], str) and s["rule"]:
                lines.append(f"- **What the chart shows:** {rule_words(s['rule'], data.config)}")
            lines.append(f"- **Reading of the chart:** {markdown_text(s['description'])}")
        latest = latest_values(data.indicators_monthly, data.quarter)
        latest = latest.loc[latest["indicator_id"] == indicator.id]
        if not latest.empty:
            p = latest.iloc[0]
            value = display_value(p["value"], indicator, suppressed=bool(p["suppressed"]))
            lines.append(f"- **Latest month:** {value} ({pd.Timestamp(p['month']):%B %Y})")
        target = format_number(indicator.target.value, indicator) if indicator.target else "none set"
        lines.append(f"- **Target:** {target}")
        bench = latest_benchmarks(data.benchmark_comparison)
        bench = bench.loc[bench["indicator_id"] == indicator.id]
        if not bench.empty:
            b = bench.iloc[0]
            lines.append(
                f"- **Compared with others ({b['release']}):** "
                f"{data.config.authority.name} "
                f"{display_value(b['local_value'], indicator, suppressed=bool(b['local_suppressed']))}, "
                f"England {format_number(b['england'], indicator)}, "
                f"{data.config.authority.region.name} {format_number(b['region'], indicator)}, "
                f"{neighbours_label(data.config)} "
                f"{format_number(b['statistical_neighbours_average'], indicator)}"
            )
            difference = indicator.benchmark_difference
            if difference:
                # Not the monthly figure's measure: say how the two differ, beside the figures (issue 22, point 1).
                lines.append(
                    f"- **Measured differently from the monthly figure:** {markdown_text(difference)}"
                )
        lines.extend(response_lines(data, indicator))
    elif exception["kind"] == "action":
        action = data.actions.loc[data.actions["action_id"] == exception["item_id"]]
        if not action.empty:
            a = action.iloc[0]
            due = f"{a['due_date']:%B %Y}" if pd.notna(a["due_date"]) else "no date"
            is_overdue = OVERDUE in str(exception["reason_codes"]).split(",")
            status = action_status_text(a["status"], a["due_date"], overdue=is_overdue)
            lines.append(f"- **Status:** {status}" + ("" if is_overdue else f"; due {due}"))
            if isinstance(a["lead"], str) and a["lead"]:
                lines.append(f"- **Lead:** {markdown_text(a['lead'])}")
            if isinstance(a["latest_update"], str) and a["latest_update"]:
                lines.append(f"- **Latest update:** {markdown_text(a['latest_update'])}")
    return "\n".join(lines)


#: What an indicator exception says when configuration links it to no action (issue 22, point 5).
NO_RESPONSE = "No action in the plan addresses this."


def response_lines(data: ReportData, indicator: Indicator) -> list[str]:
    """What is being done: the plan's actions linked to the indicator in ``config/indicators.yml`` (``actions``),
    each with lead, due date and status as the quarterly report shows them, or :data:`NO_RESPONSE`.

    The committee paper's exception report answers "what is being done" (para 5.2).
    """
    actions = data.actions.loc[data.actions["action_id"].astype(str).isin(indicator.actions)]
    if actions.empty:
        return [f"- **What is being done:** {NO_RESPONSE}"]
    overdue = overdue_action_ids(data.exceptions, data.quarter.label)
    lines = ["- **What is being done:**"]
    for action_id in indicator.actions:  # ids checked against plan.yml by the loader: safe as they are
        rows = actions.loc[actions["action_id"].astype(str) == action_id]
        if rows.empty:
            continue
        a = rows.iloc[0]
        lead = markdown_text(a["lead"]) if isinstance(a["lead"], str) and a["lead"] else "no lead recorded"
        due = f"due {a['due_date']:%B %Y}" if pd.notna(a["due_date"]) else "no due date"
        status = action_status_text(a["status"], a["due_date"], overdue=action_id in overdue)
        lines.append(
            f"    - Action {action_id}: {markdown_text(a['action'])} (lead: {lead}; {due}; {status})"
        )
    return lines


def exception_section(data: ReportData, exception: pd.Series, *, level: int = 3) -> list[object]:
    """One exception as displayable blocks: heading, context, chart(s) and the analyst's commentary."""
    blocks: list[object] = [heading(level, markdown_text(exception["title"]))]
    blocks.append(markdown(exception_context(data, exception)))
    if exception["kind"] == "indicator" and exception["item_id"] in data.config.indicators_by_id:
        indicator = data.config.indicator(exception["item_id"])
        blocks.extend(html_block(f.to_html()) for f in indicator_figures(data, indicator))
        text = commentary_text(data.commentary, data.quarter, indicator.theme, indicator.id)
        if text:  # none: the theme's commentary below says so once, rather than once per exception
            blocks.append(html_block(commentary_html(f"**Commentary:** {text}")))
    return blocks


def exception_report_blocks(data: ReportData, theme_number: int) -> list[object]:
    """The body of a theme's exception report: each exception, or the statement that there are none."""
    theme = data.config.plan.theme(theme_number)
    rows = theme_exceptions(data.exceptions, data.quarter, theme_number)
    blocks: list[object] = [heading(2, "Exceptions this quarter")]
    if rows.empty:
        blocks.append(markdown(no_exceptions_text(theme, data.quarter)))
    else:
        n = len(rows)
        blocks.append(
            markdown(
                f"{n} item{'s' if n != 1 else ''} need{'s' if n == 1 else ''} the Board's attention this quarter."
            )
        )
        for _, exception in rows.iterrows():
            blocks.extend(exception_section(data, exception))
    blocks.append(heading(2, "Commentary on the theme"))
    blocks.append(html_block(commentary_html(commentary_text(data.commentary, data.quarter, theme_number))))
    return blocks
