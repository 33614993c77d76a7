"""The returns in the pipeline: annual figures from the returns where they give one, and a warning when they
differ from Annex A's beyond the tolerance."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd
import pytest

from analysis.config import ProjectConfig
from analysis.io import conform, write_table
from analysis.stages.cleaning.log import CleaningLog
from analysis.stages.returns.common import Figure
from analysis.stages.returns.stage import (
    RECONCILIATION_TABLE,
    RETURNS_TABLE,
    annual_with_returns,
    clean_returns,
    complete_figures,
    figures_table,
    overlay_returns,
    table_figures,
)

PLACEMENTS = "lac_three_or_more_placements"  # unit %, at 31 March
REFERRALS = "referrals_per_10000"  # unit rate per 10,000, year to 31 March


def _annual() -> pd.DataFrame:
    rows = [
        (PLACEMENTS, "at_31_march", 2015, "2015-03-31", "2014-15", 6.5, 28.0, 430.0, "Annex A lists"),
        (PLACEMENTS, "at_31_march", 2014, "2014-03-31", "2013-14", 7.0, 30.0, 428.0, "Annex A lists"),
        (REFERRALS, "year_to_31_march", 2015, "2015-03-31", "2014-15", 509.3, 3167.0, 62183.0, "Annex A lists"),
        (REFERRALS, "rolling_12_months", 2015, "2015-03-31", "Apr 2014 to Mar 2015", 509.3, 3167.0, 62183.0,
         "Annex A lists"),
    ]  # fmt: skip
    frame = pd.DataFrame(
        rows,
        columns=[
            "indicator_id", "period_type", "time_period", "period_end", "period_label", "value", "numerator",
            "denominator", "source",
        ],
    )  # fmt: skip
    frame["period_end"] = pd.to_datetime(frame["period_end"])
    frame["suppressed"] = False
    return conform(frame, "indicators_annual")


FIGURES = [
    Figure(PLACEMENTS, 2015, 4, 425, 4 * 100 / 425, "SSDA903 episodes (RNE, PLACE)"),
    Figure(REFERRALS, 2015, 3167, 62183, 3167 * 10_000 / 62183, "CIN census CINdetails (CINreferralDate)"),
    Figure(
        "cla_at_31_march", 2015, 425, None, 425, "SSDA903 episodes (DECOM, DEC, LS)"
    ),  # not an indicator here
]


def test_overlay_takes_the_returns_year_figures_and_names_their_source(config: ProjectConfig) -> None:
    annual = _annual()
    out = overlay_returns(annual, FIGURES, config).set_index(["indicator_id", "period_type", "time_period"])
    placements = out.loc[(PLACEMENTS, "at_31_march", 2015)]
    assert placements["value"] == pytest.approx(4 * 100 / 425)
    assert (placements["numerator"], placements["denominator"]) == (4, 425)
    assert placements["source"] == "SSDA903 return 2014-15"
    assert placements["suppressed"]  # 4 children: suppressed on the return's counts, not Annex A's 28
    assert out.loc[(REFERRALS, "year_to_31_march", 2015), "source"] == "CIN census 2014-15"
    assert not out.loc[(REFERRALS, "year_to_31_march", 2015), "suppressed"]
    # No return for 2013-14, and rolling 12 months stay Annex A's.
    assert out.loc[(PLACEMENTS, "at_31_march", 2014), "source"] == "Annex A lists"
    assert out.loc[(PLACEMENTS, "at_31_march", 2014), "value"] == 7.0
    assert out.loc[(REFERRALS, "rolling_12_months", 2015), "source"] == "Annex A lists"
    assert len(out) == len(annual)
    conform(out.reset_index(), "indicators_annual")  # still the table's schema


def test_scorecard_rows_are_never_replaced(config: ProjectConfig) -> None:
    annual = _annual()
    annual.loc[0, "source"] = "Scorecard"
    out = overlay_returns(annual, FIGURES, config)
    assert out.loc[0, "value"] == 6.5 and out.loc[0, "source"] == "Scorecard"


def test_difference_beyond_tolerance_is_a_warning_naming_both_figures(
    tmp_path: Path, config: ProjectConfig, caplog: pytest.LogCaptureFixture
) -> None:
    write_table(figures_table(FIGURES), RETURNS_TABLE, tmp_path)
    with caplog.at_level(logging.WARNING, logger="analysis.stages.returns.stage"):
        annual, reconciliation = annual_with_returns(tmp_path, _annual(), config)
    conform(reconciliation, RECONCILIATION_TABLE)
    rows = reconciliation.set_index("indicator_id")
    assert not rows.loc[PLACEMENTS, "within_tolerance"]  # 0.94% against 6.5%: 591% apart
    assert rows.loc[REFERRALS, "within_tolerance"] and pd.isna(rows.loc[REFERRALS, "finding"])
    finding = rows.loc[PLACEMENTS, "finding"]
    assert finding.startswith("WARNING SSDA903 episodes (RNE, PLACE) and Annex A")
    assert "returns give 0.9412, Annex A 6.5" in finding and "2014-15" in finding
    assert [r.getMessage() for r in caplog.records] == [finding]
    assert rows.loc[PLACEMENTS, "annex_a_value"] == 6.5  # compared with Annex A's figure, before the overlay
    assert (annual["source"] == "SSDA903 return 2014-15").sum() == 1


def test_within_a_wider_tolerance_there_is_no_warning(tmp_path: Path, config: ProjectConfig) -> None:
    write_table(figures_table(FIGURES), RETURNS_TABLE, tmp_path)
    checks = config.data_checks.model_copy(update={"returns_tolerance_percent": 600.0})
    wide = config.model_copy(update={"registry": config.registry.model_copy(update={"data_checks": checks})})
    _, reconciliation = annual_with_returns(tmp_path, _annual(), wide)
    assert reconciliation["within_tolerance"].all() and reconciliation["finding"].isna().all()


def test_without_returns_the_annual_figures_are_unchanged(tmp_path: Path, config: ProjectConfig) -> None:
    annual = _annual()
    out, reconciliation = annual_with_returns(tmp_path, annual, config)  # no statutory_returns table
    pd.testing.assert_frame_equal(out, annual)
    assert (
        reconciliation.empty
        and list(reconciliation.columns) == conform(reconciliation, RECONCILIATION_TABLE).columns.tolist()
    )
    log = CleaningLog()
    table = clean_returns(tmp_path / "raw", config, pd.DataFrame(), key=bytes(32), log=log)
    assert table.empty and not log.fixes
    conform(table, RETURNS_TABLE)


def test_the_table_gives_back_the_figures() -> None:
    assert table_figures(conform(figures_table(FIGURES), RETURNS_TABLE)) == FIGURES


def test_a_look_back_measure_is_used_only_with_the_year_before_read() -> None:
    def rereferrals(year: int) -> Figure:
        return Figure("rereferrals_within_12_months", year, 1038, 4232, 24.5, "CIN census CINdetails")

    referrals = Figure(REFERRALS, 2014, 3000, 61595, 487.1, "CIN census CINdetails")
    kept = complete_figures([rereferrals(2014), rereferrals(2015), referrals, rereferrals(2017)])
    assert kept == [rereferrals(2015), referrals]  # 2014 and 2017: no 2013 or 2016 census read


def test_a_malformed_return_is_noted_in_the_cleaning_log_not_raised(
    tmp_path: Path, config: ProjectConfig
) -> None:
    year = tmp_path / "raw" / "returns" / "2014-15"
    year.mkdir(parents=True)
    (year / "episodes.csv").write_text(
        "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
        "1,31/02/2014,S,C2,N1,U1,PR1,,,,,,\n",
        encoding="utf-8",
    )
    log = CleaningLog()
    table = clean_returns(tmp_path / "raw", config, pd.DataFrame(), key=bytes(32), log=log)
    assert table.empty  # an episodes file without its header file is not used
    notes = log.log_table()
    assert set(notes["table"]) == {RETURNS_TABLE} and (notes["rows_affected"] == 0).all()
    assert "returns.error" in set(notes["rule"])
    assert notes["description"].str.contains("returns/2014-15/episodes.csv, row 2", regex=False).any()
    assert not notes["description"].str.contains(str(tmp_path), regex=False).any()
