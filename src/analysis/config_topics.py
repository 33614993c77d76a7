"""The models of ``config/topics.yml``: the quarterly themed topics, their lists, analyses and journey windows.

Read by the one loader, :func:`analysis.config.load_config`; :func:`check_topics` refuses an unknown plan theme,
action, indicator, Annex A list, analysis or journey, naming the key path and the id.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import Field, model_validator

from analysis.config_model import StrictModel
from analysis.errors import ConfigError

if TYPE_CHECKING:
    from analysis.config_indicators import Indicator
    from analysis.config_plan import Plan

#: The Annex A lists (child-level tables) a topic may profile.
TOPIC_LISTS = (
    "contacts",
    "early_help",
    "referrals",
    "assessments",
    "section47",
    "children_in_need",
    "cp_plans",
    "looked_after",
    "care_leavers",
)
Analysis = Literal[
    "profile", "disproportionality", "journeys", "drift", "placement_distance", "assessment_factors"
]
Journey = Literal["front_door", "child_protection"]


class JourneyWindows(StrictModel):
    """Calendar days within which a step counts as following the one before (LIIA CIN reports)."""

    contact_to_referral_days: int = Field(default=30, ge=1, le=365)
    referral_to_assessment_days: int = Field(default=30, ge=1, le=365)
    icpc_to_plan_days: int = Field(default=45, ge=1, le=365)
    enquiry_to_plan_days: int = Field(default=60, ge=1, le=365)


class Topic(StrictModel):
    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    title: str = Field(min_length=1)
    themes: list[int] = Field(min_length=1)
    actions: list[str] = []
    indicators: list[str] = []
    lists: list[str] = Field(min_length=1)
    analyses: list[Analysis] = Field(min_length=1)
    journeys: list[Journey] = []


class TopicSettings(StrictModel):
    ethnic_population_file: str = "population/ons-ethnic-population-la*.csv"
    journey_windows: JourneyWindows = JourneyWindows()
    topics: list[Topic] = []

    @model_validator(mode="after")
    def _ids_unique(self) -> TopicSettings:
        ids = [t.id for t in self.topics]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"topic ids must be unique (repeated: {', '.join(repeated)})")
        return self

    def topic(self, topic_id: str) -> Topic:
        """The topic with this id (``KeyError`` names the known ids)."""
        for topic in self.topics:
            if topic.id == topic_id:
                return topic
        raise KeyError(f"no topic {topic_id!r}; known topics: {', '.join(t.id for t in self.topics)}")


def action_ids(plan: Plan) -> list[str]:
    """Every action id the plan allows: ``<theme>.<n>`` for the n-th priority of each theme (1-based).

    Notes
    -----
    The action tracker numbers its actions by theme and priority (``1.3`` is theme 1's third priority); the plan's
    priorities are those of Appendix 1 of the committee paper (``config/plan.yml``).
    """
    return [f"{t.number}.{n}" for t in plan.themes for n in range(1, len(t.priorities) + 1)]


def check_topics(settings: TopicSettings, plan: Plan, indicators: list[Indicator], path: Path) -> None:
    """Refuse a topic naming a theme, action, indicator, list or journey that does not exist.

    Raises
    ------
    ConfigError
        Naming the file, the key path (``topics[1] (child-protection).indicators[2]``), what was expected and the
        unknown id.
    """
    themes = sorted(t.number for t in plan.themes)
    actions = action_ids(plan)
    known_indicators = {i.id for i in indicators}
    for n, topic in enumerate(settings.topics):
        where = f"topics[{n}] ({topic.id})"
        for m, theme in enumerate(topic.themes):
            if theme not in themes:
                raise ConfigError(
                    path, f"{where}.themes[{m}]", f"a theme number in plan.yml ({themes})", theme
                )
        for m, action in enumerate(topic.actions):
            if action not in actions:
                raise ConfigError(
                    path,
                    f"{where}.actions[{m}]",
                    "an action id <theme>.<priority> of plan.yml (e.g. 1.3)",
                    action,
                )
        for m, indicator in enumerate(topic.indicators):
            if indicator not in known_indicators:
                raise ConfigError(
                    path, f"{where}.indicators[{m}]", "an indicator id in indicators.yml", indicator
                )
        for m, name in enumerate(topic.lists):
            if name not in TOPIC_LISTS:
                raise ConfigError(
                    path, f"{where}.lists[{m}]", f"an Annex A list ({', '.join(TOPIC_LISTS)})", name
                )
        if topic.journeys and "journeys" not in topic.analyses:
            raise ConfigError(
                path, f"{where}.journeys", "journeys only when analyses includes journeys", None
            )
        if "journeys" in topic.analyses and not topic.journeys:
            raise ConfigError(
                path, f"{where}.journeys", "at least one journey (front_door, child_protection)", None
            )
