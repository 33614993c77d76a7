"""The quarterly reports on themed topics (issue 19): the product presents the topic tables, and the run makes them."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from report_fixtures import QUARTER, REPO, TABLES
from test_topic_journeys import WINDOWS, front_door_lists

from analysis.config import load_config
from analysis.io import read_table
from analysis.methods.quarters import Quarter
from analysis.methods.topic_analyses import topic_periods
from analysis.methods.topic_journeys import front_door_steps, journey_table
from analysis.products.presentation import SUPPRESSED, SUPPRESSED_FOOTNOTE
from analysis.products.report_data import NO_TOPIC_COMMENTARY, ReportData, topic_commentary_text
from analysis.products.topic_flow import journey_flow
from analysis.products.topic_parts import POPULATION_SOURCE, SECONDARY_FOOTNOTE
from analysis.products.topic_report import first_screen_sentences, how_to_read_html, topic_report_blocks
from analysis.run.report_stage import report_notebooks
from analysis.safe_text import html_text
from analysis.schemas import schema
from analysis.stages.cleaning.commentary import parse_commentary

TOPIC = "early-help-and-front-door"
PERIODS = topic_periods(pd.Timestamp("2015-04-01").date(), pd.Timestamp("2015-06-30").date())
SMALL = "c: from 1 to 5 children"
SECONDARY = "c: withheld so that a suppressed figure cannot be worked out from the total"


def _period_columns(period: str) -> dict[str, object]:
    p = PERIODS[0] if period == "quarter" else PERIODS[1]
    return {"period": period, "period_start": p.start, "period_end": p.end}


def _profile() -> pd.DataFrame:
    rows = []
    for period in ("quarter", "year"):
        for category, children, reason in [
            ("total", 40.0, ""),
            ("White", 30.0, ""),
            ("Black", None, SMALL),
            ("Asian", None, SECONDARY),
        ]:
            rows.append(
                {
                    "topic_id": TOPIC,
                    "list": "contacts",
                    **_period_columns(period),
                    "breakdown": "ethnicity",
                    "group": "all children",
                    "category": category,
                    "children": children,
                    "percent": None if children is None else 100 * children / 40,
                    "withheld": reason,
                }
            )
    return pd.DataFrame(rows)


def _disproportionality() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "topic_id": TOPIC,
            "list": "contacts",
            **_period_columns("year"),
            "ethnic_group": ["White", "Black"],
            "children": [30.0, None],
            "children_with_known_ethnicity": [38.0, 38.0],
            "shares_of": ["children of known ethnicity"] * 2,
            "share_percent": [78.9, None],
            "population": [None, None],  # no ONS population file: shares only
            "population_share_percent": [None, None],
            "ratio": [None, None],
            "ratio_lower_95": [None, None],
            "ratio_upper_95": [None, None],
            "withheld": ["", SMALL],
        }
    )


def _journeys() -> pd.DataFrame:
    parts = []
    for period in PERIODS:
        steps = front_door_steps(*front_door_lists(), period, WINDOWS)
        parts.append(journey_table(steps, "front_door", period, topic_id=TOPIC, lower=1, upper=1))
    return pd.concat(parts, ignore_index=True)


def _drift() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "topic_id": TOPIC,
            **_period_columns("year"),
            "destination": ["child protection plan"],
            "starts": [20.0],
            "within_6_months": [12.0],
            "from_6_to_12_months": [None],
            "over_12_months": [None],
            "no_referral_found": [0.0],
            "over_6_months": [8.0],
            "median_days": [96.0],
            "lower_quartile_days": [40.0],
            "upper_quartile_days": [200.0],
            "withheld": [f"from_6_to_12_months: {SMALL}; over_12_months: {SECONDARY}"],
        }
    )


@pytest.fixture(scope="module")
def data() -> ReportData:
    tables = {name: build() for name, build in TABLES.items()}
    tables["commentary"] = pd.concat(
        [
            tables["commentary"],
            pd.DataFrame(
                {
                    "quarter": [QUARTER],
                    "theme": [0],
                    "indicator_id": [f"topic:{TOPIC}"],
                    "text": ["Contacts **rose**. <script>alert(1)</script>"],
                }
            ),
        ],
        ignore_index=True,
    )
    tables |= {
        "topic_profile": _profile(),
        "topic_disproportionality": _disproportionality(),
        "topic_journeys": _journeys(),
        "topic_drift": _drift(),
        "topic_placement_distance": pd.DataFrame(columns=schema("topic_placement_distance").column_names),
        "topic_assessment_factors": pd.DataFrame(columns=schema("topic_assessment_factors").column_names),
    }
    return ReportData(load_config(REPO / "config"), Quarter.parse(QUARTER), tables, None)


def page(blocks: list[object]) -> str:
    return "\n".join(str(getattr(b, "data", b)) for b in blocks)


def test_journey_counts_shown_equal_the_table_in_table_and_flow(data: ReportData) -> None:
    text = page(topic_report_blocks(data, TOPIC))
    rows = data.topic_journeys
    quarter = rows.loc[rows["period"] == "quarter"]
    # hand count (tests/test_topic_journeys.py): 7 contacts, 3 referrals, 1 assessment within 30 days
    assert quarter.loc[(quarter["step"] == 1) & (quarter["outcome"] == "all"), "count"].item() == 7
    flow = journey_flow(quarter, "Front door")
    for _, row in quarter.iterrows():
        shown = SUPPRESSED if row["withheld"] else f"{row['count']:,.0f}"
        assert shown in text
    drawn = re.findall(r'font-weight="bold" text-anchor="middle">([^<]+)<', flow.svg)
    steps = quarter.loc[quarter["outcome"] == "all"].sort_values("step")
    assert drawn == [
        SUPPRESSED if w else f"{c:,.0f}" for c, w in zip(steps["count"], steps["withheld"], strict=True)
    ]
    assert flow.alt.startswith("Front door, this quarter.") and "Contacts received: 7" in flow.alt
    assert "too recent to tell" in text and "LIIA children in need reports" in text
    assert "<td>42.9% of the step</td>" in text and "<td>42.9% of the step before</td>" in text


def test_withheld_cells_show_c_with_their_footnotes(data: ReportData) -> None:
    text = page(topic_report_blocks(data, TOPIC))
    assert f"<td>{SUPPRESSED}</td>" in text
    assert html_text(SUPPRESSED_FOOTNOTE) in text and html_text(SECONDARY_FOOTNOTE) in text
    # drift: the two withheld bands are c, the others shown
    assert "<td>20</td><td>12</td><td>c</td><td>c</td><td>0</td>" in text


def test_disproportionality_names_the_population_and_says_when_ratios_are_missing(data: ReportData) -> None:
    text = page(topic_report_blocks(data, TOPIC))
    assert POPULATION_SOURCE == "Census 2021, all ages, ONS" and POPULATION_SOURCE in text
    assert "Ratios are not available" in text


def test_first_screen_is_three_or_four_sentences_from_the_tables(data: ReportData) -> None:
    sentences = first_screen_sentences(data, data.config.topics.topic(TOPIC))
    assert 3 <= len(sentences) <= 4
    assert sentences[0] == "Children in each list in April to June 2015 (2015-16 Q1): contacts 40."
    assert sentences[1].startswith(
        "Of 7 contacts received this quarter, 3 (42.9%) went on to the next step (referral)"
    )
    assert (
        sentences[2] == "Over the year, the median time from referral was 96 days to a child protection plan."
    )


def test_topic_commentary_is_read_and_sanitised(data: ReportData, tmp_path: Path) -> None:
    text = page(topic_report_blocks(data, TOPIC))
    assert "<strong>rose</strong>" in text and "<script>" not in text and "&lt;script&gt;" in text
    assert topic_commentary_text(data.commentary, data.quarter, "child-protection") == NO_TOPIC_COMMENTARY
    rows = parse_commentary(
        "## 1 Quality\nTheme text.\n## Topic: child-protection\nPlans fell.\n### Subheading\nMore.\n",
        QUARTER,
        tmp_path / f"{QUARTER}.md",
        data.config,
    )
    assert [(r["theme"], r["indicator_id"]) for r in rows] == [(1, None), (0, "topic:child-protection")]
    assert rows[0]["text"] == "Theme text." and "Plans fell." in str(rows[1]["text"])


def test_the_run_makes_one_topic_report_per_topic(data: ReportData) -> None:
    jobs = report_notebooks(data.config, data.quarter)
    topics = [(o, p) for s, o, p in jobs if s == "topic_report.ipynb"]
    assert [o for o, _ in topics] == [f"topic-{t.id}.ipynb" for t in data.config.topics.topics]
    assert all(p == {"quarter": QUARTER, "topic": o[6:-6]} for o, p in topics)


# --------------------------------------------------------------------------------------------------- e2e
_CHILD_COUNT_CELL = re.compile(r"<td>([1-5])</td>")


@pytest.mark.e2e
def test_topic_reports_of_the_demo_run(first_run, demo_project) -> None:  # type: ignore[no-untyped-def]
    quarter_dir = demo_project.quarter_reports(QUARTER)
    config = load_config(demo_project.config)
    journeys = read_table("topic_journeys", demo_project.processed)
    index = (quarter_dir / "index.html").read_text(encoding="utf-8")
    for topic in config.topics.topics:
        html_page = quarter_dir / f"topic-{topic.id}.html"
        assert html_page.is_file() and f'href="topic-{topic.id}.html"' in index
        text = html_page.read_text(encoding="utf-8")
        assert "&amp;amp;" not in text and "&amp;lt;" not in text  # escaped once, never twice
        assert not _CHILD_COUNT_CELL.search(text), "a cell shows 1 to 5 children"
        rows = journeys.loc[(journeys["topic_id"] == topic.id)]
        for _, row in rows.iterrows():
            shown = SUPPRESSED if row["withheld"] else f"{row['count']:,.0f}"
            assert f"<td>{shown}</td>" in text
        for journey in topic.journeys:
            steps = rows.loc[(rows["journey"] == journey) & (rows["outcome"] == "all")]
            for _, step in steps.loc[steps["period"] == "quarter"].iterrows():
                shown = SUPPRESSED if step["withheld"] else f"{step['count']:,.0f}"
                assert f"{step['step_name']}: {shown}" in text  # the flow's alt text names each step's count


def test_how_to_read_box_is_about_the_topic(data: ReportData) -> None:
    front_door = how_to_read_html(data.config, data.config.topics.topic(TOPIC))
    assert front_door.startswith('<aside class="how-to-read"')
    assert "Early Help and the front door" in front_door
    assert "the council's lists of contacts, early help assessments, referrals and assessments" in front_door
    assert "actions 1.1, 4.1, 4.2, 4.3 (themes 1, 4)" in front_door
    assert "theme has a status" not in front_door and "too recent to tell" in front_door
    looked_after = how_to_read_html(data.config, data.config.topics.topic("looked-after-children"))
    assert "children looked after and care leavers" in looked_after and "(theme 1)" in looked_after
    assert "too recent to tell" not in looked_after  # no journeys in that topic
    assert "disproportionality ratio" in looked_after


def test_a_comparison_with_no_released_year_says_there_are_no_published_figures(data: ReportData) -> None:
    text = page(topic_report_blocks(data, TOPIC))
    assert (
        "No published figures for this year: DfE had released no figures on factors identified at the end"
        in text
    )
