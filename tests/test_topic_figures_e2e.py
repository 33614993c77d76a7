"""Every figure of each topic report of the demo run equals the analysis tables (issue 19, acceptance).

The published HTML is read as a reader meets it (BeautifulSoup: each table by its caption, each row's cells under
their headers, the flow's numbers and the first screen's sentences), and each figure is looked up in the processed
tables the analysis stage wrote (``read_table``): the indicators (latest month, benchmarks, rank, SPC reading) and
their anticipated trend, the actions and their status, the profile, disproportionality (shares, ratios and
intervals), the journeys (table and flow), drift (counts, median and quartiles), the comparisons with England, and
the first screen's three or four sentences. Expected text is formatted here, not by the product's own formatters,
so a change of what a cell shows fails here.
"""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup, Tag
from figure_checks import Row, check_benchmark_cells, check_month_figure, check_rank, indicator_rows
from glossary_checks import as_configured

from analysis.config import ProjectConfig, load_config
from analysis.config_glossary import GlossarySettings
from analysis.config_topics import Topic
from analysis.io import read_table
from analysis.methods.quarters import Quarter
from analysis.paths import ProjectPaths
from analysis.products.glossary import code_words
from analysis.products.indicator_tables import NOT_ASSESSED
from analysis.products.presentation import (
    ASSURANCE_LABELS,
    VARIATION_LABELS,
    action_status_text,
    overdue_action_ids,
    status_label,
)
from analysis.products.topic_parts import JOURNEY_NAMES, breakdown_name, list_name
from analysis.run.pipeline import RunResult
from analysis.units import format_number

pytestmark = pytest.mark.e2e

QUARTER = Quarter.parse("2015-16-Q1")
LAST_MONTH = pd.Timestamp("2015-06-01")
C = "c"
PERIODS = {"This quarter": "quarter", "Year to the quarter's end": "year"}
TOPIC_TABLES = (
    "topic_profile",
    "topic_disproportionality",
    "topic_journeys",
    "topic_drift",
    "topic_placement_distance",
    "topic_assessment_factors",
)
OTHER_TABLES = (
    "indicators_monthly",
    "benchmark_comparison",
    "spc_as_at",
    "anticipated",
    "actions",
    "exceptions",
)


@pytest.fixture(scope="module")
def config(demo_project: ProjectPaths) -> ProjectConfig:
    return load_config(demo_project.config)


@pytest.fixture(scope="module")
def tables(first_run: RunResult, demo_project: ProjectPaths) -> dict[str, pd.DataFrame]:
    assert first_run.quarter == QUARTER.label
    return {name: read_table(name, demo_project.processed) for name in (*TOPIC_TABLES, *OTHER_TABLES)}


@pytest.fixture(scope="module")
def pages(first_run: RunResult, demo_project: ProjectPaths, config: ProjectConfig) -> dict[str, Path]:
    folder = demo_project.quarter_reports(QUARTER.label)
    return {topic.id: folder / f"topic-{topic.id}.html" for topic in config.topics.topics}


# ------------------------------------------------------------------------------------------- reading the page
def soup_of(page: Path) -> BeautifulSoup:
    return BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")


def read(element: Tag, glossary: GlossarySettings) -> str:
    """An element's text as configured: the page spells each acronym out at its first use (config/glossary.yml)."""
    return as_configured(element.get_text(" ", strip=True), glossary)


def html_tables(soup: BeautifulSoup, glossary: GlossarySettings) -> dict[str, list[dict[str, str]]]:
    """Each table of the page by its caption: its body rows as ``{header: cell text}``."""
    found: dict[str, list[dict[str, str]]] = {}
    for table in soup.find_all("table"):
        caption = table.find("caption")
        name = read(caption, glossary) if caption else ""
        headers = [read(th, glossary) for th in table.find_all("th", scope="col")]
        body = table.find("tbody")
        assert isinstance(body, Tag), name
        rows = [
            dict(zip(headers, [read(c, glossary) for c in tr.find_all(["th", "td"])], strict=True))
            for tr in body.find_all("tr")
        ]
        assert name not in found, f"two tables captioned {name!r}"
        found[name] = rows
    return found


