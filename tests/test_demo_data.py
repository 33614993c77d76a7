"""The synthetic demonstration data: files, determinism, consistency, calibration, dirt and benchmark format."""

from __future__ import annotations

import csv
import fnmatch
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from analysis.config import ProjectConfig
from analysis.inputs.annex_a import ANNEX_A_LISTS
from analysis.inputs.ees_publications import read_publication
from analysis.inputs.population_and_neighbours import read_statistical_neighbours
from analysis.paths import ProjectPaths
from demo_data import annex
from demo_data import benchmarks_topics as topics
from demo_data.benchmarks_areas import GEOGRAPHY, MEDWAY_NEIGHBOURS_2025
from demo_data.generate import generate_demo_data
from demo_data.simulate import simulate_histories

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def demo(demo_project: ProjectPaths) -> Path:
    """The session's demo data (seed 2015, scale 1, the repository's configuration), read only."""
    return demo_project.raw


@pytest.fixture(scope="session")
def small_runs(tmp_path_factory: pytest.TempPathFactory, config: ProjectConfig) -> dict[str, Path]:
    runs = {}
    for name, seed in (("a", 7), ("b", 7), ("c", 8)):
        out = tmp_path_factory.mktemp(f"demo_small_{name}")
        generate_demo_data(out, seed=seed, scale=0.1, config=config)
        runs[name] = out
    return runs


@pytest.fixture(scope="session")
def frames() -> dict[int, pd.DataFrame]:
    """Clean list frames at scale 1 (same seed as ``demo``), before the dirt is added."""
    histories = simulate_histories(2015, 1)
    histories.children["child_id"] = annex.child_ids(len(histories.children), 2015)
    return annex.list_frames(histories, 2015)


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_files_sheets_and_headings(demo: Path) -> None:
    for name in (
        "annex_a.xlsx",
        "scorecard.xlsx",
        "action_tracker.xlsx",
        "action_tracker/2014-15-Q4.xlsx",  # the tracker as at 2014-15 Q4, for reproducing that quarter
        "commentary/2015-16-Q1.md",
        "commentary/2014-15-Q4.md",
        "benchmarks/README.txt",
    ):
        assert (demo / name).is_file(), name
    book = load_workbook(demo / "annex_a.xlsx", read_only=True)
    assert book.sheetnames == ["Cover", *[f"List {n}" for n in range(1, 12)]]
    cover = [c for row in book["Cover"].iter_rows(values_only=True) for c in row if c is not None]
    assert "Local authority: Medway" in cover
    assert any(isinstance(c, str) and "SYNTHETIC" in c for c in cover)
    assert any(hasattr(c, "year") and (c.year, c.month, c.day) == (2015, 7, 10) for c in cover)
    headings: dict[int, list[str]] = {}
    for spec in ANNEX_A_LISTS:
        rows = book[spec.sheet].iter_rows(min_row=1, max_row=2, values_only=True)
        first, second = (list(r) for r in rows)
        header = [h for h in (second if spec.number == 4 else first) if h is not None]
        template = [c.heading for c in spec.columns]
        if spec.number == 4:
            assert all(v is None for v in first), "List 4 has a blank row above its header"
        if spec.number == 7:
            template = [{"Child Unique ID": "Child ID", "Date of Birth": "DOB"}.get(h, h) for h in template]
        # The current template's headings, in its order (the demo writes the columns it simulates).
        assert header == [h for h in template if h in header], spec.sheet
        headings[spec.number] = header
    book.close()
    # Where the current template differs from the earlier ones, the demo uses the current wording.
    assert "CIN Closure Date" in headings[6]
    assert "Date of latest review conference" in headings[7]
    assert "Start Date of Most Recent Placement" in headings[8]
    assert {
        "LA in Touch",
        "Latest Date of Contact",
        "Suitability of Accommodation",
        "Activity Status",
    } <= set(headings[9])
    assert headings[11][:2] == ["Individual adopter identifier", "Date enquiry received"]


