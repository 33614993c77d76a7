"""The published figures the synthetic authority is calibrated on, in one place.

Years are financial years named by the year they start in (``2014`` = April 2014 to March 2015 = DfE's
``time_period`` 2015). Medway's figures are from DfE's CIN census tables (C1, D3, D5) and the committee paper of
21 July 2015; the rest are plausible values for a unitary authority of about 63,000 children, chosen for the story
the reports should find. Nothing here is read by the analysis: it only shapes the demonstration data.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import numpy as np

#: The extract: Annex A lists run from the start of the reporting window to the extract date.
WINDOW_START = np.datetime64("2012-04-01")
EXTRACT_DATE = np.datetime64("2015-07-10")
EXTRACT_DAY = date(2015, 7, 10)
#: Case histories start earlier so that re-referrals, open plans and long periods of care have a past.
SIMULATION_START = np.datetime64("2009-04-01")
CARE_SIMULATION_START = np.datetime64("1999-04-01")
#: The service re-alignment (config/plan.yml service_changes).
REALIGNMENT = np.datetime64("2014-10-01")

#: ONS mid-year estimates of children aged 0-17 (Medway), mid-year -> population.
POPULATION = {2011: 60_950, 2012: 61_276, 2013: 61_595, 2014: 62_183}
#: Denominator the referral calibration is expressed on (the brief's "about 63,000 children").
REFERRAL_DENOMINATOR = 63_000

#: Referrals per 10,000 children, by financial year (Medway: 1,200 / 690 / 500 for 2012-13 to 2014-15).
REFERRALS_PER_10000 = {2009: 1150, 2010: 1150, 2011: 1200, 2012: 1200, 2013: 690, 2014: 505, 2015: 480}
#: Re-referrals within 12 months, percent of referrals (Medway: 44.7 / 30.0 / 20.8).
REREFERRAL_PERCENT = {2009: 44.0, 2010: 44.0, 2011: 44.5, 2012: 44.7, 2013: 30.0, 2014: 20.8, 2015: 20.0}
#: Contacts that become referrals, before and after the re-alignment (the paper: the rate fell).
CONTACT_CONVERSION_BEFORE = 0.62
CONTACT_CONVERSION_AFTER = 0.40
#: Referrals that lead to a continuous assessment, before and after the re-alignment.
ASSESSED_BEFORE = 0.85
ASSESSED_AFTER = 0.78
#: Assessments completed within 45 working days, by start date: poor before the re-alignment, much better after.
ASSESSMENT_TIMELY = {2009: 0.50, 2010: 0.50, 2011: 0.50, 2012: 0.50, 2013: 0.56, 2014: 0.60}
ASSESSMENT_TIMELY_AFTER = 0.88
ASSESSMENT_NEEDS_SUPPORT = 0.58
#: Section 47 enquiries a year (Medway: 609 / 869 / 1,514).
SECTION47_PER_YEAR = {2009: 600, 2010: 600, 2011: 600, 2012: 609, 2013: 869, 2014: 1514, 2015: 1450}
#: Child protection plans starting a year (Medway D3: 208 / 388 / 539) and the share of conferences with a plan.
CP_PLAN_STARTS_PER_YEAR = {2009: 200, 2010: 200, 2011: 200, 2012: 208, 2013: 388, 2014: 539, 2015: 500}
ICPC_RESULTS_IN_PLAN = 0.9
#: Children on plans at month end (Medway D5: 200 / 358 / 475 at 31 March 2013-15), interpolated between.
CP_STOCK = {
    "2010-03-31": 190,
    "2011-03-31": 195,
    "2012-03-31": 195,
    "2013-03-31": 200,
    "2014-03-31": 358,
    "2015-03-31": 475,
    "2015-07-31": 482,
}
#: Conferences within 15 working days of the strategy discussion, by strategy month (53 / 55 / 59 %, then ~89 %).
ICPC_TIMELY = {2009: 0.53, 2010: 0.53, 2011: 0.53, 2012: 0.53, 2013: 0.55, 2014: 0.55}
ICPC_TIMELY_FEB_MAR_2015 = 0.75
ICPC_TIMELY_AFTER = 0.93
#: Share of plans for a child who had a plan before the records began (D3's second or subsequent plans ~15-19 %).
PREVIOUS_PLAN_BEFORE_RECORDS = 0.17
#: Children entering care each month, and how long they stay (tuned so about 420-450 are looked after).
CARE_ENTRIES_PER_MONTH = 13.8
CARE_ADOPTION_PATHWAY_UNDER_5 = 0.55
#: Placement moves per year in care, and the extra moves planted in April-June 2015.
PLACEMENT_MOVES_PER_YEAR = 0.55
PLACEMENT_MOVES_SURGE = 0.35
#: Adoption: days from placement order to match (A2; target 152, Medway slower).
A2_MEAN_DAYS = 205
#: Early help assessments started a month, by financial year (rising with the Early Help Strategy).
EARLY_HELP_PER_MONTH = {2009: 70, 2010: 70, 2011: 75, 2012: 80, 2013: 95, 2014: 115, 2015: 140}
#: Care leavers: education, employment or training, and suitable accommodation.
CARE_LEAVER_EET = 0.55
CARE_LEAVER_SUITABLE = 0.82
CARE_LEAVER_IN_TOUCH = 0.92


def financial_year(days: np.ndarray) -> np.ndarray:
    """Financial year (the year April falls in) of each date in a ``datetime64[D]`` array."""
    months = days.astype("datetime64[M]").astype(int)  # months since 1970-01
    year = months // 12 + 1970
    month = months % 12 + 1
    return np.where(month >= 4, year, year - 1)


def by_year(table: Mapping[int, float], years: np.ndarray) -> np.ndarray:
    """Look up a per-financial-year setting, using the nearest year given for years outside the table."""
    keys = np.array(sorted(table))
    values = np.array([table[k] for k in keys], dtype=float)
    index = np.clip(np.searchsorted(keys, years), 0, len(keys) - 1)
    return values[index]
