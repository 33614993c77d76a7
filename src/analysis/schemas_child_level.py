"""The schemas of the child-level tables cleaned from the Annex A lists (pseudonymised, one row a child or event)."""

from __future__ import annotations

from analysis.schemas_table import Column, TableSchema


def _child(*extra: Column) -> tuple[Column, ...]:
    """Columns every child-level table starts with (Annex A's first five, pseudonymised)."""
    return (
        Column(
            "child_id", "string", "Pseudonym of the child (keyed HMAC-SHA256 of the case system's ID)", False
        ),
        Column("gender", "string", "Canonical: male, female, unknown, indeterminate"),
        Column(
            "ethnicity", "string", "DfE ethnicity code (e.g. WBRI), upper case; NOBT/REFU where not known"
        ),
        Column("date_of_birth", "datetime64[s]", "First day of the month of birth (day removed for privacy)"),
        *extra,
        Column("source_row", "int64", "Row in the raw file or sheet (1-based, as Excel shows it)", False),
    )


CHILD_LEVEL_SCHEMAS: list[TableSchema] = [
    TableSchema(
        "contacts",
        "Annex A list 1: contacts received by children's social care.",
        _child(
            Column("contact_date", "datetime64[s]", "Date of contact", False),
            Column("contact_source", "string", "Canonical contact source (e.g. police, school, health)"),
        ),
        ("child_id", "contact_date", "contact_source"),
    ),
    TableSchema(
        "early_help",
        "Annex A list 2: early help assessments (CAF).",
        _child(
            Column("early_help_start_date", "datetime64[s]", "Date the early help assessment started", False),
            Column("early_help_completed_date", "datetime64[s]", "Date it was completed, if it was"),
            Column("organisation", "string", "Organisation completing the assessment"),
        ),
        ("child_id", "early_help_start_date"),
    ),
    TableSchema(
        "referrals",
        "Annex A list 3: referrals accepted by children's social care.",
        _child(
            Column("referral_date", "datetime64[s]", "Date of referral", False),
            Column("referral_source", "string", "Canonical referral source"),
            Column("referral_nfa", "boolean", "Referral closed with no further action"),
            Column("team", "string", "Allocated team (worker names are dropped)"),
        ),
        ("child_id", "referral_date"),
    ),
    TableSchema(
        "assessments",
        "Annex A list 4: continuous (single) assessments.",
        _child(
            Column("disability", "boolean", "Child has a disability"),
            Column("assessment_start_date", "datetime64[s]", "Continuous assessment start date", False),
            Column("child_seen", "boolean", "Child seen during the assessment"),
            Column("assessment_authorised_date", "datetime64[s]", "Date the assessment was authorised"),
            Column("needs_support", "boolean", "Assessed as requiring LA children's social care support"),
            Column("team", "string", "Allocated team"),
        ),
        ("child_id", "assessment_start_date"),
    ),
    TableSchema(
        "section47",
        "Annex A list 5: section 47 enquiries and initial child protection conferences.",
        _child(
            Column(
                "strategy_discussion_date", "datetime64[s]", "Strategy discussion starting the s47", False
            ),
            Column("icpc_not_required", "boolean", "Initial conference deemed unnecessary"),
            Column("icpc_date", "datetime64[s]", "Date of initial child protection conference"),
            Column("icpc_resulted_in_plan", "boolean", "The conference resulted in a child protection plan"),
            Column("team", "string", "Allocated team"),
        ),
        ("child_id", "strategy_discussion_date"),
    ),
    TableSchema(
        "children_in_need",
        "Annex A list 6: children in need episodes.",
        _child(
            Column("cin_start_date", "datetime64[s]", "Start of the child in need episode", False),
            Column("cin_end_date", "datetime64[s]", "End (closure) of the episode; empty if open"),
            Column("primary_need", "string", "Primary need code N0-N9"),
            Column("last_seen_date", "datetime64[s]", "Date the child was last seen (current template)"),
        ),
        ("child_id", "cin_start_date"),
    ),
    TableSchema(
        "cp_plans",
        "Annex A list 7: child protection plans.",
        _child(
            Column("cp_plan_start_date", "datetime64[s]", "Child protection plan start date", False),
            Column("category_of_abuse", "string", "neglect, physical, sexual, emotional or multiple"),
            Column("cp_plan_end_date", "datetime64[s]", "Plan end date; empty if open"),
            Column("previous_cp_plans", "Int64", "Number of previous child protection plans (ever)"),
            Column("last_visit_date", "datetime64[s]", "Date of the last statutory visit (current template)"),
            Column("seen_alone", "boolean", "Child seen alone at the last statutory visit"),
            Column(
                "latest_review_conference_date",
                "datetime64[s]",
                "Date of the latest review child protection conference (current template)",
            ),
        ),
        ("child_id", "cp_plan_start_date"),
    ),
    TableSchema(
        "looked_after",
        "Annex A list 8: children looked after, one row per placement within a period of care.",
        _child(
            Column("care_start_date", "datetime64[s]", "Date the child started this period of care", False),
            Column("legal_status", "string", "SSDA903 legal status code (e.g. C2, E1, V2)"),
            Column(
                "placement_start_date",
                "datetime64[s]",
                "Start of this placement (the most recent placement in the current template)",
                False,
            ),
            Column(
                "placement_end_date",
                "datetime64[s]",
                "End of this placement; empty if current (not in the current template)",
            ),
            Column("placement_type", "string", "SSDA903 placement type code (e.g. U1, R3, K2)"),
            Column(
                "care_end_date",
                "datetime64[s]",
                "Date the child ceased to be looked after; empty if in care",
            ),
            Column("reason_ceased", "string", "SSDA903 reason episode ceased (E11/E12 = adopted)"),
            Column("placement_postcode_sector", "string", "Postcode sector of the placement (e.g. ME4 6)"),
            Column("latest_review_date", "datetime64[s]", "Date of the latest statutory (LAC) review"),
            Column("last_visit_date", "datetime64[s]", "Date of the last social work visit"),
            Column(
                "last_iro_contact_date",
                "datetime64[s]",
                "Date of the last IRO visit or contact with the child",
            ),
        ),
        ("child_id", "placement_start_date"),
    ),
    TableSchema(
        "care_leavers",
        "Annex A list 9: care leavers, one row per young person (current template: their latest contact) or per "
        "contact around their 19th-21st birthday (earlier templates).",
        _child(
            Column(
                "contact_date",
                "datetime64[s]",
                "Date of the contact recording accommodation and activity: the latest contact (current "
                "template) or the birthday contact (earlier templates); empty when none is recorded",
            ),
            Column("in_touch", "boolean", "Local authority in touch with the young person"),
            Column("activity", "string", "Canonical: education, training, employment, neet, unknown"),
            Column("accommodation_suitable", "boolean", "Accommodation recorded as suitable"),
            Column("pathway_plan_review_date", "datetime64[s]", "Date of the latest pathway plan review"),
        ),
        ("child_id", "contact_date"),
    ),
    TableSchema(
        "adoptions",
        "Annex A list 10: children with an adoption decision.",
        _child(
            Column("care_start_date", "datetime64[s]", "Date the child entered care", False),
            Column(
                "adoption_decision_date",
                "datetime64[s]",
                "Decision that the child should be placed for adoption",
            ),
            Column("placement_order_date", "datetime64[s]", "Date of placement order"),
            Column("matched_date", "datetime64[s]", "Date of matching child and prospective adopters"),
            Column("placed_date", "datetime64[s]", "Date placed for adoption"),
            Column("adoption_order_date", "datetime64[s]", "Date of adoption order"),
        ),
        ("child_id", "adoption_decision_date"),
    ),
    TableSchema(
        "adopters",
        "Annex A list 11: adopters (households), pseudonymised.",
        (
            Column("adopter_id", "string", "Pseudonym of the adopter household", False),
            Column("enquiry_date", "datetime64[s]", "Date of initial enquiry"),
            Column("approval_date", "datetime64[s]", "Date approved as adopters"),
            Column("matched_date", "datetime64[s]", "Date matched with a child"),
            Column("source_row", "int64", "Row in the raw file or sheet", False),
        ),
        ("adopter_id",),
    ),
]
