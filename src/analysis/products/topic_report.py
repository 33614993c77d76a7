"""The quarterly reports on themed topics (issue 19): one topic's figures this quarter, as the analysis stage left them.

A first screen of a few sentences made from the tables, the topic's indicators and actions, the profile of the
children in each list, disproportionality, the journeys (table and flow), drift, placement distance and assessment
factors against England, and the topic's commentary. Every figure is read from the topic tables
(:mod:`analysis.stages.topics`, schemas in :mod:`analysis.schemas_topics`); nothing is computed here. A cell the
analysis withheld (``withheld`` not empty) shows :data:`~analysis.products.presentation.SUPPRESSED` with its footnote.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from analysis.config_glossary import GlossarySettings
from analysis.config_topics import Topic
from analysis.methods.quarters import Quarter
from analysis.products.chart_style import year_label
from analysis.products.glossary import code_words
from analysis.products.indicator_tables import indicators_table, releases_footnote, table_footnotes
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
from analysis.products.topic_flow import count_text, journey_flow, percent_text, withheld
from analysis.safe_text import commentary_html, html_text

SECONDARY_FOOTNOTE = "Some figures of 6 or more are also shown as c, so that a figure of 1 to 5 cannot be worked out from a total."
POPULATION_SOURCE = "Census 2021, all ages, ONS"
LIST_NAMES = {
    "early_help": "early help assessments",
    "section47": "section 47 enquiries",
    "cp_plans": "child protection plans",
    "looked_after": "children looked after",
}
JOURNEY_NAMES = {
    "front_door": "The front door: contact to referral to assessment",
    "child_protection": "Child protection: section 47 enquiry to initial conference to plan",
}
PERIOD_WORDS = {"quarter": "This quarter", "year": "Year to the quarter's end"}


# ------------------------------------------------------------------------------------------- small parts
def list_name(name: str) -> str:
    """An Annex A list in words: ``section47`` -> ``section 47 enquiries``, ``care_leavers`` -> ``care leavers``."""
    return LIST_NAMES.get(name, name.replace("_", " "))


def topic_report_title(authority: str, topic: Topic, quarter: Quarter) -> str:
    """``Medway children's services: topic report, Child protection, April to June 2015 (2015-16 Q1)``."""
    return f"{authority} children's services: topic report, {topic.title}, {quarter.name}"


def topic_rows(data: ReportData, name: str, topic: Topic) -> pd.DataFrame:
    """The rows of one topic table for this topic (empty when the run made none)."""
    table = data.tables.get(name)
    if table is None or table.empty:
        return pd.DataFrame(columns=["topic_id"])
    return table.loc[table["topic_id"] == topic.id].reset_index(drop=True)


def shown(
    frame: pd.DataFrame, column: str, reasons: str | None = None, *, percent: bool = False
) -> list[str]:
    """A column's cells as shown, each ``c`` where the ``reasons`` column says it was withheld."""
    why = frame[reasons] if reasons else pd.Series("", index=frame.index)
    text = percent_text if percent else count_text
    return [text(v, r) for v, r in zip(frame[column], why, strict=True)]


def days_text(value: object) -> str:
    if value is None or pd.isna(value):
        return "–"
    return f"{float(value):,.0f} days"  # type: ignore[arg-type]


def footnotes_for(table: pd.DataFrame, reasons: Sequence[object] = ()) -> list[str]:
    """The c footnote when a cell shows c, and the secondary-suppression note when a cell was withheld for a total."""
    notes = table_footnotes(table)
    if any("worked out" in str(r) for r in reasons):
        notes.append(SECONDARY_FOOTNOTE)
    return notes


def _total(profile: pd.DataFrame, list_name: str, period: str) -> pd.Series | None:
    rows = profile.loc[
        (profile["list"] == list_name)
        & (profile["period"] == period)
        & (profile["group"] == "all children")
        & (profile["category"] == "total")
    ]
    return None if rows.empty else rows.iloc[0]


