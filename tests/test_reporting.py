"""The report's tables and text, on the hand-made tables of ``report_fixtures`` (answers worked out by hand)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import report_fixtures as rf

from analysis import reporting
from analysis.quarters import Quarter


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return rf.write_project(tmp_path_factory.mktemp("report"))


@pytest.fixture(scope="module")
def data(project: dict[str, Path]) -> reporting.ReportData:
    return reporting.load_report_data(
        rf.QUARTER, project["processed_dir"], project["config_dir"], project["manifest_path"]
    )


def test_status_labels_carry_words_with_symbols():
    assert reporting.status_label("improvement", reporting.VARIATION_LABELS) == "▲ Improvement"
    assert reporting.status_label("concern", reporting.VARIATION_LABELS) == "▼ Concern"
    assert reporting.status_label(None, reporting.ASSURANCE_LABELS) == "–"
    assert reporting.status_label("off_track", reporting.ACTION_STATUS_LABELS) == "✖ Off track"


def test_latest_values_stop_at_the_quarter_end():
    monthly = pd.DataFrame(
        {
            "indicator_id": ["a", "a", "a", "b"],
            "month": pd.to_datetime(["2015-05-01", "2015-06-01", "2015-07-01", "2015-04-01"]),
            "value": [1.0, 2.0, 3.0, None],
            "suppressed": [False, False, False, True],
        }
    )
    latest = reporting.latest_values(monthly, Quarter.parse("2015-16-Q1")).set_index("indicator_id")
    assert latest.loc["a", "value"] == 2.0  # July is after the quarter
    assert bool(latest.loc["b", "suppressed"])  # a suppressed month still counts as the latest


def test_indicator_table_of_theme_1(data):
    table = reporting.indicator_table(data, 1).set_index("Indicator")
    assessments = table.loc["Assessments completed within 45 working days"]
    assert assessments["Latest"] == "88.0% (Jun 2015)"
    assert assessments["Target"] == "85.0%"
    assert assessments["Year compared"] == "2014-15"
    assert assessments["England"] == "81.5%"
    assert assessments["Statistical neighbours (average)"] == "80.0%"
    assert assessments["Quartile band"] == "C (third quarter)"
    assert assessments["Direction of travel"] == "↑ Better than the year before"
    assert assessments["Variation"] == "▲ Improvement"
    assert assessments["Assurance"] == "◐ May or may not meet target"
    rereferrals = table.loc["Re-referrals within 12 months of a previous referral"]
    assert rereferrals["Latest"] == "c (Jun 2015)"  # suppressed: never 40.0%
    assert rereferrals["Target"] == "none set"
    assert reporting.table_footnotes(table.reset_index()) == [reporting.SUPPRESSED_FOOTNOTE]


def test_theme_summary_counts(data):
    summary = reporting.theme_summary(data, top_exceptions=3).set_index("Theme")
    assert list(summary.index)[0] == "1 Quality and Effectiveness of practice"
    assert len(summary) == 6
    one = summary.loc["1 Quality and Effectiveness of practice"]
    assert one["Status"] == "Needs attention: 1 exception"
    assert one["Indicators"] == "▲ 1 improving\n▼ 0 concerning\n● 1 stable"
    assert one["Actions"] == "● 1 on track or complete\n✖ 1 off track or at risk"
    assert one["Top exceptions"] == "Open the community hubs: Reported off track in June 2015"
    two = summary.loc["2 Workforce and Capability"]
    assert two["Indicators"] == "▲ 0 improving\n▼ 1 concerning\n● 0 stable"
    assert (
        two["Actions"] == "● 0 on track or complete\n✖ 1 off track or at risk"
    )  # at risk counts as off track
    three = summary.loc["3 Performance Management"]
    assert three["Status"] == "No exceptions this quarter"
    assert three["Actions"].startswith("● 1 on track or complete")  # complete counts as on track
    assert three["Top exceptions"] == "None"


def test_top_exceptions_are_limited(data):
    summary = reporting.theme_summary(data, top_exceptions=0).set_index("Theme")
    assert summary.loc["2 Workforce and Capability", "Top exceptions"] == "and 1 more"


def test_missing_commentary_is_said(data):
    assert reporting.commentary_text(data.commentary, data.quarter, 2) == reporting.NO_COMMENTARY
    assert reporting.commentary_text(data.commentary, data.quarter, 1).startswith("Assessment timeliness")
    assert reporting.commentary_text(
        data.commentary, data.quarter, 1, "assessments_within_45_working_days"
    ) == ("Best month since the notice.")
    assert reporting.commentary_text(data.commentary, data.quarter.previous(), 1) == reporting.NO_COMMENTARY


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
    table = reporting.actions_table(actions, 1)
    assert table["Ref"].tolist() == ["1.2", "1.10"]
    assert table["Due"].tolist() == ["–", "Sep 2015"]
    assert table["Status"].tolist() == ["◐ At risk", "● On track"]


def test_data_quality_text_in_plain_words(data):
    text = reporting.data_quality_text(data)
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
    table = reporting.provenance_table(data).set_index("Item")["Value"]
    assert table["Data period"] == "April 2014 to June 2015"
    assert table["Pipeline version"] == "analysis 0.1.0, commit 0123456789ab"
    assert table["Parameters of this run"] == "jobs = 2, quarter = 2015-16-Q1"  # paths left out
    bare = reporting.ReportData(config=data.config, quarter=data.quarter, tables=data.tables, manifest=None)
    table = reporting.provenance_table(bare).set_index("Item")["Value"]
    assert table["Parameters of this run"] == reporting.NOT_RECORDED
    assert table["Extract date"] == "6 July 2015"  # from source_files
    assert table["Data period"] == "April 2014 to June 2015"  # from the monthly figures


def test_missing_manifest_file_is_none(tmp_path):
    assert reporting.load_manifest("") is None
    assert reporting.load_manifest(tmp_path / "absent.json") is None


def test_table_html_is_accessible_and_escaped():
    markup = reporting.table_html(pd.DataFrame({"Name": ["<b>x</b>"], "Value": ["1\n2"]}), caption="A & B")
    assert '<th scope="col">Name</th>' in markup
    assert '<th scope="row">&lt;b&gt;x&lt;/b&gt;</th>' in markup
    assert "<td>1<br>2</td>" in markup
    assert "<caption>A &amp; B</caption>" in markup


def test_cover_shows_the_demo_banner_and_status(data):
    cover = reporting.cover_html(data.config, data.quarter, date(2015, 7, 21))
    assert reporting.DEMO_BANNER in cover
    assert "21 July 2015" in cover
    assert "April to June 2015 (2015-16 Q1)" in cover
    assert "<dd>Draft</dd>" in cover
    real = data.config.model_copy(
        update={"authority": data.config.authority.model_copy(update={"demo": False})}
    )
    assert reporting.DEMO_BANNER not in reporting.cover_html(real, data.quarter, date(2015, 7, 21))


def test_theme_without_exceptions_says_so(data):
    blocks = reporting.exception_report_blocks(data, 3)
    text = " ".join(getattr(b, "data", "") or "" for b in blocks)
    assert "has **no exceptions** in April to June 2015" in text


def test_exception_context_for_an_indicator(data):
    row = reporting.theme_exceptions(data.exceptions, data.quarter, 2).iloc[0]
    text = reporting.exception_context(data, row)
    assert "Unusual change for the worse" in text
    assert "- **Since:** December 2014" in text
    assert "- **Rule that fired:** run" in text
    assert "- **Latest:** 1 (June 2015)" in text
    assert "- **Target:** 3" in text
