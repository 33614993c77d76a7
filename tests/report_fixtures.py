"""A small, complete, hand-made set of analysis tables and configuration for the report tests.

Three indicators from the real registry (two in theme 1, one in theme 2), 15 months (April 2014 to June 2015),
the quarter 2015-16-Q1. The figures are invented, chosen so that the expected answers are easy to work out:

- ``assessments_within_45_working_days`` (theme 1, %, target 85): rises from 55.0% in April 2014 to 88.0% in
  June 2015; a rebase at October 2014; the latest point is above the upper limit (improvement).
- ``rereferrals_within_12_months`` (theme 1, %): common cause; June 2015 is suppressed (its value 40.0 must never
  appear anywhere).
- ``social_workers_recruited`` (theme 2, count, target 3): a run below the mean since December 2014 (concern).

Exceptions: theme 1 has one (action 1.2, both off track and overdue: one exception with two reasons), theme 2
one (social workers, special-cause concern), themes 3 to 6 none. Commentary exists for theme 1 only.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from analysis.config import load_config
from analysis.io import write_table
from analysis.methods.benchmarking import release_label, released_on, short_period_label, year_end
from analysis.schemas import schema

REPO = Path(__file__).resolve().parents[1]
QUARTER = "2015-16-Q1"
INDICATOR_IDS = (
    "assessments_within_45_working_days",
    "rereferrals_within_12_months",
    "social_workers_recruited",
)
MONTHS = pd.date_range("2014-04-01", "2015-06-01", freq="MS")
SUPPRESSED_VALUE = 40.0
#: Re-referrals in 2014-15 computed locally from 4 of 18 referrals: a count of 1 to 5, so never shown.
REREFERRALS_2015 = 400 / 18

ASSESSMENTS = [55.0, 58.0, 57.0, 60.0, 59.0, 62.0, 70.0, 72.0, 75.0, 78.0, 80.0, 82.0, 84.0, 86.0, 88.0]
REREFERRALS = [
    22.0,
    21.0,
    23.0,
    22.0,
    24.0,
    20.0,
    22.0,
    23.0,
    21.0,
    22.0,
    23.0,
    22.0,
    21.0,
    22.0,
    SUPPRESSED_VALUE,
]
RECRUITED = [3.0, 4.0, 3.0, 4.0, 3.0, 4.0, 3.0, 3.0, 2.0, 2.0, 1.0, 1.0, 1.0, 2.0, 1.0]


def write_config(folder: Path) -> Path:
    """The repository's configuration with only the three test indicators."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("plan.yml", "benchmarks.yml", "authority.yml"):
        shutil.copy(REPO / "config" / name, folder / name)
    registry = yaml.safe_load((REPO / "config" / "indicators.yml").read_text(encoding="utf-8"))
    registry["indicators"] = [i for i in registry["indicators"] if i["id"] in INDICATOR_IDS]
    anticipated = registry.get("anticipated", {})
    anticipated["looking_ahead"] = [
        m for m in anticipated.get("looking_ahead", []) if m["indicator"] in INDICATOR_IDS
    ]
    # The safeguarding board's measures that show a registry indicator's figure need that indicator.
    registry["safeguarding_board_measures"] = [
        m
        for m in registry.get("safeguarding_board_measures", [])
        if m.get("indicator") in {None, *INDICATOR_IDS}
    ]
    (folder / "indicators.yml").write_text(yaml.safe_dump(registry, sort_keys=False), encoding="utf-8")
    return folder


def _monthly() -> pd.DataFrame:
    frames = []
    for indicator_id, values in zip(INDICATOR_IDS, (ASSESSMENTS, REREFERRALS, RECRUITED), strict=True):
        frame = pd.DataFrame({"indicator_id": indicator_id, "month": MONTHS, "value": values})
        frame["numerator"] = np.nan
        frame["denominator"] = np.nan
        frame["suppressed"] = (indicator_id == "rereferrals_within_12_months") & (
            frame["month"] == MONTHS[-1]
        )
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def _spc() -> pd.DataFrame:
    rows = []
    for month, value in zip(MONTHS, ASSESSMENTS, strict=True):
        after = month >= pd.Timestamp("2014-10-01")
        centre, lower, upper = (79.4, 68.0, 87.0) if after else (58.5, 52.0, 65.0)
        improvement = month == MONTHS[-1]
        rows.append(
            (
                "assessments_within_45_working_days",
                month,
                value,
                int(after),
                centre,
                lower,
                upper,
                "outside_limits" if improvement else None,
                "improvement" if improvement else "common_cause",
            )
        )
    for month, value in zip(MONTHS, REREFERRALS, strict=True):
        rows.append(("rereferrals_within_12_months", month, value, 0, 22.0, 16.0, 28.0, None, "common_cause"))
    for month, value in zip(MONTHS, RECRUITED, strict=True):
        concern = month >= pd.Timestamp("2014-12-01")
        rows.append(
            (
                "social_workers_recruited",
                month,
                value,
                0,
                2.5,
                0.0,
                5.5,
                "run" if concern else None,
                "concern" if concern else "common_cause",
            )
        )
    columns = schema("spc").column_names
    return pd.DataFrame(rows, columns=columns)


