"""The one loader of ``config/``: the Improvement Plan, the indicator registry, the benchmarks and the authority.

No other module reads YAML. A broken file raises :class:`~analysis.errors.ConfigError` naming the file, the key
path (e.g. ``indicators[3] (assessments_within_45_working_days).polarity``) and what was expected.
"""

from __future__ import annotations

import logging
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from analysis.config_benchmarks import BenchmarkCatalogue
from analysis.config_dashboard import DashboardSettings
from analysis.config_glossary import GlossarySettings, check_glossary
from analysis.config_indicators import (
    ANNUAL_PERIOD_END,
    DataCheckSettings,
    Indicator,
    IndicatorRegistry,
    SpcSettings,
    SuppressionSettings,
)
from analysis.config_measures import check_board_measures
from analysis.config_model import StrictModel
from analysis.config_plan import Plan
from analysis.config_topics import TopicSettings, action_ids, check_topics
from analysis.errors import ConfigError

logger = logging.getLogger(__name__)


# ------------------------------------------------------------------------------------------ authority.yml
class Region(StrictModel):
    name: str
    code: str = Field(pattern=r"^E12\d{6}$")


class Authority(StrictModel):
    name: str
    ons_code: str = Field(pattern=r"^E0[6-9]\d{6}$|^E10\d{6}$")
    old_la_code: int = Field(ge=100, le=999)
    region: Region
    population_file: str
    report_status: Literal["draft", "final"] = "draft"
    demo: bool = True


# ------------------------------------------------------------------------------------------------ together
class ProjectConfig(BaseModel):
    """Everything in ``config/``, checked for consistency across files."""

    model_config = ConfigDict(frozen=True)

    folder: Path
    plan: Plan
    registry: IndicatorRegistry
    benchmarks: BenchmarkCatalogue
    authority: Authority
    dashboard: DashboardSettings = DashboardSettings()
    topics: TopicSettings = TopicSettings()
    glossary: GlossarySettings = GlossarySettings()

    @property
    def indicators(self) -> list[Indicator]:
        return self.registry.indicators

    @property
    def spc(self) -> SpcSettings:
        return self.registry.spc

    @property
    def suppression(self) -> SuppressionSettings:
        return self.registry.suppression

    @property
    def data_checks(self) -> DataCheckSettings:
        return self.registry.data_checks

    @cached_property
    def indicators_by_id(self) -> dict[str, Indicator]:
        return {i.id: i for i in self.registry.indicators}

    def indicator(self, indicator_id: str) -> Indicator:
        return self.indicators_by_id[indicator_id]

    def indicators_for_theme(self, theme: int) -> list[Indicator]:
        return [i for i in self.registry.indicators if i.theme == theme]


CONFIG_FILES = {
    "plan": "plan.yml",
    "registry": "indicators.yml",
    "benchmarks": "benchmarks.yml",
    "authority": "authority.yml",
}
#: Optional files: without them the defaults apply (every theme in plan order, no focus areas, no topics, no
#: glossary).
OPTIONAL_CONFIG_FILES = {"dashboard": "dashboard.yml", "topics": "topics.yml", "glossary": "glossary.yml"}


#: PyYAML's safe loader in C (libyaml) when it is built in, else in Python: the same documents, read several times
#: faster; the configuration is read by every report notebook and the runner (issue 21).
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml(path: Path) -> Any:
    if not path.is_file():
        raise ConfigError(path, "(file)", "a YAML file here", found="no such file")
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.load(handle, Loader=SAFE_LOADER)  # safe: SAFE_LOADER builds plain data only
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(file)"
        raise ConfigError(path, where, "valid YAML", found=str(getattr(error, "problem", error))) from None


def _key_path(data: Any, loc: tuple[int | str, ...]) -> str:
    """``indicators[3] (assessments_within_45_working_days).polarity`` from a pydantic error location."""
    parts: list[str] = []
    node = data
    for item in loc:
        if isinstance(item, int):
            label = f"[{item}]"
            if isinstance(node, list) and item < len(node):
                node = node[item]
                if isinstance(node, dict) and ("id" in node or "slug" in node):
                    label += f" ({node.get('id', node.get('slug'))})"
            parts.append(label)
        else:
            # pydantic adds the union member's name (e.g. 'Target') to locations: skip what is not a key.
            if isinstance(node, dict) and item not in node and item[:1].isupper():
                continue
            parts.append(("." if parts else "") + str(item))
            node = node.get(item) if isinstance(node, dict) else None
    return "".join(parts) or "(top level)"


