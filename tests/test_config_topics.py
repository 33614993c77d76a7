"""config/topics.yml: the shipped topics load, and an unknown theme, action, indicator or list is refused by name."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from analysis.config import load_config
from analysis.config_topics import action_ids
from analysis.errors import ConfigError


@pytest.fixture
def config_copy(tmp_path: Path, repo_root: Path) -> Path:
    folder = tmp_path / "config"
    shutil.copytree(repo_root / "config", folder)
    return folder


def _edit(folder: Path, change) -> None:
    path = folder / "topics.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def test_the_three_topics_the_issue_names_load(repo_root: Path) -> None:
    config = load_config(repo_root / "config")
    ids = [t.id for t in config.topics.topics]
    assert ids == ["early-help-and-front-door", "child-protection", "looked-after-children"]
    lac = config.topics.topic("looked-after-children")
    assert "placement_distance" in lac.analyses and "looked_after" in lac.lists
    assert config.topics.topic("child-protection").journeys == ["child_protection"]
    windows = config.topics.journey_windows
    assert (windows.referral_to_assessment_days, windows.icpc_to_plan_days, windows.enquiry_to_plan_days) == (
        30,
        45,
        60,
    )
    for topic in config.topics.topics:
        for indicator in topic.indicators:
            config.indicator(indicator)


def test_action_ids_are_theme_and_priority(repo_root: Path) -> None:
    plan = load_config(repo_root / "config").plan
    ids = action_ids(plan)
    assert "1.1" in ids and "1.6" in ids and "1.7" not in ids and "7.1" not in ids


@pytest.mark.parametrize(
    ("key", "index", "bad", "where"),
    [
        ("indicators", 0, "no_such_indicator", "topics[1] (child-protection).indicators[0]"),
        ("actions", 0, "1.99", "topics[1] (child-protection).actions[0]"),
        ("themes", 0, 42, "topics[1] (child-protection).themes[0]"),
        ("lists", 0, "schools", "topics[1] (child-protection).lists[0]"),
    ],
)
def test_an_unknown_id_is_refused_naming_it(config_copy: Path, key: str, index: int, bad, where: str) -> None:
    def change(data: dict) -> None:
        data["topics"][1][key][index] = bad

    _edit(config_copy, change)
    with pytest.raises(ConfigError) as caught:
        load_config(config_copy)
    assert caught.value.key == where
    assert caught.value.found == bad
    assert str(bad) in str(caught.value) and "topics.yml" in str(caught.value)


def test_an_unknown_analysis_is_refused(config_copy: Path) -> None:
    _edit(config_copy, lambda data: data["topics"][0]["analyses"].append("horoscope"))
    with pytest.raises(ConfigError, match="analyses"):
        load_config(config_copy)


def test_a_repeated_topic_id_is_refused(config_copy: Path) -> None:
    _edit(config_copy, lambda data: data["topics"].append(dict(data["topics"][0])))
    with pytest.raises(ConfigError, match="unique"):
        load_config(config_copy)


def test_without_topics_yml_there_are_no_topics(config_copy: Path) -> None:
    (config_copy / "topics.yml").unlink()
    assert load_config(config_copy).topics.topics == []
