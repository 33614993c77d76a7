"""The schemas of the quarterly topic reports' analysis tables (issue 19), written by ``analysis.stages.topics``."""

from __future__ import annotations

from analysis.schemas_table import Column, TableSchema


def _topic_period(*columns: Column) -> tuple[Column, ...]:
    """Columns every topic table starts with: the topic, the period (quarter or the year to its end) and its days."""
    return (
        Column("topic_id", "string", "Topic id (config/topics.yml)", False),
        *columns,
        Column("period", "string", "quarter, or year (the twelve months to the quarter's end)", False),
        Column("period_start", "datetime64[s]", "First day of the period", False),
        Column("period_end", "datetime64[s]", "Last day of the period", False),
    )


WITHHELD = Column(
    "withheld",
    "string",
    "Why a figure is absent: 'c: from 1 to 5 children', or withheld so that one cannot be "
    "worked out from a total (secondary suppression); empty when shown",
    False,
)

RELEASE = Column(
    "release",
    "string",
    "The release the year's figures come from, e.g. 'Children in need 2013-14, released October 2014' (only "
    "years released by the quarter's end are kept)",
    False,
)

#: The tables of the quarterly topic reports (issue 19), written by ``analysis.stages.topics``.
TOPIC_SCHEMAS: list[TableSchema] = [
    TableSchema(
        "topic_profile",
        "The children in each Annex A list a topic covers, by age and sex, ethnicity and what the list holds.",
        (
            *_topic_period(
                Column("list", "string", "Annex A list (child-level table), e.g. contacts", False)
            ),
            Column(
                "breakdown", "string", "age_band_by_sex, ethnicity, repeat, or a column of the list", False
            ),
            Column(
                "group", "string", "Sex for age_band_by_sex; 'all children' otherwise and for margins", False
            ),
            Column("category", "string", "Age band, ethnic group, source...; 'total' for the totals", False),
            Column("children", "float64", "Children (distinct) in the period; empty where withheld"),
            Column("percent", "float64", "Percentage of the list's children in the period"),
            WITHHELD,
        ),
        ("topic_id", "list", "period", "breakdown", "group", "category"),
    ),
    TableSchema(
        "topic_disproportionality",
        "Each ethnic group's share of a list's children against its share of the authority's population "
        "(ONS Census 2021, all ages), as a ratio with a Katz log 95% interval.",
        (
            *_topic_period(Column("list", "string", "Annex A list", False)),
            Column("ethnic_group", "string", "White, Mixed, Asian, Black or Other", False),
            Column("children", "float64", "Children of the group in the list in the period"),
            Column(
                "children_with_known_ethnicity",
                "float64",
                "Children of known ethnicity: the shares' denominator; empty where withheld",
            ),
            Column(
                "shares_of",
                "string",
                "What the shares are of: children of known ethnicity, or all children where that number is "
                "withheld; empty where no share is shown",
                False,
            ),
            Column("share_percent", "float64", "Share of the children (see shares_of) (%)"),
            Column("population", "float64", "Residents of all ages in the group (Census 2021)"),
            Column("population_share_percent", "float64", "Share of all residents (%)"),
            Column("ratio", "float64", "share / population share (above 1: over-represented)"),
            Column("ratio_lower_95", "float64", "Lower end of the Katz log 95% interval"),
            Column("ratio_upper_95", "float64", "Upper end of the Katz log 95% interval"),
            WITHHELD,
        ),
        ("topic_id", "list", "period", "ethnic_group"),
    ),
    TableSchema(
        "topic_journeys",
        "Journeys through the front door and child protection: each step's count and outcomes (LIIA CIN reports).",
        (
            *_topic_period(Column("journey", "string", "front_door or child_protection", False)),
            Column("step", "int64", "Step number (1 first)", False),
            Column("step_name", "string", "What the step counts, e.g. Section 47 enquiries", False),
            Column("outcome", "string", "'all' (the step's count) or an outcome; the first goes on", False),
            Column("count", "float64", "Events; empty where withheld"),
            Column("percent_of_step", "float64", "Percentage of the step's count"),
            WITHHELD,
            Column("rule", "string", "The rule sorting the step, with its source", False),
        ),
        ("topic_id", "journey", "period", "step", "outcome"),
    ),
    TableSchema(
        "topic_drift",
        "Days from referral to a child protection plan and to becoming looked after, for starts in the period.",
        (
            *_topic_period(Column("destination", "string", "child protection plan or looked after", False)),
            Column("starts", "float64", "Plans or periods of care starting in the period"),
            Column("within_6_months", "float64", "Starts within 6 months of the referral"),
            Column("from_6_to_12_months", "float64", "Starts more than 6 and up to 12 months after it"),
            Column("over_12_months", "float64", "Starts more than 12 months after it"),
            Column("no_referral_found", "float64", "Starts with no referral before them in the lists"),
            Column("over_6_months", "float64", "Starts more than 6 months after the referral"),
            Column("median_days", "float64", "Median days from referral to start"),
            Column("lower_quartile_days", "float64", "Lower quartile of the days"),
            Column("upper_quartile_days", "float64", "Upper quartile of the days"),
            Column(
                "withheld", "string", "Figures withheld and why ('name: reason; ...'); empty if none", False
            ),
        ),
        ("topic_id", "period", "destination"),
    ),
    TableSchema(
        "topic_placement_distance",
        "New placements during the year by location and distance from home, the authority against England (EES).",
        (
            Column("topic_id", "string", "Topic id", False),
            Column("time_period", "int64", "Year ending 31 March", False),
            Column(
                "location",
                "string",
                "DfE's breakdown, e.g. Placed outside LA boundary more than 20 miles",
                False,
            ),
            Column("authority_count", "float64", "The authority's new placements at this location"),
            Column("authority_percent", "float64", "Percentage of the authority's new placements"),
            Column(
                "authority_withheld", "string", "Why the authority's figure is absent; empty if shown", False
            ),
            Column("authority_new_placements", "float64", "The authority's new placements in the year"),
            Column("england_percent", "float64", "England's percentage"),
            Column("england_new_placements", "float64", "England's new placements in the year"),
            RELEASE,
        ),
        ("topic_id", "time_period", "location"),
    ),
    TableSchema(
        "topic_assessment_factors",
        "Factors identified at the end of assessment, the authority against England (EES, CIN census table C3).",
        (
            Column("topic_id", "string", "Topic id", False),
            Column("time_period", "int64", "Year ending 31 March", False),
            Column("factor", "string", "DfE's column, e.g. Domestic_Abuse_parent", False),
            Column("factor_label", "string", "The factor in words", False),
            Column("authority_count", "float64", "Episodes with the factor"),
            Column("authority_percent", "float64", "Percentage of episodes with factor information"),
            Column(
                "authority_withheld", "string", "Why the authority's figure is absent; empty if shown", False
            ),
            Column("england_count", "float64", "England's episodes with the factor"),
            Column("england_percent", "float64", "England's percentage"),
            RELEASE,
        ),
        ("topic_id", "time_period", "factor"),
    ),
]
