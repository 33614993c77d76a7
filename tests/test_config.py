"""The configuration loader: the real files load, and each kind of broken file gets a message naming file and key."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from analysis.config import load_config
from analysis.errors import ConfigError


@pytest.fixture
def config_copy(tmp_path: Path, repo_root: Path) -> Path:
    folder = tmp_path / "config"
    shutil.copytree(repo_root / "config", folder)
    return folder


def _edit(folder: Path, name: str, change) -> None:
    path = folder / name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def test_project_configuration_loads(repo_root: Path) -> None:
    config = load_config(repo_root / "config")
    assert [t.number for t in config.plan.themes] == [1, 2, 3, 4, 5, 6]
    assert config.authority.ons_code == "E06000035"
    assert config.authority.old_la_code == 887
    assert config.authority.region.code == "E12000008"
    # The neighbours come from DfE's published model, not from authority.yml.
    assert config.benchmarks.statistical_neighbours.file == "sn_model_2025_wide*.csv"
    assert config.benchmarks.statistical_neighbours.average == "mean"
    assert "statistical_neighbours" not in type(config.authority).model_fields
    assert config.indicator("social_workers_recruited").target.value == 3


PAPER_INDICATORS = [
    "contacts_converting_to_referrals",
    "referrals_converting_to_assessments",
    "assessments_within_45_working_days",
    "rereferrals_within_12_months",
    "children_on_cp_plan_per_10000",
    "icpc_within_15_working_days",
    "cp_plans_lasting_two_years_or_more",
    "cp_plans_second_or_subsequent",
    "children_in_care_proceedings",
    "children_looked_after_per_10000",
    "lac_three_or_more_placements",
    "adoption_a2_days_placement_order_to_match",
    "adoption_a1_days_entering_care_to_placed",
    "children_leaving_care_adopted",
    "care_leavers_in_suitable_accommodation",
    "care_leavers_in_education_employment_training",
    "lac_camhs_waiting_weeks",
    "childrens_views_recorded",
    "social_workers_recruited",
    "agency_social_worker_rate",
    "social_worker_vacancy_rate",
    "average_caseload_per_social_worker",
    "case_audits_completed",
    "case_audits_rated_good_or_better",
    "staff_with_completed_pdr",
    "early_help_assessments_started",
    "domestic_abuse_referrals",
    "cse_referrals",
]


@pytest.mark.parametrize("indicator_id", PAPER_INDICATORS)
def test_every_indicator_the_paper_names_is_registered(repo_root: Path, indicator_id: str) -> None:
    assert indicator_id in load_config(repo_root / "config").indicators_by_id


def test_context_indicators_have_no_direction(repo_root: Path) -> None:
    config = load_config(repo_root / "config")
    for indicator_id in [
        "referrals_per_10000",
        "children_on_cp_plan_per_10000",
        "children_looked_after_per_10000",
        "children_in_need_per_10000",
        "section_47_enquiries",
    ]:
        assert config.indicator(indicator_id).polarity == "context"


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_plan_matches_the_committee_paper(repo_root: Path, shared_dir: Path) -> None:
    paper = _normalise((shared_dir / "seed" / "000_1b7ef5c744372737.txt").read_text(encoding="utf-8"))
    config = load_config(repo_root / "config")
    for theme in config.plan.themes:
        assert f"{theme.number} {theme.name}" in paper
        assert _normalise(theme.what_we_want_to_achieve) in paper
        for priority in theme.priorities:
            assert _normalise(priority) in paper, priority
    for ambition in config.plan.priorities_and_ambitions:
        assert ambition in paper


def test_missing_key_names_file_and_key(config_copy: Path) -> None:
    _edit(config_copy, "authority.yml", lambda d: d.pop("ons_code"))
    with pytest.raises(ConfigError) as error:
        load_config(config_copy)
    assert "authority.yml" in str(error.value)
    assert "ons_code" in str(error.value)
    assert "missing" in str(error.value)


def test_wrong_type_names_the_indicator(config_copy: Path) -> None:
    _edit(config_copy, "indicators.yml", lambda d: d["indicators"][3].update(decimals="one"))
    with pytest.raises(ConfigError) as error:
        load_config(config_copy)
    message = str(error.value)
    assert "indicators.yml" in message
    assert "indicators[3]" in message and "decimals" in message
    assert "integer" in message


def test_unknown_theme_is_rejected(config_copy: Path) -> None:
    _edit(config_copy, "indicators.yml", lambda d: d["indicators"][0].update(theme=9))
    with pytest.raises(ConfigError) as error:
        load_config(config_copy)
    message = str(error.value)
    assert "indicators[0] (contacts_converting_to_referrals).theme" in message
    assert "[1, 2, 3, 4, 5, 6]" in message


def test_unknown_polarity_is_rejected(config_copy: Path) -> None:
    _edit(config_copy, "indicators.yml", lambda d: d["indicators"][1].update(polarity="up_is_good"))
    with pytest.raises(ConfigError) as error:
        load_config(config_copy)
    message = str(error.value)
    assert "polarity" in message and "higher_is_better" in message and "up_is_good" in message


def test_unknown_benchmark_publication_is_rejected(config_copy: Path) -> None:
    def change(d):
        d["indicators"][3]["benchmark"]["publication"] = "zz9"

    _edit(config_copy, "indicators.yml", change)
    with pytest.raises(ConfigError, match=r"benchmark\.publication"):
        load_config(config_copy)


def test_rebase_date_must_be_a_service_change(config_copy: Path) -> None:
    _edit(config_copy, "indicators.yml", lambda d: d["indicators"][0].update(rebase_at=["2013-01-01"]))
    with pytest.raises(ConfigError, match="service change"):
        load_config(config_copy)


def test_unreadable_yaml_names_the_line(config_copy: Path) -> None:
    (config_copy / "plan.yml").write_text("title: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"plan\.yml: at 'line"):
        load_config(config_copy)


def test_missing_file(config_copy: Path) -> None:
    (config_copy / "benchmarks.yml").unlink()
    with pytest.raises(ConfigError, match=r"benchmarks\.yml.*no such file"):
        load_config(config_copy)


def test_unknown_key_is_rejected(config_copy: Path) -> None:
    _edit(config_copy, "authority.yml", lambda d: d.update(nmae="typo"))
    with pytest.raises(ConfigError, match="nmae"):
        load_config(config_copy)


def test_a_benchmark_measure_the_publication_does_not_define_is_refused(
    tmp_path: Path, repo_root: Path
) -> None:
    shutil.copytree(repo_root / "config", tmp_path / "config")
    path = tmp_path / "config" / "indicators.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("measure: CPP_subsequent_percent,", "measure: CPP_subsequent_pct,"), encoding="utf-8"
    )
    with pytest.raises(ConfigError, match="benchmark.measure"):
        load_config(tmp_path / "config")


def test_a_measure_needs_exactly_one_of_column_and_percentage() -> None:
    from pydantic import ValidationError

    from analysis.config_benchmarks import BenchmarkMeasure

    with pytest.raises(ValidationError, match="exactly one"):
        BenchmarkMeasure()
    with pytest.raises(ValidationError, match="exactly one"):
        BenchmarkMeasure(column="a", percentage={"numerator": ["a"], "denominator": ["b"]})


def test_a_publications_filters_apply_to_every_measure_and_a_measures_own_win() -> None:
    from analysis.config_benchmarks import Publication

    publication = Publication.model_validate(
        {
            "file": "f.csv",
            "title": "t",
            "source": "s",
            "published": True,
            "release": "children_in_need",
            "filters": {"category": "Factors", "breakdown": "Total"},
            "measures": {
                "a": {"column": "a"},
                "b": {"column": "b", "filters": {"breakdown": "Girls", "sex": "F"}},
            },
        }
    )
    assert publication.measures["a"].filters == {"category": "Factors", "breakdown": "Total"}
    assert publication.measures["b"].filters == {"category": "Factors", "breakdown": "Girls", "sex": "F"}


def test_every_publication_says_when_its_years_end_and_are_released(repo_root: Path) -> None:
    catalogue = load_config(repo_root / "config").benchmarks
    assert catalogue.release_of("b1").period_end == "03-31"
    assert catalogue.release_of("cla").period_end == "03-31"
    assert catalogue.release_of("csww").period_end == "09-30"
    # DfE's usual months: children in need October/November, looked after November/December, workforce
    # February/March (after the year to 30 September).
    assert [catalogue.release_of(p).usual for p in ("c1", "placement_stability", "csww")] == [
        "11-30",
        "12-31",
        "03-31",
    ]


def test_a_publication_without_a_release_is_refused(config_copy: Path) -> None:
    _edit(config_copy, "benchmarks.yml", lambda d: d["publications"]["c1"].pop("release"))
    with pytest.raises(ConfigError, match=r"publications\.c1\.release"):
        load_config(config_copy)


def test_a_publication_naming_an_unknown_release_is_refused(config_copy: Path) -> None:
    _edit(
        config_copy, "benchmarks.yml", lambda d: d["publications"]["csww"].update(release="workforce_census")
    )
    with pytest.raises(ConfigError, match=r"publications\.csww\.release.*workforce_census"):
        load_config(config_copy)


def test_a_release_date_before_the_year_ends_names_the_release(config_copy: Path) -> None:
    _edit(
        config_copy,
        "benchmarks.yml",
        lambda d: d["releases"]["workforce"]["dates"].update({2016: "2016-08-01"}),
    )
    with pytest.raises(ConfigError, match=r"releases\.workforce"):
        load_config(config_copy)


def test_a_wrong_safeguarding_measure_id_is_refused_naming_it(config_copy: Path) -> None:
    path = config_copy / "dashboard.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("- cp_plans_ended\n", "- cp_plans_endd\n", 1))
    with pytest.raises(ConfigError) as error:
        load_config(config_copy)
    assert error.value.file == path
    assert error.value.found == "cp_plans_endd"
    assert "safeguarding_board.measures[" in error.value.key
    assert "cp_plans_endd" in str(error.value)


def test_the_board_ids_are_those_indicators_yml_defines(config_copy: Path) -> None:
    """An id is known because indicators.yml defines it: renamed there too, the same dashboard.yml loads; left
    out there, the dashboard's id is refused."""
    for name in ("dashboard.yml", "indicators.yml"):
        path = config_copy / name
        text = path.read_text(encoding="utf-8")
        old = "- cp_plans_ended\n" if name == "dashboard.yml" else "- id: cp_plans_ended\n"
        path.write_text(text.replace(old, old.replace("cp_plans_ended", "cp_plans_closed"), 1))
    assert "cp_plans_closed" in load_config(config_copy).dashboard.safeguarding_board.measures
    _edit(
        config_copy,
        "indicators.yml",
        lambda d: d["safeguarding_board_measures"].remove(
            next(m for m in d["safeguarding_board_measures"] if m["id"] == "cp_plans_closed")
        ),
    )
    with pytest.raises(ConfigError) as error:
        load_config(config_copy)
    assert error.value.found == "cp_plans_closed"