def test_scorecard_has_every_scorecard_indicator_and_mixed_month_headings(
    demo: Path, config: ProjectConfig
) -> None:
    sheet = pd.read_excel(
        demo / "scorecard.xlsx", header=None, keep_default_na=False, na_values=[""], engine="openpyxl"
    )
    header_row = sheet.index[sheet[0] == "Indicator"][0]
    assert header_row >= 1, "title rows come before the header"
    months = list(sheet.iloc[header_row, 1:])
    assert months[0] == "Apr-12" and months[12] == "April 2013"
    assert pd.Timestamp(months[-1]) == pd.Timestamp("2015-06-01") and len(months) == 39
    labels = {str(v).strip() for v in sheet[0].dropna()}
    wanted = {i.scorecard_label for i in config.indicators if i.source == "scorecard"}
    assert wanted <= labels
    values = sheet.iloc[header_row + 1 :, 1:].to_numpy().ravel()
    assert any(isinstance(v, str) and v.endswith("%") for v in values)
    assert "n/a" in values and "-" in values


def test_action_tracker_priorities_leads_and_exceptions(demo: Path, config: ProjectConfig) -> None:
    actions = pd.read_excel(demo / "action_tracker.xlsx", sheet_name="Actions", engine="openpyxl")
    assert list(actions.columns) == [
        "Action ID",
        "Theme",
        "Priority",
        "Action",
        "Lead",
        "Due date",
        "Status",
        "Latest update",
    ]
    counts = actions.groupby("Theme").size()
    assert set(counts.index) == {t.number for t in config.plan.themes}
    assert counts.between(3, 6).all()
    for row in actions.itertuples():
        assert row.Priority in config.plan.theme(row.Theme).priorities
    assert set(actions["Status"]) <= {"Not started", "On track", "At risk", "Off track", "Complete"}
    late = actions[(actions["Status"] == "Off track") & (actions["Due date"] < pd.Timestamp("2015-06-30"))]
    assert set(late["Theme"]) == {1, 4}


def test_commentary_sections(demo: Path) -> None:
    q1 = (demo / "commentary" / "2015-16-Q1.md").read_text(encoding="utf-8")
    q4 = (demo / "commentary" / "2014-15-Q4.md").read_text(encoding="utf-8")
    assert "## 1 Quality and Effectiveness of practice" in q1
    assert q1.count("\n## ") == 6 and "### " in q1
    assert q4.count("\n## ") == 5, "one theme is left without commentary in 2014-15 Q4"


def test_same_seed_same_bytes_and_different_seed_differs(small_runs: dict[str, Path]) -> None:
    first, again, other = (_files(small_runs[k]) for k in ("a", "b", "c"))
    assert first.keys() == again.keys()
    for name in first:
        assert first[name] == again[name], name
    assert first["annex_a.xlsx"] != other["annex_a.xlsx"]


def test_every_referral_has_an_earlier_contact(frames: dict[int, pd.DataFrame]) -> None:
    contacts = frames[1].groupby("Child Unique ID")["Date of Contact"].min()
    referrals = frames[3]
    first_contact = referrals["Child Unique ID"].map(contacts)
    assert first_contact.notna().all()
    assert (first_contact <= referrals["Date of referral"]).all()


def test_every_plan_in_the_window_follows_a_section_47(frames: dict[int, pd.DataFrame]) -> None:
    plans = frames[7]
    plans = plans[plans["Child Protection Plan Start Date"] >= pd.Timestamp("2012-04-01")]
    s47 = frames[5].dropna(subset=["Date of Initial Child Protection Conference"])
    keys = set(zip(s47["Child Unique ID"], s47["Date of Initial Child Protection Conference"], strict=True))
    assert len(plans) > 100
    assert all(
        k in keys
        for k in zip(plans["Child Unique ID"], plans["Child Protection Plan Start Date"], strict=True)
    )
    assert (
        s47["Strategy discussion initiating Section 47 Enquiry Start Date"]
        <= s47["Date of Initial Child Protection Conference"]
    ).all()


