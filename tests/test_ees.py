"""Reading DfE's EES open-data files: the real downloads in ../shared, and small hand-made files for each error."""

from __future__ import annotations

from fnmatch import fnmatch
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.config import load_config
from analysis.config_benchmarks import BenchmarkMeasure, Publication
from analysis.errors import InputDataError
from analysis.inputs.ees import duration_in_months, read_ees_file, year_ending_31_march
from analysis.inputs.ees_publications import read_publication
from analysis.inputs.population_and_neighbours import (
    read_neighbour_model,
    read_population_file,
    read_statistical_neighbours,
)
from analysis.io import conform
from analysis.methods.benchmark_breakdowns import (
    WITHHELD_BY_DFE,
    WITHHELD_SECONDARY,
    WITHHELD_SMALL,
    assessment_factors,
    distance_from_home,
    factor_label,
)

REPO = Path(__file__).resolve().parents[1]
EES = REPO.parent / "shared" / "data" / "ees"
needs_shared = pytest.mark.skipif(
    not EES.is_dir(), reason="../shared/data/ees (DfE's published files) is absent"
)

HEADER = "time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,old_la_code,new_la_code,la_name"


def write(tmp_path: Path, text: str, name: str = "file.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


def value(
    frame: pd.DataFrame,
    measure: str,
    year: int,
    *,
    old_la_code: int | None = None,
    area_code: str | None = None,
):
    rows = frame.loc[(frame["measure"] == measure) & (frame["time_period"] == year)]
    if old_la_code is not None:
        rows = rows.loc[rows["old_la_code"] == old_la_code]
    if area_code is not None:
        rows = rows.loc[rows["area_code"] == area_code]
    assert len(rows) == 1
    return rows.iloc[0]


# ------------------------------------------------------------------------------------------- real files
CONFIG = load_config(REPO / "config")
NEIGHBOUR_FILES = {"sn_model_2025_wide.csv", "New_Statistical_Neighbour_Groupings_April_2021.csv"}


def publication_for(name: str) -> str | None:
    """The publication of config/benchmarks.yml whose glob matches a file name."""
    matches = [p for p, e in CONFIG.benchmarks.publications.items() if fnmatch(name, e.file)]
    assert len(matches) <= 1, matches
    return matches[0] if matches else None


@needs_shared
@pytest.mark.parametrize("name", sorted(p.name for p in EES.glob("*.csv")) if EES.is_dir() else [])
def test_every_published_file_loads(name: str) -> None:
    # Every real file in ../shared/data/ees: a benchmark publication through its configuration, the population
    # file, or a neighbour model; nothing is left unread.
    path = EES / name
    if name in NEIGHBOUR_FILES:
        model = read_neighbour_model(path)
        conform(model, "statistical_neighbours")
        assert model["old_la_code"].nunique() >= 150
        assert model.groupby("old_la_code").size().max() == 10
        return
    if name.startswith("ons_mid-year_population"):
        conform(read_population_file(path), "population")
        return
    publication = publication_for(name)
    assert publication is not None, f"{name} is named by no publication in config/benchmarks.yml"
    frame = read_publication(path, publication, CONFIG.benchmarks.publications[publication])
    conform(frame, "benchmarks")
    assert len(frame) > 1000
    assert set(frame["geographic_level"]) == {"National", "Regional", "Local authority"}
    assert not frame.duplicated(
        ["time_period", "geographic_level", "area_code", "old_la_code", "measure"]
    ).any()
    assert (frame["old_la_code"] == 887).any()


#: The published files that break their figures down by a filter column: the column named and one of its values.
BROKEN_DOWN = {
    "cla_number_and_rate_per_10k_children.csv": (
        "population_type",
        "Children looked after on 31 March each year",
    ),
    "la_cla_during_year_new_placements.csv": ("characteristic", "Location of new placements during the year"),
}


@needs_shared
@pytest.mark.parametrize("name", sorted(p.name for p in EES.glob("[a-z]*_*.csv")) if EES.is_dir() else [])
def test_without_configuration_a_file_loads_or_names_its_filter_column(name: str) -> None:
    if name in NEIGHBOUR_FILES:
        return
    try:
        frame = read_ees_file(EES / name, "x")
    except InputDataError as error:
        assert name in BROKEN_DOWN, str(error)
        column, value = BROKEN_DOWN[name]
        assert error.column == column and f"'{value}'" in str(error)
    else:
        assert name not in BROKEN_DOWN
        conform(frame, "benchmarks")


@needs_shared
def test_children_looked_after_rate_as_published() -> None:
    # cla_number_and_rate_per_10k_children.csv, Medway (887), 2024, "Children looked after on 31 March each year":
    # children_count 476, rate_per_10000 71.
    cla = read_publication(
        EES / "cla_number_and_rate_per_10k_children.csv", "cla", CONFIG.benchmarks.publications["cla"]
    )
    assert value(cla, "cla_at31_per_10000", 2024, old_la_code=887)["value"] == 71
    assert value(cla, "cla_at31_per_10000:count", 2024, old_la_code=887)["value"] == 476


@needs_shared
def test_factors_at_the_end_of_assessment_as_published() -> None:
    # c3_factors_identified_at_end_of_assessment_2018_to_2025.csv, 2025: England 513250 episodes with assessment
    # factor information; Medway (887) domestic abuse concerning a parent 1184, privately fostered "c".
    c3 = read_publication(
        EES / "c3_factors_identified_at_end_of_assessment_2018_to_2025.csv",
        "c3",
        CONFIG.benchmarks.publications["c3"],
    )
    assert value(c3, "Episodes_with_assessment_factor", 2025, area_code="E92000001")["value"] == 513250
    assert value(c3, "Domestic_Abuse_parent", 2025, old_la_code=887)["value"] == 1184
    fostered = value(c3, "Privately_fostered", 2025, old_la_code=887)
    assert pd.isna(fostered["value"]) and fostered["symbol"] == "c"
    assert sorted(c3["time_period"].unique()) == list(range(2018, 2026))


@needs_shared
def test_new_placements_distance_from_home_as_published() -> None:
    # la_cla_during_year_new_placements.csv, Medway (887), 2024, "Location of new placements during the year":
    # 645 new placements; outside the boundary more than 20 miles from home 137 (21%); inside more than 20 miles "c".
    placements = read_publication(
        EES / "la_cla_during_year_new_placements.csv",
        "new_placements",
        CONFIG.benchmarks.publications["new_placements"],
    )
    assert value(placements, "new_placements", 2024, old_la_code=887)["value"] == 645
    assert value(placements, "outside_over_20_miles_percent", 2024, old_la_code=887)["value"] == 21
    assert value(placements, "outside_over_20_miles_percent:count", 2024, old_la_code=887)["value"] == 137
    inside = value(placements, "inside_over_20_miles_percent", 2024, old_la_code=887)
    assert pd.isna(inside["value"]) and inside["symbol"] == "c"
    assert value(placements, "placements_changing", 2024, old_la_code=887)["value"] == 453


@needs_shared
def test_icpc_within_15_days_is_a_percentage_of_the_duration_columns() -> None:
    # c4, England 2025: (6240 + 52430) / (6240 + 52430 + 6430 + 6990) = 58670 / 72090 = 81.38...% -> 81.4.
    c4 = read_publication(
        EES / "c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv",
        "c4",
        CONFIG.benchmarks.publications["c4"],
    )
    assert value(c4, "icpc_within_15_days_percent", 2025, area_code="E92000001")["value"] == pytest.approx(
        81.4
    )


@needs_shared
def test_jointly_published_councils_each_get_the_joint_figure(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO")
    path = EES / "csww_indicators_2017_to_2025.csv"
    csww = read_publication(path, "csww", CONFIG.benchmarks.publications["csww"])
    joint = pd.read_csv(path, dtype=str, keep_default_na=False)
    row = joint.loc[(joint["old_la_code"] == "940 / 941") & (joint["time_period"] == "2022")].iloc[0]
    for code, name in ((940, "North Northamptonshire"), (941, "West Northamptonshire")):
        figure = value(csww, "agency_rate_fte", 2022, old_la_code=code)
        assert figure["value"] == float(row["agency_rate_fte"]) and figure["area_name"] == name
    assert (csww["old_la_code"] == 314).any() and (csww["old_la_code"] == 318).any()
    assert "jointly for two councils" in caplog.text and "940 / 941" not in set(csww["area_code"])


@needs_shared
def test_statistical_neighbours_of_medway_in_both_published_models() -> None:
    groups_2021 = read_statistical_neighbours(EES / "New_Statistical_Neighbour_Groupings_April_2021.csv")
    assert groups_2021[887] == [866, 894, 332, 882, 886, 883, 941, 372, 311, 940]
    assert 928 in groups_2021  # the "Old SNs" section after the note row is kept
    groups_2025 = read_statistical_neighbours(EES / "sn_model_2025_wide.csv")
    assert groups_2025[887] == [866, 332, 886, 303, 926, 935, 883, 891, 351, 384]
    assert len(set(groups_2021[887]) & set(groups_2025[887])) == 4
    model = read_neighbour_model(EES / "sn_model_2025_wide.csv")
    first = model.loc[(model["old_la_code"] == 887) & (model["neighbour_rank"] == 1)].iloc[0]
    assert (first["neighbour_old_la_code"], first["closeness"], first["la_name"]) == (
        866,
        "Very close",
        "Medway",
    )


@needs_shared
def test_rereferral_rates_as_published() -> None:
    c1 = read_ees_file(EES / "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv", "c1")
    assert value(c1, "rereferral_percent", 2015, old_la_code=887)["value"] == pytest.approx(20.8)
    assert value(c1, "rereferral_percent", 2015, area_code="E92000001")["value"] == pytest.approx(24.2)
    assert value(c1, "rereferral_percent", 2016, area_code="E12000008")["value"] == pytest.approx(23.5)
    medway = value(c1, "referral_count", 2015, old_la_code=887)
    assert medway["area_code"] == "E06000035" and medway["area_name"] == "Medway"


@needs_shared
def test_suppressed_and_unavailable_cells_keep_their_symbol() -> None:
    d5 = read_ees_file(EES / "d5_cpps_at31march_by_duration_2013_to_2025.csv", "d5")
    suppressed = value(d5, "2_years_or_more", 2025, old_la_code=887)
    assert pd.isna(suppressed["value"]) and suppressed["symbol"] == "c"
    c1 = read_ees_file(EES / "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv", "c1")
    unavailable = value(c1, "rereferral_percent", 2016, old_la_code=393)  # South Tyneside: 'x'
    assert pd.isna(unavailable["value"]) and unavailable["symbol"] == "x"
    figure = value(d5, "CPP_At31", 2015, old_la_code=887)
    assert figure["value"] == 475 and pd.isna(figure["symbol"])


@needs_shared
def test_london_inner_and_outer_london_are_regional_rows() -> None:
    b1 = read_ees_file(EES / "b1_children_in_need_2013_to_2025.csv", "b1")
    regions = b1.loc[b1["geographic_level"] == "Regional"].drop_duplicates("area_code")
    names = dict(zip(regions["area_code"], regions["area_name"], strict=True))
    assert names["E12000007"] == "London"
    assert names["E13000001"] == "Inner London"
    assert names["E13000002"] == "Outer London"
    assert len(names) == 11


@needs_shared
def test_population_is_by_mid_year() -> None:
    population = read_population_file(EES / "ons_mid-year_population_estimates_2012_to_2024.csv")
    conform(population, "population")
    medway = population.loc[(population["old_la_code"] == 887) & (population["time_period"] == 2014)]
    assert medway["population"].tolist() == [62183]
    assert population["time_period"].min() == 2012


# ------------------------------------------------------------------------------------ hand-made files
def test_a_small_file_in_any_column_order_with_bom_and_quotes(tmp_path: Path) -> None:
    text = (
        "la_name,time_period,measure_b,geographic_level,time_identifier,country_code,country_name,region_code,"
        "region_name,old_la_code,new_la_code,category,measure_a\n"
        '"","201415",1.5,National,Financial year,E92000001,England,"","","","",All,10\n'
        '"Medway",201415,c,Local authority,Financial year,E92000001,England,E12000008,South East,887,E06000035,All, 7 \n'
    )
    frame = read_ees_file(write(tmp_path, text, encoding="utf-8-sig"), "t")
    conform(frame, "benchmarks")
    assert sorted(frame["measure"].unique()) == ["measure_a", "measure_b"]
    assert set(frame["time_period"]) == {2015}
    england = frame.loc[(frame["geographic_level"] == "National") & (frame["measure"] == "measure_a")].iloc[0]
    assert england["area_code"] == "E92000001" and pd.isna(england["old_la_code"]) and england["value"] == 10
    medway = frame.loc[(frame["old_la_code"] == 887) & (frame["measure"] == "measure_b")].iloc[0]
    assert medway["area_code"] == "E06000035" and pd.isna(medway["value"]) and medway["symbol"] == "c"
    assert frame.loc[(frame["old_la_code"] == 887) & (frame["measure"] == "measure_a"), "value"].item() == 7


@pytest.mark.parametrize(("text", "year"), [("2015", 2015), ("201415", 2015), ("199900", 2000)])
def test_year_ending_31_march(text: str, year: int) -> None:
    assert year_ending_31_march(text) == year


def test_empty_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputDataError, match="empty"):
        read_ees_file(write(tmp_path, ""), "t")


def test_header_only_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputDataError, match="no data rows"):
        read_ees_file(write(tmp_path, HEADER + ",n\n"), "t")


