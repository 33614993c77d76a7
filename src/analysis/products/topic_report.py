"""The quarterly reports on themed topics (issue 19): one topic's figures this quarter, as the analysis stage left them.

A first screen of a few sentences made from the tables, the topic's indicators and actions, the profile of the
children in each list, disproportionality, the journeys (table and flow), drift, placement distance and assessment
factors against England, and the topic's commentary. Every figure is read from the topic tables
(:mod:`analysis.stages.topics`, schemas in :mod:`analysis.schemas_topics`); nothing is computed here. The analysis
sections are in :mod:`analysis.products.topic_sections`, the parts they share in :mod:`analysis.products.topic_parts`.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from analysis.config import Indicator, ProjectConfig
from analysis.config_topics import Topic
from analysis.methods.forecast import BAND_LEVEL
from analysis.methods.quarters import Quarter
from analysis.methods.trajectory import PLANNED
from analysis.products.indicator_tables import (
    difference_notes,
    indicators_table,
    releases_footnote,
    table_footnotes,
)
from analysis.products.presentation import (
    SUPPRESSED,
    heading,
    html_block,
    markdown,
    overdue_action_ids,
    table_html,
)
from analysis.products.quarterly_report import actions_table
from analysis.products.report_data import ReportData, topic_commentary_text
from analysis.products.topic_flow import count_text, percent_text
from analysis.products.topic_parts import (
    POPULATION_SOURCE,
    days_text,
    list_name,
    topic_rows,
    total_row,
)
from analysis.products.topic_sections import (
    disproportionality_blocks,
    drift_blocks,
    england_blocks,
    journey_blocks,
    profile_blocks,
)
from analysis.safe_text import commentary_html, html_text
from analysis.units import format_number


def topic_report_title(authority: str, topic: Topic, quarter: Quarter) -> str:
    """``Medway children's services: topic report, Child protection, April to June 2015 (2015-16 Q1)``."""
    return f"{authority} children's services: topic report, {topic.title}, {quarter.name}"


# ------------------------------------------------------------------------------------------- how to read
def how_to_read_html(config: ProjectConfig, topic: Topic) -> str:
    """The topic report's "How to read this report" box: what the topic covers and how its figures are read.

    The themed reports' box (:func:`analysis.products.report_cover.how_to_read_html`) speaks of themes and their
    statuses, which a topic report has not; this one names the topic's lists and plan actions, and says only what
    the report's own sections need (those in ``analyses``).
    """
    lists = [list_name(name) for name in topic.lists]
    listed = ", ".join(lists[:-1]) + f" and {lists[-1]}" if len(lists) > 1 else "".join(lists)
    actions = ", ".join(topic.actions)
    themes = ", ".join(str(t) for t in topic.themes)
    region = html_text(config.authority.region.name)
    points = [
        f"This report is about <strong>{html_text(topic.title)}</strong>: the children in the council's lists of "
        f"{html_text(listed)}, this quarter and in the twelve months to its end, and the Improvement Plan's actions "
        f"{html_text(actions)} (theme{'s' if len(topic.themes) > 1 else ''} {html_text(themes)}).",
        f"Indicators: our latest figure beside England, the {region} region and councils like ours, and whether the "
        "monthly chart shows an unusual change.",
    ]
    if "disproportionality" in topic.analyses:
        points.append(
            "A disproportionality ratio sets an ethnic group's share of the children against its share of the "
            "council's residents: above 1, more children of that group than the population would suggest (unlikely "
            "to be chance when the whole 95% interval is above 1)."
        )
    if "journeys" in topic.analyses:
        points.append(
            "In the journeys, <em>too recent to tell</em> means the time allowed for the next step had not ended by "
            "the end of the period."
        )
    points.append(
        "<strong>c</strong>: not shown because it is based on 1 to 5 children, or because a figure of 1 to 5 could be "
        "worked out from it and a total."
    )
    items = "".join(f"<li>{p}</li>" for p in points)
    return (
        '<aside class="how-to-read" aria-label="How to read this report"><p><strong>How to read this report'
        f"</strong></p><ul>{items}</ul></aside>"
    )