def _parse(model: type[BaseModel], path: Path, data: Any) -> Any:
    if not isinstance(data, dict):
        raise ConfigError(path, "(top level)", "a mapping of keys to values", found=type(data).__name__)
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        message = first["msg"]
        if first["type"] == "missing":
            message = "this key (it is missing)"
        elif first["type"] == "extra_forbidden":
            message = "no such key (it is not one this file takes)"
        found = first.get("input") if first["type"] not in {"missing", "extra_forbidden"} else None
        raise ConfigError(path, _key_path(data, first["loc"]), message, found=found) from None


def _check_consistency(config: ProjectConfig) -> None:
    """Cross-file rules: themes, publications and rebase dates that indicators refer to must exist."""
    registry_file = config.folder / CONFIG_FILES["registry"]
    themes = {t.number for t in config.plan.themes}
    change_dates = {c.date for c in config.plan.service_changes}
    for n, indicator in enumerate(config.indicators):
        where = f"indicators[{n}] ({indicator.id})"
        if indicator.theme not in themes:
            raise ConfigError(
                registry_file,
                f"{where}.theme",
                f"a theme number in plan.yml ({sorted(themes)})",
                indicator.theme,
            )
        if indicator.benchmark and indicator.benchmark.publication not in config.benchmarks.publications:
            raise ConfigError(
                registry_file,
                f"{where}.benchmark.publication",
                f"a publication in benchmarks.yml ({sorted(config.benchmarks.publications)})",
                indicator.benchmark.publication,
            )
        if indicator.benchmark and indicator.benchmark.measure not in (
            measures := config.benchmarks.publications[indicator.benchmark.publication].measures
        ):
            raise ConfigError(
                registry_file,
                f"{where}.benchmark.measure",
                f"a measure of publication {indicator.benchmark.publication} in benchmarks.yml ({sorted(measures)})",
                indicator.benchmark.measure,
            )
        for day in indicator.rebase_at:
            if day not in change_dates:
                raise ConfigError(
                    registry_file,
                    f"{where}.rebase_at",
                    f"a service change date in plan.yml ({sorted(str(d) for d in change_dates)})",
                    str(day),
                )
    _check_dashboard(config, themes)


def _check_releases(config: ProjectConfig) -> None:
    """Every publication names a release defined in ``benchmarks.yml``."""
    path = config.folder / CONFIG_FILES["benchmarks"]
    releases = config.benchmarks.releases
    for publication_id, publication in config.benchmarks.publications.items():
        if publication.release not in releases:
            raise ConfigError(
                path,
                f"publications.{publication_id}.release",
                f"a release in benchmarks.yml ({sorted(releases)})",
                publication.release,
            )


def _check_comparable_years(config: ProjectConfig) -> None:
    """A benchmark that compares like with like is published for years ending on the day the indicator's annual
    figure ends (``annual`` against the ``period_end`` of the publication's release): the workforce census at 30
    September is compared with the local figure at 30 September, not at 31 March.
    """
    registry_file = config.folder / CONFIG_FILES["registry"]
    for n, indicator in enumerate(config.indicators):
        benchmark = indicator.benchmark
        if benchmark is None or not benchmark.comparable:
            continue
        release = config.benchmarks.release_of(benchmark.publication)
        if ANNUAL_PERIOD_END[indicator.annual] != release.period_end:
            fits = sorted(kind for kind, end in ANNUAL_PERIOD_END.items() if end == release.period_end)
            raise ConfigError(
                registry_file,
                f"indicators[{n}] ({indicator.id}).annual",
                f"an annual figure ending when {benchmark.publication}'s years end ({release.period_end}: "
                f"{', '.join(fits) or 'no annual form'}), as the benchmark is comparable: true",
                indicator.annual,
            )


