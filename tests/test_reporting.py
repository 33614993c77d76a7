"""The report's tables and text, on the hand-made tables of ``report_fixtures`` (answers worked out by hand)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import report_fixtures as rf

from analysis import units
from analysis.methods.quarters import Quarter
from analysis.products import (
    annual_charts,
    data_quality_and_provenance,
    exception_report,
    indicator_charts,
    indicator_tables,
    presentation,
    quarterly_report,
    report_cover,
    report_data,
)
from analysis.safe_text import markdown_text


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return rf.write_project(tmp_path_factory.mktemp("report"))


@pytest.fixture(scope="module")
def data(project: dict[str, Path]) -> report_data.ReportData:
    return report_data.load_report_data(
        rf.QUARTER, project["processed_dir"], project["config_dir"], project["manifest_path"]
    )


def test_status_labels_carry_words_with_symbols():
    assert presentation.status_label("improvement", presentation.VARIATION_LABELS) == "▲ Improvement"
    assert presentation.status_label("concern", presentation.VARIATION_LABELS) == "▼ Concern"
    assert presentation.status_label(None, presentation.ASSURANCE_LABELS) == "–"
    assert presentation.status_label("off_track", presentation.ACTION_STATUS_LABELS) == "✖ Off track"


def test_latest_values_stop_at_the_quarter_end():
    monthly = pd.DataFrame(
        {
            "indicator_id": ["a", "a", "a", "b"],
            "month": pd.to_datetime(["2015-05-01", "2015-06-01", "2015-07-01", "2015-04-01"]),
            "value": [1.0, 2.0, 3.0, None],
            "suppressed": [False, False, False, True],
        }
    )
    latest = indicator_tables.latest_values(monthly, Quarter.parse("2015-16-Q1")).set_index("indicator_id")
    assert latest.loc["a", "value"] == 2.0  # July is after the quarter
    assert bool(latest.loc["b", "suppressed"])  # a suppressed month still counts as the latest


def test_indicator_table_of_theme_1(data):
    table = indicator_tables.indicator_table(data, 1).set_index("Indicator")
    assessments = table.loc["Assessments completed within 45 working days"]
    assert assessments["Latest month"] == "88.0% (Jun 2015)"
    assert assessments["Target"] == "85.0%"
    # Both indicators compare 2014-15: the headings name the year, and Medway's figure is its 2014-15 one
    # (78.0%, the one ranked 100 of 150 in band C), not June's 88.0%.
    assert "Year compared" not in table.columns
    assert assessments["Medway 2014-15"] == "78.0%"
    assert assessments["England 2014-15"] == "81.5%"
    assert assessments["South East 2014-15"] == "82.0%"
    assert assessments["Statistical neighbours (average) 2014-15"] == "80.0%"
    assert assessments["Rank among councils"] == "100 of 150"
    assert assessments["Quartile band"] == "Lower middle 25% of councils (band C)"
    assert assessments["Direction of travel"] == "↑ Better than the year before"
    assert assessments["Variation"] == "▲ Improvement"
    assert assessments["Assurance"] == "◐ May or may not meet target"
    rereferrals = table.loc["Re-referrals within 12 months of a previous referral"]
    assert rereferrals["Latest month"] == "c (Jun 2015)"  # suppressed: never 40.0%
    assert rereferrals["Target"] == "none set"
    # 2014-15 computed locally from 4 referrals: "c", and no rank or band that would hint at it.
    assert rereferrals["Medway 2014-15"] == "c"
    assert (rereferrals["Rank among councils"], rereferrals["Quartile band"]) == ("–", "–")
    assert "22.2%" not in table.to_string()
    assert indicator_tables.table_footnotes(table.reset_index()) == [presentation.SUPPRESSED_FOOTNOTE]


def test_benchmark_headings_say_which_year():
    neighbours = "statistical neighbours (average)"
    assert indicator_tables.benchmark_columns("Medway", "South East", neighbours, ["2014-15", "2014-15"]) == {
        "local_value": "Medway 2014-15",
        "england": "England 2014-15",
        "region": "South East 2014-15",
        "statistical_neighbours_average": "Statistical neighbours (average) 2014-15",
    }
    several = indicator_tables.benchmark_columns("Medway", "South East", neighbours, ["2013-14", "2014-15"])
    assert several["local_value"] == "Medway (year compared)"
    # The workforce census at 30 September 2014 is not 2013-14: a table comparing both names each row's year.
    census = indicator_tables.benchmark_columns("Medway", "South East", neighbours, ["2013-14", "Sep 2014"])
    assert census["local_value"] == "Medway (year compared)"


def test_theme_summary_counts(data):
    summary = quarterly_report.theme_summary(data, top_exceptions=3).set_index("Theme")
    assert list(summary.index)[0] == "1 Quality and Effectiveness of practice"
    assert len(summary) == 6
    one = summary.loc["1 Quality and Effectiveness of practice"]
    # Action 1.2 is off track AND overdue: one exception, named once with its reference and both reasons.
    assert one["Status"] == "Needs attention: 1 exception"
    assert one["Indicators"] == "▲ 1 improving\n▼ 0 concerning\n● 1 stable"
    # Every action counted once; 1.2 is overdue, which decides over its last reported status (issue 22, point 2).
    assert one["Actions"] == "● 1 on track or complete\n✖ 0 off track or at risk\n⚠ 1 overdue"
    assert one["Top exceptions"] == "Action 1.2: Open the community hubs (off track; overdue)"
    two = summary.loc["2 Workforce and Capability"]
    assert two["Indicators"] == "▲ 0 improving\n▼ 1 concerning\n● 0 stable"
    assert (
        two["Actions"] == "● 0 on track or complete\n✖ 1 off track or at risk\n⚠ 0 overdue"
    )  # at risk counts as off track
    three = summary.loc["3 Performance Management"]
    assert three["Status"] == "No exceptions this quarter"
    assert three["Actions"].startswith("● 1 on track or complete")  # complete counts as on track
    assert three["Top exceptions"] == "None"


def test_top_exceptions_are_limited(data):
    summary = quarterly_report.theme_summary(data, top_exceptions=0).set_index("Theme")
    assert summary.loc["2 Workforce and Capability", "Top exceptions"] == "and 1 more"


def test_missing_commentary_is_said(data):
    assert report_data.commentary_text(data.commentary, data.quarter, 2) == report_data.NO_COMMENTARY
    assert report_data.commentary_text(data.commentary, data.quarter, 1).startswith("Assessment timeliness")
    assert report_data.commentary_text(
        data.commentary, data.quarter, 1, "assessments_within_45_working_days"
    ) == ("Best month since the notice.")
    assert (
        report_data.commentary_text(data.commentary, data.quarter.previous(), 1) == report_data.NO_COMMENTARY
    )


def test_actions_table_sorts_by_reference_number():
    actions = pd.DataFrame(
        {
            "action_id": ["1.10", "1.2"],
            "theme": [1, 1],
            "action": ["Later", "Earlier"],
            "lead": [None, "Head of service"],
            "due_date": pd.to_datetime(["2015-09-30", None]),
            "status": ["on_track", "at_risk"],
            "latest_update": [None, "x"],
        }
    )
    table = quarterly_report.actions_table(actions, 1)
    assert table["Ref"].tolist() == ["1.2", "1.10"]
    assert table["Due"].tolist() == ["–", "Sep 2015"]
    assert table["Status"].tolist() == ["◐ At risk", "● On track"]


def test_data_quality_text_in_plain_words(data):
    text = data_quality_and_provenance.data_quality_text(data)
    assert "The data passed 2 of 3 checks on 2 tables. All critical checks passed." in text
    assert (
        "- Assessments without a team: they count in the totals but not in team breakdowns. (12 rows, 2.5%)"
        in text
    )
    assert "2 rows could not be used" in text
    assert "- assessments: 2 (start date is not a date)" in text
    assert '1 monthly figure this quarter is shown as "c"' in text
    assert "Re-referrals within 12 months of a previous referral" in text
    assert "37 rows" in text  # 7 + 30 cleaning fixes


def test_provenance_from_the_manifest_and_without_it(data):
    table = data_quality_and_provenance.provenance_table(data).set_index("Item")["Value"]
    assert table["Data period"] == "April 2014 to June 2015"
    assert table["Pipeline version"] == "analysis 0.1.0, commit 0123456789ab"
    # the run's settings are the audit trail's (the manifest), not the page's: the table says where they are
    assert "Parameters of this run" not in table.index
    assert not any("jobs" in str(value) or "=" in str(value) for value in table)
    assert table["Full record"] == data_quality_and_provenance.AUDIT_TRAIL
    bare = report_data.ReportData(config=data.config, quarter=data.quarter, tables=data.tables, manifest=None)
    table = data_quality_and_provenance.provenance_table(bare).set_index("Item")["Value"]
    assert table["Full record"] == data_quality_and_provenance.NOT_RECORDED
    assert table["Extract date"] == "6 July 2015"  # from source_files
    assert table["Data period"] == "April 2014 to June 2015"  # from the monthly figures


def test_missing_manifest_file_is_none(tmp_path):
    assert report_data.load_manifest("") is None
    assert report_data.load_manifest(tmp_path / "absent.json") is None


def test_table_html_is_accessible_and_escaped():
    markup = presentation.table_html(pd.DataFrame({"Name": ["<b>x</b>"], "Value": ["1\n2"]}), caption="A & B")
    assert '<th scope="col">Name</th>' in markup
    assert '<th scope="row">&lt;b&gt;x&lt;/b&gt;</th>' in markup
    assert "<td>1<br>2</td>" in markup
    assert "<caption>A &amp; B</caption>" in markup


def test_cover_shows_the_demo_banner_and_status(data):
    cover = report_cover.cover_html(data.config, data.quarter, date(2015, 7, 21))
    assert presentation.DEMO_BANNER in cover
    assert "21 July 2015" in cover
    assert "April to June 2015 (2015-16 Q1)" in cover
    assert "<dd>Draft</dd>" in cover
    real = data.config.model_copy(
        update={"authority": data.config.authority.model_copy(update={"demo": False})}
    )
    assert presentation.DEMO_BANNER not in report_cover.cover_html(real, data.quarter, date(2015, 7, 21))


def test_theme_without_exceptions_says_so(data):
    blocks = exception_report.exception_report_blocks(data, 3)
    text = " ".join(getattr(b, "data", "") or "" for b in blocks)
    assert "has **no exceptions** in April to June 2015" in text


def test_exception_context_for_an_indicator(data):
    row = exception_report.theme_exceptions(data.exceptions, data.quarter, 2).iloc[0]
    text = exception_report.exception_context(data, row)
    assert "Unusual change for the worse" in text
    assert "- **Since:** December 2014" in text
    assert (
        "- **What the chart shows:** 7 or more months in a row are on the same side of the average." in text
    )
    assert "run" not in text.split("What the chart shows")[1].split("\n")[0].split()
    assert "- **Latest month:** 1 (June 2015)" in text
    assert "- **Target:** 3" in text


def test_an_indicator_exception_says_what_is_being_done(data):
    """Issue 22, point 5: the linked actions with lead, due date and status, or that no action addresses it."""
    row = exception_report.theme_exceptions(data.exceptions, data.quarter, 2).iloc[0]
    indicator = data.config.indicator(row["item_id"])
    linked = indicator.model_copy(update={"actions": ["2.1"]})
    assert exception_report.response_lines(data, linked) == [
        "- **What is being done:**",
        "    - Action 2.1: Run a recruitment campaign (lead: HR business partner; due December 2015; ◐ At risk)",
    ]
    overdue = data.config.indicator(row["item_id"]).model_copy(update={"actions": ["1.2"]})
    assert (
        "⚠ Overdue (due 30 June 2015; last reported off track)"
        in exception_report.response_lines(data, overdue)[1]
    )
    unlinked = indicator.model_copy(update={"actions": []})
    assert exception_report.response_lines(data, unlinked) == [
        f"- **What is being done:** {exception_report.NO_RESPONSE}"
    ]


@pytest.mark.parametrize(
    ("title", "quarter", "expected"),
    [
        ("Improvement Plan 2015-2016", "2014-15-Q4", "Improvement Plan 2014-2015"),
        ("Improvement Plan 2015-2016", "2015-16-Q2", "Improvement Plan 2015-2016"),
        ("Plan 2015-16 (refreshed)", "2016-17-Q1", "Plan 2016-17 (refreshed)"),
        ("Improvement Plan", "2014-15-Q4", "Improvement Plan"),
    ],
)
def test_plan_title_comes_from_the_period(title, quarter, expected):
    assert report_cover.plan_title(title, Quarter.parse(quarter)) == expected


def test_cover_says_when_the_report_was_produced(data):
    cover = report_cover.cover_html(data.config, data.quarter, date(2015, 7, 21))
    assert "<dt>Produced on</dt><dd>21 July 2015</dd>" in cover


def test_rule_codes_reach_readers_as_words(data):
    words = exception_report.rule_words("run,outside_limits", data.config)
    assert words == (
        "7 or more months in a row are on the same side of the average and the latest month is outside the "
        "range expected from month-to-month variation."
    )
    assert "_" not in exception_report.rule_words("two_of_three", data.config)


def test_summary_status_in_colour_and_words_with_a_legend(data):
    markup = quarterly_report.summary_html(data, top_exceptions=3)
    assert '<td class="status status-attention">Needs attention: 1 exception</td>' in markup
    assert '<td class="status status-ok">No exceptions this quarter</td>' in markup
    assert 'class="status-legend"' in markup and "Needs attention</span> at least one" in markup


def test_theme_statuses_for_the_index(data):
    statuses = presentation.theme_statuses(data.config, data.exceptions, data.quarter)
    assert statuses[0] == (
        "1 Quality and Effectiveness of practice",
        "Needs attention: 1 exception",
        "status status-attention",
    )
    assert statuses[2] == ("3 Performance Management", "No exceptions", "status status-ok")


def test_how_to_read_box_is_plain_english(config):
    box = report_cover.how_to_read_html(config)
    assert box.startswith('<aside class="how-to-read"')
    for jargon in ("XmR", "sigma", "special cause", "quartile", "SPC"):
        assert jargon not in box


def test_how_to_read_box_names_the_authoritys_own_region(config):
    region = config.authority.region.model_copy(update={"name": "North West"})
    elsewhere = config.model_copy(
        update={"authority": config.authority.model_copy(update={"region": region})}
    )
    box = report_cover.how_to_read_html(elsewhere)
    assert "the North West region" in box and "South East" not in box


def test_a_theme_without_indicators_has_no_definitions_or_chart_guide(data):
    empty = next(t for t in data.config.plan.themes if not data.config.indicators_for_theme(t.number))
    blocks = data_quality_and_provenance.method_blocks(data, theme=empty.number)
    text = "".join(b.data for b in blocks)
    assert "Definitions and sources" not in text and "How the charts are read" not in text
    assert "no performance indicators" in text


def test_provenance_leaves_the_renderer_out(data):
    manifest = dict(data.manifest or {})
    manifest["parameters"] = {"jobs": 2, "quarter": "2015-16-Q1", "renderer": "pending"}
    manifest["data_period"] = {"first_month": "2014-04-01", "last_month": "2015-06-01"}
    with_renderer = report_data.ReportData(data.config, data.quarter, data.tables, manifest)
    table = data_quality_and_provenance.provenance_table(with_renderer).set_index("Item")["Value"]
    assert "renderer" not in " ".join(table) and "pending" not in " ".join(table)
    assert table["Data period"] == "April 2014 to June 2015"


def test_every_block_is_markdown_ending_in_a_line_break(data):
    """Quarto joins a cell's Markdown outputs with one line break: each must end with its own."""
    theme = data.config.plan.theme(1)
    for block in [
        *quarterly_report.theme_section(data, theme),
        *data_quality_and_provenance.method_blocks(data),
    ]:
        assert block.data.endswith("\n") and not block.data.endswith("\n\n")