# ------------------------------------------------------------------------------------------- first screen
def first_screen_sentences(data: ReportData, topic: Topic) -> list[str]:
    """Three or four plain sentences from the tables: children in the lists, the key conversion, drift, ratios."""
    sentences = []
    profile = topic_rows(data, "topic_profile", topic)
    if not profile.empty:
        said = []
        for name in topic.lists:
            total = total_row(profile, name, "quarter")
            if total is not None:
                said.append(f"{list_name(name)} {count_text(total['children'], total['withheld'])}")
        if said:
            sentences.append(f"Children in each list in {data.quarter.name}: " + "; ".join(said) + ".")
    journeys = topic_rows(data, "topic_journeys", topic)
    for journey in topic.journeys:
        rows = journeys.loc[(journeys["journey"] == journey) & (journeys["period"] == "quarter")]
        first = rows.loc[(rows["step"] == 1) & (rows["outcome"] == "all")]
        went_on = rows.loc[(rows["step"] == 1) & (rows["outcome"] != "all")]
        if first.empty or went_on.empty:
            continue
        a, b = first.iloc[0], went_on.iloc[0]
        sentences.append(
            f"Of {count_text(a['count'], a['withheld'])} {str(a['step_name']).lower()} this quarter, "
            f"{count_text(b['count'], b['withheld'])} ({percent_text(b['percent_of_step'], b['withheld'])}) "
            f"went on to the next step ({b['outcome']})."
        )
    drift = topic_rows(data, "topic_drift", topic)
    medians = [
        f"{days_text(row['median_days'])} to {'a ' if row['destination'].startswith('child') else 'becoming '}"
        f"{row['destination']}"
        for _, row in (drift.loc[drift["period"] == "year"] if not drift.empty else drift).iterrows()
        if pd.notna(row["median_days"])
    ]
    if medians:
        sentences.append("Over the year, the median time from referral was " + " and ".join(medians) + ".")
    stability = (
        profile.loc[
            (profile["list"] == "looked_after")
            & (profile["period"] == "year")
            & (profile["breakdown"] == "placements")
            & (profile["category"] == "3 or more")
        ]
        if not profile.empty
        else profile
    )
    if not stability.empty:
        s = stability.iloc[0]
        sentences.append(
            f"Over the year, {count_text(s['children'], s['withheld'])} children looked after "
            f"({percent_text(s['percent'], s['withheld'])}) had three or more placements."
        )
    dispro = topic_rows(data, "topic_disproportionality", topic)
    if not dispro.empty:
        for name in topic.lists:
            over = dispro.loc[
                (dispro["list"] == name) & (dispro["period"] == "year") & (dispro["ratio_lower_95"] > 1)
            ]
            if not over.empty:
                groups = ", ".join(sorted({str(g) for g in over["ethnic_group"]}))
                sentences.append(
                    f"Among {list_name(name)} over the year, more children were {groups} than the population "
                    f"would suggest ({POPULATION_SOURCE}; the 95% interval of the ratio is above 1)."
                )
                break
    return sentences[:4]


def first_screen_html(data: ReportData, topic: Topic) -> str:
    sentences = first_screen_sentences(data, topic) or [
        "The analysis made no figures for this topic this quarter."
    ]
    return '<div class="topic-summary">' + "".join(f"<p>{html_text(s)}</p>" for s in sentences) + "</div>"