# ------------------------------------------------------------------------------------------- first screen
def first_screen_sentences(data: ReportData, topic: Topic) -> list[str]:
    """Three or four plain sentences from the tables: children in the lists, the key conversion, drift, ratios."""
    sentences = []
    profile = topic_rows(data, "topic_profile", topic)
    if not profile.empty:
        said = []
        for name in topic.lists:
            total = _total(profile, name, "quarter")
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
    notes = [*table_footnotes(table), *([releases] if releases else [])]
    return [html_block(table_html(table, caption=f"{topic.title}: indicators", footnotes=notes))]


def topic_actions_table(data: ReportData, topic: Topic) -> pd.DataFrame:
    """The topic's actions (``actions`` in config/topics.yml) as the quarterly report's actions table shows them."""
    overdue = overdue_action_ids(data.exceptions, data.quarter.label)
    parts = [actions_table(data.actions, theme, overdue) for theme in topic.themes]
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    if table.empty:
        return table
    return table.loc[table["Ref"].astype(str).isin(topic.actions)].reset_index(drop=True)


# ------------------------------------------------------------------------------------------- profile
def profile_table(
    profile: pd.DataFrame, list_name: str, breakdown: str, glossary: GlossarySettings | None = None
) -> tuple[pd.DataFrame, list[object]]:
    """One breakdown of one list: each group and category with its children and % for the quarter and the year.

    A category is shown in words (``health_services`` -> ``health services``, ``neet`` -> ``NEET`` with the
    glossary), never as the code the cleaning stored.
    """
    rows = profile.loc[(profile["list"] == list_name) & (profile["breakdown"] == breakdown)]
    keys = list(dict.fromkeys(zip(rows["group"], rows["category"], strict=True)))
    out, reasons = [], []
    for group, category in keys:
        shown = code_words(str(category), glossary)
        line = {"Group": shown if group == "all children" else f"{group}: {shown}"}
        for period in ("quarter", "year"):
            cell = rows.loc[
                (rows["group"] == group) & (rows["category"] == category) & (rows["period"] == period)
            ]
            if cell.empty:
                line[f"{PERIOD_WORDS[period]}: children"] = "–"
                line[f"{PERIOD_WORDS[period]}: % of the list"] = "–"
                continue
            c = cell.iloc[0]
            reasons.append(c["withheld"])
            line[f"{PERIOD_WORDS[period]}: children"] = count_text(c["children"], c["withheld"])
            line[f"{PERIOD_WORDS[period]}: % of the list"] = percent_text(c["percent"], c["withheld"])
        out.append(line)
    return pd.DataFrame(out), reasons


def profile_blocks(data: ReportData, topic: Topic) -> list[object]:
    profile = topic_rows(data, "topic_profile", topic)
    if profile.empty:
        return [markdown("No profile was made for this topic this quarter.")]
    blocks: list[object] = []
    for name in topic.lists:
        breakdowns = list(dict.fromkeys(profile.loc[profile["list"] == name, "breakdown"]))
        if not breakdowns:
            continue
        blocks.append(heading(3, list_name(name).capitalize()))
        for breakdown in breakdowns:
            table, reasons = profile_table(profile, name, breakdown, data.config.glossary)
            caption = f"{list_name(name).capitalize()} by {breakdown.replace('_', ' ')} (children)"
            blocks.append(
                html_block(table_html(table, caption=caption, footnotes=footnotes_for(table, reasons)))
            )
    return blocks