def _spc_summary() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "indicator_id": list(INDICATOR_IDS),
            "latest_month": [MONTHS[-1], MONTHS[-2], MONTHS[-1]],
            "variation": ["improvement", "common_cause", "concern"],
            "assurance": ["hit_and_miss", None, "consistently_failing"],
            "rule": ["outside_limits", None, "run"],
            "since": [MONTHS[-1], pd.NaT, pd.Timestamp("2014-12-01")],
            "baseline_points": [9, 14, 15],
            "provisional": [True, False, False],
            "description": [
                "June 2015 is above the upper process limit: an improvement.",
                "Only common-cause variation: no sign of change.",
                "7 or more months in a row below the average since December 2014: a concern.",
            ],
        }
    )


def _benchmark_comparison() -> pd.DataFrame:
    rows = [
        # indicator, year, local, england, region, sn median, sn count, rank, ranked, band, target, gap, direction
        (
            "assessments_within_45_working_days",
            2013,
            50.0,
            75.0,
            74.0,
            73.0,
            8,
            140,
            150,
            "D",
            85.0,
            -35.0,
            "not_applicable",
        ),
        (
            "assessments_within_45_working_days",
            2014,
            56.0,
            82.0,
            80.0,
            79.0,
            8,
            135,
            150,
            "D",
            85.0,
            -29.0,
            "improving",
        ),
        (
            "assessments_within_45_working_days",
            2015,
            78.0,
            81.5,
            82.0,
            80.0,
            8,
            100,
            150,
            "C",
            85.0,
            -7.0,
            "improving",
        ),
        (
            "rereferrals_within_12_months",
            2013,
            24.0,
            24.9,
            23.0,
            25.0,
            8,
            60,
            150,
            "B",
            np.nan,
            np.nan,
            "not_applicable",
        ),
        (
            "rereferrals_within_12_months",
            2014,
            23.0,
            23.4,
            22.0,
            24.0,
            8,
            70,
            150,
            "B",
            np.nan,
            np.nan,
            "improving",
        ),
        (
            "rereferrals_within_12_months",
            2015,
            REREFERRALS_2015,  # no published figure: the local one, from a small count
            24.0,
            21.0,
            23.5,
            8,
            55,
            150,
            "B",
            np.nan,
            np.nan,
            "improving",
        ),
    ]
    columns = [
        "indicator_id",
        "time_period",
        "local_value",
        "england",
        "region",
        "statistical_neighbours_average",
        "statistical_neighbours_count",
        "rank",
        "authorities_ranked",
        "quartile_band",
        "target",
        "gap_to_target",
        "direction_of_travel",
    ]
    frame = pd.DataFrame(rows, columns=columns)
    # As analysis.methods.benchmarking marks it: Medway's 2014-15 re-referral figure was computed from 4 referrals.
    small = (frame["indicator_id"] == "rereferrals_within_12_months") & (frame["time_period"] == 2015)
    frame.insert(3, "local_suppressed", small)
    # When each year's figures were released, by the rule of analysis.methods.benchmarking (both indicators: children in
    # need, the year to 31 March).
    release = load_config(REPO / "config").benchmarks.releases["children_in_need"]
    frame.insert(2, "released", [pd.Timestamp(released_on(release, int(y))) for y in frame["time_period"]])
    frame.insert(3, "release", [release_label(release, int(y)) for y in frame["time_period"]])
    frame.insert(4, "period_end", [pd.Timestamp(year_end(release, int(y))) for y in frame["time_period"]])
    frame.insert(5, "period_label", [short_period_label(release, int(y)) for y in frame["time_period"]])
    return frame


def _annual() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "indicator_id": ["assessments_within_45_working_days", "rereferrals_within_12_months"],
            "period_type": ["year_to_31_march", "year_to_31_march"],
            "time_period": [2015, 2015],
            "period_end": [pd.Timestamp("2015-03-31")] * 2,
            "period_label": ["2014-15"] * 2,
            "value": [78.0, REREFERRALS_2015],
            "numerator": [780.0, 4.0],
            "denominator": [1000.0, 18.0],
            "suppressed": [False, True],
            "source": ["Annex A lists", "CIN census 2014-15"],
        }
    )


def _exceptions() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "quarter": [QUARTER, QUARTER],
            "theme": [1, 2],
            "kind": ["action", "indicator"],
            "item_id": ["1.2", "social_workers_recruited"],
            "title": ["Action 1.2: Open the community hubs", "Social workers recruited in the month"],
            "reason_codes": ["off_track,overdue", "special_cause_concern"],
            "reasons": [
                "Reported off track: Building delayed\nDue 30 June 2015 and not complete",
                "7 months in a row below the average since December 2014",
            ],
            "since": [pd.Timestamp("2015-06-30"), pd.Timestamp("2014-12-01")],
        }
    )


