"""The documented schema of every table the pipeline writes to ``data/processed/`` (one parquet file each).

This is the contract between the stages: cleaning writes these tables, validation checks them, the analysis reads
them and writes the analysis tables, and the report notebooks read only those. Column types are pandas dtypes.
Child-level tables carry pseudonyms only (``child_id``; see :mod:`analysis.pseudonymise`) and the raw file's
row number (``source_row``, 1-based as Excel shows it) so that a data check can point at the raw row.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Column:
    name: str
    dtype: str
    meaning: str
    nullable: bool = True


@dataclass(frozen=True)
class TableSchema:
    name: str
    description: str
    columns: tuple[Column, ...]
    natural_key: tuple[str, ...] = ()

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def as_frame(self) -> pd.DataFrame:
        """The schema as a table (column, type, meaning) for documentation and the report's method section."""
        return pd.DataFrame(
            [(c.name, c.dtype, c.meaning, c.nullable) for c in self.columns],
            columns=["column", "type", "meaning", "nullable"],
        )


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


SCHEMAS: dict[str, TableSchema] = {
    s.name: s
    for s in [
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
                Column(
                    "early_help_start_date", "datetime64[s]", "Date the early help assessment started", False
                ),
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
                Column(
                    "icpc_resulted_in_plan", "boolean", "The conference resulted in a child protection plan"
                ),
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
                Column(
                    "last_visit_date", "datetime64[s]", "Date of the last statutory visit (current template)"
                ),
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
                Column(
                    "care_start_date", "datetime64[s]", "Date the child started this period of care", False
                ),
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
                Column(
                    "placement_postcode_sector", "string", "Postcode sector of the placement (e.g. ME4 6)"
                ),
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
        TableSchema(
            "scorecard",
            "The monthly local scorecard, tidy: one row per indicator and month.",
            (
                Column("indicator_id", "string", "Indicator id from config/indicators.yml", False),
                Column("month", "datetime64[s]", "First day of the month", False),
                Column("value", "float64", "The figure; empty where a symbol stands instead"),
                Column("symbol", "string", "Why there is no figure: 'x' not available (n/a, -, blank)"),
                Column("source_row", "int64", "Row in the raw sheet", False),
                Column("source_column", "string", "Heading of the raw month column", False),
            ),
            ("indicator_id", "month"),
        ),
        TableSchema(
            "actions",
            "The Improvement Plan action tracker.",
            (
                Column("action_id", "string", "Action reference, e.g. 1.3", False),
                Column("theme", "int64", "Theme number (config/plan.yml)", False),
                Column("priority", "string", "The plan priority the action serves"),
                Column("action", "string", "What will be done", False),
                Column("lead", "string", "Lead role (never a person's name)"),
                Column("due_date", "datetime64[s]", "Date due"),
                Column("status", "string", "not_started, on_track, at_risk, off_track or complete", False),
                Column("latest_update", "string", "Latest progress update"),
                Column("source_row", "int64", "Row in the raw sheet", False),
            ),
            ("action_id",),
        ),
        TableSchema(
            "benchmarks",
            "Published benchmark figures from EES open-data files, tidy: one row per area, year and measure.",
            (
                Column("publication", "string", "Publication id from config/benchmarks.yml", False),
                Column("time_period", "int64", "Year ending 31 March (2015 = 2014-15)", False),
                Column("geographic_level", "string", "National, Regional or Local authority", False),
                Column("area_code", "string", "E92000001, region E12..., or LA new code E06/E08/E09/E10"),
                Column("old_la_code", "Int64", "DfE three-digit LA code (LAs only)"),
                Column("area_name", "string", "England, region or LA name", False),
                Column("measure", "string", "The EES column name", False),
                Column("value", "float64", "The published figure; empty where suppressed"),
                Column("symbol", "string", "GSS symbol where there is no figure: c, x, z, low, k, u"),
            ),
            ("publication", "time_period", "geographic_level", "area_code", "old_la_code", "measure"),
        ),
        TableSchema(
            "population",
            "ONS mid-year estimates of children aged 0 to 17, by area and year.",
            (
                Column("time_period", "int64", "Mid-year of the estimate (2014 = mid-2014)", False),
                Column("geographic_level", "string", "National, Regional or Local authority", False),
                Column("area_code", "string", "E92000001, E12..., or LA new code"),
                Column("old_la_code", "Int64", "DfE three-digit LA code (LAs only)"),
                Column("area_name", "string", "Area name", False),
                Column("population", "float64", "Children aged 0-17"),
            ),
            ("time_period", "geographic_level", "area_code", "old_la_code"),
        ),
        TableSchema(
            "statistical_neighbours",
            "DfE's statistical neighbour model (the file named in config/benchmarks.yml): one row per neighbour.",
            (
                Column("old_la_code", "Int64", "The authority's DfE three-digit LA code", False),
                Column("la_name", "string", "The authority's name"),
                Column("neighbour_rank", "int64", "1 = closest neighbour", False),
                Column("neighbour_old_la_code", "Int64", "The neighbour's DfE LA code", False),
                Column("closeness", "string", "DfE's closeness label, e.g. 'Very close'"),
                Column("model", "string", "The file the neighbours were read from", False),
            ),
            ("old_la_code", "neighbour_rank"),
        ),
        TableSchema(
            "commentary",
            "The analyst's commentary for each quarter, per theme and optionally per indicator.",
            (
                Column("quarter", "string", "Quarter, e.g. 2015-16-Q1", False),
                Column("theme", "int64", "Theme number", False),
                Column("indicator_id", "string", "Indicator the paragraph is about; empty for the theme"),
                Column("text", "string", "Markdown text", False),
            ),
            ("quarter", "theme", "indicator_id"),
        ),
        TableSchema(
            "cleaning_log",
            "Every fix the cleaning made: which rule, on which table, how many rows.",
            (
                Column("table", "string", "Processed table", False),
                Column("rule", "string", "Rule id, e.g. dates.excel_serial", False),
                Column("description", "string", "What the rule does, in plain English", False),
                Column("rows_affected", "int64", "Rows changed (or removed) by the rule", False),
            ),
        ),
        TableSchema(
            "source_files",
            "One row per raw file (or sheet) read: what came in, what went out, and the extract date.",
            (
                Column("table", "string", "Processed table the file feeds", False),
                Column("source_file", "string", "Raw file name (relative to data/raw)", False),
                Column("source_sheet", "string", "Sheet, for workbooks"),
                Column("rows_read", "int64", "Data rows read (header and blank rows excluded)", False),
                Column("duplicates_removed", "int64", "Exact or natural-key duplicates removed", False),
                Column("rows_quarantined", "int64", "Rows set aside in the quarantine table", False),
                Column("rows_written", "int64", "Rows in the processed table", False),
                Column("extract_date", "datetime64[s]", "Date the extract was taken, where the file says"),
            ),
            ("table", "source_file", "source_sheet"),
        ),
        TableSchema(
            "validation_results",
            "One row per Great Expectations expectation run on the processed tables.",
            (
                Column("suite", "string", "Expectation suite (= processed table)", False),
                Column(
                    "expectation",
                    "string",
                    "Expectation type, e.g. expect_column_values_to_not_be_null",
                    False,
                ),
                Column(
                    "check_id", "string", "Stable id of the check, e.g. assessments.dates_in_order", False
                ),
                Column("column", "string", "Column(s) checked"),
                Column("severity", "string", "critical or warning", False),
                Column("success", "boolean", "Did the data meet the expectation", False),
                Column("unexpected_count", "Int64", "Rows that failed; empty for table-level checks"),
                Column("unexpected_percent", "float64", "Percent of rows that failed"),
                Column(
                    "example_rows",
                    "string",
                    "A few raw row numbers (source_row) of failing rows; never identifiers",
                ),
                Column(
                    "description",
                    "string",
                    "Plain English: what is checked, and what a failure means for the figures",
                    False,
                ),
            ),
            ("suite", "check_id"),
        ),
        TableSchema(
            "quarantine",
            "Rows that could not be repaired, with where they came from and why. No identifiers.",
            (
                Column("table", "string", "Processed table the row was meant for", False),
                Column("source_file", "string", "Raw file name (relative to data/raw)", False),
                Column("source_sheet", "string", "Sheet, for workbooks"),
                Column("source_row", "int64", "Row in the raw file or sheet", False),
                Column("column", "string", "Column at fault"),
                Column("reason", "string", "Why the row was set aside", False),
            ),
        ),
        # ------------------------------------------------------------------------------ analysis outputs
        TableSchema(
            "indicators_monthly",
            "Every indicator by month, with numerator and denominator (for SPC and trend).",
            (
                Column("indicator_id", "string", "Indicator id", False),
                Column("month", "datetime64[s]", "First day of the month", False),
                Column("value", "float64", "The figure (percent, rate, days, count)"),
                Column("numerator", "float64", "Count the figure is made from (empty for scorecard figures)"),
                Column("denominator", "float64", "Base of a percentage or rate"),
                Column(
                    "suppressed",
                    "boolean",
                    "True when a count behind the figure is 1 to 5: the figure is withheld (value, numerator and "
                    "denominator empty; GSS symbol c)",
                    False,
                ),
            ),
            ("indicator_id", "month"),
        ),
        TableSchema(
            "indicators_annual",
            "Every indicator as DfE publishes it: years to 31 March and the rolling 12 months to the quarter's end.",
            (
                Column("indicator_id", "string", "Indicator id", False),
                Column(
                    "period_type",
                    "string",
                    "year_to_31_march, at_31_march, three_year_average or rolling_12_months",
                    False,
                ),
                Column(
                    "time_period",
                    "int64",
                    "Year ending 31 March (2015 = 2014-15); for rolling, the year the period ends in",
                    False,
                ),
                Column("period_end", "datetime64[s]", "Last day of the period", False),
                Column("period_label", "string", "2014-15, or 'Jul 2014 to Jun 2015'", False),
                Column("value", "float64", "The figure"),
                Column("numerator", "float64", "Count the figure is made from"),
                Column("denominator", "float64", "Base of a percentage or rate"),
                Column(
                    "suppressed",
                    "boolean",
                    "Count behind it between 1 and 5: value, numerator, denominator empty",
                    False,
                ),
                Column(
                    "source",
                    "string",
                    "Where the figure comes from: 'SSDA903 return 2014-15', 'CIN census 2014-15', 'Annex A lists' "
                    "or 'Scorecard'",
                ),
            ),
            ("indicator_id", "period_type", "period_end"),
        ),
        TableSchema(
            "spc",
            "XmR chart points for each indicator (NHS Making Data Count rules).",
            (
                Column("indicator_id", "string", "Indicator id", False),
                Column("month", "datetime64[s]", "First day of the month", False),
                Column("value", "float64", "The figure"),
                Column(
                    "baseline", "int64", "Which baseline (0, 1, ...): increments at each rebase date", False
                ),
                Column("centre", "float64", "Mean of the baseline"),
                Column("lower_limit", "float64", "Lower process limit (mean - 2.66 x mean moving range)"),
                Column("upper_limit", "float64", "Upper process limit (mean + 2.66 x mean moving range)"),
                Column("rules_fired", "string", "Special-cause rules this point is part of, comma-separated"),
                Column("point_class", "string", "common_cause, improvement, concern or neutral", False),
            ),
            ("indicator_id", "month"),
        ),
        TableSchema(
            "spc_summary",
            "Each indicator's variation and assurance status at its latest point.",
            (
                Column("indicator_id", "string", "Indicator id", False),
                Column("latest_month", "datetime64[s]", "Latest month with a figure"),
                Column(
                    "variation",
                    "string",
                    "common_cause, improvement, concern or neutral (latest point's class)",
                    False,
                ),
                Column(
                    "assurance",
                    "string",
                    "consistently_passing, consistently_failing, hit_and_miss; changed_meeting_target or "
                    "changed_missing_target when the latest point is a special cause (not judged: the process "
                    "has changed); empty without a target",
                ),
                Column("rule", "string", "The special-cause rule behind the latest point's class, if any"),
                Column("since", "datetime64[s]", "First month of the current special-cause signal"),
                Column("baseline_points", "int64", "Points in the current baseline", False),
                Column(
                    "provisional",
                    "boolean",
                    "Fewer baseline points than configured: limits are provisional",
                    False,
                ),
                Column("description", "string", "Plain-English reading of the chart", False),
            ),
            ("indicator_id",),
        ),
        TableSchema(
            "spc_as_at",
            "Each indicator's variation and assurance as the chart stood at each month (what the Board saw then).",
            (
                Column("indicator_id", "string", "Indicator id", False),
                Column("as_at", "datetime64[s]", "The month the chart is drawn up to (first day)", False),
                Column("latest_month", "datetime64[s]", "Latest month with a published figure by then"),
                Column("variation", "string", "As spc_summary, for the chart up to as_at", False),
                Column("assurance", "string", "As spc_summary, for the chart up to as_at"),
                Column("rule", "string", "The special-cause rule behind the latest point's class, if any"),
                Column("since", "datetime64[s]", "First month of the current special-cause signal"),
                Column("baseline_points", "int64", "Points in the current baseline", False),
                Column("provisional", "boolean", "Fewer baseline points than configured", False),
                Column("description", "string", "Plain-English reading of the chart", False),
                Column(
                    "above_mean", "boolean", "The latest point is above the centre line (empty without one)"
                ),
            ),
            ("indicator_id", "as_at"),
        ),
        TableSchema(
            "benchmark_comparison",
            "Each indicator against England, its region and statistical neighbours, by published year.",
            (
                Column("indicator_id", "string", "Indicator id", False),
                Column(
                    "time_period",
                    "int64",
                    "The year the published figures describe (DfE's time_period: the year ending 31 March, or 30 "
                    "September for the workforce census)",
                    False,
                ),
                Column(
                    "released",
                    "datetime64[s]",
                    "The day DfE released the year's figures (or by which)",
                    False,
                ),
                Column(
                    "release",
                    "string",
                    "The release used, e.g. 'Children in need 2013-14, released October 2014'",
                    False,
                ),
                Column(
                    "local_value",
                    "float64",
                    "The authority's figure (published, else computed locally); empty where suppressed",
                ),
                Column(
                    "local_suppressed",
                    "boolean",
                    "The authority's figure is built from 1 to 5 children: published as c, no rank, band or direction",
                    False,
                ),
                Column("england", "float64", "England"),
                Column("region", "float64", "The authority's region"),
                Column(
                    "statistical_neighbours_average",
                    "float64",
                    "Mean (or, by configuration, median) of the statistical neighbours with a figure",
                ),
                Column("statistical_neighbours_count", "int64", "How many neighbours had a figure", False),
                Column("rank", "Int64", "Rank among authorities, 1 = best by polarity (empty for context)"),
                Column("authorities_ranked", "Int64", "How many authorities were ranked"),
                Column("quartile_band", "string", "A (best quarter) to D; empty for context indicators"),
                Column("target", "float64", "Target value"),
                Column("gap_to_target", "float64", "Local minus target, signed so positive is better"),
                Column(
                    "direction_of_travel", "string", "improving, worsening, no_change, not_applicable", False
                ),
            ),
            ("indicator_id", "time_period"),
        ),
        TableSchema(
            "exceptions",
            "What the themed exception reports must show, per quarter and theme: one row per item (indicator or "
            "action), carrying every reason it is an exception.",
            (
                Column("quarter", "string", "Quarter, e.g. 2015-16-Q1", False),
                Column("theme", "int64", "Theme number", False),
                Column("kind", "string", "indicator or action", False),
                Column("item_id", "string", "Indicator id or action id", False),
                Column(
                    "title",
                    "string",
                    "Indicator name, or 'Action <ref>: <action text>' (the reference the actions table shows)",
                    False,
                ),
                Column(
                    "reason_codes",
                    "string",
                    "Every reason the item is an exception, comma-separated in a fixed order: out_of_line, "
                    "special_cause_concern, failing_target, worst_quartile, off_track, overdue (codes of other "
                    "finders follow these), e.g. 'off_track,overdue'",
                    False,
                ),
                Column(
                    "reasons",
                    "string",
                    "Plain English, one sentence per reason code in the same order, newline-separated, e.g. "
                    "'7 months in a row above the average since January'",
                    False,
                ),
                Column("since", "datetime64[s]", "When the problem began (the earliest of its reasons)"),
            ),
            ("quarter", "theme", "kind", "item_id"),
        ),
        TableSchema(
            "exceptions_as_at",
            "The exceptions as they stood at the end of each quarter the data cover, found as the exception reports "
            "find them (with the anticipated trends): the run's quarter's rows are the exceptions table's; an "
            "earlier quarter has its indicator exceptions only (the action tracker read is the run quarter's).",
            (
                Column("quarter", "string", "Quarter, e.g. 2015-16-Q1", False),
                Column("theme", "int64", "Theme number", False),
                Column("kind", "string", "indicator or action", False),
                Column("item_id", "string", "Indicator id or action id", False),
                Column(
                    "title",
                    "string",
                    "Indicator name, or 'Action <ref>: <action text>' (the reference the actions table shows)",
                    False,
                ),
                Column(
                    "reason_codes",
                    "string",
                    "Every reason the item is an exception, comma-separated in a fixed order: out_of_line, "
                    "special_cause_concern, failing_target, worst_quartile, off_track, overdue (codes of other "
                    "finders follow these), e.g. 'off_track,overdue'",
                    False,
                ),
                Column(
                    "reasons",
                    "string",
                    "Plain English, one sentence per reason code in the same order, newline-separated, e.g. "
                    "'7 months in a row above the average since January'",
                    False,
                ),
                Column("since", "datetime64[s]", "When the problem began (the earliest of its reasons)"),
            ),
            ("quarter", "theme", "kind", "item_id"),
        ),
        TableSchema(
            "anticipated",
            "Indicators with an anticipated trend (config/indicators.yml): the expectation and its band by month.",
            (
                Column("indicator_id", "string", "Indicator id", False),
                Column("month", "datetime64[s]", "First day of the month", False),
                Column("basis", "string", "planned (the Board's planned path) or forecast", False),
                Column(
                    "method",
                    "string",
                    "planned path, or the forecast's method (e.g. ETS(A,Ad,N), naive)",
                    False,
                ),
                Column("expected", "float64", "Planned value, or the forecast's mean"),
                Column("lower", "float64", "Lower edge of the band (path - tolerance, or the 95% interval)"),
                Column("upper", "float64", "Upper edge of the band"),
                Column("value", "float64", "The figure (empty for a month without one)"),
                Column("suppressed", "boolean", "The figure is suppressed: never judged or quoted", False),
                Column("position", "string", "above, below or within the band; empty when not judged"),
                Column("concern", "string", "Side of the band that matters: above, below or either", False),
                Column("out_of_line", "boolean", "Outside the band on the side of concern", False),
            ),
            ("indicator_id", "month"),
        ),
        TableSchema(
            "forecasts",
            "The demand measures forecast for the next two quarters (the quarterly report's 'looking ahead').",
            (
                Column(
                    "series_id", "string", "Indicator id, with ':numerator'/':denominator' for a count", False
                ),
                Column("name", "string", "The measure as the report names it", False),
                Column("unit", "string", "count or rate per 10,000", False),
                Column("month", "datetime64[s]", "Month forecast (first day)", False),
                Column("step", "int64", "Months after the last figure", False),
                Column(
                    "method", "string", "ETS(A,N,N), ETS(A,Ad,N), ETS(A,N,A), ETS(A,Ad,A) or naive", False
                ),
                Column("mean", "float64", "Point forecast"),
                Column("lower_80", "float64", "Lower edge of the 80% prediction interval (not below 0)"),
                Column("upper_80", "float64", "Upper edge of the 80% prediction interval"),
                Column("lower_95", "float64", "Lower edge of the 95% prediction interval (not below 0)"),
                Column("upper_95", "float64", "Upper edge of the 95% prediction interval"),
                Column(
                    "fitted_from",
                    "datetime64[s]",
                    "First month the model was fitted on (the last rebase)",
                    False,
                ),
                Column("fitted_to", "datetime64[s]", "Last month the model was fitted on", False),
                Column("note", "string", "Why this method (the backtest, or too few figures)", False),
            ),
            ("series_id", "month"),
        ),
        TableSchema(
            "forecast_backtest",
            "Rolling-origin backtest of each demand measure's forecast: model against naive.",
            (
                Column("series_id", "string", "As in forecasts", False),
                Column("name", "string", "The measure", False),
                Column("candidate", "string", "The model chosen by AICc (empty: too few figures to fit one)"),
                Column(
                    "method",
                    "string",
                    "The method used: the candidate, or naive when it did not beat naive",
                    False,
                ),
                Column("forecasts", "int64", "Forecasts scored (origins x months ahead)", False),
                Column("model_mape", "float64", "Candidate's mean absolute percentage error (%)"),
                Column(
                    "model_coverage_80", "float64", "Share of actuals inside the candidate's 80% interval (%)"
                ),
                Column(
                    "model_coverage_95", "float64", "Share of actuals inside the candidate's 95% interval (%)"
                ),
                Column("naive_mape", "float64", "Naive forecast's mean absolute percentage error (%)"),
                Column("naive_coverage_80", "float64", "Share inside the naive 80% interval (%)"),
                Column("naive_coverage_95", "float64", "Share inside the naive 95% interval (%)"),
                Column("note", "string", "Plain-English result", False),
            ),
            ("series_id",),
        ),
        TableSchema(
            "statutory_returns",
            "DfE's measures from the authority's SSDA903 and CIN census returns, per collection year "
            "(analysis.returns; unsuppressed: the analysis suppresses what it shows).",
            (
                Column("measure", "string", "Measure id (as in config/indicators.yml)", False),
                Column("collection_year", "int64", "Year ending 31 March (2015 = the 2014-15 return)", False),
                Column("numerator", "float64", "Count the figure is made from"),
                Column("denominator", "float64", "Base of a percentage or rate"),
                Column("value", "float64", "The figure as DfE defines it"),
                Column("source", "string", "The return and fields it comes from (Figure.source)", False),
            ),
            ("measure", "collection_year"),
        ),
        TableSchema(
            "returns_reconciliation",
            "Each annual figure given by both the statutory returns and Annex A: both values and how far apart.",
            (
                Column("indicator_id", "string", "Indicator id", False),
                Column("time_period", "int64", "Year ending 31 March", False),
                Column("returns_value", "float64", "The returns' figure (what the analysis uses)"),
                Column("returns_source", "string", "The return and fields it comes from", False),
                Column("annex_a_value", "float64", "Annex A's reconstruction of the same figure"),
                Column("difference_percent", "float64", "Difference as a percentage of the returns' value"),
                Column("within_tolerance", "boolean", "Within data_checks.returns_tolerance_percent", False),
                Column("finding", "string", "The data-quality warning when outside the tolerance"),
            ),
            ("indicator_id", "time_period"),
        ),
    ]
}


def schema(name: str) -> TableSchema:
    """The schema of a processed table (``KeyError`` names the known tables)."""
    try:
        return SCHEMAS[name]
    except KeyError:
        raise KeyError(f"no schema for table {name!r}; known tables: {', '.join(SCHEMAS)}") from None


def empty_table(name: str) -> pd.DataFrame:
    """A table with no rows in the columns and types of its schema."""
    return pd.DataFrame({c.name: pd.Series(dtype=c.dtype) for c in schema(name).columns})


CHILD_LEVEL_TABLES = [
    "contacts",
    "early_help",
    "referrals",
    "assessments",
    "section47",
    "children_in_need",
    "cp_plans",
    "looked_after",
    "care_leavers",
    "adoptions",
    "adopters",
]

#: Tables the analysis stage writes (``analysis.analyse``); the reports read them.
ANALYSIS_TABLES = (
    "indicators_monthly",
    "indicators_annual",
    "spc",
    "spc_summary",
    "spc_as_at",
    "benchmark_comparison",
    "exceptions",
    "exceptions_as_at",
    "anticipated",
    "forecasts",
    "forecast_backtest",
    "returns_reconciliation",
)