def test_at_a_glance_lists_every_theme_with_its_status(data):
    glance = quarterly_report.at_a_glance_html(data)
    assert glance.count("<li>") == 6
    assert (
        '<span class="glance-theme">1 Quality and Effectiveness of practice</span> '
        '<span class="status status-attention">Needs attention: 1 exception</span>'
    ) in glance


@pytest.mark.parametrize(
    ("code", "polarity", "expected"),
    [
        ("improving", "higher_is_better", "↑ Better than the year before"),
        ("improving", "lower_is_better", "↓ Better than the year before (lower is better)"),
        ("worsening", "higher_is_better", "↓ Worse than the year before"),
        ("worsening", "lower_is_better", "↑ Worse than the year before (lower is better)"),
        ("no_change", "lower_is_better", "→ Same as the year before"),
    ],
)
def test_direction_arrow_shows_the_move_and_words_say_better_or_worse(data, code, polarity, expected):
    indicator = data.config.indicators[0].model_copy(update={"polarity": polarity})
    assert indicator_tables.direction_label(code, indicator) == expected


def test_headline_figures_are_the_theme_tables_figures(data):
    """The first screen's headline figures are the very rows of the theme tables, comparison columns only."""
    headline = quarterly_report.headline_table(data)
    assert list(headline["Indicator"]) == ["Assessments completed within 45 working days"]  # headline: true
    assert any(c.startswith("England") for c in headline.columns) and "Variation" not in headline.columns
    assert any(c.startswith(data.config.authority.name) for c in headline.columns)  # our own figure
    theme = indicator_tables.indicator_table(data, 1).set_index("Indicator")
    for column in headline.columns.drop("Indicator"):
        assert (
            headline.set_index("Indicator").loc[headline["Indicator"][0], column]
            == theme.loc[headline["Indicator"][0], column]
        )
    assert "Headline figures, April to June 2015" in quarterly_report.headline_html(data)
    none = data.config.model_copy(
        update={
            "registry": data.config.registry.model_copy(
                update={
                    "indicators": [i.model_copy(update={"headline": False}) for i in data.config.indicators]
                }
            )
        }
    )
    assert (
        quarterly_report.headline_html(report_data.ReportData(none, data.quarter, data.tables, data.manifest))
        == ""
    )