def _check_dashboard(config: ProjectConfig, themes: set[int]) -> None:
    """The dashboard's groups must name known themes and indicators, each indicator at most once."""
    path = config.folder / OPTIONAL_CONFIG_FILES["dashboard"]
    seen: set[str] = set()
    for key in ("focus_areas", "themes"):
        for n, group in enumerate(getattr(config.dashboard, key)):
            where = f"{key}[{n}]"
            if group.theme is not None and group.theme not in themes:
                raise ConfigError(
                    path, f"{where}.theme", f"a theme number in plan.yml ({sorted(themes)})", group.theme
                )
            for m, indicator_id in enumerate(group.indicators):
                if indicator_id not in config.indicators_by_id:
                    raise ConfigError(
                        path, f"{where}.indicators[{m}]", "an indicator id in indicators.yml", indicator_id
                    )
                if indicator_id in seen:
                    raise ConfigError(
                        path, f"{where}.indicators[{m}]", "each indicator once on the dashboard", indicator_id
                    )
                seen.add(indicator_id)
    _check_safeguarding_measures(config, path)


def _check_safeguarding_measures(config: ProjectConfig, path: Path) -> None:
    """The safeguarding board's measures: each computable, each id in ``dashboard.yml`` defined (named if not).

    Checked here, when the configuration is read, so that ``analysis run`` stops before its first stage (exit 2)
    instead of leaving a measure out at render time (:func:`analysis.config_measures.check_board_measures`).
    """
    check_board_measures(config, config.folder / CONFIG_FILES["registry"], path)


def _check_looking_ahead(config: ProjectConfig) -> None:
    """Every demand measure of the "looking ahead" section names a registered indicator."""
    registry_file = config.folder / CONFIG_FILES["registry"]
    for n, measure in enumerate(config.registry.anticipated.looking_ahead):
        if measure.indicator not in config.indicators_by_id:
            raise ConfigError(
                registry_file,
                f"anticipated.looking_ahead[{n}].indicator",
                "the id of an indicator in this file",
                measure.indicator,
            )


def _check_indicator_actions(config: ProjectConfig, path: Path) -> None:
    """Refuse an indicator linked to an action the plan does not have (``<theme>.<priority>`` of plan.yml)."""
    allowed = action_ids(config.plan)
    for n, indicator in enumerate(config.indicators):
        for m, action in enumerate(indicator.actions):
            if action not in allowed:
                raise ConfigError(
                    path,
                    f"indicators[{n}] ({indicator.id}).actions[{m}]",
                    "an action id <theme>.<priority> of plan.yml (e.g. 1.3)",
                    action,
                )


def load_config(folder: Path | str | None = None) -> ProjectConfig:
    """Read and check ``plan.yml``, ``indicators.yml``, ``benchmarks.yml``, ``authority.yml`` and the optional
    ``dashboard.yml``, ``topics.yml`` and ``glossary.yml``."""
    if folder is None:
        from analysis.paths import project_root

        folder = project_root() / "config"
    folder = Path(folder)
    parsed = {}
    for field, filename in CONFIG_FILES.items():
        path = folder / filename
        models: dict[str, type[BaseModel]] = {
            "plan": Plan,
            "registry": IndicatorRegistry,
            "benchmarks": BenchmarkCatalogue,
            "authority": Authority,
        }
        parsed[field] = _parse(models[field], path, _read_yaml(path))
    dashboard_file = folder / OPTIONAL_CONFIG_FILES["dashboard"]
    if dashboard_file.is_file():
        parsed["dashboard"] = _parse(DashboardSettings, dashboard_file, _read_yaml(dashboard_file))
    topics_file = folder / OPTIONAL_CONFIG_FILES["topics"]
    if topics_file.is_file():
        parsed["topics"] = _parse(TopicSettings, topics_file, _read_yaml(topics_file))
    glossary_file = folder / OPTIONAL_CONFIG_FILES["glossary"]
    if glossary_file.is_file():
        parsed["glossary"] = _parse(GlossarySettings, glossary_file, _read_yaml(glossary_file))
    config = ProjectConfig(folder=folder.resolve(), **parsed)
    _check_consistency(config)
    _check_releases(config)
    _check_comparable_years(config)
    _check_looking_ahead(config)
    _check_indicator_actions(config, folder / "indicators.yml")
    check_topics(config.topics, config.plan, config.indicators, folder / OPTIONAL_CONFIG_FILES["topics"])
    check_glossary(config.glossary, glossary_file)
    logger.debug("Configuration read from %s: %d indicators", folder, len(config.indicators))
    return config
