"""Reading DfE's EES open-data files: the real downloads in ../shared, and small hand-made files for each error."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.config import load_config
from analysis.ees import (
    read_ees_file,
    read_population_file,
    read_statistical_neighbours,
    year_ending_31_march,
)
from analysis.errors import InputDataError
from analysis.io import conform

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
@needs_shared
@pytest.mark.parametrize("name", sorted(p.name for p in EES.glob("[a-z]*_*.csv")) if EES.is_dir() else [])
def test_every_published_file_loads_into_the_schema(name: str) -> None:
    frame = read_ees_file(EES / name, "x")
    conform(frame, "benchmarks")
    assert len(frame) > 2000
    assert set(frame["geographic_level"]) == {"National", "Regional", "Local authority"}
    assert not frame.duplicated(
        ["time_period", "geographic_level", "area_code", "old_la_code", "measure"]
    ).any()


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


@needs_shared
def test_statistical_neighbours_of_medway_match_the_configuration() -> None:
    groups = read_statistical_neighbours(EES / "New_Statistical_Neighbour_Groupings_April_2021.csv")
    assert groups[887] == [866, 894, 332, 882, 886, 883, 941, 372, 311, 940]
    assert groups[887] == load_config(REPO / "config").authority.statistical_neighbours
    assert all(len(n) == 10 for n in groups.values())
    assert 928 in groups  # the "Old SNs" section after the note row is kept


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