# ------------------------------------------------------------------------------------------- disproportionality
def disproportionality_blocks(data: ReportData, topic: Topic) -> list[object]:
    rows = topic_rows(data, "topic_disproportionality", topic)
    if rows.empty:
        return [markdown("No disproportionality figures were made for this topic this quarter.")]
    blocks: list[object] = []
    has_population = rows["population"].notna().any()
    intro = (
        f"Each ethnic group's share of the children against its share of the council's population ({POPULATION_SOURCE}). "
        "A ratio above 1 means the group is over-represented; the 95% interval shows how sure that is."
    )
    if not has_population:
        intro += " Ratios are not available: the ONS population by ethnic group was not found, so only shares are shown."
    blocks.append(markdown(intro))
    for name in topic.lists:
        part = rows.loc[(rows["list"] == name) & (rows["period"] == "year")]
        if part.empty:
            continue
        table = pd.DataFrame(
            {
                "Ethnic group": part["ethnic_group"],
                "Children": shown(part, "children", "withheld"),
                "Share of children (%)": shown(part, "share_percent", "withheld", percent=True),
                "Share of population (%)": shown(part, "population_share_percent", percent=True),
                "Ratio (95% interval)": [
                    SUPPRESSED
                    if withheld(r)
                    else ("not available" if pd.isna(v) else f"{v:.2f} ({lo:.2f} to {hi:.2f})")
                    for v, lo, hi, r in zip(
                        part["ratio"],
                        part["ratio_lower_95"],
                        part["ratio_upper_95"],
                        part["withheld"],
                        strict=True,
                    )
                ],
            }
        )
        caption = f"{list_name(name).capitalize()}, year to the quarter's end, by ethnic group"
        notes = [*footnotes_for(table, list(part["withheld"])), f"Population: {POPULATION_SOURCE}."]
        blocks.append(html_block(table_html(table, caption=caption, footnotes=notes)))
    return blocks


# ------------------------------------------------------------------------------------------- journeys
def journey_table(rows: pd.DataFrame) -> tuple[pd.DataFrame, list[object]]:
    """A journey's steps and outcomes for the quarter and the year: counts, each outcome's % of its step, and each
    step's count as a % of the step before (the stored % of the outcome that went on)."""
    keys = list(dict.fromkeys(zip(rows["step"], rows["step_name"], rows["outcome"], strict=True)))
    out, reasons = [], []
    went_on: dict[str, str] = {}  # per period: the share of the step before that went on
    first_outcome: set[tuple[int, str]] = set()
    for step, name, outcome in keys:
        line = {
            "Step": f"{int(step)}. {name}",
            "What happened": "all (the step's count)" if outcome == "all" else str(outcome),
        }
        for period in ("quarter", "year"):
            number, share = f"{PERIOD_WORDS[period]}: number", f"{PERIOD_WORDS[period]}: share"
            cell = rows.loc[
                (rows["step"] == step) & (rows["outcome"] == outcome) & (rows["period"] == period)
            ]
            if cell.empty:
                line[number], line[share] = "–", "–"
                continue
            c = cell.iloc[0]
            reasons.append(c["withheld"])
            line[number] = count_text(c["count"], c["withheld"])
            if outcome == "all":
                before = went_on.get(period)
                shown_before = before if before in (SUPPRESSED, "–") else f"{before} of the step before"
                line[share] = shown_before if int(step) > 1 and before else ""
            else:
                part = percent_text(c["percent_of_step"], c["withheld"])
                line[share] = part if part in (SUPPRESSED, "–") else f"{part} of the step"
                if (int(step), period) not in first_outcome:  # the first outcome goes on to the next step
                    first_outcome.add((int(step), period))
                    went_on[period] = percent_text(c["percent_of_step"], c["withheld"])
        out.append(line)
    return pd.DataFrame(out), reasons


def journey_blocks(data: ReportData, topic: Topic) -> list[object]:
    rows = topic_rows(data, "topic_journeys", topic)
    if rows.empty:
        return [markdown("No journeys were made for this topic this quarter.")]
    blocks: list[object] = []
    for journey in topic.journeys:
        part = rows.loc[rows["journey"] == journey]
        if part.empty:
            continue
        title = JOURNEY_NAMES.get(journey, journey)
        blocks.append(heading(3, title))
        table, reasons = journey_table(part)
        rules = list(
            dict.fromkeys(f"Step {int(s)}: {r}" for s, r in zip(part["step"], part["rule"], strict=True))
        )
        notes = [
            *footnotes_for(table, reasons),
            "Too recent to tell: the time allowed for the next step had not ended by the period's end.",
            *rules,
        ]
        blocks.append(html_block(table_html(table, caption=f"{title} (events)", footnotes=notes)))
        blocks.append(html_block(journey_flow(part, title).to_html()))
    return blocks