def embedded_svgs(soup: BeautifulSoup) -> list[tuple[str, str]]:
    """Each SVG image of the page (embedded as a data URI) with its alt text."""
    found = []
    for img in soup.find_all("img"):
        src = str(img.get("src", ""))
        if src.startswith("data:image/svg+xml;base64,"):
            found.append((base64.b64decode(src.split(",", 1)[1]).decode("utf-8"), str(img.get("alt", ""))))
    return found


def svg_title(svg: str) -> str:
    match = re.search(r"<title>([^<]*)</title>", svg)
    return html.unescape(match[1]) if match else ""


def count(value: object, reason: object = "") -> str:
    if isinstance(reason, str) and reason:
        return C
    return "–" if pd.isna(value) else f"{float(value):,.0f}"  # type: ignore[arg-type]


def percent(value: object, reason: object = "") -> str:
    if isinstance(reason, str) and reason:
        return C
    return "–" if pd.isna(value) else f"{float(value):.1f}%"  # type: ignore[arg-type]


def of_topic(frame: pd.DataFrame, topic: Topic) -> pd.DataFrame:
    return frame.loc[frame["topic_id"] == topic.id]


# ------------------------------------------------------------------------------------------- the sections
def indicator_problems(
    page: Path, topic: Topic, tables: dict[str, pd.DataFrame], config: ProjectConfig
) -> list[str]:
    rows = list(indicator_rows(page, config, rf"^{re.escape(topic.title)}: indicators$"))
    problems = []
    if sorted(r.indicator.id for r in rows) != sorted(topic.indicators):
        problems.append(f"{page.name}: indicators {[r.indicator.id for r in rows]}, not {topic.indicators}")
    for row in rows:
        problems += check_month_figure(tables, row, "Latest month", None)
        problems += check_benchmark_cells(
            tables,
            row,
            authority=config.authority.name,
            region=config.authority.region.name,
            known_by=pd.Timestamp(QUARTER.end),
        )
        england = next(h for h in row.cells if h.startswith("England"))
        year = england.rsplit(" ", 1)[-1]
        problems += check_rank(tables, row, year if re.fullmatch(r"\d{4}-\d{2}", year) else None)
        problems += reading_problems(tables, row, config)
    return problems


def reading_problems(tables: dict[str, pd.DataFrame], row: Row, config: ProjectConfig) -> list[str]:
    """Variation and assurance as the SPC reading stood at the quarter's last month (``spc_as_at``), or "not
    assessed" where the indicator has fewer published monthly figures than an SPC chart needs."""
    readings = tables["spc_as_at"]
    found = readings.loc[(readings["indicator_id"] == row.indicator.id) & (readings["as_at"] == LAST_MONTH)]
    if row.cells["Variation"] == NOT_ASSESSED:
        # NHSRplotthedots: fewer published months than a baseline needs, or most of them suppressed.
        monthly = tables["indicators_monthly"]
        months = monthly.loc[(monthly["indicator_id"] == row.indicator.id) & (monthly["month"] <= LAST_MONTH)]
        suppressed = int(months["suppressed"].astype(bool).sum())
        published = int((months["value"].notna() & ~months["suppressed"].astype(bool)).sum())
        too_few = published < config.spc.minimum_baseline_points or suppressed * 2 > len(months)
        if not too_few or row.cells["Assurance"] != NOT_ASSESSED:
            return [
                f"{row.page}: {row.indicator.id}: not assessed, with {published} of {len(months)} published"
            ]
        return []
    expected = (
        ("–", "–")
        if found.empty
        else (
            status_label(found["variation"].iloc[0], VARIATION_LABELS),
            status_label(found["assurance"].iloc[0], ASSURANCE_LABELS),
        )
    )
    shown = (row.cells["Variation"], row.cells["Assurance"])
    return [] if shown == expected else [f"{row.page}: {row.indicator.id}: reading {shown}, not {expected}"]