def test_an_action_with_two_reasons_is_one_exception_with_its_reference(data):
    rows = exception_report.theme_exceptions(data.exceptions, data.quarter, 1)
    assert len(rows) == 1
    blocks = exception_report.exception_report_blocks(data, 1)
    texts = [(getattr(b, "data", "") or "").strip() for b in blocks]
    assert "1 item needs the Board's attention this quarter." in texts
    # Tracker text is escaped for Markdown (it renders as typed): "Action 1\\.2\\: Open ...".
    assert f"### {markdown_text('Action 1.2: Open the community hubs')}" in texts
    context = exception_report.exception_context(data, rows.iloc[0])
    assert context.startswith(
        "- **Why it is here:**\n"
        f"    - Action off track. {markdown_text('Reported off track: Building delayed')}\n"
        f"    - Action overdue. {markdown_text('Due 30 June 2015 and not complete')}"
    )


def test_assurance_after_a_change_is_said_in_words():
    assert presentation.status_label("changed_missing_target", presentation.ASSURANCE_LABELS) == (
        "◇ Cannot be judged: performance has changed; the latest month misses the target"
    )


# ------------------------------------------------------------------------------------------ end to end
@pytest.fixture(scope="module")
def demo_data(first_run, demo_project) -> report_data.ReportData:
    return report_data.load_report_data(first_run.quarter, demo_project.processed, demo_project.config)


