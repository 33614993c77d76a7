"""Making Data Count icons: the letter, colour and words for each variation and assurance state."""

from __future__ import annotations

import pytest

from analysis.products.mdc_icons import (
    COMMON_GREY,
    CONCERN_ORANGE,
    IMPROVEMENT_BLUE,
    NEUTRAL_PURPLE,
    assurance_icon,
    legend_items,
    signal_side,
    variation_icon,
)


@pytest.mark.parametrize(
    ("variation", "polarity", "above", "side"),
    [
        ("improvement", "higher_is_better", None, "high"),
        ("improvement", "lower_is_better", None, "low"),
        ("concern", "higher_is_better", None, "low"),
        ("concern", "lower_is_better", None, "high"),
        ("neutral", "context", True, "high"),
        ("neutral", "context", False, "low"),
        ("common_cause", "higher_is_better", None, None),
    ],
)
def test_signal_side_follows_ptd_get_icons(variation, polarity, above, side):
    assert signal_side(variation, polarity, above_mean=above) == side


def test_improvement_icon_is_blue_with_its_letter_and_words():
    svg = variation_icon("improvement", "lower_is_better")
    assert 'role="img"' in svg and "<title>" in svg
    assert 'aria-label="Unusual change: improvement (unusually low values)"' in svg
    assert IMPROVEMENT_BLUE in svg and ">L</text>" in svg


def test_concern_neutral_and_common_cause_colours():
    assert CONCERN_ORANGE in variation_icon("concern", "higher_is_better")
    assert ">L</text>" in variation_icon("concern", "higher_is_better")
    assert NEUTRAL_PURPLE in variation_icon("neutral", "context", above_mean=True)
    common = variation_icon("common_cause", "higher_is_better")
    assert COMMON_GREY in common and "<text" not in common
    assert IMPROVEMENT_BLUE not in common and CONCERN_ORANGE not in common


@pytest.mark.parametrize(
    ("assurance", "letter", "colour", "words"),
    [
        ("consistently_passing", "P", IMPROVEMENT_BLUE, "consistently passing"),
        ("consistently_failing", "F", CONCERN_ORANGE, "consistently failing"),
        ("hit_and_miss", "?", COMMON_GREY, "hit and miss"),
    ],
)
def test_assurance_icons(assurance, letter, colour, words):
    svg = assurance_icon(assurance)
    assert f">{letter}</text>" in svg and colour in svg and words in svg


def test_no_icon_without_a_reading():
    assert variation_icon(None, "higher_is_better") == ""
    assert assurance_icon(None) == ""


def test_legend_names_all_seven_icons():
    assert len(legend_items()) == 7