def test_calibration_referrals_cp_plans_and_assessment_timeliness(frames: dict[int, pd.DataFrame]) -> None:
    population_mid_2014 = 62_183
    referrals = frames[3]["Date of referral"]
    in_2014_15 = referrals.between(pd.Timestamp("2014-04-01"), pd.Timestamp("2015-03-31")).sum()
    assert in_2014_15 / population_mid_2014 * 10_000 == pytest.approx(500, rel=0.10)

    plans = frames[7]
    day = pd.Timestamp("2015-03-31")
    start, end = plans["Child Protection Plan Start Date"], plans["Child Protection Plan End Date"]
    on_plan = ((start <= day) & (end.isna() | (end > day))).sum()
    assert on_plan / population_mid_2014 * 10_000 == pytest.approx(76.4, rel=0.10)

    a = frames[4].dropna(subset=["Continuous Assessment Date of Authorisation"])
    authorised = a["Continuous Assessment Date of Authorisation"]
    working = np.busday_count(
        a["Continuous Assessment Start Date"].to_numpy().astype("datetime64[D]"),
        authorised.to_numpy().astype("datetime64[D]"),
    )  # weekends only: bank holidays move few assessments across the line
    timely = pd.Series(working <= 45, index=a.index)
    before = timely[(authorised < pd.Timestamp("2014-10-01")).to_numpy()].mean()
    after = timely[(authorised >= pd.Timestamp("2015-01-01")).to_numpy()].mean()
    assert before < 0.65 and after > 0.8


def test_scale_multiplies_rows_roughly_linearly(frames: dict[int, pd.DataFrame]) -> None:
    small = simulate_histories(2015, 0.25)
    small.children["child_id"] = annex.child_ids(len(small.children), 2015)
    small_frames = annex.list_frames(small, 2015)
    for number in (1, 3, 4, 6):
        ratio = len(frames[number]) / len(small_frames[number])
        assert ratio == pytest.approx(4, rel=0.15), number


def test_dirt_is_present_but_rare(frames: dict[int, pd.DataFrame]) -> None:
    dirty = annex.dirty(frames, 2015, as_text_dates=False)
    contacts = dirty[1]
    n = len(frames[1])
    duplicates = contacts.duplicated().sum()
    serials = contacts["Date of Contact"].map(lambda v: isinstance(v, int)).sum()
    texts = contacts["Date of Contact"].map(lambda v: isinstance(v, str)).sum()
    na = (contacts["Contact Source"] == "#N/A").sum()
    stray = contacts["Child Unique ID"].str.endswith(" ").sum()
    for count in (duplicates, serials, texts, na, stray):
        assert 0 < count < 0.01 * n
    assert set(dirty[1]["Gender"]) >= {"a) Male", "b) Female"}
    assert dirty[1]["Ethnicity"].str.startswith("a) ").all()
    assert not dirty[2]["Ethnicity"].str.startswith("a) ").any()
    a = dirty[4]
    starts = a["Continuous Assessment Start Date"]
    ends = a["Continuous Assessment Date of Authorisation"]
    both = starts.map(lambda v: hasattr(v, "year")) & ends.map(lambda v: hasattr(v, "year"))
    assert 0 < (ends[both] < starts[both]).sum() <= 3
    assert (dirty[6]["CIN Closure Date"].map(lambda v: hasattr(v, "year") and v.year == 2099)).sum() == 1


def test_benchmark_files_match_the_catalogue_and_load_through_the_real_reader(
    demo: Path, config: ProjectConfig
) -> None:
    folder = demo / config.benchmarks.folder
    names = [p.name for p in folder.glob("*.csv")]
    for id_, publication in config.benchmarks.publications.items():
        matches = fnmatch.filter(names, publication.file)
        assert len(matches) == 1, publication.file
        frame = read_publication(folder / matches[0], id_, publication)
        years = frame["time_period"].nunique()
        levels = frame.drop_duplicates(["time_period", "geographic_level", "area_code"])
        levels = levels["geographic_level"].value_counts()
        assert levels["National"] == years
        if not publication.local_authority_rows:
            assert set(frame["geographic_level"]) == {"National"}
            continue
        assert levels["Regional"] == 11 * years
        # England had 152 local authorities in 2014-15 (DfE's 2015 children in need and looked-after tables)
        assert levels["Local authority"] / years == 152, id_
        ours = frame.loc[(frame["old_la_code"] == 887) & (frame["area_code"] == "E06000035")]
        assert ours["time_period"].nunique() == years, id_
    population = fnmatch.filter(names, Path(config.authority.population_file).name)
    assert len(population) == 1
    neighbours = fnmatch.filter(names, config.benchmarks.statistical_neighbours.file)
    assert read_statistical_neighbours(folder / neighbours[0])[887] == list(MEDWAY_NEIGHBOURS_2025)
    c1 = pd.read_csv(folder / fnmatch.filter(names, config.benchmarks.publications["c1"].file)[0], dtype=str)
    measures = c1.iloc[:, len(GEOGRAPHY) + 1 :]
    assert measures.isin(["c", "x", "z"]).any().any(), "some LA cells carry GSS symbols"
    england = (
        c1[c1["geographic_level"] == "National"].set_index("time_period")["rereferral_percent"].astype(float)
    )
    assert england.to_dict() == {"2015": 24.0, "2014": 23.4, "2013": 24.9}
    population_frame = pd.read_csv(folder / population[0])
    assert sorted(population_frame["time_period"].unique()) == [2011, 2012, 2013, 2014]
    assert "population_estimate" in population_frame