def anticipated_problems(
    page: Path, topic: Topic, tables: dict[str, pd.DataFrame], config: ProjectConfig, shown: dict
) -> list[str]:
    rows = shown.get(f"{topic.title}: indicators against their anticipated trend, June 2015", [])
    anticipated = tables["anticipated"]
    at = anticipated.loc[
        (anticipated["month"] == LAST_MONTH)
        & anticipated["indicator_id"].isin(topic.indicators)
        & anticipated["expected"].notna()
    ]
    by_name = {config.indicator(i).name: config.indicator(i) for i in topic.indicators}
    problems = []
    if sorted(r["Indicator"] for r in rows) != sorted(
        by_name[n].name for n in by_name if by_name[n].id in set(at["indicator_id"])
    ):
        problems.append(
            f"{page.name}: anticipated rows {[r['Indicator'] for r in rows]} are not {list(at['indicator_id'])}"
        )
    for row in rows:
        indicator = by_name[row["Indicator"]]
        a = at.loc[at["indicator_id"] == indicator.id].iloc[0]
        hidden = bool(a["suppressed"])
        expected = {
            "Anticipated by": "planned path" if a["basis"] == "planned" else "forecast",
            "Anticipated": format_number(a["expected"], indicator),
            "Range": f"{format_number(a['lower'], indicator)} to {format_number(a['upper'], indicator)}",
            "Our figure": C if hidden else format_number(a["value"], indicator),
        }
        position = a["position"] if isinstance(a["position"], str) else ""
        against = "–"
        if position and not hidden:
            against = ("out of line: " if bool(a["out_of_line"]) else "") + (
                f"{position} the range" if position in ("above", "below") else "within the range"
            )
        expected["Against the range"] = against
        for header, text in expected.items():
            if row[header] != text:
                problems.append(
                    f"{page.name}: anticipated {indicator.id} {header}: {row[header]!r}, not {text!r}"
                )
    return problems


def action_problems(page: Path, topic: Topic, tables: dict[str, pd.DataFrame], shown: dict) -> list[str]:
    rows = shown.get(f"{topic.title}: actions and their status", [])
    actions = tables["actions"].set_index("action_id")
    overdue = overdue_action_ids(tables["exceptions"], QUARTER.label)
    expected_refs = [a for a in topic.actions if a in actions.index]
    problems = []
    if sorted(r["Ref"] for r in rows) != sorted(expected_refs):
        problems.append(f"{page.name}: actions {[r['Ref'] for r in rows]}, not {expected_refs}")
    for row in rows:
        a = actions.loc[row["Ref"]]
        status = action_status_text(a["status"], a["due_date"], overdue=row["Ref"] in overdue)
        due = f"{a['due_date']:%b %Y}" if pd.notna(a["due_date"]) else "–"
        for header, text in {"Status": status, "Due": due, "Action": a["action"]}.items():
            if row[header] != text:
                problems.append(f"{page.name}: action {row['Ref']} {header}: {row[header]!r}, not {text!r}")
    return problems


def profile_problems(
    page: Path, topic: Topic, tables: dict[str, pd.DataFrame], shown: dict, glossary: GlossarySettings
) -> list[str]:
    profile = of_topic(tables["topic_profile"], topic)
    problems = []
    seen = 0
    for name in topic.lists:
        rows = profile.loc[profile["list"] == name]
        for breakdown in dict.fromkeys(rows["breakdown"]):
            caption = f"{list_name(name).capitalize()} by {breakdown_name(breakdown)} (children)"
            if caption not in shown:
                problems.append(f"{page.name}: no table {caption!r}")
                continue
            seen += 1
            cells = rows.loc[rows["breakdown"] == breakdown]
            keys = list(dict.fromkeys(zip(cells["group"], cells["category"], strict=True)))
            if len(shown[caption]) != len(keys):
                problems.append(
                    f"{page.name}: {caption}: {len(shown[caption])} rows, the table has {len(keys)}"
                )
            in_words = {code_words(str(c), glossary): str(c) for c in cells["category"]}
            for row in shown[caption]:
                group, _, words = row["Group"].rpartition(": ")
                group, category = group or "all children", in_words.get(words, words)
                for words, period in PERIODS.items():
                    cell = cells.loc[
                        (cells["group"] == group)
                        & (cells["category"] == category)
                        & (cells["period"] == period)
                    ]
                    if cell.empty:
                        expected_count = expected_percent = "–"
                    else:
                        c = cell.iloc[0]
                        expected_count = count(c["children"], c["withheld"])
                        expected_percent = percent(c["percent"], c["withheld"])
                    got = (row[f"{words}: children"], row[f"{words}: % of the list"])
                    if got != (expected_count, expected_percent):
                        problems.append(
                            f"{page.name}: {caption}: {row['Group']} {period}: shows {got}, the table has "
                            f"{(expected_count, expected_percent)}"
                        )
    if "profile" in topic.analyses and not seen:
        problems.append(f"{page.name}: no profile table")
    return problems


