"""The analysis sections of a topic report (issue 19): profile, disproportionality, journeys, drift, England.

Each section presents one topic table (:mod:`analysis.stages.topics`, schemas in :mod:`analysis.schemas_topics`) as
it is; a cell the analysis withheld shows :data:`~analysis.products.presentation.SUPPRESSED` with its footnote.
:mod:`analysis.products.topic_report` puts them in order after the first screen, indicators and actions.
"""

from __future__ import annotations

import pandas as pd

from analysis.config_glossary import GlossarySettings
from analysis.config_topics import Topic
from analysis.products.chart_style import year_label
from analysis.products.glossary import code_words
from analysis.products.presentation import SUPPRESSED, heading, html_block, markdown, table_html
from analysis.products.report_data import ReportData
from analysis.products.topic_flow import count_text, journey_flow, percent_text, withheld
from analysis.products.topic_parts import (
    JOURNEY_NAMES,
    PERIOD_WORDS,
    POPULATION_SOURCE,
    breakdown_name,
    days_text,
    footnotes_for,
    list_name,
    shown,
    topic_rows,
)


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
            caption = f"{list_name(name).capitalize()} by {breakdown_name(breakdown)} (children)"
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
        notes = [
            *footnotes_for(table, list(part["withheld"])),
            shares_note(part),
            f"Population: {POPULATION_SOURCE}.",
        ]
        blocks.append(html_block(table_html(table, caption=caption, footnotes=notes)))
    return blocks


def shares_note(part: pd.DataFrame) -> str:
    """What one list's shares are of, as the table's footnote says it."""
    known, of = part["children_with_known_ethnicity"].iloc[0], str(part["shares_of"].iloc[0])
    if pd.notna(known):
        return f"Shares are of the {count_text(known)} children whose ethnicity is recorded."
    if of:
        return (
            "Shares are of all the children in the list: the number whose ethnicity is not recorded (1 to 5) is "
            "withheld, so the children of known ethnicity cannot be shown."
        )
    return "Shares are not shown: the number of children in the list is withheld."


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


def no_published_figures(data: ReportData, what: str) -> str:
    """The sentence for a comparison with England that DfE had not published for any year up to the quarter."""
    return (
        f"No published figures for this year: DfE had released no figures on {what} for England by "
        f"{data.quarter.end.day} {data.quarter.end:%B %Y}, the end of {data.quarter.name}, so there is nothing to "
        "compare with."
    )


def england_blocks(data: ReportData, topic: Topic) -> list[object]:
    """Placement distance and assessment factors against England (EES), the latest year, where present."""
    blocks: list[object] = []
    distance = topic_rows(data, "topic_placement_distance", topic)
    if "placement_distance" in topic.analyses:
        blocks.append(heading(2, "Distance of new placements from home, against England"))
        if distance.empty:
            blocks.append(markdown(no_published_figures(data, "new placements' distance from home")))
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
            notes = [*footnotes_for(table, list(d["authority_withheld"])), f"Source: {d['release'].iloc[0]}."]
            blocks.append(html_block(table_html(table, caption=caption, footnotes=notes)))
    factors = topic_rows(data, "topic_assessment_factors", topic)
    if "assessment_factors" in topic.analyses:
        blocks.append(heading(2, "Factors identified at the end of assessment, against England"))
        if factors.empty:
            blocks.append(markdown(no_published_figures(data, "factors identified at the end of assessment")))
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
            notes = [*footnotes_for(table, list(f["authority_withheld"])), f"Source: {f['release'].iloc[0]}."]
            blocks.append(html_block(table_html(table, caption=caption, footnotes=notes)))
    return blocks