def test_medway_benchmark_rows_match_its_case_records(demo: Path, frames: dict[int, pd.DataFrame]) -> None:
    d5 = pd.read_csv(next((demo / "benchmarks").glob("d5_*.csv")))
    medway_2015 = int(d5[(d5["old_la_code"] == 887) & (d5["time_period"] == 2015)]["CPP_At31"].iloc[0])
    plans = frames[7]
    day = pd.Timestamp("2015-03-31")
    start, end = plans["Child Protection Plan Start Date"], plans["Child Protection Plan End Date"]
    assert medway_2015 == ((start <= day) & (end.isna() | (end > day))).sum()


def test_demo_files_have_the_published_files_columns(
    demo: Path, ees_dir: Path, config: ProjectConfig
) -> None:
    # Every real download in ../shared that a publication names: the demo file has exactly its header (same
    # columns in the same order, the same byte-order mark), so the demo exercises the reader of the real files.
    compared = 0
    for real in sorted(ees_dir.glob("*.csv")):
        publication = [
            e for e in config.benchmarks.publications.values() if fnmatch.fnmatch(real.name, e.file)
        ]
        if not publication:
            continue
        ours = next((demo / config.benchmarks.folder).glob(publication[0].file))
        with real.open(encoding="utf-8") as a, ours.open(encoding="utf-8") as b:
            assert next(csv.reader(b)) == next(csv.reader(a)), real.name
        compared += 1
    for name in ("sn_model_2025_wide.csv",):
        ours = next((demo / config.benchmarks.folder).glob(config.benchmarks.statistical_neighbours.file))
        with (ees_dir / name).open(encoding="utf-8") as a, ours.open(encoding="utf-8") as b:
            assert next(csv.reader(b)) == next(csv.reader(a)), name
    assert compared == 9  # b1, c1, c3, c4, d3, d5, cla, new placements, workforce


def test_topic_files_suppress_small_counts_as_dfe_does() -> None:
    # Counts of 1 to 5 are written "c" with their percentage; a non-zero share under 0.5% is "k"; columns DfE did
    # not collect in the demo's years are "x"; every breakdown of new placements adds up to its total.
    rng = np.random.default_rng(1)
    placements = topics.new_placement_values(rng, 400)
    assert sum(placements[b] for b in topics.LOCATION_SHARES) == 400
    rows = topics.new_placement_rows({**placements, "Approval removed": 3, "Custody arrangement": 1_000})
    by_breakdown = {r["breakdown"]: r for r in rows}
    assert (
        by_breakdown["Approval removed"]["children_count"],
        by_breakdown["Approval removed"]["children_percent"],
    ) == ("c", "c")
    big = topics.new_placement_rows({**placements, topics.TOTAL_CHANGING: 100_000, "Other": 100})
    assert {r["breakdown"]: r for r in big}["Other"]["children_percent"] == "k"
    (c3,) = topics.c3_rows({**topics.c3_values(rng, 50), "Trafficking": 4, "Gangs": 0})
    assert (c3["Trafficking"], c3["Gangs"], c3["Child_criminal_exploitation"]) == ("c", 0, "x")
    assert list(c3) == list(topics.C3_COLUMNS)
