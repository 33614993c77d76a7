"""The Ofsted Annex A lists as the pipeline reads them: sheet, headings, and the processed column each feeds.

This is the contract between the raw files and the cleaning (``analysis.cleaning``) and the demo generator
(``analysis.demo_data``). Headings are those of Ofsted's Annex A template (single inspection framework, 2015
onwards); real workbooks vary in case, spacing and wording, so the readers match headings through
:data:`HEADING_ALIASES` after normalising them. ``kind`` says how a value is parsed:

- ``child_id``/``adopter_id``: identifier, pseudonymised before anything is written;
- ``gender``, ``ethnicity``: coded values, canonicalised (``a) Male``, ``Male``, ``M`` -> ``male``);
- ``date_of_birth``: a date, coarsened to the first of the month;
- ``date``: a date (Excel serial, real date or ``dd/mm/yyyy`` text);
- ``yes_no``: a boolean; ``integer``; ``text``; ``code``: an upper-case code (e.g. SSDA903 codes);
- ``postcode``: a postcode, coarsened to its sector;
- ``drop``: read only to be discarded (worker names, age: recomputable and identifying).
"""

from __future__ import annotations

from dataclasses import dataclass

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
        AnnexAColumn("Gender", "gender", "gender"),
        AnnexAColumn("Ethnicity", "ethnicity", "ethnicity"),
        AnnexAColumn("Date of Birth", "date_of_birth", "date_of_birth"),
        AnnexAColumn("Age", None, "drop", required=False),
    )


def _c(heading: str, column: str | None, kind: str, required: bool = True) -> AnnexAColumn:
    return AnnexAColumn(heading, column, kind, required)