def test_missing_geography_columns_are_named(tmp_path: Path) -> None:
    text = "time_period,geographic_level,country_code,n\n2015,National,E92000001,5\n"
    with pytest.raises(InputDataError, match="time_identifier, country_name") as caught:
        read_ees_file(write(tmp_path, text), "t")
    assert caught.value.column == "time_identifier"


def test_local_authority_rows_need_the_la_columns(tmp_path: Path) -> None:
    text = (
        "time_period,time_identifier,geographic_level,country_code,country_name,n\n"
        "2015,Reporting year,Local authority,E92000001,England,5\n"
    )
    with pytest.raises(InputDataError, match="old_la_code, new_la_code, la_name"):
        read_ees_file(write(tmp_path, text), "t")


def test_a_value_that_is_neither_number_nor_symbol_names_row_and_column(tmp_path: Path) -> None:
    text = (
        HEADER + ",referrals,rate\n"
        "2015,Reporting year,National,E92000001,England,,,,,,100,1.5\n"
        "2015,Reporting year,Regional,E92000001,England,E12000008,South East,,,,20,n/a\n"
    )
    with pytest.raises(InputDataError) as caught:
        read_ees_file(write(tmp_path, text), "t")
    assert caught.value.row == 3 and caught.value.column == "rate"
    assert "'n/a'" in str(caught.value) and "row 3" in str(caught.value)