@pytest.mark.e2e
def test_demo_figure_beside_the_benchmarks_is_the_one_ranked(demo_data, demo_project):
    """Every indicator row: the authority's figure shown is benchmark_comparison's, and its rank among the
    published figures of every other council that year (worked out here: 1 + councils strictly better) is the
    rank and quartile band the row shows."""
    from analysis.io import read_table

    data = demo_data
    published = read_table("benchmarks", demo_project.processed)
    authority = data.config.authority
    comparison = indicator_tables.latest_benchmarks(data.benchmark_comparison).set_index("indicator_id")
    checked = 0
    for theme in data.config.plan.themes:
        table = indicator_tables.indicator_table(data, theme.number)
        for indicator in data.config.indicators_for_theme(theme.number):
            if indicator.id not in comparison.index:
                continue
            row = table.set_index("Indicator").loc[indicator.name]
            b = comparison.loc[indicator.id]
            year = str(b["period_label"])  # "2013-14"; "Sep 2014" for the workforce census at 30 September
            local_column = next(c for c in table.columns if c.startswith(authority.name))
            assert year in local_column or row.get("Year compared") == year
            if bool(b["local_suppressed"]):  # from 1 to 5 children: no figure, rank or band that hints at it
                assert (row[local_column], row["Rank among councils"], row["Quartile band"]) == (
                    "c",
                    "–",
                    "–",
                )
                continue
            assert row[local_column] == units.format_number(b["local_value"], indicator), indicator.id
            if pd.isna(b["rank"]):
                assert row["Rank among councils"] == "–"
                continue
            others = published.loc[
                (published["publication"] == indicator.benchmark.publication)
                & (published["measure"] == indicator.benchmark.measure)
                & (published["time_period"] == int(b["time_period"]))
                & (published["geographic_level"] == "Local authority")
                & (published["old_la_code"] != authority.old_la_code)
            ]["value"].dropna()
            # As LAIT: figures as shown (the indicator's decimals), rank = 1 + councils strictly better, band by
            # the value against R's type-7 quartiles of every council's figure (numpy's default percentile).
            others = others.round(indicator.decimals)
            local = round(float(b["local_value"]), indicator.decimals)
            sign = 1 if indicator.polarity == "higher_is_better" else -1
            better = int(((others - local) * sign > 0).sum())
            total = len(others) + 1
            assert row["Rank among councils"] == f"{better + 1} of {total}", indicator.id
            quartiles = np.percentile([*others, local], [25, 50, 75])
            above = int((local > quartiles).sum())
            band = ("ABCD" if indicator.polarity == "lower_is_better" else "DCBA")[above]
            assert row["Quartile band"].endswith(f"(band {band})"), indicator.id
            checked += 1
    assert checked >= 10
    # The case of issue 13: assessments within 45 days shows Medway's figure for the compared year, not June's.
    # That year is 2013-14: children in need 2014-15 was released in October 2015, after this quarter (issue 18).
    one = indicator_tables.indicator_table(data, 1).set_index("Indicator")
    assessments = one.loc[data.config.indicator("assessments_within_45_working_days").name]
    assert assessments["Latest month"].endswith("(Jun 2015)")
    assert assessments["Medway 2013-14"] != assessments["Latest month"].split(" (")[0]