# ------------------------------------------------------------------------------------------- drift, England
def drift_blocks(data: ReportData, topic: Topic) -> list[object]:
    rows = topic_rows(data, "topic_drift", topic)
    if rows.empty:
        return [markdown("No drift figures were made for this topic this quarter.")]
    hidden = [str(r) for r in rows["withheld"]]
    columns = {
        "Starts": "starts",
        "Within 6 months": "within_6_months",
        "6 to 12 months": "from_6_to_12_months",
        "Over 12 months": "over_12_months",
        "No referral found": "no_referral_found",
    }
    table = pd.DataFrame(
        {
            "Start": [
                f"{d} ({PERIOD_WORDS[p].lower()})"
                for d, p in zip(rows["destination"], rows["period"], strict=True)
            ]
        }
        | {
            label: [
                SUPPRESSED if f"{c}:" in w else count_text(v) for v, w in zip(rows[c], hidden, strict=True)
            ]
            for label, c in columns.items()
        }
        | {
            "Median (quartiles)": [
                f"{days_text(r['median_days'])} ({days_text(r['lower_quartile_days'])} to "
                f"{days_text(r['upper_quartile_days'])})"
                if pd.notna(r["median_days"])
                else "–"
                for _, r in rows.iterrows()
            ]
        }
    )
    return [
        markdown("Days from the referral before it to a child protection plan or to becoming looked after."),
        html_block(
            table_html(
                table, caption="Drift: time from referral (children)", footnotes=footnotes_for(table, hidden)
            )
        ),
    ]


def england_blocks(data: ReportData, topic: Topic) -> list[object]:
    """Placement distance and assessment factors against England (EES), the latest year, where present."""
    blocks: list[object] = []
    distance = topic_rows(data, "topic_placement_distance", topic)
    if "placement_distance" in topic.analyses:
        blocks.append(heading(2, "Distance of new placements from home, against England"))
        if distance.empty:
            blocks.append(markdown("The published figures on new placements were not available."))
        else:
            year = int(distance["time_period"].max())
            d = distance.loc[distance["time_period"] == year]
            table = pd.DataFrame(
                {
                    "Location": d["location"],
                    "Our new placements": shown(d, "authority_count", "authority_withheld"),
                    "Our %": shown(d, "authority_percent", "authority_withheld", percent=True),
                    "England %": shown(d, "england_percent", percent=True),
                }
            )
            caption = f"New placements by distance from home, {year_label(year)} (DfE, children looked after)"
            notes = footnotes_for(table, list(d["authority_withheld"]))
            blocks.append(html_block(table_html(table, caption=caption, footnotes=notes)))
    factors = topic_rows(data, "topic_assessment_factors", topic)
    if "assessment_factors" in topic.analyses:
        blocks.append(heading(2, "Factors identified at the end of assessment, against England"))
        if factors.empty:
            blocks.append(markdown("The published factors at the end of assessment were not available."))
        else:
            year = int(factors["time_period"].max())
            f = factors.loc[factors["time_period"] == year]
            table = pd.DataFrame(
                {
                    "Factor": f["factor_label"],
                    "Our episodes": shown(f, "authority_count", "authority_withheld"),
                    "Our %": shown(f, "authority_percent", "authority_withheld", percent=True),
                    "England %": shown(f, "england_percent", percent=True),
                }
            )
            caption = (
                f"Factors at the end of assessment, {year_label(year)} (DfE, children in need, table C3)"
            )
            notes = footnotes_for(table, list(f["authority_withheld"]))
            blocks.append(html_block(table_html(table, caption=caption, footnotes=notes)))
    return blocks


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