def test_a_time_period_that_is_not_a_year(tmp_path: Path) -> None:
    text = (
        HEADER
        + ",n\n2015,Reporting year,National,E92000001,England,,,,,,1\nQ1,Reporting year,National,E92000001,England,,,,,,1\n"
    )
    with pytest.raises(InputDataError) as caught:
        read_ees_file(write(tmp_path, text), "t")
    assert caught.value.row == 3 and caught.value.column == "time_period"


def test_two_rows_for_one_area_and_year_are_refused(tmp_path: Path) -> None:
    text = HEADER + ",category,n\n" + "2015,Reporting year,National,E92000001,England,,,,,,Boys,1\n" * 2
    with pytest.raises(InputDataError, match="second row"):
        read_ees_file(write(tmp_path, text), "t")


BREAKDOWN = (
    HEADER + ",cla_group,characteristic,number,percentage\n"
    "2015,Reporting year,National,E92000001,England,,,,,,Ceased,Adopted,5000,15\n"
    "2015,Reporting year,National,E92000001,England,,,,,,Ceased,Total,33000,100\n"
    "2015,Reporting year,Local authority,E92000001,England,E12000008,South East,887,E06000035,Medway,Ceased,Adopted,3,2\n"
    "2015,Reporting year,Local authority,E92000001,England,E12000008,South East,887,E06000035,Medway,Ceased,Total,150,100\n"
)