@pytest.mark.e2e
def test_demo_report_shows_only_benchmarks_released_by_the_quarter_end(first_run, demo_data, demo_project):
    """Issue 18: the report for 2015-16 Q1 (to 30 June 2015) shows no figure DfE released after 30 June 2015.

    Children in need for the year to March 2015 came out on 22 October 2015: not shown; those to March 2014 (29
    October 2014) are. The workforce year ends 30 September: 2014's figures (released by March 2015) are shown.
    The tables and charts name the release they use.
    """
    from datetime import date

    from analysis.methods.benchmarking import released_on

    config = demo_data.config
    quarter_end = pd.Timestamp(date(2015, 6, 30))
    assert first_run.quarter == "2015-16-Q1"
    comparison = demo_data.benchmark_comparison
    assert not comparison.empty
    assert (pd.to_datetime(comparison["released"]) <= quarter_end).all()
    release_of = {
        i.id: config.benchmarks.publications[i.benchmark.publication].release
        for i in config.indicators
        if i.benchmark is not None
    }
    comparison = comparison.assign(release_id=comparison["indicator_id"].map(release_of))
    children_in_need = comparison.loc[comparison["release_id"] == "children_in_need"]
    assert children_in_need["time_period"].max() == 2014
    # Each row's release is the configured rule's, whatever the year.
    for _, row in comparison.iterrows():
        release = config.benchmarks.releases[row["release_id"]]
        assert pd.Timestamp(row["released"]) == pd.Timestamp(released_on(release, int(row["time_period"])))
    workforce = comparison.loc[comparison["release_id"] == "workforce"]
    assert workforce["time_period"].max() == 2014
    assert set(workforce.loc[workforce["time_period"] == 2014, "released"]) == {pd.Timestamp("2015-03-31")}
    page = (first_run.quarter_dir / "quarterly-report.html").read_text(encoding="utf-8")
    assert "Children in need 2013-14, released October 2014" in page
    assert "released October 2015" not in page and "Children in need 2014-15" not in page
    assert "year to 30 September 2014, released by March 2015" in page


