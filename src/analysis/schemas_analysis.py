"""The schemas of the analysis tables: indicators, SPC, benchmark comparison, exceptions, anticipated trends, forecasts."""

from __future__ import annotations

from analysis.schemas_table import Column, TableSchema

ANALYSIS_SCHEMAS: list[TableSchema] = [
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
                "year_to_31_march, at_31_march, three_year_average, at_30_september or rolling_12_months",
                False,
            ),
            Column(
                "time_period",
                "int64",
                "Year ending 31 March (2015 = 2014-15); for at_30_september and rolling, the year the period ends in",
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
            Column("baseline", "int64", "Which baseline (0, 1, ...): increments at each rebase date", False),
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
            Column("above_mean", "boolean", "The latest point is above the centre line (empty without one)"),
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
                "period_end",
                "datetime64[s]",
                "The last day of the year the figures describe (31 March; 30 September for the workforce census)",
                False,
            ),
            Column(
                "period_label",
                "string",
                "The year as a heading names it: '2013-14' for a year to 31 March, 'Sep 2014' for the workforce "
                "census at 30 September",
                False,
            ),
            Column(
                "local_value",
                "float64",
                "The authority's figure: the published one; else, where the indicator's definition is DfE's "
                "(benchmark comparable: true), its own figure for the year; empty where suppressed",
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
            Column("direction_of_travel", "string", "improving, worsening, no_change, not_applicable", False),
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
            Column("method", "string", "ETS(A,N,N), ETS(A,Ad,N), ETS(A,N,A), ETS(A,Ad,A) or naive", False),
            Column("mean", "float64", "Point forecast (cut to what is possible, as the ranges are)"),
            Column(
                "lower_80",
                "float64",
                "Lower edge of the 80% prediction interval, cut to what is possible (not below 0)",
            ),
            Column(
                "upper_80",
                "float64",
                "Upper edge of the 80% prediction interval, cut to what is possible (100 for a percentage, "
                "10,000 for a rate per 10,000)",
            ),
            Column("lower_95", "float64", "Lower edge of the 95% prediction interval, cut as lower_80"),
            Column("upper_95", "float64", "Upper edge of the 95% prediction interval, cut as upper_80"),
            Column(
                "too_uncertain_80",
                "boolean",
                "The 80% range is wider than anticipated.forecast.too_uncertain_share of the forecast: 'too "
                "uncertain to plan on', its figures are not printed",
                False,
            ),
            Column("too_uncertain_95", "boolean", "The same for the 95% range", False),
            Column(
                "fitted_from",
                "datetime64[s]",
                "First month the model was fitted on (the last rebase)",
                False,
            ),
            Column("fitted_to", "datetime64[s]", "Last month the model was fitted on", False),
            Column(
                "note",
                "string",
                "Why this method, technically (model code and backtest errors: method section, audit)",
                False,
            ),
            Column(
                "method_text",
                "string",
                "The method and why, in words a reader knows (no model codes): the 'looking ahead' text",
                False,
            ),
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
            Column(
                "inside_80",
                "int64",
                "Actuals inside the 80% interval of the method used (of 'forecasts'; 0 when nothing was tested)",
                False,
            ),
            Column("inside_95", "int64", "Actuals inside the 95% interval of the method used", False),
            Column(
                "coverage_80",
                "float64",
                "Measured coverage of the method used: inside_80 / forecasts (%); empty when nothing was tested",
            ),
            Column(
                "coverage_95", "float64", "Measured coverage of the method used: inside_95 / forecasts (%)"
            ),
            Column("note", "string", "Technical result (model codes and errors: the method section)", False),
        ),
        ("series_id",),
    ),
    TableSchema(
        "safeguarding_board",
        "The safeguarding board's core dataset (config/indicators.yml safeguarding_board_measures) for every month: "
        "each month's figure and, for events, the 12 months to the month's end. Suppressed figures are absent.",
        (
            Column("measure_id", "string", "Measure id (safeguarding_board_measures)", False),
            Column(
                "period",
                "string",
                "month (the calendar month) or 12_months (the 12 months to its end)",
                False,
            ),
            Column("month", "datetime64[s]", "First day of the month the period ends in", False),
            Column("period_start", "datetime64[s]", "First day of the period", False),
            Column(
                "period_end",
                "datetime64[s]",
                "Last day of the period (a count at the month end: its day)",
                False,
            ),
            Column(
                "value", "float64", "The figure (count, percentage or days); empty when absent (see note)"
            ),
            Column("numerator", "float64", "Count the figure is made from"),
            Column("denominator", "float64", "Base of a percentage; plans ended for a median length"),
            Column(
                "suppressed",
                "boolean",
                "A count behind the figure is 1 to 5: value, numerator and denominator empty (GSS symbol c)",
                False,
            ),
            Column(
                "note",
                "string",
                "Why the figure is absent: suppressed, a column missing from the raw lists, too little history or "
                "nothing to base it on; empty when there is a figure",
            ),
        ),
        ("measure_id", "period", "month"),
    ),
]