def publication(**measures: BenchmarkMeasure) -> Publication:
    return Publication(
        file="*.csv", title="t", source="s", published=True, release="children_in_need", measures=measures
    )


def test_a_breakdown_that_is_not_selected_names_the_filter_column_and_its_values(tmp_path: Path) -> None:
    with pytest.raises(InputDataError) as caught:
        read_ees_file(write(tmp_path, BREAKDOWN), "t")
    assert caught.value.column == "characteristic" and caught.value.row == 3
    assert "'Adopted', 'Total'" in str(caught.value)
    spec = publication(adopted=BenchmarkMeasure(column="percentage", filters={"cla_group": "Ceased"}))
    with pytest.raises(InputDataError, match="filter column 'characteristic'") as caught:
        read_publication(write(tmp_path, BREAKDOWN), "t", spec)
    assert "measure 'adopted'" in str(caught.value)


def test_the_selected_filter_values_give_one_figure_and_its_count(tmp_path: Path) -> None:
    spec = publication(
        adopted=BenchmarkMeasure(
            column="percentage", count="number", filters={"cla_group": "Ceased", "characteristic": "Adopted"}
        )
    )
    frame = read_publication(write(tmp_path, BREAKDOWN), "t", spec)
    conform(frame, "benchmarks")
    assert value(frame, "adopted", 2015, old_la_code=887)["value"] == 2
    assert value(frame, "adopted:count", 2015, old_la_code=887)["value"] == 3
    assert value(frame, "adopted", 2015, area_code="E92000001")["value"] == 15
    assert len(frame) == 4