def _actions() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "action_id": ["1.1", "1.2", "2.1", "3.1"],
            "theme": [1, 1, 2, 3],
            "priority": ["Front door", "Community hubs", "Recruitment", "Performance data"],
            "action": [
                "Extend the front door",
                "Open the community hubs",
                "Run a recruitment campaign",
                "Weekly scorecard",
            ],
            "lead": ["Head of service", "Assistant director", "HR business partner", "Performance manager"],
            "due_date": pd.to_datetime(["2015-09-30", "2015-06-30", "2015-12-31", "2015-07-31"]),
            "status": ["on_track", "off_track", "at_risk", "complete"],
            "latest_update": ["Partners signed up", "Building delayed", "Two offers made", "Live since May"],
            "source_row": [2, 3, 4, 5],
        }
    )


def _commentary() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "quarter": [QUARTER, QUARTER],
            "theme": [1, 1],
            "indicator_id": [None, "assessments_within_45_working_days"],
            "text": [
                "Assessment timeliness keeps improving after the re-alignment.",
                "Best month since the notice.",
            ],
        }
    )


def _validation_results() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "suite": ["assessments", "assessments", "referrals"],
            "expectation": ["expect_column_values_to_not_be_null"] * 3,
            "check_id": ["assessments.start_present", "assessments.team_present", "referrals.date_present"],
            "column": ["assessment_start_date", "team", "referral_date"],
            "severity": ["critical", "warning", "critical"],
            "success": [True, False, True],
            "unexpected_count": [0, 12, 0],
            "unexpected_percent": [0.0, 2.5, 0.0],
            "example_rows": [None, "14, 27, 33", None],
            "description": [
                "Every assessment has a start date.",
                "Assessments without a team: they count in the totals but not in team breakdowns.",
                "Every referral has a date.",
            ],
        }
    )


def _quarantine() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "table": ["assessments", "assessments"],
            "source_file": ["annex_a.xlsx", "annex_a.xlsx"],
            "source_sheet": ["List 4", "List 4"],
            "source_row": [101, 102],
            "column": ["assessment_start_date", "assessment_start_date"],
            "reason": ["start date is not a date", "start date is not a date"],
        }
    )


def _cleaning_log() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "table": ["assessments", "referrals"],
            "rule": ["dates.excel_serial", "sources.canonical"],
            "description": ["Excel serial numbers turned into dates", "Referral sources spelt one way"],
            "rows_affected": [7, 30],
        }
    )


def _source_files() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "table": ["assessments", "referrals"],
            "source_file": ["annex_a.xlsx", "annex_a.xlsx"],
            "source_sheet": ["List 4", "List 3"],
            "rows_read": [480, 600],
            "duplicates_removed": [0, 1],
            "rows_quarantined": [2, 0],
            "rows_written": [478, 599],
            "extract_date": pd.to_datetime(["2015-07-06", "2015-07-06"]),
        }
    )


TABLES = {
    "indicators_monthly": _monthly,
    "indicators_annual": _annual,
    "spc": _spc,
    "spc_summary": _spc_summary,
    "benchmark_comparison": _benchmark_comparison,
    "exceptions": _exceptions,
    "actions": _actions,
    "commentary": _commentary,
    "validation_results": _validation_results,
    "quarantine": _quarantine,
    "cleaning_log": _cleaning_log,
    "source_files": _source_files,
}


def write_tables(folder: Path) -> Path:
    """Write every table the report notebooks read into ``folder`` (through the schema)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, build in TABLES.items():
        write_table(build(), name, folder)
    return folder


def write_manifest(path: Path) -> Path:
    """A run manifest as the pipeline writes it."""
    manifest = {
        "package_version": "0.1.0",
        "git_commit": "0123456789abcdef0123",
        "quarter": QUARTER,
        "parameters": {"quarter": QUARTER, "processed_dir": "/somewhere", "jobs": 2},
        "inputs": [{"path": "data/raw/annex_a.xlsx", "sha256": "ab" * 32}],
        "config_sha256": "cd" * 32,
        "stages": [{"name": "clean", "seconds": 1.0, "skipped": False}],
        "python": "3.11.9",
        "libraries": {"pandas": "3.1.1", "matplotlib": "3.11.2"},
        "data_period": {"first_month": "April 2014", "last_month": "June 2015"},
        "extract_date": "6 July 2015",
    }
    path.write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return path


def write_project(root: Path) -> dict[str, Path]:
    """Config, processed tables and manifest under ``root``: the paths a report notebook's parameters take."""
    return {
        "config_dir": write_config(root / "config"),
        "processed_dir": write_tables(root / "processed"),
        "manifest_path": write_manifest(root / "manifest.json"),
    }
