"""The CIN census reader (schema validation) and DfE's children in need measures, on hand-worked censuses."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.inputs.pseudonymise import pseudonym
from analysis.stages.returns.cin import read_cin_file, schema_path
from analysis.stages.returns.cin_measures import cin_figures

KEY = b"test-key"
SCHEMAS = Path(__file__).resolve().parents[2] / "shared" / "data" / "cin_census_schemas"
needs_schemas = pytest.mark.skipif(not SCHEMAS.is_dir(), reason="../shared/data/cin_census_schemas is absent")


def _el(tag: str, value: object | None) -> str:
    return "" if value is None else f"<{tag}>{value}</{tag}>"


def child_xml(
    child_id: str,
    episodes: list[str],
    birth: str | None = "2010-01-01",
    expected: str | None = None,
    gender: str = "<GenderCurrent>1</GenderCurrent>",
) -> str:
    identifiers = (
        _el("LAchildID", child_id)
        + _el("PersonBirthDate", birth)
        + _el("ExpectedPersonBirthDate", expected)
        + gender
    )
    return (
        f"<Child><ChildIdentifiers>{identifiers}</ChildIdentifiers>"
        "<ChildCharacteristics><Ethnicity>WBRI</Ethnicity></ChildCharacteristics>"
        + "".join(episodes)
        + "</Child>"
    )


def episode(
    referral: str, closure: str | None = None, assessments: str = "", s47: str = "", plans: str = ""
) -> str:
    closing = _el("CINclosureDate", closure) + (_el("ReasonForClosure", "RC8") if closure else "")
    return (
        f"<CINdetails><CINreferralDate>{referral}</CINreferralDate><ReferralSource>1A</ReferralSource>"
        f"<PrimaryNeedCode>N1</PrimaryNeedCode>{closing}{assessments}{s47}<ReferralNFA>0</ReferralNFA>{plans}"
        "</CINdetails>"
    )


def assessment(start: str, authorised: str) -> str:
    return (
        f"<Assessments><AssessmentActualStartDate>{start}</AssessmentActualStartDate>"
        f"<AssessmentAuthorisationDate>{authorised}</AssessmentAuthorisationDate></Assessments>"
    )


def section47(start: str, icpc: str | None, not_required: int = 0) -> str:
    return (
        f"<Section47><S47ActualStartDate>{start}</S47ActualStartDate>{_el('DateOfInitialCPC', icpc)}"
        f"<ICPCnotRequired>{not_required}</ICPCnotRequired></Section47>"
    )


def plan(start: str, end: str | None = None, previous: int = 0) -> str:
    return (
        f"<ChildProtectionPlans><CPPstartDate>{start}</CPPstartDate>{_el('CPPendDate', end)}"
        "<InitialCategoryOfAbuse>NEG</InitialCategoryOfAbuse><LatestCategoryOfAbuse>NEG</LatestCategoryOfAbuse>"
        f"<NumberOfPreviousCPP>{previous}</NumberOfPreviousCPP></ChildProtectionPlans>"
    )


def census_xml(year: int, children: list[str]) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><Message><Header><CollectionDetails><Collection>CIN</Collection>'
        f"<Year>{year}</Year><ReferenceDate>{year}-03-31</ReferenceDate></CollectionDetails>"
        "<Source><SourceLevel>L</SourceLevel><LEA>887</LEA></Source></Header>"
        f"<Children>{''.join(children)}</Children></Message>"
    )


def _read(tmp_path: Path, year: int, children: list[str], schemas: Path | None = None):
    path = tmp_path / f"cin_{year}.xml"
    path.write_text(census_xml(year, children), encoding="utf-8")
    return read_cin_file(path, KEY, schemas, None)


def _figures(censuses, year=2015, population=10_000.0):
    return {f.measure: (f.numerator, f.denominator, f.value) for f in cin_figures(censuses, year, population)}


def test_rereferral_within_12_months_but_not_366_days_after(tmp_path):
    census = _read(
        tmp_path,
        2015,
        [
            child_xml(
                "A", [episode("2013-06-10", "2013-08-01"), episode("2014-06-10", "2014-08-01")]
            ),  # 365 days
            child_xml(
                "B", [episode("2013-06-10", "2013-08-01"), episode("2014-06-11", "2014-08-01")]
            ),  # 366 days
            child_xml("C", [episode("2014-09-01")]),
        ],
    )
    figures = _figures([census])
    assert figures["referrals_count"][0] == 3
    assert figures["referrals_per_10000"] == (3, 10_000, 3.0)
    assert figures["rereferrals_within_12_months"][:2] == (1, 3)


def test_assessment_finishing_on_a_bank_holiday_is_not_a_working_day(tmp_path):
    # Start Thursday 1 May 2014; the 45th working day after it, counting bank holidays 5 May and 26 May 2014 out,
    # is Monday 7 July 2014; 8 July is the 46th.
    census = _read(
        tmp_path,
        2015,
        [
            child_xml("A", [episode("2014-05-01", assessments=assessment("2014-05-01", "2014-07-07"))]),
            child_xml("B", [episode("2014-05-01", assessments=assessment("2014-05-01", "2014-07-08"))]),
            # Start Wednesday 24 December 2014: authorised on Boxing Day (a bank holiday) took 1 working day.
            child_xml("C", [episode("2014-12-24", assessments=assessment("2014-12-24", "2014-12-26"))]),
        ],
    )
    assert _figures([census])["assessments_within_45_working_days"][:2] == (2, 3)


def test_section_47_and_initial_conferences_within_15_working_days(tmp_path):
    census = _read(
        tmp_path,
        2015,
        [
            # Strategy discussion Monday 2 June 2014: the 15th working day after is Monday 23 June.
            child_xml("A", [episode("2014-06-01", s47=section47("2014-06-02", "2014-06-23"))]),
            child_xml("B", [episode("2014-06-01", s47=section47("2014-06-02", "2014-06-24"))]),
            child_xml("C", [episode("2014-06-01", s47=section47("2014-06-02", None, not_required=1))]),
        ],
    )
    figures = _figures([census])
    assert figures["section_47_enquiries"][0] == 3
    assert figures["icpc_within_15_working_days"] == (1, 2, 50.0)


def test_plans_started_subsequent_ended_after_two_years_and_open_at_31_march(tmp_path):
    census = _read(
        tmp_path,
        2015,
        [
            child_xml("A", [episode("2012-01-01", plans=plan("2012-06-01", "2014-06-01"))]),  # ended, 2 years
            child_xml(
                "B", [episode("2014-05-01", plans=plan("2014-05-01", "2014-11-01") + plan("2015-01-10"))]
            ),
            child_xml("C", [episode("2014-05-01", plans=plan("2014-05-01", previous=1))]),
        ],
    )
    figures = _figures([census])
    assert figures["cp_plans_started"][0] == 3
    assert figures["cp_plans_second_or_subsequent"][:2] == (
        2,
        3,
    )  # B's second plan; C's recorded previous plan
    assert figures["cp_plans_ended_lasting_two_years_or_more"][:2] == (1, 2)
    assert figures["children_on_cp_plan_per_10000"] == (2, 10_000, 2.0)


def test_children_in_need_at_31_march_and_an_unborn_child(tmp_path):
    census = _read(
        tmp_path,
        2015,
        [
            child_xml("A", [episode("2014-05-01")]),
            child_xml("B", [episode("2014-05-01", "2015-03-31")]),  # closed on 31 March: not open at it
            child_xml("U", [episode("2015-02-01")], birth=None, expected="2015-05-01"),
        ],
    )
    figures = _figures([census])
    assert figures["children_in_need_per_10000"] == (2, 10_000, 2.0)
    assert figures["cin_unborn_at_31_march"][:2] == (1, 2)


def test_earlier_census_supplies_the_previous_referral(tmp_path):
    earlier = _read(tmp_path, 2014, [child_xml("A", [episode("2014-01-10", "2014-02-01")])])
    later = _read(tmp_path, 2015, [child_xml("A", [episode("2014-12-01")])])
    assert _figures([earlier, later])["rereferrals_within_12_months"][:2] == (1, 1)


@needs_schemas
def test_schema_violation_names_child_and_element(tmp_path):
    census = _read(
        tmp_path,
        2018,
        [
            child_xml("A1", [episode("2017-05-01")]),
            child_xml("A2", [episode("2017-05-01")], gender="<Sex>M</Sex>"),
        ],
        SCHEMAS,
    )
    [finding] = [f for f in census.findings if f.rule == "schema"]
    assert finding.child == pseudonym("A2", KEY)
    assert finding.field == "Sex" and "GenderCurrent" in finding.message
    assert census.tables["cin_episodes"].shape[0] == 2  # still read


@needs_schemas
def test_wrong_schema_year_and_a_year_before_the_first_schema(tmp_path):
    later_style = child_xml("A", [episode("2025-05-01")], gender="<Sex>M</Sex>")
    assert not [f for f in _read(tmp_path, 2026, [later_style], SCHEMAS).findings if f.rule == "schema"]
    assert [f for f in _read(tmp_path, 2019, [later_style], SCHEMAS).findings if f.rule == "schema"]
    assert schema_path(SCHEMAS, 2015) == (SCHEMAS / "CIN_schema_2017.xsd", 2017)
    early = _read(tmp_path, 2015, [child_xml("A", [episode("2014-05-01")])], SCHEMAS)
    assert [f.severity for f in early.findings] == ["note"]


@needs_schemas
def test_a_missing_mandatory_element_is_named(tmp_path):
    without_nfa = episode("2017-05-01").replace("<ReferralNFA>0</ReferralNFA>", "")
    census = _read(tmp_path, 2018, [child_xml("A1", [without_nfa])], SCHEMAS)
    [finding] = [f for f in census.findings if f.rule == "schema"]
    assert (finding.child, finding.field) == (pseudonym("A1", KEY), "ReferralNFA")


def test_a_date_that_does_not_parse(tmp_path):
    census = _read(tmp_path, 2015, [child_xml("A", [episode("01/13/2014")])])
    [finding] = [f for f in census.findings if f.rule == "date"]
    assert (finding.child, finding.field) == (pseudonym("A", KEY), "referral_date")


def test_not_well_formed_xml_is_an_error(tmp_path):
    path = tmp_path / "broken.xml"
    path.write_text("<Message><Children>", encoding="utf-8")
    census = read_cin_file(path, KEY, None, 2015)
    assert [f.severity for f in census.findings] == ["error"] and not census.tables


def test_a_census_above_xmlschemas_default_element_limit_is_read_and_one_above_ours_is_refused(
    tmp_path, monkeypatch
):
    """xmlschema refuses more than 1 million elements by default, fewer than a large county's census holds: the
    reader raises the limit to MAX_CENSUS_ELEMENTS (here scaled down) and refuses a larger file in a finding."""
    import xmlschema

    from analysis.stages.returns import cin

    children = [child_xml(f"C{n}", [episode("2014-06-01", assessments=assessment("2014-06-02", "2014-06-20"))])
                for n in range(3)]  # fmt: skip
    monkeypatch.setattr(xmlschema.limits, "MAX_XML_ELEMENTS", 20)  # as if the census were above the default
    monkeypatch.setattr(cin, "MAX_CENSUS_ELEMENTS", 1_000)
    census = _read(tmp_path, 2015, children)
    assert not [f for f in census.findings if f.severity == "error"]
    assert len(census.tables["children"]) == 3
    monkeypatch.setattr(xmlschema.limits, "MAX_XML_ELEMENTS", 20)
    monkeypatch.setattr(cin, "MAX_CENSUS_ELEMENTS", 20)
    refused = _read(tmp_path, 2015, children)
    assert [(f.severity, f.message) for f in refused.findings] == [
        ("error", "too large to read: more than 20 XML elements or 1,000 levels of nesting")
    ]
    assert not refused.tables


def test_a_census_declaring_entities_is_refused_in_a_finding(tmp_path):
    """Defused as xmlschema's defuse="always": an entity declaration (a billion-laughs file, say) is refused, in a
    finding naming the file, not a traceback."""
    path = tmp_path / "entities.xml"
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE Message [<!ENTITY x "boom">]>\n'
        "<Message><Children><Child>&x;</Child></Children></Message>\n",
        encoding="utf-8",
    )
    census = read_cin_file(path, KEY, None, 2015)
    assert [(f.severity, f.file) for f in census.findings] == [("error", str(path))]
    assert "Entities are forbidden" in census.findings[0].message and not census.tables


def test_the_children_are_read_in_document_order_also_when_one_is_inside_another(tmp_path):
    """Each Child is read as it ends, one at a time (issue 21); a Child inside a Child (not DfE's layout) still
    gets the number and row order of a whole-document reading (``root.iter("Child")``: document order)."""
    inner = child_xml("B", [episode("2014-07-01")])
    outer = child_xml("A", [episode("2014-06-01")]).replace("</Child>", inner + "</Child>")
    census = _read(tmp_path, 2015, [outer, child_xml("C", [episode("2014-08-01")])])
    children = census.tables["children"]
    assert list(children["child_index"]) == [1, 2, 3]
    assert list(children["child"]) == [pseudonym(c, KEY) for c in "ABC"]
    episodes = census.tables["cin_episodes"]
    assert [str(d.date()) for d in episodes["referral_date"]] == ["2014-06-01", "2014-07-01", "2014-08-01"]
