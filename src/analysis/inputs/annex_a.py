"""The Ofsted Annex A lists as the pipeline reads them: sheet, headings, and the processed column each feeds.

This is the contract between the raw files and the cleaning (``analysis.stages.cleaning``) and the demo generator
(``demo_data.generate``). The headings are those of Ofsted's current Annex A data template for inspections of
local authority children's services (ILACS, lists 1-11); the earlier templates' wordings (single inspection
framework, 2015: ``Case Closure Date``, ``Placement Start Date``, ``Date of Birthday Contact``, ``Adopter Unique
ID`` ...) and other wordings seen in real workbooks are matched through :data:`HEADING_ALIASES`, after normalising
case, spacing and punctuation. Headings the template has but the pipeline does not use are listed as ``drop``, so
that a heading matching nothing is a real surprise (it is named in the cleaning log).

``required`` marks the columns without which a list cannot be read at all: the identifier and the date that puts a
row in the list (the schema's non-nullable dates). Every other column is optional: when it is missing the column is
left empty, the cleaning log says so (rule ``columns.missing.<column>``), and only the indicators that need it are
reported as not available (:mod:`analysis.stages.indicators.compute`). ``kind`` says how a value is parsed:

- ``child_id``/``adopter_id``: identifier, pseudonymised before anything is written;
- ``gender``, ``ethnicity``: coded values, canonicalised (``a) Male``, ``Male``, ``M`` -> ``male``);
- ``date_of_birth``: a date, coarsened to the first of the month;
- ``date``: a date (Excel serial, real date or ``dd/mm/yyyy`` text);
- ``yes_no``: a boolean; ``integer``; ``text``; ``code``: an upper-case code (e.g. SSDA903 codes);
- ``in_touch``: SSDA903 ``IN_TOUCH`` (``a) Yes`` true; ``No``/``Refu`` false; ``Died``/``NREQ``/``Rhom`` empty);
- ``suitability``: ``a) Suitable`` true, ``b) Unsuitable`` false (yes/no accepted too);
- ``postcode``: a postcode, coarsened to its sector;
- ``drop``: read only to be discarded (worker names, age: recomputable and identifying).

Notes
-----
Ofsted, "Annex A: children's social care data and information" (ILACS data template, lists 1-11); the list
headings as used by the DfE-funded Data to Insight and Social Finance tools (liia-tools
``liiatools/annex_a_pipeline/spec/Annex_A_schema.yml``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

ANNEX_A_SOURCE = (
    "Ofsted, Annex A: children's social care data and information required for the inspection of services for "
    "children in need of help and protection, children looked after and care leavers."
)


@dataclass(frozen=True)
class AnnexAColumn:
    heading: str
    column: str | None  # processed column; None when dropped
    kind: str
    required: bool = True


@dataclass(frozen=True)
class AnnexAList:
    number: int
    table: str
    title: str
    columns: tuple[AnnexAColumn, ...]

    @property
    def sheet(self) -> str:
        """Sheet name in the workbook, and stem of the CSV file (``List 1`` / ``List_1.csv``)."""
        return f"List {self.number}"

    @property
    def csv_name(self) -> str:
        return f"List_{self.number}.csv"


def _child_columns() -> tuple[AnnexAColumn, ...]:
    return (
        AnnexAColumn("Child Unique ID", "child_id", "child_id"),
        AnnexAColumn("Gender", "gender", "gender", required=False),
        AnnexAColumn("Ethnicity", "ethnicity", "ethnicity", required=False),
        AnnexAColumn("Date of Birth", "date_of_birth", "date_of_birth", required=False),
        AnnexAColumn("Age of Child (Years)", None, "drop", required=False),
    )


def _c(heading: str, column: str | None, kind: str, required: bool = True) -> AnnexAColumn:
    return AnnexAColumn(heading, column, kind, required)


def _drop(heading: str) -> AnnexAColumn:
    """A heading of the template that the pipeline knows but does not use (worker names, counts it recomputes)."""
    return AnnexAColumn(heading, None, "drop", required=False)


ANNEX_A_LISTS: tuple[AnnexAList, ...] = (
    AnnexAList(
        1,
        "contacts",
        "Contacts",
        (
            *_child_columns(),
            _c("Date of Contact", "contact_date", "date"),
            _c("Contact Source", "contact_source", "text", required=False),
        ),
    ),
    AnnexAList(
        2,
        "early_help",
        "Early help assessments",
        (
            *_child_columns(),
            _c("Assessment start date", "early_help_start_date", "date"),
            _c("Assessment completion date", "early_help_completed_date", "date", required=False),
            _c("Organisation completing assessment", "organisation", "text", required=False),
        ),
    ),
    AnnexAList(
        3,
        "referrals",
        "Referrals",
        (
            *_child_columns(),
            _c("Date of referral", "referral_date", "date"),
            _c("Referral Source", "referral_source", "text", required=False),
            _c("Referral NFA?", "referral_nfa", "yes_no", required=False),
            _drop("Number of Referrals in Last 12 Months"),
            _c("Allocated Team", "team", "text", required=False),
            _drop("Allocated Worker"),
        ),
    ),
    AnnexAList(
        4,
        "assessments",
        "Assessments",
        (
            *_child_columns(),
            _c("Does the Child have a Disability", "disability", "yes_no", required=False),
            _c("Continuous Assessment Start Date", "assessment_start_date", "date"),
            _c("Child Seen During Continuous Assessment", "child_seen", "yes_no", required=False),
            _c(
                "Continuous Assessment Date of Authorisation",
                "assessment_authorised_date",
                "date",
                required=False,
            ),
            _c(
                "Was the child assessed as requiring LA children's social care support?",
                "needs_support",
                "yes_no",
                required=False,
            ),
            _c("Allocated Team", "team", "text", required=False),
            _drop("Allocated Worker"),
        ),
    ),
    AnnexAList(
        5,
        "section47",
        "Section 47 enquiries and initial child protection conferences",
        (
            *_child_columns(),
            _drop("Does the Child have a Disability"),
            _c(
                "Strategy discussion initiating Section 47 Enquiry Start Date",
                "strategy_discussion_date",
                "date",
            ),
            _c(
                "Was an Initial Child Protection Conference deemed unnecessary?",
                "icpc_not_required",
                "yes_no",
                required=False,
            ),
            _c("Date of Initial Child Protection Conference", "icpc_date", "date", required=False),
            _c(
                "Did the Initial Child Protection Conference Result in a Child Protection Plan",
                "icpc_resulted_in_plan",
                "yes_no",
                required=False,
            ),
            _drop("Number of Section 47 Enquiries in the last 12 months"),
            _drop("Number of ICPCs in the last 12 months"),
            _c("Allocated Team", "team", "text", required=False),
            _drop("Allocated Worker"),
        ),
    ),
    AnnexAList(
        6,
        "children_in_need",
        "Children in need",
        (
            *_child_columns(),
            _drop("Does the Child have a Disability"),
            _c("CIN Start Date", "cin_start_date", "date"),
            _c("Primary Need Code", "primary_need", "code", required=False),
            _c("Date Child Was Last Seen", "last_seen_date", "date", required=False),
            _c("CIN Closure Date", "cin_end_date", "date", required=False),
            _drop("Reason for Closure"),
            _drop("Case Status"),
            _drop("Allocated Team"),
            _drop("Allocated Worker"),
        ),
    ),
    AnnexAList(
        7,
        "cp_plans",
        "Child protection plans",
        (
            *_child_columns(),
            _drop("Does the Child have a Disability"),
            _drop("Allocated Team"),
            _drop("Allocated Worker"),
            _c("Child Protection Plan Start Date", "cp_plan_start_date", "date"),
            _c("Initial Category of Abuse", "category_of_abuse", "text", required=False),
            _drop("Latest Category of Abuse"),
            _c("Date of the Last Statutory Visit", "last_visit_date", "date", required=False),
            _c("Was the Child Seen Alone?", "seen_alone", "yes_no", required=False),
            _c(
                "Date of latest review conference",
                "latest_review_conference_date",
                "date",
                required=False,
            ),
            _c("Child Protection Plan End Date", "cp_plan_end_date", "date", required=False),
            _drop(
                "Subject to Emergency Protection Order or Protected Under Police Powers in Last Six Months (Y/N)"
            ),
            _c("Number of Previous Child Protection Plans", "previous_cp_plans", "integer", required=False),
        ),
    ),
    AnnexAList(
        8,
        "looked_after",
        "Children looked after (one row per placement, or the most recent placement in the current template)",
        (
            *_child_columns(),
            _drop("Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)"),
            _drop("Does the Child have a Disability"),
            _c("Date Started to be Looked After", "care_start_date", "date"),
            _drop("Child's Category of Need"),
            _drop(
                "Is this a second or subsequent period of being a Looked After Child within the last 12 months "
                "(Y/N)"
            ),
            _drop("Start date of current legal status"),
            _c("Child's Legal Status", "legal_status", "code", required=False),
            _c("Date of Latest Statutory Review", "latest_review_date", "date", required=False),
            _c("Date of Last Social Work Visit", "last_visit_date", "date", required=False),
            _drop("What is the permanence plan for this child?"),
            _c(
                "Date of Last IRO Visit / Contact to the Child",
                "last_iro_contact_date",
                "date",
                required=False,
            ),
            _drop("Date of Last Health Assessment"),
            _drop("Date of Last Dental Check"),
            _drop("Number of Placements in the Last 12 months"),
            _c("Date Ceased to be Looked After", "care_end_date", "date", required=False),
            _c("Reason Ceased to be Looked After", "reason_ceased", "code", required=False),
            _c("Start Date of Most Recent Placement", "placement_start_date", "date"),
            _c("Placement End Date", "placement_end_date", "date", required=False),
            _c("Placement Type", "placement_type", "code", required=False),
            _drop("Placement Provider"),
            _c("Placement Postcode", "placement_postcode_sector", "postcode", required=False),
            _drop("URN of Placement"),
            _drop("Placement Location"),
            _drop("LA of Placement"),
            _drop(
                "Number of Episodes the Child has been 'Missing' from their Placement in the last 12 months"
            ),
            _drop(
                "Number of Episodes the Child has been 'Absent' from their Placement in the last 12 months"
            ),
            _drop("Was the child offered a Return Interview after their last missing episode (Y/N)?"),
            _drop("Did the child accept a Return Interview after their last missing episode (Y/N)?"),
            _drop("Allocated Team"),
            _drop("Allocated Worker"),
        ),
    ),
    AnnexAList(
        9,
        "care_leavers",
        "Care leavers",
        (
            *_child_columns(),
            _drop("Unaccompanied Asylum Seeking Child (UASC), or formerly UASC if 18 or over (Y/N)"),
            _drop("Does the Child have a Disability"),
            _drop("Allocated Team"),
            _drop("Allocated Worker"),
            _drop("Allocated Personal Advisor"),
            _drop("Eligibility Category"),
            _c("Latest Pathway Plan Review Date", "pathway_plan_review_date", "date", required=False),
            _c("LA in Touch", "in_touch", "in_touch", required=False),
            _c("Latest Date of Contact", "contact_date", "date", required=False),
            _drop("Type of Accommodation"),
            _c("Suitability of Accommodation", "accommodation_suitable", "suitability", required=False),
            _c("Activity Status", "activity", "text", required=False),
        ),
    ),
    AnnexAList(
        10,
        "adoptions",
        "Children with an adoption decision",
        (
            *_child_columns(),
            _drop("Family identifier"),
            _drop("Does the Child have a Disability"),
            _c("Date the Child Entered Care", "care_start_date", "date"),
            _c(
                "Date of Decision that Child Should be Placed for Adoption",
                "adoption_decision_date",
                "date",
                required=False,
            ),
            _c("Date of Placement Order", "placement_order_date", "date", required=False),
            _c("Date of Matching Child and Prospective Adopters", "matched_date", "date", required=False),
            _c("Date Placed for Adoption", "placed_date", "date", required=False),
            _c("Date of Adoption Order", "adoption_order_date", "date", required=False),
            _drop("Date of Decision that Child Should No Longer be Placed for Adoption"),
            _drop("Reason Why Child No Longer Placed for Adoption"),
            _drop("Date the child was placed for fostering in FFA or concurrent planning placement"),
        ),
    ),
    AnnexAList(
        11,
        "adopters",
        "Adopters",
        (
            _c("Individual adopter identifier", "adopter_id", "adopter_id"),
            _drop("Family identifier"),
            _drop("Gender"),
            _drop("Ethnicity"),
            _drop("Disability"),
            _drop("Is the (prospective) adopter fostering for adoption?"),
            _c("Date enquiry received", "enquiry_date", "date", required=False),
            _drop("Date Stage 1 started"),
            _drop("Date Stage 1 ended"),
            _drop("Date Stage 2 started"),
            _drop("Date Stage 2 ended"),
            _drop("Date application submitted"),
            _c("Date application approved", "approval_date", "date", required=False),
            _c("Date adopter matched with child(ren)", "matched_date", "date", required=False),
            _drop("Date child/children placed with adopter(s)"),
            _drop("No. of children placed"),
            _drop("Date of Adoption Order"),
            _drop("Date of leaving adoption process"),
            _drop("Reason for leaving adoption process"),
        ),
    ),
)

ANNEX_A_BY_TABLE = {spec.table: spec for spec in ANNEX_A_LISTS}

# Other wordings of headings: those of the earlier Annex A templates (2015-2018, "single inspection framework")
# and those seen in real workbooks. Keys and values are compared after normalising (lower case, punctuation and
# extra spaces removed), so only wording differences belong here. A key is looked up only among the columns of
# the list being read, so one wording can stand for different columns in different lists.
HEADING_ALIASES: dict[str, str] = {
    "child id": "Child Unique ID",
    "unique child id": "Child Unique ID",
    "child unique identifier": "Child Unique ID",
    "sex": "Gender",
    "dob": "Date of Birth",
    "age": "Age of Child (Years)",
    "contact date": "Date of Contact",
    "referral date": "Date of referral",
    "source of referral": "Referral Source",
    "referral no further action": "Referral NFA?",
    "assessment start date": "Continuous Assessment Start Date",
    "date of authorisation": "Continuous Assessment Date of Authorisation",
    "assessment authorisation date": "Continuous Assessment Date of Authorisation",
    "strategy discussion date": "Strategy discussion initiating Section 47 Enquiry Start Date",
    "icpc date": "Date of Initial Child Protection Conference",
    "case closure date": "CIN Closure Date",
    "cin end date": "CIN Closure Date",
    "cp plan start date": "Child Protection Plan Start Date",
    "cp plan end date": "Child Protection Plan End Date",
    "category of abuse": "Initial Category of Abuse",
    "date of last statutory visit": "Date of the Last Statutory Visit",
    "date of last review conference": "Date of latest review conference",
    "date became looked after": "Date Started to be Looked After",
    "legal status": "Child's Legal Status",
    "placement start date": "Start Date of Most Recent Placement",
    "date of latest placement": "Start Date of Most Recent Placement",
    "date ceased": "Date Ceased to be Looked After",
    "reason ceased": "Reason Ceased to be Looked After",
    "date of birthday contact": "Latest Date of Contact",
    "is the la in touch": "LA in Touch",
    "accommodation suitable": "Suitability of Accommodation",
    "activity": "Activity Status",
    "adopter unique id": "Individual adopter identifier",
    "date of initial enquiry": "Date enquiry received",
    "date approved as adopters": "Date application approved",
    "date matched with child": "Date adopter matched with child(ren)",
}


#: Rule id prefix in the cleaning log for an optional column missing from a list (``columns.missing.<column>``).
MISSING_COLUMN_RULE = "columns.missing."
#: Rule id in the cleaning log for a heading that matched no column of its list.
UNMATCHED_HEADING_RULE = "headings.unmatched"


def column_heading(table: str, column: str) -> tuple[int, str]:
    """The list number and the template's heading of a processed column (``("looked_after", "placement_end_date")``
    -> ``(8, "Placement End Date")``)."""
    spec = ANNEX_A_BY_TABLE[table]
    heading = next(c.heading for c in spec.columns if c.column == column)
    return spec.number, heading


#: What :func:`missing_column_reason` says between the column and the list (products find the reason by it).
MISSING_FROM_LIST = " is missing from List "
#: A template heading that is a question (``Was the child seen...``): its answer is what is missing.
_QUESTION_WORDS = frozenset({"Did", "Does", "Do", "Was", "Were", "Is", "Are", "Has", "Have"})


def _plain_words(text: str) -> str:
    """A template heading as words in a sentence: lower case but for acronyms (``Date of Last IRO Visit`` ->
    ``date of last IRO visit``), without a yes/no marker or question mark."""
    text = re.sub(r"\s*\((?:Y/N)\)|\?$", "", text).strip()
    return " ".join(w if sum(c.isupper() for c in w) > 1 else w.lower() for w in text.split())


def missing_column_reason(table: str, column: str) -> str:
    """``the placement end date is missing from List 8 (children looked after)``: why a figure needing the column
    is not available, in the words of the template's heading and the list's title (never the column's name in the
    processed table, which is the audit trail's)."""
    number, heading = column_heading(table, column)
    title = ANNEX_A_BY_TABLE[table].title.split(" (")[0]
    if heading.split()[0] in _QUESTION_WORDS or heading.endswith("?"):
        field = f'answer to "{heading}"'
    else:
        field = _plain_words(heading)
    return f"the {field}{MISSING_FROM_LIST}{number} ({_plain_words(title)})"


def missing_columns(cleaning_log: pd.DataFrame | None) -> set[tuple[str, str]]:
    """The (table, column) pairs the cleaning log records as missing from the raw lists (empty without a log)."""
    if cleaning_log is None or cleaning_log.empty:
        return set()
    rules = cleaning_log.loc[cleaning_log["rule"].astype(str).str.startswith(MISSING_COLUMN_RULE)]
    return {
        (str(table), str(rule)[len(MISSING_COLUMN_RULE) :])
        for table, rule in zip(rules["table"], rules["rule"], strict=True)
    }