def disproportionality_problems(
    page: Path, topic: Topic, tables: dict[str, pd.DataFrame], shown: dict
) -> list[str]:
    rows = of_topic(tables["topic_disproportionality"], topic)
    problems = []
    for name in topic.lists:
        part = rows.loc[(rows["list"] == name) & (rows["period"] == "year")]
        caption = f"{list_name(name).capitalize()}, year to the quarter's end, by ethnic group"
        if part.empty:
            continue
        if caption not in shown:
            problems.append(f"{page.name}: no table {caption!r}")
            continue
        if [r["Ethnic group"] for r in shown[caption]] != list(part["ethnic_group"]):
            problems.append(f"{page.name}: {caption}: groups {[r['Ethnic group'] for r in shown[caption]]}")
        for row, (_, d) in zip(shown[caption], part.iterrows(), strict=False):
            reason = d["withheld"]
            if reason:
                ratio = C
            elif pd.isna(d["ratio"]):
                ratio = "not available"
            else:
                low = "–" if pd.isna(d["ratio_lower_95"]) else f"{d['ratio_lower_95']:.2f}"
                high = "–" if pd.isna(d["ratio_upper_95"]) else f"{d['ratio_upper_95']:.2f}"
                ratio = f"{d['ratio']:.2f} ({low} to {high})"
            expected = {
                "Children": count(d["children"], reason),
                "Share of children (%)": percent(d["share_percent"], reason),
                "Share of population (%)": percent(d["population_share_percent"]),
                "Ratio (95% interval)": ratio,
            }
            for header, text in expected.items():
                if row[header] != text:
                    problems.append(
                        f"{page.name}: {caption}: {d['ethnic_group']} {header}: {row[header]!r}, not {text!r}"
                    )
    return problems


