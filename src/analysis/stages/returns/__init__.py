"""The statutory returns as councils hold them: the children in need census (XML) and the SSDA903 (CSV).

Readers (:mod:`.ssda903`, :mod:`.cin`), DfE's measure definitions (:mod:`.ssda903_measures`,
:mod:`.cin_measures`), Great Expectations suites with DfE's validation rules (:mod:`.expectations`) and the
``analysis returns FOLDER`` command (:mod:`.command`).

Measures (ids as in ``config/indicators.yml`` where one exists; each function's docstring cites its definition):

=================================================  ===========================================================
measure                                            return (fields)
=================================================  ===========================================================
cla_at_31_march, children_looked_after_per_10000   SSDA903 episodes (DECOM, DEC, LS)
cla_started_during_year, cla_ceased_during_year    SSDA903 episodes (DECOM, RNE; DEC, REC)
lac_three_or_more_placements                       SSDA903 episodes (RNE, PLACE)
cla_long_term_placement_stability                  SSDA903 header (DOB), episodes (DECOM, RNE, PLACE)
cla_adopted_during_year,                           SSDA903 episodes (DEC, REC)
children_leaving_care_adopted
adoption_a1_days_entering_care_to_placed           SSDA903 episodes (DECOM, RNE, PLACE, REC)
adoption_a2_days_placement_order_to_match          SSDA903 episodes (LS, DECOM), ad1 (DATE_MATCH)
care_leavers_in_suitable_accommodation[_age_N]     SSDA903 oc3 (ACCOM, DOB)
care_leavers_in_education_employment_training[..]  SSDA903 oc3 (ACTIV, DOB)
cla_missing_during_year, cla_missing_incidents,    SSDA903 missing (MISSING, MIS_START), episodes
cla_away_without_authorisation_[during_year|incidents]
cla_uasc_at_31_march                               SSDA903 uasc (DUC), episodes
referrals_count, referrals_per_10000               CIN census CINdetails (CINreferralDate)
rereferrals_within_12_months                       CIN census CINdetails (CINreferralDate), earlier censuses
children_in_need_at_31_march,                      CIN census CINdetails (CINreferralDate, CINclosureDate)
children_in_need_per_10000
cin_unborn_at_31_march                             CIN census ChildIdentifiers (ExpectedPersonBirthDate)
assessments_completed,                             CIN census Assessments (AssessmentActualStartDate,
assessments_within_45_working_days                 AssessmentAuthorisationDate)
section_47_enquiries                               CIN census Section47 (S47ActualStartDate)
icpc_within_15_working_days                        CIN census Section47 (S47ActualStartDate, DateOfInitialCPC,
                                                   ICPCnotRequired)
cp_plans_started, cp_plans_second_or_subsequent,   CIN census ChildProtectionPlans (CPPstartDate, CPPendDate,
cp_plans_ended_lasting_two_years_or_more,          NumberOfPreviousCPP)
children_on_cp_plan_at_31_march,
children_on_cp_plan_per_10000
=================================================  ===========================================================
"""