ANNEX_A_LISTS: tuple[AnnexAList, ...] = (
    AnnexAList(
        1,
        "contacts",
        "Contacts",
        (
            *_child_columns(),
            _c("Date of Contact", "contact_date", "date"),
            _c("Contact Source", "contact_source", "text"),
        ),
    ),
    AnnexAList(
        2,
        "early_help",
        "Early help assessments",
        (
            *_child_columns(),
            _c("Assessment Start Date", "early_help_start_date", "date"),
            _c("Assessment Completion Date", "early_help_completed_date", "date", required=False),
            _c("Organisation Completing Assessment", "organisation", "text", required=False),
        ),
    ),
    AnnexAList(
        3,
        "referrals",
        "Referrals",
        (
            *_child_columns(),
            _c("Date of Referral", "referral_date", "date"),
            _c("Referral Source", "referral_source", "text"),
            _c("Referral NFA?", "referral_nfa", "yes_no", required=False),
            _c("Number of Referrals in Last 12 Months", None, "drop", required=False),
            _c("Allocated Team", "team", "text", required=False),
            _c("Allocated Worker", None, "drop", required=False),
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
            _c("Continuous Assessment Date of Authorisation", "assessment_authorised_date", "date"),
            _c(
                "Was the child assessed as requiring LA children's social care support?",
                "needs_support",
                "yes_no",
                required=False,
            ),
            _c("Allocated Team", "team", "text", required=False),
            _c("Allocated Worker", None, "drop", required=False),
        ),
    ),
    AnnexAList(
        5,
        "section47",
        "Section 47 enquiries and initial child protection conferences",
        (
            *_child_columns(),
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
            _c("Date of Initial Child Protection Conference", "icpc_date", "date"),
            _c(
                "Did the Initial Child Protection Conference Result in a Child Protection Plan",
                "icpc_resulted_in_plan",
                "yes_no",
                required=False,
            ),
            _c("Allocated Team", "team", "text", required=False),
            _c("Allocated Worker", None, "drop", required=False),
        ),
    ),
    AnnexAList(
        6,
        "children_in_need",
        "Children in need",
        (
            *_child_columns(),
            _c("CIN Start Date", "cin_start_date", "date"),
            _c("Primary Need Code", "primary_need", "code", required=False),
            _c("Case Closure Date", "cin_end_date", "date"),
            _c("Allocated Team", None, "drop", required=False),
            _c("Allocated Worker", None, "drop", required=False),
        ),
    ),
    AnnexAList(
        7,
        "cp_plans",
        "Child protection plans",
        (
            *_child_columns(),
            _c("Allocated Team", None, "drop", required=False),
            _c("Allocated Worker", None, "drop", required=False),
            _c("Child Protection Plan Start Date", "cp_plan_start_date", "date"),
            _c("Category of Abuse", "category_of_abuse", "text", required=False),
            _c("Child Protection Plan End Date", "cp_plan_end_date", "date"),
            _c("Number of Previous Child Protection Plans", "previous_cp_plans", "integer"),
        ),
    ),
    AnnexAList(
        8,
        "looked_after",
        "Children looked after (one row per placement)",
        (
            *_child_columns(),
            _c("Date Started to be Looked After", "care_start_date", "date"),
            _c("Child's Legal Status", "legal_status", "code", required=False),
            _c("Placement Start Date", "placement_start_date", "date"),
            _c("Placement End Date", "placement_end_date", "date"),
            _c("Placement Type", "placement_type", "code", required=False),
            _c("Placement Postcode", "placement_postcode_sector", "postcode", required=False),
            _c("Date Ceased to be Looked After", "care_end_date", "date"),
            _c("Reason Ceased to be Looked After", "reason_ceased", "code", required=False),
            _c("Allocated Worker", None, "drop", required=False),
        ),
    ),
    AnnexAList(
        9,
        "care_leavers",
        "Care leavers",
        (
            *_child_columns(),
            _c("Date of Birthday Contact", "contact_date", "date"),
            _c("Is the LA in Touch", "in_touch", "yes_no", required=False),
            _c("Activity", "activity", "text", required=False),
            _c("Accommodation Suitable", "accommodation_suitable", "yes_no", required=False),
            _c("Allocated Personal Advisor", None, "drop", required=False),
        ),
    ),
    AnnexAList(
        10,
        "adoptions",
        "Children with an adoption decision",
        (
            *_child_columns(),
            _c("Date the Child Entered Care", "care_start_date", "date"),
            _c("Date of Decision that Child Should be Placed for Adoption", "adoption_decision_date", "date"),
            _c("Date of Placement Order", "placement_order_date", "date"),
            _c("Date of Matching Child and Prospective Adopters", "matched_date", "date"),
            _c("Date Placed for Adoption", "placed_date", "date"),
            _c("Date of Adoption Order", "adoption_order_date", "date"),
        ),
    ),
    AnnexAList(
        11,
        "adopters",
        "Adopters",
        (
            _c("Adopter Unique ID", "adopter_id", "adopter_id"),
            _c("Date of Initial Enquiry", "enquiry_date", "date"),
            _c("Date Approved as Adopters", "approval_date", "date", required=False),
            _c("Date Matched with Child", "matched_date", "date", required=False),
        ),
    ),
)

ANNEX_A_BY_TABLE = {spec.table: spec for spec in ANNEX_A_LISTS}

# Other wordings of headings seen in real workbooks and older template versions. Keys and values are compared
# after normalising (lower case, punctuation and extra spaces removed), so only wording differences belong here.
HEADING_ALIASES: dict[str, str] = {
    "child id": "Child Unique ID",
    "unique child id": "Child Unique ID",
    "child unique identifier": "Child Unique ID",
    "sex": "Gender",
    "dob": "Date of Birth",
    "contact date": "Date of Contact",
    "referral date": "Date of Referral",
    "source of referral": "Referral Source",
    "referral no further action": "Referral NFA?",
    "assessment start date": "Continuous Assessment Start Date",
    "date of authorisation": "Continuous Assessment Date of Authorisation",
    "assessment authorisation date": "Continuous Assessment Date of Authorisation",
    "strategy discussion date": "Strategy discussion initiating Section 47 Enquiry Start Date",
    "icpc date": "Date of Initial Child Protection Conference",
    "cp plan start date": "Child Protection Plan Start Date",
    "cp plan end date": "Child Protection Plan End Date",
    "initial category of abuse": "Category of Abuse",
    "latest category of abuse": "Category of Abuse",
    "date became looked after": "Date Started to be Looked After",
    "legal status": "Child's Legal Status",
    "date of latest placement": "Placement Start Date",
    "date ceased": "Date Ceased to be Looked After",
    "reason ceased": "Reason Ceased to be Looked After",
}