def journey_problems(
    page: Path, soup: BeautifulSoup, topic: Topic, tables: dict[str, pd.DataFrame], shown: dict
) -> list[str]:
    journeys = of_topic(tables["topic_journeys"], topic)
    problems = []
    for journey in topic.journeys:
        rows = journeys.loc[journeys["journey"] == journey]
        title = JOURNEY_NAMES[journey]
        caption = f"{title} (events)"
        if caption not in shown:
            problems.append(f"{page.name}: no table {caption!r}")
            continue
        keys = list(dict.fromkeys(zip(rows["step"], rows["outcome"], strict=True)))
        if len(shown[caption]) != len(keys):
            problems.append(f"{page.name}: {caption}: {len(shown[caption])} rows, the table has {len(keys)}")
        for row in shown[caption]:
            number = int(row["Step"].split(".", 1)[0])
            outcome = "all" if row["What happened"] == "all (the step's count)" else row["What happened"]
            for words, period in PERIODS.items():
                cells = rows.loc[(rows["period"] == period) & (rows["step"] == number)]
                cell = cells.loc[cells["outcome"] == outcome].iloc[0]
                expected_number = count(cell["count"], cell["withheld"])
                if outcome != "all":
                    share = percent(cell["percent_of_step"], cell["withheld"])
                    expected_share = share if share in (C, "–") else f"{share} of the step"
                elif number == 1:
                    expected_share = ""
                else:  # the step's count as a share of the step before: the outcome of that step that went on
                    before = rows.loc[(rows["period"] == period) & (rows["step"] == number - 1)]
                    went_on = before.loc[before["outcome"] != "all"].iloc[0]
                    share = percent(went_on["percent_of_step"], went_on["withheld"])
                    expected_share = share if share in (C, "–") else f"{share} of the step before"
                got = (row[f"{words}: number"], row[f"{words}: share"])
                if got != (expected_number, expected_share):
                    problems.append(
                        f"{page.name}: {caption}: {row['Step']} {outcome} {period}: shows {got}, the table has "
                        f"{(expected_number, expected_share)}"
                    )
        # The flow (static SVG): each step's count in its box, the share that went on on each arrow, all the
        # quarter's; its alt text names each step's count.
        quarter = rows.loc[rows["period"] == "quarter"]
        steps = quarter.loc[quarter["outcome"] == "all"].sort_values("step")
        flows = {svg_title(svg): (svg, alt) for svg, alt in embedded_svgs(soup)}
        if title not in flows:
            problems.append(f"{page.name}: no flow titled {title!r}")
            continue
        svg, alt = flows[title]
        drawn = re.findall(r'font-weight="bold" text-anchor="middle">([^<]+)<', svg)
        expected_drawn = [count(c, w) for c, w in zip(steps["count"], steps["withheld"], strict=True)]
        if drawn != expected_drawn:
            problems.append(f"{page.name}: flow {title}: boxes {drawn}, the table has {expected_drawn}")
        arrows = re.findall(r'font-size="14" text-anchor="middle" fill="#0B0C0C">([^<]+)<', svg)
        expected_arrows = []
        for step in steps["step"].iloc[:-1]:
            on = quarter.loc[(quarter["step"] == step) & (quarter["outcome"] != "all")].iloc[0]
            expected_arrows.append(percent(on["percent_of_step"], on["withheld"]))
        if arrows != expected_arrows:
            problems.append(f"{page.name}: flow {title}: arrows {arrows}, the table has {expected_arrows}")
        for step_name, shown_count in zip(steps["step_name"], expected_drawn, strict=True):
            if f"{step_name}: {shown_count}" not in alt:
                problems.append(
                    f"{page.name}: flow {title}: its text alternative lacks {step_name}: {shown_count}"
                )
    return problems


DRIFT_COLUMNS = {
    "Starts": "starts",
    "Within 6 months": "within_6_months",
    "6 to 12 months": "from_6_to_12_months",
    "Over 12 months": "over_12_months",
    "No referral found": "no_referral_found",
}


def days(value: object) -> str:
    return "–" if pd.isna(value) else f"{float(value):,.0f} days"  # type: ignore[arg-type]


def drift_problems(page: Path, topic: Topic, tables: dict[str, pd.DataFrame], shown: dict) -> list[str]:
    drift = of_topic(tables["topic_drift"], topic)
    if drift.empty:
        return []
    rows = shown.get("Drift: time from referral (children)")
    if rows is None:
        return [f"{page.name}: no drift table"]
    problems = []
    if len(rows) != len(drift):
        problems.append(f"{page.name}: drift shows {len(rows)} rows, the table has {len(drift)}")
    words = {"quarter": "this quarter", "year": "year to the quarter's end"}
    for _, d in drift.iterrows():
        label = f"{d['destination']} ({words[d['period']]})"
        row = next((r for r in rows if r["Start"] == label), None)
        if row is None:
            problems.append(f"{page.name}: drift has no row {label!r}")
            continue
        withheld = {part.split(":", 1)[0].strip() for part in str(d["withheld"]).split(";") if part.strip()}
        for header, column in DRIFT_COLUMNS.items():
            expected = C if column in withheld else count(d[column])
            if row[header] != expected:
                problems.append(f"{page.name}: drift {label} {header}: {row[header]!r}, not {expected!r}")
        median = (
            f"{days(d['median_days'])} ({days(d['lower_quartile_days'])} to {days(d['upper_quartile_days'])})"
            if pd.notna(d["median_days"])
            else "–"
        )
        if row["Median (quartiles)"] != median:
            problems.append(
                f"{page.name}: drift {label} median: {row['Median (quartiles)']!r}, not {median!r}"
            )
    return problems


def year_words(time_period: int) -> str:
    return f"{time_period - 1}-{str(time_period)[-2:]}"