@pytest.mark.e2e
def test_demo_no_indicator_meets_its_target_while_in_special_cause_concern(demo_data):
    summary = demo_data.spc_summary
    concern = summary.loc[summary["variation"] == "concern"]
    assert not concern.empty  # the demo plants concerns: the test would see a contradiction
    assert not (concern["assurance"] == "consistently_passing").any()
    assert (
        not summary.loc[summary["variation"] != "common_cause", "assurance"]
        .isin(["consistently_passing", "consistently_failing", "hit_and_miss"])
        .any()
    )
    placements = summary.set_index("indicator_id").loc["lac_three_or_more_placements"]
    assert placements["variation"] == "concern"
    assert placements["assurance"] == "changed_missing_target"
    for theme in demo_data.config.plan.themes:
        table = indicator_tables.indicator_table(demo_data, theme.number)
        for _, row in table.iterrows():
            if row["Variation"] == "▼ Concern":
                assert "Meets target" not in row["Assurance"]


@pytest.mark.e2e
def test_demo_exceptions_one_per_item_with_action_references(demo_data):
    exceptions = demo_data.exceptions
    assert not exceptions.duplicated(["quarter", "theme", "kind", "item_id"]).any()
    actions = exceptions.loc[exceptions["kind"] == "action"]
    assert all(
        title.startswith(f"Action {ref}: ")
        for ref, title in zip(actions["item_id"], actions["title"], strict=True)
    )
    summary = quarterly_report.theme_summary(demo_data, top_exceptions=10).set_index("Theme")
    four = summary.iloc[3]["Top exceptions"]
    assert four.count("Action 4.1:") == 1
    assert "Action 4.1:" in four and "(off track; overdue)" in four