@pytest.mark.parametrize(
    ("filters", "column", "message"),
    [
        ({"characteristic": "Adopted", "sex": "Girls"}, "sex", "no filter column 'sex'"),
        ({"characteristic": "Adoption"}, "characteristic", "its values are 'Adopted', 'Total'"),
    ],
)
def test_a_filter_the_file_does_not_have_is_named(tmp_path: Path, filters, column, message) -> None:
    spec = publication(adopted=BenchmarkMeasure(column="percentage", filters=filters))
    with pytest.raises(InputDataError, match=message) as caught:
        read_publication(write(tmp_path, BREAKDOWN), "t", spec)
    assert caught.value.column == column


def test_a_configured_column_the_file_does_not_have_is_named(tmp_path: Path) -> None:
    spec = publication(adopted=BenchmarkMeasure(column="percent", filters={"characteristic": "Adopted"}))
    with pytest.raises(InputDataError, match="no column 'percent'") as caught:
        read_publication(write(tmp_path, BREAKDOWN), "t", spec)
    assert caught.value.column == "percent"


@pytest.mark.parametrize(("text", "months"), [("00:09", 9), ("01:07", 19), ("02:00", 24), ("10:11", 131)])
def test_durations_in_years_and_months(text: str, months: int) -> None:
    assert duration_in_months(text) == months


