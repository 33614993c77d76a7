"""The topic tables of the analysis stage: each themed topic's profile, disproportionality, journeys and drift.

Called by :func:`analysis.stages.analyse.analyse_all` for the run's quarter. The topics, their lists, analyses and
journey windows are in ``config/topics.yml``; the computations are pure functions in
:mod:`analysis.methods.topic_analyses`, :mod:`analysis.methods.topic_journeys` and
:mod:`analysis.methods.benchmark_breakdowns`. The products (the topic reports) only present these tables.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from analysis.config import ProjectConfig
from analysis.config_topics import TOPIC_LISTS
from analysis.errors import InputDataError
from analysis.inputs.ethnic_population import read_ethnic_population
from analysis.io import conform
from analysis.methods.benchmark_breakdowns import assessment_factors, distance_from_home
from analysis.methods.benchmarking import release_label, released_on
from analysis.methods.disproportionality import disproportionality
from analysis.methods.quarters import Quarter
from analysis.methods.topic_analyses import (
    drift,
    profile,
    topic_periods,
)
from analysis.methods.topic_journeys import child_protection_steps, front_door_steps, journey_table
from analysis.schemas import empty_table

logger = logging.getLogger(__name__)

#: The tables this stage writes, in the order of the topic report.
TOPIC_TABLES = (
    "topic_profile",
    "topic_disproportionality",
    "topic_journeys",
    "topic_drift",
    "topic_placement_distance",
    "topic_assessment_factors",
)
#: The child-level tables the topics read (an absent one is an empty list): the lists a topic may name.
TOPIC_INPUTS = TOPIC_LISTS


def ethnic_population_for(raw_dir: Path | None, config: ProjectConfig) -> pd.DataFrame:
    """The authority's population by ethnic group from the file ``config/topics.yml`` names, or an empty table.

    The newest file under ``raw_dir`` matching ``ethnic_population_file`` (ONS Census 2021, all ages); without it
    the disproportionality table has the shares and no ratios, and the log says so.
    """
    empty = pd.DataFrame({"ethnic_group": pd.Series(dtype="str"), "population": pd.Series(dtype="float64")})
    pattern = config.topics.ethnic_population_file
    matches = sorted(Path(raw_dir).glob(pattern)) if raw_dir is not None and Path(raw_dir).is_dir() else []
    if not matches:
        logger.warning(
            "No ONS population by ethnic group matching %s in %s: disproportionality ratios are not computed",
            pattern,
            raw_dir,
        )
        return empty
    path = max(matches, key=lambda p: p.name)
    try:
        return read_ethnic_population(path, config.authority.ons_code)
    except InputDataError as error:
        logger.warning("%s: disproportionality ratios are not computed", error)
        return empty


def released_by(
    frame: pd.DataFrame, config: ProjectConfig, publication: str, quarter: Quarter
) -> pd.DataFrame:
    """The years of a published breakdown DfE had released by the quarter's end, each with its release named.

    The one rule of when a published figure was known (:func:`analysis.methods.benchmarking.released_on`, as the
    benchmark comparisons apply it): a 2015-16 Q1 report (to 30 June 2015) shows no 2014-15 figures, released that
    autumn. A file whose first year came later (C3 begins with 2017-18) gives no rows: the report says that DfE had
    published no figures for the year, and shows none from another.
    """
    if frame.empty:
        return frame.assign(release=pd.Series(dtype="str"))
    release = config.benchmarks.release_of(publication)
    years = sorted(int(y) for y in frame["time_period"].unique())
    known = [y for y in years if released_on(release, y) <= quarter.end]
    if not known:
        logger.warning(
            "%s: no year released by %s (the file holds %d to %d): the topic reports say so",
            publication,
            quarter.end,
            years[0],
            years[-1],
        )
    rows = frame.loc[frame["time_period"].isin(known)]
    return rows.assign(release=[release_label(release, int(y)) for y in rows["time_period"]])


def _table(tables: dict[str, pd.DataFrame], name: str) -> pd.DataFrame:
    frame = tables.get(name)
    return frame if frame is not None else empty_table(name)


def topic_tables(
    tables: dict[str, pd.DataFrame],
    config: ProjectConfig,
    quarter: Quarter,
    ethnic_population: pd.DataFrame,
) -> dict[str, pd.DataFrame]:
    """Every topic's analysis tables for the quarter (no file input or output).

    Parameters
    ----------
    tables
        The processed tables: the child-level lists, and ``benchmarks`` for placement distance and assessment
        factors (absent tables are empty).
    config
        The project configuration (``config.topics``, ``config.suppression``, ``config.authority``).
    quarter
        The run's quarter: the topic periods are the quarter and the twelve months to its end.
    ethnic_population
        The authority's population by ethnic group (:func:`ethnic_population_for`).

    Returns
    -------
    dict of str to pandas.DataFrame
        The :data:`TOPIC_TABLES`, conformed to their schemas; small numbers withheld in every one.
    """
    lower, upper = config.suppression.min_count, config.suppression.max_count
    windows = config.topics.journey_windows
    periods = topic_periods(quarter.start, quarter.end)
    lists = {name: _table(tables, name) for name in TOPIC_INPUTS}
    benchmarks = _table(tables, "benchmarks")
    parts: dict[str, list[pd.DataFrame]] = {name: [] for name in TOPIC_TABLES}
    wanted = {a for t in config.topics.topics for a in t.analyses}
    # Drift and the published breakdowns are the same for every topic that includes them: computed once.
    drifts = {
        period.name: drift(
            lists["referrals"],
            lists["cp_plans"],
            lists["looked_after"],
            period,
            topic_id="",
            lower=lower,
            upper=upper,
        )
        for period in periods
        if "drift" in wanted
    }
    distance, factors = pd.DataFrame(), pd.DataFrame()
    if "placement_distance" in wanted and "new_placements" in config.benchmarks.publications:
        spec = config.benchmarks.publications["new_placements"]
        distance = distance_from_home(
            benchmarks, spec, config.authority.old_la_code, lower=lower, upper=upper
        )
        distance = released_by(distance, config, "new_placements", quarter)
    if "assessment_factors" in wanted and "c3" in config.benchmarks.publications:
        factors = assessment_factors(benchmarks, config.authority.old_la_code, lower=lower, upper=upper)
        factors = released_by(factors, config, "c3", quarter)
    for topic in config.topics.topics:
        for period in periods:
            profiles = [
                profile(lists[name], name, period, topic_id=topic.id, lower=lower, upper=upper)
                for name in topic.lists
            ]
            if "profile" in topic.analyses or "disproportionality" in topic.analyses:
                published = pd.concat(profiles, ignore_index=True)
                if "profile" in topic.analyses:
                    parts["topic_profile"].append(published)
                if "disproportionality" in topic.analyses:
                    parts["topic_disproportionality"].append(disproportionality(published, ethnic_population))
            if "journeys" in topic.analyses:
                for journey in topic.journeys:
                    if journey == "front_door":
                        steps = front_door_steps(
                            lists["contacts"], lists["referrals"], lists["assessments"], period, windows
                        )
                    else:
                        steps = child_protection_steps(lists["section47"], lists["cp_plans"], period, windows)
                    parts["topic_journeys"].append(
                        journey_table(steps, journey, period, topic_id=topic.id, lower=lower, upper=upper)
                    )
            if "drift" in topic.analyses:
                parts["topic_drift"].append(drifts[period.name].assign(topic_id=topic.id))
        if "placement_distance" in topic.analyses and not distance.empty:
            parts["topic_placement_distance"].append(distance.assign(topic_id=topic.id))
        if "assessment_factors" in topic.analyses and not factors.empty:
            parts["topic_assessment_factors"].append(factors.assign(topic_id=topic.id))
    result = {}
    for name, frames in parts.items():
        frames = [f for f in frames if not f.empty]
        frame = pd.concat(frames, ignore_index=True) if frames else empty_table(name)
        result[name] = conform(frame, name)
    logger.info(
        "Topic tables for %s: %d topics, %s rows",
        quarter.label,
        len(config.topics.topics),
        ", ".join(f"{name} {len(frame)}" for name, frame in result.items()),
    )
    return result