def test_a_wrong_measure_id_stops_analysis_run_before_the_first_stage(
    config_copy: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from analysis.cli import main

    path = config_copy / "dashboard.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("- cp_plans_ended\n", "- cp_plans_endd\n", 1))
    processed, reports = tmp_path / "processed", tmp_path / "reports"
    code = main(
        ["run", "--config", str(config_copy), "--raw", str(tmp_path / "raw"), "--processed", str(processed)]
        + ["--reports", str(reports)]
    )
    assert code == 2
    assert "cp_plans_endd" in caplog.text
    assert not processed.exists() and not reports.exists()  # no stage ran


@pytest.mark.parametrize("share", [0, -0.5, "half"])
def test_the_too_uncertain_share_must_be_a_positive_number(config_copy: Path, share: object) -> None:
    _edit(
        config_copy,
        "indicators.yml",
        lambda d: d["anticipated"]["forecast"].update(too_uncertain_share=share),
    )
    with pytest.raises(ConfigError) as error:
        load_config(config_copy)
    message = str(error.value)
    assert "indicators.yml" in message and "too_uncertain_share" in message


def test_the_too_uncertain_share_is_read(config_copy: Path) -> None:
    assert load_config(config_copy).registry.anticipated.forecast.too_uncertain_share == 0.5
    _edit(
        config_copy, "indicators.yml", lambda d: d["anticipated"]["forecast"].update(too_uncertain_share=0.3)
    )
    assert load_config(config_copy).registry.anticipated.forecast.too_uncertain_share == 0.3


def _add_measure(folder: Path, **fields) -> None:
    measure = {
        "id": "cin_plan_reviews_within_timescale",
        "name": "Child in need plans reviewed within timescale",
        "stage": "Review",
        "unit": "%",
        "polarity": "higher_is_better",
        "timing": "stock",
        "definition": "Open child in need plans reviewed in the last six months.",
        "source": "Local measure",
        "reads": ["children_in_need.cin_start_date", "children_in_need.latest_cin_plan_review_date"],
        "method": "reviews_within_timescale",
    }
    _edit(folder, "indicators.yml", lambda d: d["safeguarding_board_measures"].append({**measure, **fields}))


def test_a_measure_reading_a_column_no_reader_provides_is_refused_naming_it(config_copy: Path) -> None:
    # The measure the board once offered: no Annex A list has a child in need plan review date.
    _add_measure(config_copy)
    with pytest.raises(ConfigError) as error:
        load_config(config_copy)
    assert error.value.file == config_copy / "indicators.yml"
    assert error.value.found == "children_in_need.latest_cin_plan_review_date"
    assert error.value.key.startswith(
        "safeguarding_board_measures[17] (cin_plan_reviews_within_timescale).reads[1]"
    )
    assert "cin_plan_reviews_within_timescale" in str(error.value)
    assert "children_in_need.latest_cin_plan_review_date" in str(error.value)


def test_a_measure_reading_an_unknown_table_is_refused(config_copy: Path) -> None:
    _add_measure(config_copy, reads=["child_in_need.cin_start_date"])
    with pytest.raises(ConfigError, match=r"reads\[0\]") as error:
        load_config(config_copy)
    assert error.value.found == "child_in_need.cin_start_date"


def test_a_measure_with_readable_columns_loads(config_copy: Path) -> None:
    """The check can pass: the same measure reading columns List 6 has is accepted (so the refusals above are
    about the column, not the measure)."""
    _add_measure(config_copy, reads=["children_in_need.cin_start_date", "children_in_need.cin_end_date"])
    config = load_config(config_copy)
    assert config.registry.safeguarding_board_measures[-1].id == "cin_plan_reviews_within_timescale"


def test_a_measure_naming_an_unknown_indicator_or_another_unit_is_refused(config_copy: Path) -> None:
    _add_measure(
        config_copy, reads=["children_in_need.cin_start_date"], indicator="children_in_needs", method=None
    )
    with pytest.raises(ConfigError, match=r"\.indicator") as error:
        load_config(config_copy)
    assert error.value.found == "children_in_needs"
    _edit(
        config_copy,
        "indicators.yml",
        lambda d: d["safeguarding_board_measures"][-1].update(indicator="children_in_need_per_10000"),
    )
    with pytest.raises(ConfigError, match=r"\.unit"):  # the numerator of a rate is a count, not a %
        load_config(config_copy)


def test_a_measure_computed_by_no_known_method_is_refused_naming_it(config_copy: Path) -> None:
    _add_measure(config_copy, reads=["children_in_need.cin_start_date"], method="plan_reviews")
    with pytest.raises(ConfigError, match=r"cin_plan_reviews_within_timescale\)\.method") as error:
        load_config(config_copy)
    assert error.value.found == "plan_reviews"


def test_a_measure_needs_one_computation(config_copy: Path) -> None:
    _add_measure(
        config_copy, reads=["children_in_need.cin_start_date"], indicator="children_in_need_per_10000"
    )
    with pytest.raises(ConfigError, match=r"either an indicator .* or a method"):
        load_config(config_copy)


def test_a_measure_defined_twice_is_refused(config_copy: Path) -> None:
    _add_measure(config_copy, id="contacts", reads=["contacts.contact_date"], method="events")
    with pytest.raises(ConfigError, match=r"safeguarding_board_measures\[17\] \(contacts\)\.id"):
        load_config(config_copy)


def test_a_measure_column_stops_analysis_run_before_the_first_stage(
    config_copy: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from analysis.cli import main

    _add_measure(config_copy)
    processed, reports = tmp_path / "processed", tmp_path / "reports"
    code = main(
        ["run", "--config", str(config_copy), "--raw", str(tmp_path / "raw"), "--processed", str(processed)]
        + ["--reports", str(reports)]
    )
    assert code == 2
    assert "latest_cin_plan_review_date" in caplog.text and "cin_plan_reviews_within_timescale" in caplog.text
    assert not processed.exists() and not reports.exists()  # no stage ran


def test_an_indicator_linked_to_an_unknown_action_is_refused(config_copy: Path) -> None:
    """Issue 22, point 5: the links from indicators to the plan's actions name real actions (<theme>.<priority>)."""
    _edit(config_copy, "indicators.yml", lambda d: d["indicators"][0].update(actions=["1.99"]))
    with pytest.raises(ConfigError) as error:
        load_config(config_copy)
    message = str(error.value)
    assert "indicators.yml" in message and "actions[0]" in message and "1.99" in message


# ----------------------------------------------------------------------- like with like (issue 22, point 1)
def _indicator_named(data: dict, indicator_id: str) -> dict:
    return next(i for i in data["indicators"] if i["id"] == indicator_id)


def test_every_benchmark_says_whether_it_is_measured_as_the_indicator_is(config_copy: Path) -> None:
    """``comparable`` is a claim someone must make: a benchmark without it is refused, naming the indicator."""
    _edit(
        config_copy,
        "indicators.yml",
        lambda d: _indicator_named(d, "agency_social_worker_rate")["benchmark"].pop("comparable"),
    )
    with pytest.raises(ConfigError) as error:
        load_config(config_copy)
    message = str(error.value)
    assert "(agency_social_worker_rate).benchmark.comparable" in message and "missing" in message


def test_a_benchmark_measured_differently_needs_its_sentence(config_copy: Path) -> None:
    _edit(
        config_copy,
        "indicators.yml",
        lambda d: _indicator_named(d, "social_worker_vacancy_rate")["benchmark"].pop("difference"),
    )
    with pytest.raises(ConfigError) as error:
        load_config(config_copy)
    message = str(error.value)
    assert "(social_worker_vacancy_rate).benchmark" in message
    assert "comparable: false" in message and "difference" in message


@pytest.mark.parametrize(
    "difference",
    ["   ", "The monthly figure counts empty posts", "Two sentences. Not one."],
    ids=["blank", "no full stop", "two sentences"],
)
def test_the_difference_is_one_sentence(config_copy: Path, difference: str) -> None:
    _edit(
        config_copy,
        "indicators.yml",
        lambda d: _indicator_named(d, "social_worker_vacancy_rate")["benchmark"].update(
            difference=difference
        ),
    )
    with pytest.raises(ConfigError, match=r"\(social_worker_vacancy_rate\)\.benchmark"):
        load_config(config_copy)


def test_a_comparable_benchmark_takes_no_difference(config_copy: Path) -> None:
    _edit(
        config_copy,
        "indicators.yml",
        lambda d: _indicator_named(d, "agency_social_worker_rate")["benchmark"].update(
            difference="Counted the same way."
        ),
    )
    with pytest.raises(ConfigError, match="comparable: false, or remove it"):
        load_config(config_copy)


def test_a_comparable_benchmark_is_compared_on_the_day_its_years_end(config_copy: Path) -> None:
    """The workforce census is at 30 September: its comparable local figure is the one at 30 September."""
    _edit(
        config_copy,
        "indicators.yml",
        lambda d: _indicator_named(d, "average_caseload_per_social_worker").update(annual="at_31_march"),
    )
    with pytest.raises(ConfigError) as error:
        load_config(config_copy)
    message = str(error.value)
    assert "(average_caseload_per_social_worker).annual" in message
    assert "09-30" in message and "at_30_september" in message and "at_31_march" in message


def test_a_benchmark_measured_differently_may_end_on_another_day(config_copy: Path) -> None:
    """Not comparable: its local figure never stands beside the published one, so its annual form is free."""
    _edit(
        config_copy,
        "indicators.yml",
        lambda d: _indicator_named(d, "social_worker_vacancy_rate").update(annual="at_31_march"),
    )
    assert load_config(config_copy).indicator("social_worker_vacancy_rate").annual == "at_31_march"


def test_the_workforce_benchmarks_are_declared(repo_root: Path) -> None:
    """Agency rate, turnover and caseload are DfE's definitions, counted at 30 September; the scorecard's vacancy
    rate is not (it counts empty posts; DfE every post without a directly employed social worker)."""
    config = load_config(repo_root / "config")
    workforce = {
        i.id: i for i in config.indicators if i.benchmark is not None and i.benchmark.publication == "csww"
    }
    assert {k: i.benchmark.comparable for k, i in workforce.items()} == {
        "agency_social_worker_rate": True,
        "social_worker_vacancy_rate": False,
        "social_worker_turnover_rate": True,
        "average_caseload_per_social_worker": True,
    }
    assert {i.annual for i in workforce.values()} == {"at_30_september"}
    assert workforce["agency_social_worker_rate"].benchmark_difference is None
    vacancy = workforce["social_worker_vacancy_rate"].benchmark_difference
    assert vacancy is not None and "agency" in vacancy and "\n" not in vacancy
