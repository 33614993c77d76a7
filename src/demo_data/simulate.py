"""Event histories for a synthetic children's social care population, vectorised with numpy.

Each child's path runs contact -> referral -> continuous assessment -> section 47 enquiry -> initial child protection
conference -> child protection plan, with children in need episodes, periods of care with placements, adoption,
care leavers' birthday contacts, early help assessments and adopter households beside it. Every table holds an
integer ``child`` (a row of :attr:`CaseHistories.children`) and ``datetime64[D]`` dates, ``NaT`` where an event had
not happened by the extract date. Tables hold the whole simulated history (from 2009, and periods of care from
1999) so that published-style annual figures can be computed; :mod:`demo_data.annex` keeps what an Annex A
extract would show.

This module runs the parts in order: the front door (:mod:`demo_data.simulate_front_door`), child protection
(:mod:`demo_data.simulate_protection`) and care (:mod:`demo_data.simulate_care`); the register of children and
the tables' container are in :mod:`demo_data.case_histories`.
"""

from __future__ import annotations

import logging

import numpy as np

from demo_data.case_histories import CaseHistories, ChildRegister, bank_holidays
from demo_data.simulate_care import simulate_adopters, simulate_care, simulate_care_leavers
from demo_data.simulate_front_door import (
    simulate_assessments,
    simulate_contacts,
    simulate_early_help,
    simulate_referrals,
)
from demo_data.simulate_protection import simulate_children_in_need, simulate_cp_plans, simulate_section47

logger = logging.getLogger(__name__)


def simulate_histories(seed: int, scale: float) -> CaseHistories:
    """Simulate every case history for a synthetic authority of about ``63,000 x scale`` children.

    Each part draws from its own random stream (spawned from ``seed``), so the same seed gives the same histories.
    """
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(12)]
    holiday_days = bank_holidays(1998, 2016)
    calendar = np.busdaycalendar(holidays=holiday_days)
    children = ChildRegister(streams[0])
    referrals = simulate_referrals(streams[1], children, scale, calendar)
    contacts = simulate_contacts(streams[2], children, referrals, calendar)
    assessments = simulate_assessments(streams[3], referrals, calendar)
    section47 = simulate_section47(streams[4], referrals, assessments, scale, calendar)
    cp_plans = simulate_cp_plans(streams[5], section47, scale)
    in_plan = np.zeros(len(section47), dtype=object)
    in_plan[:] = section47["plan"].to_numpy()
    planned = section47["plan"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    in_plan[planned & ~np.isin(np.arange(len(section47)), cp_plans["s47"].to_numpy())] = False
    section47["plan"] = in_plan
    cin = simulate_children_in_need(streams[6], referrals, assessments, section47, cp_plans)
    episodes, placements = simulate_care(streams[7], children, referrals, scale)
    early_help = simulate_early_help(streams[8], children, referrals, scale)
    adopters = simulate_adopters(streams[9], scale)
    register = children.frame()
    care_leavers = simulate_care_leavers(streams[10], episodes, register["dob"].to_numpy())
    adoptions = episodes[
        episodes["adoption"] & ~np.isnat(episodes["decision"].to_numpy().astype("datetime64[D]"))
    ]
    logger.debug("Simulated %d children, %d referrals", len(register), len(referrals))
    return CaseHistories(
        children=register,
        contacts=contacts.reset_index(drop=True),
        early_help=early_help,
        referrals=referrals,
        assessments=assessments,
        section47=section47,
        children_in_need=cin,
        cp_plans=cp_plans,
        care_episodes=episodes,
        placements=placements,
        care_leavers=care_leavers.reset_index(drop=True),
        adoptions=adoptions.reset_index(drop=True),
        adopters=adopters,
        holidays=holiday_days,
    )