@pytest.mark.e2e
def test_demo_alt_text_states_the_figures_of_the_table(demo_data):
    """An SPC chart's alt text names the table's latest month figure; a benchmark chart's, the authority's figure
    for the year the table compares, as the table shows it: the figure, ``c``, or "not available" (issue 18: A1 and
    A2, whose DfE figures are England's alone and whose three-year averages cannot be made for the years released,
    read "not available" in the table and "not available for these years" on the chart, both from the one row of
    ``benchmark_comparison`` for the year)."""
    data = demo_data
    authority = data.config.authority.name
    stated = {"figure": 0, "c": 0, "not available": 0}
    for theme in data.config.plan.themes:
        if not data.config.indicators_for_theme(theme.number):
            continue
        table = indicator_tables.indicator_table(data, theme.number).set_index("Indicator")
        local_column = next((c for c in table.columns if c.startswith(authority)), None)
        for indicator in data.config.indicators_for_theme(theme.number):
            row = table.loc[indicator.name]
            figures = [f for f in indicator_charts.indicator_figures(data, indicator) if hasattr(f, "alt")]
            value, month = row["Latest month"].rsplit(" (", 1)
            month = pd.Timestamp(month.rstrip(")")).strftime("%B %Y")
            # A benchmark chart of a differently measured figure is "<name>, as DfE measures it" (issue 22, point 1).
            by_year = f"Line chart: {annual_charts.measured_name(indicator)} by year"
            spc = [f for f in figures if not f.alt.startswith(by_year)]
            for figure in spc:
                expected = f"{month} (c)" if value == "c" else f"{value} in {month}"
                assert expected in figure.alt, (indicator.id, figure.alt)
            yearly = [f.alt for f in figures if f.alt.startswith(by_year)]
            if local_column is None or row[local_column] == "–":
                continue
            year = row.get("Year compared", local_column.removeprefix(f"{authority} "))
            local = row[local_column]
            assert len(yearly) == 1, indicator.id
            assert f"to {year}. " in yearly[0], (
                indicator.id,
                yearly[0],
            )  # the chart's latest year is the table's
            if local == "c":
                stated["c"] += 1
                assert re.search(
                    rf"{authority}'s figure for [^.]*{year}[^.]* is not published \(c", yearly[0]
                )
            elif local == "not available":
                stated["not available"] += 1
                assert re.search(
                    rf"{authority}'s figure (for {year} is not available|is not available for these years)",
                    yearly[0],
                ), (indicator.id, yearly[0])
                assert f"{authority} was" not in yearly[0], (indicator.id, yearly[0])
            else:
                stated["figure"] += 1
                assert f"In {year} {authority} was {local}" in yearly[0], (indicator.id, yearly[0])
    assert all(stated.values()), stated  # the demo has each case: the test has something to check