@pytest.mark.parametrize("text", ["1:7", "01:12", "01-07", "", "0107"])
def test_a_duration_that_is_not_years_and_months(text: str) -> None:
    with pytest.raises(ValueError):
        duration_in_months(text)


def test_adoption_durations_become_days_or_months(tmp_path: Path) -> None:
    text = (
        "time_period,time_identifier,geographic_level,country_code,country_name,stage,age,number\n"
        "2025,Reporting year,National,E92000001,England,Entry to placed,Total,01:07\n"
        "2025,Reporting year,National,E92000001,England,Entry to placed,Aged 1,k\n"
        "2024,Reporting year,National,E92000001,England,Entry to placed,Total,01:05\n"
    )
    path = write(tmp_path, text)
    filters = {"stage": "Entry to placed", "age": "Total"}
    spec = publication(
        days=BenchmarkMeasure(column="number", duration="days", filters=filters),
        months=BenchmarkMeasure(column="number", duration="months", filters=filters),
    )
    frame = read_publication(path, "t", spec)
    # 01:07 = 19 months = 19 x 365.25 / 12 = 578.3125 days; 01:05 = 17 months = 517.4375 days.
    assert value(frame, "days", 2025)["value"] == pytest.approx(578.3125)
    assert value(frame, "days", 2024)["value"] == pytest.approx(517.4375)
    assert value(frame, "months", 2025)["value"] == 19
    bad = write(tmp_path, text.replace("01:07", "1 year 7 months"), "bad.csv")
    with pytest.raises(InputDataError) as caught:
        read_publication(bad, "t", spec)
    assert caught.value.row == 2 and caught.value.column == "number"


