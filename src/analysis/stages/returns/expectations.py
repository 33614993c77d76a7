"""Great Expectations suites for the statutory returns: DfE's validation rules that protect the published measures.

Built with the project's one mechanism (:class:`analysis.stages.validation.suites.Check` and ``Suite``, run by
:func:`analysis.stages.validation.runner.run_suites`). Each check cites DfE's rule code where DfE has one:

- SSDA903: DfE's "Children looked after return: validation rules" as implemented by data-to-insight's open
  validator (quality-lac-data-beta-validator; Python packages ``validator903``, later ``lac_validator``, one module
  per rule): 143 (RNE code), 144 (LS code), 146 (PLACE code), 149 (REC code), 357 (a child's first episode starts
  with RNE S);
- CIN census: DfE's "Children in need census: validation rules" as implemented by the open CIN census validator
  (Python package ``cin_validator``, one module per rule): 8630 (closure date not before the referral date), 1103
  (assessment start not before the referral date), 1105 (plan start not before the referral date).

Checks without a DfE code are the project's own (``own``), named for what they protect. A failed check becomes a
:class:`~analysis.stages.returns.common.Finding` naming the file, the rows (SSDA903: file line numbers; CIN census: the
position of the Child element) and the field.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from analysis.stages.returns.common import WARNING, Finding, year_label, year_start
from analysis.stages.validation.suites import WARNING as CHECK_WARNING
from analysis.stages.validation.suites import Check, Suite

if TYPE_CHECKING:
    from analysis.stages.returns.cin import CinCensus
    from analysis.stages.returns.ssda903 import Ssda903Return

RNE_CODES = ["S", "P", "L", "T", "U", "B"]
LS_CODES = ["C1", "C2", "D1", "E1", "V2", "V3", "V4", "J1", "J2", "J3", "L1", "L2", "L3"]
PLACE_CODES = [
    "A3", "A4", "A5", "A6", "H5", "K1", "K2", "P1", "P2", "P3", "R1", "R2", "R3", "R5", "S1", "T0", "T1", "T2",
    "T3", "T4", "U1", "U2", "U3", "U4", "U5", "U6", "Z1",
]  # fmt: skip
REC_CODES = [
    "E11", "E12", "E2", "E3", "E4A", "E4B", "E13", "E41", "E45", "E46", "E47", "E48", "E5", "E6", "E7", "E8", "E9",
    "E14", "E15", "E16", "E17", "X1",
]  # fmt: skip
EXAMPLE_ROWS = 5


def _in_set(rule: str, column: str, codes: list[str], what: str) -> Check:
    return Check(
        f"ssda903_{rule}_{column.lower()}",
        CHECK_WARNING,
        "ExpectColumnValuesToBeInSet",
        {"column": column, "value_set": codes},
        f"DfE SSDA903 validation rule {rule}: {what} If it fails: the episodes with other codes are misread by the "
        "looked after children measures.",
    )


def _not_before(check_id: str, later: str, earlier: str, what: str) -> Check:
    return Check(
        check_id,
        CHECK_WARNING,
        "ExpectColumnPairValuesAToBeGreaterThanB",
        {
            "column_A": later,
            "column_B": earlier,
            "or_equal": True,
            "ignore_row_if": "either_value_is_missing",
        },
        what,
    )


def ssda903_episode_checks() -> list[Check]:
    """Checks of the SSDA903 episodes table."""
    return [
        _in_set("143", "RNE", RNE_CODES, "the reason for new episode is a valid code."),
        _in_set("144", "LS", LS_CODES, "the legal status is a valid code."),
        _in_set("146", "PLACE", PLACE_CODES, "the placement type is a valid code."),
        _in_set("149", "REC", REC_CODES, "the reason episode ceased is a valid code."),
        Check(
            "ssda903_357_first_episode",
            CHECK_WARNING,
            "ExpectColumnValuesToBeInSet",
            {"column": "first_episode_rne", "value_set": ["S"]},
            "DfE SSDA903 validation rule 357: a child's first episode, if it began in the collection year, starts "
            "with RNE S (started to be looked after). If it fails: a period of "
            "care may start in the wrong place, and the started and long-term stability figures with it.",
        ),
        _not_before(
            "ssda903_own_episode_order", "DEC", "DECOM",
            "Each episode ceased (DEC) on or after it began (DECOM). If it fails: the child's time in care and the "
            "figures at 31 March are wrong.",
        ),
    ]  # fmt: skip


def cin_checks(name: str) -> list[Check]:
    """Checks of one CIN census table."""
    if name == "cin_episodes":
        return [
            _not_before(
                "cin_8630_closure_after_referral", "closure_date", "referral_date",
                "DfE CIN census validation rule 8630: the CIN closure date is not before the referral date. If it "
                "fails: the episode is wrongly open or closed at 31 March (children in need).",
            )
        ]  # fmt: skip
    if name == "assessments":
        return [
            _not_before(
                "cin_1103_assessment_after_referral", "assessment_start_date", "referral_date",
                "DfE CIN census validation rule 1103: the assessment start date is not before the referral date. If "
                "it fails: the assessment's timeliness (45 working days) is measured from the wrong day.",
            ),
            _not_before(
                "cin_own_assessment_authorised_after_start", "assessment_authorised_date", "assessment_start_date",
                "An assessment is authorised on or after its start. If it fails: its duration is negative.",
            ),
        ]  # fmt: skip
    if name == "cp_plans":
        return [
            _not_before(
                "cin_1105_plan_after_referral", "cp_plan_start_date", "referral_date",
                "DfE CIN census validation rule 1105: the child protection plan start date is not before the "
                "referral date. If it fails: the plan is counted in the wrong year.",
            ),
            _not_before(
                "cin_own_plan_end_after_start", "cp_plan_end_date", "cp_plan_start_date",
                "A plan ends on or after it starts. If it fails: plans lasting two years or more are miscounted.",
            ),
        ]  # fmt: skip
    return []


def _episodes_frame(episodes: pd.DataFrame, collection_year: int) -> pd.DataFrame:
    """The episodes with ``first_episode_rne``: the RNE of a child's first episode in the return where it began in
    the collection year (an episode open on 1 April carries on from last year's return: rule 357 leaves it)."""
    frame = episodes.sort_values(["CHILD", "DECOM"]).copy()
    first = frame.groupby("CHILD").cumcount().eq(0) & (frame["DECOM"] >= year_start(collection_year))
    frame["first_episode_rne"] = frame["RNE"].where(first)
    return frame.drop(columns=["CHILD"])


def expectation_findings(ssda903: dict[int, Ssda903Return], cin: dict[int, CinCensus]) -> list[Finding]:
    """Run the suites on every return read (SSDA903 and CIN census, by collection year) and turn each failed check
    into a finding."""
    from analysis.stages.validation.runner import run_suites

    suites: list[Suite] = []
    frames: dict[str, pd.DataFrame] = {}
    where: dict[str, str] = {}
    for year, ssda in sorted(ssda903.items()):
        if "episodes" in ssda.tables:
            name = f"ssda903_{year}_episodes"
            suites.append(Suite(name, ssda903_episode_checks(), row_label="source_row"))
            frames[name] = _episodes_frame(ssda.tables["episodes"], year)
            where[name] = f"SSDA903 episodes {year_label(year)}"
    for year, census in sorted(cin.items()):
        for table in ("cin_episodes", "assessments", "cp_plans"):
            checks = cin_checks(table)
            if table in census.tables and checks and len(census.tables[table]):
                name = f"cin_{year}_{table}"
                suites.append(Suite(name, checks, row_label="child_index"))
                frames[name] = census.tables[table].drop(columns=["child"])
                where[name] = f"CIN census {year_label(year)} {table}"
    if not suites:
        return []
    results = run_suites(suites, frames, example_rows=EXAMPLE_ROWS)
    findings = []
    for row in results.loc[~results["success"].astype(bool)].itertuples():
        rows = "lines" if str(row.suite).startswith("ssda903") else "Child elements"
        what = str(row.description).split(" If it fails:")[0]
        findings.append(
            Finding(
                WARNING, where[str(row.suite)], f"{row.unexpected_count} records break the rule ({rows} "
                f"{row.example_rows}...): {what}", field=str(row.column), rule=str(row.check_id),
            )
        )  # fmt: skip
    return findings