def test_method_text_explains_the_assurance_rule(data):
    text = data_quality_and_provenance.spc_rules_text(data.config)
    assert "the report says the target cannot be judged yet" in text
    assert "fewer than 12 published monthly figures" in text


def test_demo_headline_figures_have_one_set_of_headings(demo_data):
    """Headline indicators from several themes, compared in different years, share one set of headings: a
    "Year compared" column and one England column, no column left empty for the other rows' years."""
    from dataclasses import replace

    # In the demo's quarter every headline indicator's latest release is of one year (2013-14): one headline
    # indicator is taken back a year, as when a release is later than the others.
    bench = demo_data.benchmark_comparison
    headline = [
        i.id for i in demo_data.config.indicators if i.headline and i.id in set(bench["indicator_id"])
    ]
    first = bench["indicator_id"] == headline[0]
    latest = bench["time_period"] == bench.loc[first, "time_period"].max()
    table = quarterly_report.headline_table(
        replace(demo_data, tables={**demo_data.tables, "benchmark_comparison": bench.loc[~(first & latest)]})
    )
    assert len(table) >= 4
    assert not table.isna().any().any()
    assert [c for c in table.columns if c.startswith("England")] == ["England (year compared)"]
    assert "Year compared" in table.columns


def test_a_row_whose_readings_disagree_says_why(data):
    """Issue 22, point 3: "better than the year before" beside "Concern" comes with one sentence saying why."""
    from dataclasses import replace

    from analysis.products.row_reading import FOOTNOTE_LEAD, mixed_signal_notes, row_reason

    indicator = data.config.indicator("assessments_within_45_working_days")
    assert row_reason(data, indicator) is None  # the fixture's readings agree
    comparison = data.benchmark_comparison.copy()
    latest = comparison.index[comparison["indicator_id"] == indicator.id][-1]
    comparison.loc[latest, ["direction_of_travel", "quartile_band"]] = ["improving", "A"]
    summary = data.spc_summary.copy()
    summary.loc[summary["indicator_id"] == indicator.id, "variation"] = "concern"
    mixed = replace(data, tables={**data.tables, "benchmark_comparison": comparison, "spc_summary": summary})
    reason = row_reason(mixed, indicator)
    assert reason is not None
    assert reason.startswith(
        f"{indicator.name}: better than the year before and among the top 25% of councils in DfE's figures for "
    )
    assert "but the monthly figures since June 2015 show an unusual change for the worse" in reason
    assert mixed_signal_notes(mixed, [indicator]) == [f"{FOOTNOTE_LEAD} {reason}"]
    summary.loc[summary["indicator_id"] == indicator.id, ["variation", "assurance"]] = [
        "common_cause",
        "consistently_passing",
    ]
    comparison.loc[latest, "quartile_band"] = "D"
    passing = replace(
        data, tables={**data.tables, "benchmark_comparison": comparison, "spc_summary": summary}
    )
    assert "meets its target reliably, but was among the bottom 25% of councils" in str(
        row_reason(passing, indicator)
    )


def test_an_indicators_chart_points_are_derived_once_per_report_and_each_caller_gets_its_own(data):
    """monthly_points is asked for several times per indicator in a report (issue 21): derived once, never shared."""
    indicator = data.config.registry.indicators[0]
    fresh = report_data.ReportData(data.config, data.quarter, data.tables, None)
    first = indicator_charts.monthly_points(fresh, indicator)
    assert not first.empty and len(fresh.derived) == 1
    first.loc[:, "value"] = -1.0  # a caller changing its copy changes no other caller's
    again = indicator_charts.monthly_points(fresh, indicator)
    assert len(fresh.derived) == 1
    pd.testing.assert_frame_equal(again, indicator_charts.monthly_points(data, indicator))
    assert not (again["value"] == -1.0).any()
    other_tables = data.tables | {"spc": data.tables["spc"].iloc[:0]}  # other tables, another ReportData
    assert (
        indicator_charts.monthly_points(
            report_data.ReportData(data.config, data.quarter, other_tables, None), indicator
        )["value"]
        .isna()
        .all()
    )