# ------------------------------------------------------------------------------------------- indicators and actions
def indicator_blocks(data: ReportData, topic: Topic) -> list[object]:
    indicators = [data.config.indicator(i) for i in topic.indicators if i in data.config.indicators_by_id]
    if not indicators:
        return [markdown("This topic has no performance indicators.")]
    table = indicators_table(data, indicators)
    releases = releases_footnote(data.benchmark_comparison, indicators)
    notes = [*difference_notes(data, indicators), *table_footnotes(table), *([releases] if releases else [])]
    blocks: list[object] = [
        html_block(table_html(table, caption=f"{topic.title}: indicators", footnotes=notes))
    ]
    anticipated = anticipated_table(data, indicators)
    if not anticipated.empty:
        blocks.append(
            html_block(
                table_html(
                    anticipated,
                    caption=f"{topic.title}: indicators against their anticipated trend, {data.quarter.months[-1]:%B %Y}",
                    footnotes=[
                        "Anticipated: the Board's planned path (with its tolerance) where the plan sets one, "
                        f"otherwise the forecast from the indicator's own past months (its {BAND_LEVEL}% range). "
                        "Out of line: outside the range on the side that matters.",
                        *table_footnotes(anticipated),
                    ],
                )
            )
        )
    return blocks


def anticipated_table(data: ReportData, indicators: Sequence[Indicator]) -> pd.DataFrame:
    """The topic's indicators against their anticipated trend (``anticipated``) in the quarter's last month."""
    rows = data.tables.get("anticipated")
    if rows is None or rows.empty:
        return pd.DataFrame()
    month = pd.Timestamp(data.quarter.months[-1])
    at = rows.loc[pd.to_datetime(rows["month"]) == month].set_index("indicator_id")
    out = []
    for indicator in indicators:
        if indicator.id not in at.index or pd.isna(at.loc[indicator.id, "expected"]):
            continue
        r = at.loc[indicator.id]
        hidden = bool(r["suppressed"])
        position = str(r["position"]) if isinstance(r["position"], str) else ""
        out.append(
            {
                "Indicator": indicator.name,
                "Anticipated by": "planned path" if r["basis"] == PLANNED else "forecast",
                "Anticipated": format_number(r["expected"], indicator),
                "Range": f"{format_number(r['lower'], indicator)} to {format_number(r['upper'], indicator)}",
                "Our figure": SUPPRESSED if hidden else format_number(r["value"], indicator),
                "Against the range": "–"
                if hidden or not position
                else ("out of line: " if bool(r["out_of_line"]) else "")
                + {"above": "above the range", "below": "below the range"}.get(position, "within the range"),
            }
        )
    return pd.DataFrame(out)


def topic_actions_table(data: ReportData, topic: Topic) -> pd.DataFrame:
    """The topic's actions (``actions`` in config/topics.yml) as the quarterly report's actions table shows them."""
    overdue = overdue_action_ids(data.exceptions, data.quarter.label)
    parts = [actions_table(data.actions, theme, overdue) for theme in topic.themes]
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    if table.empty:
        return table
    return table.loc[table["Ref"].astype(str).isin(topic.actions)].reset_index(drop=True)


# ------------------------------------------------------------------------------------------- the report
def topic_report_blocks(data: ReportData, topic_id: str) -> list[object]:
    """The body of a topic report after its cover, in order, as displayable blocks."""
    topic = data.config.topics.topic(topic_id)
    blocks: list[object] = [heading(2, "This quarter in brief"), html_block(first_screen_html(data, topic))]
    blocks += [heading(2, "Indicators"), *indicator_blocks(data, topic)]
    actions = topic_actions_table(data, topic)
    blocks.append(heading(2, "Actions"))
    if actions.empty:
        blocks.append(markdown("No actions are recorded for this topic."))
    else:
        blocks.append(html_block(table_html(actions, caption=f"{topic.title}: actions and their status")))
    if "profile" in topic.analyses:
        blocks += [heading(2, "Who the children are"), *profile_blocks(data, topic)]
    if "disproportionality" in topic.analyses:
        blocks += [heading(2, "Disproportionality by ethnic group"), *disproportionality_blocks(data, topic)]
    if "journeys" in topic.analyses:
        blocks += [heading(2, "Journeys"), *journey_blocks(data, topic)]
    if "drift" in topic.analyses:
        blocks += [heading(2, "Drift"), *drift_blocks(data, topic)]
    blocks += england_blocks(data, topic)
    blocks.append(heading(2, "Commentary on the topic"))
    blocks.append(html_block(commentary_html(topic_commentary_text(data.commentary, data.quarter, topic.id))))
    return blocks