def england_problems(
    page: Path,
    soup: BeautifulSoup,
    topic: Topic,
    tables: dict[str, pd.DataFrame],
    shown: dict,
    glossary: GlossarySettings,
) -> list[str]:
    problems = []
    text = read(soup, glossary)
    specs = [
        (
            "placement_distance",
            "topic_placement_distance",
            "New placements by distance from home, {year} (DfE, children looked after)",
            "location",
            {
                "Location": None,
                "Our new placements": ("authority_count", False),
                "Our %": ("authority_percent", True),
                "England %": ("england_percent", True),
            },
        ),
        (
            "assessment_factors",
            "topic_assessment_factors",
            "Factors at the end of assessment, {year} (DfE, children in need, table C3)",
            "factor_label",
            {
                "Factor": None,
                "Our episodes": ("authority_count", False),
                "Our %": ("authority_percent", True),
                "England %": ("england_percent", True),
            },
        ),
    ]
    for analysis, name, caption_pattern, key, columns in specs:
        if analysis not in topic.analyses:
            continue
        rows = of_topic(tables[name], topic)
        if rows.empty:
            if "No published figures for this year" not in text:
                problems.append(f"{page.name}: {name} is empty and the page does not say so")
            continue
        year = int(rows["time_period"].max())
        latest = rows.loc[rows["time_period"] == year]
        caption = caption_pattern.format(year=year_words(year))
        if caption not in shown:
            problems.append(f"{page.name}: no table {caption!r}")
            continue
        if len(shown[caption]) != len(latest):
            problems.append(
                f"{page.name}: {caption}: {len(shown[caption])} rows, the table has {len(latest)}"
            )
        for row, (_, r) in zip(shown[caption], latest.iterrows(), strict=False):
            first = next(iter(columns))
            if row[first] != r[key]:
                problems.append(f"{page.name}: {caption}: row {row[first]!r}, the table has {r[key]!r}")
            for header, spec in columns.items():
                if spec is None:
                    continue
                column, is_percent = spec
                reason = r["authority_withheld"] if column.startswith("authority") else ""
                expected = percent(r[column], reason) if is_percent else count(r[column], reason)
                if row[header] != expected:
                    problems.append(
                        f"{page.name}: {caption}: {r[key]} {header}: {row[header]!r}, not {expected!r}"
                    )
        if str(latest["release"].iloc[0]) not in text:
            problems.append(f"{page.name}: {caption}: the release {latest['release'].iloc[0]!r} is not named")
    return problems