def test_joint_councils_in_a_small_file(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO")
    text = (
        HEADER + ",agency_rate_fte\n"
        "2022,Reporting year,Local authority,E92000001,England,E12000004,East Midlands,940 / 941,"
        "E06000061 / E06000062,North Northamptonshire / West Northamptonshire,12.5\n"
        "2022,Reporting year,Local authority,E92000001,England,E12000008,South East,887,E06000035,Medway,x\n"
        "2022,Reporting year,Local authority,E92000001,England,E12000008,South East,886,E10000016,Kent,oops\n"
    )
    with pytest.raises(InputDataError) as caught:
        read_ees_file(write(tmp_path, text), "t")
    assert caught.value.row == 4  # the file's row, although the joint row above it became two
    frame = read_ees_file(write(tmp_path, text.replace("oops", "9")), "t")
    rows = frame.set_index("old_la_code")
    assert rows.loc[940, "value"] == 12.5 and rows.loc[941, "value"] == 12.5
    assert (rows.loc[940, "area_code"], rows.loc[941, "area_name"]) == ("E06000061", "West Northamptonshire")
    assert "North Northamptonshire / West Northamptonshire" in caplog.text


def test_a_neighbour_file_in_the_2025_layout(tmp_path: Path) -> None:
    text = (
        "old_la_code,la_name,region_ind,region_name,SN_1,SN_1P,SN_2,SN_2P\n"
        "887,Medway,6,South East,866,Very close,332,Close \n"
        "866,Swindon,9,South West,887,Close ,332,Somewhat close\n"
    )
    model = read_neighbour_model(write(tmp_path, text, encoding="utf-8-sig"))
    conform(model, "statistical_neighbours")
    assert read_statistical_neighbours(write(tmp_path, text, encoding="utf-8-sig")) == {
        887: [866, 332],
        866: [887, 332],
    }
    assert model["closeness"].tolist() == ["Very close", "Close", "Close", "Somewhat close"]


def test_a_neighbour_file_in_neither_layout(tmp_path: Path) -> None:
    with pytest.raises(InputDataError, match="neither DfE layout"):
        read_neighbour_model(write(tmp_path, "code,name,n1\n887,Medway,866\n"))


def test_statistical_neighbours_file_with_repeated_headers_and_trailing_comma(tmp_path: Path) -> None:
    text = (
        "LA num,LA Name,LA number,GOInd,GOReg,SN1,SNP,SN2,SNP,\n"
        "887,Medway,887,6,South East,866,Very Close,894,Close,\n"
        ",,,,,,,,,\n"
        ",Old SNs:,,,,,,,\n"
        "928,Northamptonshire,928,1,East Midlands,886,Close,891,Close\n"
    )
    groups = read_statistical_neighbours(write(tmp_path, text, encoding="utf-8-sig"))
    assert groups == {887: [866, 894], 928: [886, 891]}


def test_statistical_neighbours_with_a_bad_code(tmp_path: Path) -> None:
    text = "LA num,LA Name,SN1,SNP\n887,Medway,Kent,Close\n"
    with pytest.raises(InputDataError) as caught:
        read_statistical_neighbours(write(tmp_path, text))
    assert caught.value.row == 2 and caught.value.column == "SN1"


# ------------------------------------------------------------------- issue 19: breakdowns against England
@needs_shared
def test_medway_new_placements_distance_from_home_against_england() -> None:
    # la_cla_during_year_new_placements.csv, 2024: Medway 645 new placements, 269 (42%) inside the boundary less
    # than 20 miles from home, two locations "c"; England 45%, 4%, 20%, 15%, 16% of 100,250.
    spec = CONFIG.benchmarks.publications["new_placements"]
    frame = read_publication(EES / "la_cla_during_year_new_placements.csv", "new_placements", spec)
    table = distance_from_home(frame, spec, 887).set_index(["time_period", "location"])
    year = table.loc[2024]
    assert len(year) == 5
    inside = year.loc["Placed inside LA boundary less than 20 miles from home"]
    assert (inside["authority_count"], inside["authority_percent"], inside["england_percent"]) == (
        269,
        42,
        45,
    )
    assert inside["authority_new_placements"] == 645 and inside["england_new_placements"] == 100250
    assert year["england_percent"].sum() == 100
    far = year.loc["Placed inside LA boundary more than 20 miles from home"]
    assert pd.isna(far["authority_percent"]) and far["authority_withheld"] == WITHHELD_BY_DFE
    assert sorted(table.index.get_level_values("time_period").unique()) == [2021, 2022, 2023, 2024, 2025]


@needs_shared
def test_medway_factors_at_the_end_of_assessment_against_england() -> None:
    # c3, 2025: Medway 4110 episodes with factor information, domestic abuse (parent) 1184 -> 28.8%; England
    # 162,890 of 513,250 -> 31.7%. Privately fostered is "c" for Medway.
    frame = read_publication(
        EES / "c3_factors_identified_at_end_of_assessment_2018_to_2025.csv",
        "c3",
        CONFIG.benchmarks.publications["c3"],
    )
    table = assessment_factors(frame, 887).set_index(["time_period", "factor"])
    row = table.loc[(2025, "Domestic_Abuse_parent")]
    assert row["factor_label"] == "Domestic abuse (concerning a parent or carer)"
    assert (row["authority_count"], row["authority_percent"]) == (1184, 28.8)
    assert (row["england_count"], row["england_percent"]) == (162890, 31.7)
    fostered = table.loc[(2025, "Privately_fostered")]
    assert pd.isna(fostered["authority_count"]) and fostered["authority_withheld"] == WITHHELD_BY_DFE
    assert len(table.loc[2025]) == 39  # every factor column, not the denominator
    assert "Episodes_with_assessment_factor" not in table.index.get_level_values("factor")


def test_factor_labels() -> None:
    assert factor_label("Mental_Health_child") == "Mental health (concerning the child)"
    assert factor_label("Alcohol_Misuse_person") == "Alcohol misuse (concerning another person)"
    assert factor_label("Child_sexual_exploitation") == "Child sexual exploitation"


def placements_rows(counts: dict[str, float], england: dict[str, float], year: int = 2024) -> pd.DataFrame:
    """The tidy rows read_publication gives for the new placements file: percentages and counts by location."""
    spec = CONFIG.benchmarks.publications["new_placements"]
    total = sum(counts.values())
    rows = []
    for name, measure in spec.measures.items():
        if measure.count is None:
            if measure.filters["breakdown"] == "Total new placements":
                rows.append(("Local authority", 887, name, total))
                rows.append(("National", None, name, sum(england.values())))
            continue
        breakdown = measure.filters["breakdown"]
        count = counts[breakdown]
        rows.append(("Local authority", 887, name, round(100 * count / total) if total else np.nan))
        rows.append(("Local authority", 887, name + ":count", count))
        rows.append(("National", None, name, round(100 * england[breakdown] / sum(england.values()))))
    return conform(
        pd.DataFrame(
            {
                "publication": "new_placements",
                "time_period": year,
                "geographic_level": [r[0] for r in rows],
                "area_code": ["E06000035" if r[1] else "E92000001" for r in rows],
                "old_la_code": pd.array([r[1] for r in rows], dtype="Int64"),
                "area_name": "x",
                "measure": [r[2] for r in rows],
                "value": [r[3] for r in rows],
                "symbol": [None] * len(rows),
            }
        ),
        "benchmarks",
    )


LOCATIONS = [
    m.filters["breakdown"]
    for m in CONFIG.benchmarks.publications["new_placements"].measures.values()
    if m.count
]


def test_a_small_location_count_is_withheld_with_the_next_smallest() -> None:
    # 3 children placed far inside the boundary: withheld; the total (3 + 40 + 30 + 20 + 10 = 103) would give it
    # back, so the smallest other count (10) is withheld too.
    counts = dict(zip(LOCATIONS, [40, 3, 30, 20, 10], strict=True))
    spec = CONFIG.benchmarks.publications["new_placements"]
    table = distance_from_home(placements_rows(counts, counts), spec, 887).set_index("location")
    assert table.loc[LOCATIONS[1], "authority_withheld"] == WITHHELD_SMALL
    assert table.loc[LOCATIONS[4], "authority_withheld"] == WITHHELD_SECONDARY
    assert (
        table.loc[[LOCATIONS[1], LOCATIONS[4]], ["authority_count", "authority_percent"]].isna().all().all()
    )
    assert table.loc[LOCATIONS[0], "authority_count"] == 40
    assert (table["authority_new_placements"] == 103).all()


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 40), min_size=len(LOCATIONS), max_size=len(LOCATIONS)))
def test_no_published_location_count_is_small_or_recoverable_from_the_total(values: list[int]) -> None:
    counts = dict(zip(LOCATIONS, values, strict=True))
    spec = CONFIG.benchmarks.publications["new_placements"]
    table = distance_from_home(placements_rows(counts, dict.fromkeys(LOCATIONS, 10)), spec, 887)
    assert (
        table["authority_withheld"].isin(["", WITHHELD_SMALL, WITHHELD_SECONDARY]).all() or sum(values) == 0
    )
    shown = table["authority_count"].dropna()
    assert not ((shown >= 1) & (shown <= 5)).any()
    total = table["authority_new_placements"].iloc[0]
    assert pd.isna(total) or not 1 <= total <= 5
    if pd.notna(total):
        # With the total shown, the withheld counts add up to total - shown: that sum must not give back one small
        # count (one cell withheld, or a small count withheld beside zeros only).
        hidden = total - shown.sum()
        withheld = table.loc[table["authority_withheld"] != ""]
        assert len(withheld) != 1
        assert len(withheld) == 0 or not 1 <= hidden <= 5 or len(withheld) >= 2 and hidden >= 2