def first_screen_problems(
    page: Path, soup: BeautifulSoup, topic: Topic, tables: dict[str, pd.DataFrame], glossary: GlossarySettings
) -> list[str]:
    """Each number of the first screen's sentences against the table it comes from."""
    summary = soup.find(class_="topic-summary")
    if summary is None:
        return [f"{page.name}: no first-screen summary"]
    sentences = [read(p, glossary) for p in summary.find_all("p")]
    problems = []
    if not 3 <= len(sentences) <= 4:
        problems.append(f"{page.name}: the first screen has {len(sentences)} sentences")
    profile = of_topic(tables["topic_profile"], topic)
    journeys = of_topic(tables["topic_journeys"], topic)
    drift = of_topic(tables["topic_drift"], topic)
    dispro = of_topic(tables["topic_disproportionality"], topic)
    matched = 0
    for sentence in sentences:
        if sentence.startswith("Children in each list in "):
            matched += 1
            said = dict(re.findall(r"(?:: |; )([a-z0-9 ]+?) ([0-9,]+|c)(?=;|\.$)", sentence))
            for name in topic.lists:
                total = profile.loc[
                    (profile["list"] == name)
                    & (profile["period"] == "quarter")
                    & (profile["group"] == "all children")
                    & (profile["category"] == "total")
                ].iloc[0]
                expected = count(total["children"], total["withheld"])
                if said.get(list_name(name)) != expected:
                    problems.append(
                        f"{page.name}: first screen: {list_name(name)} {said.get(list_name(name))!r}, not {expected!r}"
                    )
        elif match := re.fullmatch(
            r"Of ([0-9,]+|c) (.+) this quarter, ([0-9,]+|c) \(([0-9.]+%|c)\) went on to the next step \((.+)\)\.",
            sentence,
        ):
            matched += 1
            rows = journeys.loc[(journeys["period"] == "quarter") & (journeys["step"] == 1)]
            rows = rows.loc[rows["step_name"].str.lower() == match[2]]
            first = rows.loc[rows["outcome"] == "all"].iloc[0]
            on = rows.loc[rows["outcome"] != "all"].iloc[0]
            expected = (
                count(first["count"], first["withheld"]),
                count(on["count"], on["withheld"]),
                percent(on["percent_of_step"], on["withheld"]),
                on["outcome"],
            )
            if (match[1], match[3], match[4], match[5]) != expected:
                problems.append(f"{page.name}: first screen: {sentence!r} is not {expected}")
        elif sentence.startswith("Over the year, the median time from referral was"):
            matched += 1
            year = drift.loc[drift["period"] == "year"]
            for _, d in year.iterrows():
                if pd.isna(d["median_days"]):
                    continue
                if (
                    f"{days(d['median_days'])} to {'a ' if d['destination'].startswith('child') else 'becoming '}{d['destination']}"
                    not in sentence
                ):
                    problems.append(
                        f"{page.name}: first screen: {sentence!r} lacks {d['destination']}'s median"
                    )
        elif match := re.fullmatch(
            r"Among (.+) over the year, more children were (.+) than the population would suggest .*",
            sentence,
        ):
            matched += 1
            name = next(n for n in topic.lists if list_name(n) == match[1])
            over = dispro.loc[
                (dispro["list"] == name) & (dispro["period"] == "year") & (dispro["ratio_lower_95"] > 1)
            ]
            if match[2] != ", ".join(sorted(over["ethnic_group"])):
                problems.append(
                    f"{page.name}: first screen: {match[2]!r} are not {sorted(over['ethnic_group'])}"
                )
        elif match := re.fullmatch(
            r"Over the year, ([0-9,]+|c) children looked after \(([0-9.]+%|c)\) had three or more placements\.",
            sentence,
        ):
            matched += 1
            row = profile.loc[
                (profile["list"] == "looked_after")
                & (profile["period"] == "year")
                & (profile["breakdown"] == "placements")
                & (profile["category"] == "3 or more")
            ].iloc[0]
            if (match[1], match[2]) != (
                count(row["children"], row["withheld"]),
                percent(row["percent"], row["withheld"]),
            ):
                problems.append(f"{page.name}: first screen: {sentence!r} is not the profile's")
        else:
            problems.append(f"{page.name}: first screen: a sentence this test does not know: {sentence!r}")
    return problems


def test_every_figure_of_each_topic_report_equals_the_analysis_tables(
    pages: dict[str, Path], tables: dict[str, pd.DataFrame], config: ProjectConfig
) -> None:
    problems: list[str] = []
    for topic in config.topics.topics:
        page = pages[topic.id]
        soup = soup_of(page)
        shown = html_tables(soup, config.glossary)
        problems += indicator_problems(page, topic, tables, config)
        problems += anticipated_problems(page, topic, tables, config, shown)
        problems += action_problems(page, topic, tables, shown)
        problems += profile_problems(page, topic, tables, shown, config.glossary)
        if "disproportionality" in topic.analyses:
            problems += disproportionality_problems(page, topic, tables, shown)
        problems += journey_problems(page, soup, topic, tables, shown)
        if "drift" in topic.analyses:
            problems += drift_problems(page, topic, tables, shown)
        problems += england_problems(page, soup, topic, tables, shown, config.glossary)
        problems += first_screen_problems(page, soup, topic, tables, config.glossary)
    assert not problems, "\n".join(problems)


def test_the_demo_topic_reports_have_ratios_from_the_demo_population(
    tables: dict[str, pd.DataFrame], pages: dict[str, Path], config: ProjectConfig
) -> None:
    # The demo writes a synthetic ONS population by ethnic group under data/raw/population/ (as an authority puts the
    # file it downloads): the ratios are made, and the pages name the census.
    dispro = tables["topic_disproportionality"]
    assert dispro["population"].notna().all() and dispro["ratio"].notna().any()
    for page in pages.values():
        text = read(soup_of(page), config.glossary)
        if "by ethnic group" in text:
            assert "Census 2021, all ages, ONS" in text and "Ratios are not available" not in text
