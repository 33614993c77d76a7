"""Read the children in need census (CIN census) XML as councils submit it, validating it against its year's schema.

Each file is checked against DfE's XML schema for its collection year (``CIN_schema_YYYY.xsd``, 2017 to 2026, as
kept in SocialFinanceDigitalLabs/liia-tools-pipeline ``liiatools/cin_census_pipeline/spec/``; the project reads
them from ``../shared/data/cin_census_schemas/`` or a folder the analyst names). A file for a year before the
first schema is checked against the first one (a note says so). Every schema violation is a data-quality finding
naming the child (pseudonym) and the element; the records are still read where they can be.

The element names are DfE's (CIN census guide, module by module): ChildIdentifiers (LAchildID, PersonBirthDate,
ExpectedPersonBirthDate), CINdetails (CINreferralDate, CINclosureDate, ReferralNFA), Assessments
(AssessmentActualStartDate, AssessmentAuthorisationDate), Section47 (S47ActualStartDate, DateOfInitialCPC,
ICPCnotRequired) and ChildProtectionPlans (CPPstartDate, CPPendDate, NumberOfPreviousCPP).
"""

from __future__ import annotations

import logging
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.inputs.pseudonymise import pseudonymise_ids
from analysis.stages.returns.common import ERROR, NOTE, WARNING, Finding, collection_year_of, parse_dates

logger = logging.getLogger(__name__)

SCHEMA_PATTERN = "CIN_schema_{year}.xsd"
#: The most XML elements a CIN census file may hold. xmlschema stops at 1 million by default (``xmlschema.limits``,
#: ``MAX_XML_ELEMENTS``: a guard against documents made to exhaust memory). The demo's census of a Medway-sized
#: authority has about 130,000 a year, and the 10-million-row scale benchmark's about 14 million. Files are read with
#: entities defused; the limit is raised to 20 million (about 150 times the demo's), and a larger file (or one nested
#: deeper than xmlschema's ``MAX_XML_DEPTH``) is refused, saying so.
MAX_CENSUS_ELEMENTS = 20_000_000
#: The depth of ``Message/Children/Child``: validation reads and checks the census one element at that depth at a time.
LAZY_DEPTH = 2
_CHILD_INDEX = re.compile(r"/Child(?:\[(\d+)\])?(?:/|$)")
_EXPECTED_TAG = re.compile(r"Tag '([A-Za-z0-9]+)' expected|tag '([A-Za-z0-9]+)'")

#: The tables read from the census, with their DfE element names (and the column each becomes).
TABLE_ELEMENTS: dict[str, dict[str, str]] = {
    "children": {
        "PersonBirthDate": "birth_date",
        "ExpectedPersonBirthDate": "expected_birth_date",
        "PersonDeathDate": "death_date",
    },
    "cin_episodes": {
        "CINreferralDate": "referral_date",
        "CINclosureDate": "closure_date",
        "ReasonForClosure": "reason_for_closure",
        "ReferralNFA": "referral_nfa",
        "PrimaryNeedCode": "primary_need",
    },
    "assessments": {
        "AssessmentActualStartDate": "assessment_start_date",
        "AssessmentAuthorisationDate": "assessment_authorised_date",
    },
    "section47": {
        "S47ActualStartDate": "s47_start_date",
        "InitialCPCtarget": "icpc_target_date",
        "DateOfInitialCPC": "icpc_date",
        "ICPCnotRequired": "icpc_not_required",
    },
    "cp_plans": {
        "CPPstartDate": "cp_plan_start_date",
        "CPPendDate": "cp_plan_end_date",
        "NumberOfPreviousCPP": "previous_cp_plans",
    },
}
#: Where each table's records are, below a Child element.
TABLE_PATHS = {
    "children": "ChildIdentifiers",
    "cin_episodes": "CINdetails",
    "assessments": "CINdetails/Assessments",
    "section47": "CINdetails/Section47",
    "cp_plans": "CINdetails/ChildProtectionPlans",
}
DATE_SUFFIX = "_date"
#: The tables whose records are below a CIN episode, and their element there (``Assessments`` ...).
_BELOW_AN_EPISODE = {
    name: path.removeprefix(TABLE_PATHS["cin_episodes"] + "/")
    for name, path in TABLE_PATHS.items()
    if path.startswith(TABLE_PATHS["cin_episodes"] + "/")
}


@dataclass
class CinCensus:
    """One collection year's census: tables (``child`` is the pseudonym; ``referral_date`` links each record to
    its CIN episode) and findings."""

    collection_year: int | None
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    def table(self, name: str) -> pd.DataFrame:
        if name in self.tables:
            return self.tables[name]
        return _frame(name, [])


def _frame(name: str, records: list[dict[str, Any]] | pd.DataFrame) -> pd.DataFrame:
    """A table with its columns in order and typed (dates ``datetime64[s]``, the index ``Int64``, text ``string``)."""
    columns = ["child", "child_index", "referral_date", *TABLE_ELEMENTS[name].values()]
    columns = list(dict.fromkeys(columns))
    frame = (
        records.reindex(columns=columns)
        if isinstance(records, pd.DataFrame)
        else pd.DataFrame(records, columns=columns)
    )
    for column in columns:
        if column.endswith(DATE_SUFFIX):
            frame[column] = pd.to_datetime(frame[column]).astype("datetime64[s]")
        elif column == "child_index":
            frame[column] = frame[column].astype("Int64")
        else:
            frame[column] = frame[column].astype("string")
    return frame


@lru_cache(maxsize=16)
def _schema(path: Path) -> Any:
    import xmlschema

    return xmlschema.XMLSchema(str(path))


def schema_path(schema_dir: Path, collection_year: int) -> tuple[Path | None, int | None]:
    """The schema for a collection year: its own, else the earliest there is for an earlier year (and which)."""
    own = Path(schema_dir) / SCHEMA_PATTERN.format(year=collection_year)
    if own.is_file():
        return own, collection_year
    years = sorted(
        int(p.stem.rsplit("_", 1)[1]) for p in Path(schema_dir).glob(SCHEMA_PATTERN.format(year="*"))
    )
    if not years:
        return None, None
    chosen = years[0] if collection_year < years[0] else max(y for y in years if y <= collection_year)
    return Path(schema_dir) / SCHEMA_PATTERN.format(year=chosen), chosen


def _text(element: ET.Element | None, tag: str) -> str | None:
    found = element.find(tag) if element is not None else None
    text = found.text.strip() if found is not None and found.text else ""
    return text or None


def validation_findings(
    path: Path, resource: Any, schema_file: Path, pseudonyms: list[str | None]
) -> list[Finding]:
    """Schema violations of a census file (an ``xmlschema.XMLResource``), each naming the child (pseudonym) and
    the element."""
    findings = []
    for error in _schema(schema_file).iter_errors(resource):
        where = str(error.path or "")
        index = _CHILD_INDEX.search(where)
        number = int(index.group(1) or 1) if index else 0
        child = pseudonyms[number - 1] if 0 < number <= len(pseudonyms) else None
        tag = _EXPECTED_TAG.search(str(error.reason or ""))
        element = (tag.group(1) or tag.group(2)) if tag else where.rsplit("/", 1)[-1]
        findings.append(
            Finding(
                WARNING, str(path), f"does not follow {schema_file.name}: {error.reason} (at {where})",
                child=child, field=element, rule="schema",
            )
        )  # fmt: skip
    return findings


def read_cin_file(path: Path, key: bytes, schema_dir: Path | None, folder_year: int | None) -> CinCensus:
    """Read one CIN census XML file: its collection year (Header/CollectionDetails/Year, else the folder's name),
    its validation against that year's schema, and its records as tables.

    A file that is not well-formed XML, declares entities, or is not a CIN census (no ``Message/Children``) is a
    finding and gives no tables. The records are read one child at a time (each ``Child`` dropped once read), so a
    large county's census is not held whole in memory; the validation against the schema reads it again, one child
    at a time too (issue 21).
    """
    import xmlschema
    from xmlschema.exceptions import XMLResourceExceeded, XMLResourceForbidden

    path = Path(path)
    xmlschema.limits.MAX_XML_ELEMENTS = max(xmlschema.limits.MAX_XML_ELEMENTS, MAX_CENSUS_ELEMENTS)
    try:
        # Defused as xmlschema defuses (defuse="always": no entity declarations, no external resources; every cell
        # of an input is untrusted); lazy, this reads the prolog and the root element only.
        xmlschema.XMLResource(str(path), defuse="always", lazy=True)
        read = _read_children(path)
    except ET.ParseError as error:
        return CinCensus(folder_year, findings=[Finding(ERROR, str(path), f"not well-formed XML: {error}")])
    except XMLResourceForbidden as error:
        return CinCensus(folder_year, findings=[Finding(ERROR, str(path), f"refused: {error}")])
    except (XMLResourceExceeded, _TooLarge):  # too many elements, or nested too deep
        limits = xmlschema.limits
        too_large = (
            f"too large to read: more than {limits.MAX_XML_ELEMENTS:,} XML elements "
            f"or {limits.MAX_XML_DEPTH:,} levels of nesting"
        )
        return CinCensus(folder_year, findings=[Finding(ERROR, str(path), too_large)])
    if read.root_tag != "Message" or not read.has_children:
        return CinCensus(
            folder_year, findings=[Finding(NOTE, str(path), "not a CIN census (no Message/Children)")]
        )
    stated = read.stated_year
    year = collection_year_of(stated) if stated else folder_year
    census = CinCensus(year)
    if year is None:
        census.findings.append(Finding(ERROR, str(path), "cannot tell the collection year", field="Year"))
        return census
    if stated and folder_year and collection_year_of(stated) != folder_year:
        census.findings.append(
            Finding(
                WARNING,
                str(path),
                f"the file says {stated} but is in the folder of {folder_year}",
                field="Year",
            )
        )
    pseudonyms = list(
        pseudonymise_ids(pd.Series(read.child_ids, dtype="object"), key)
        .astype(object)
        .where(lambda s: s.notna())
    )
    pseudonyms = [None if p is None or p is pd.NA else str(p) for p in pseudonyms]
    if schema_dir is not None and Path(schema_dir).is_dir():
        schema_file, schema_year = schema_path(Path(schema_dir), year)
        if schema_file is None:
            census.findings.append(
                Finding(NOTE, str(path), f"no CIN census schema in {schema_dir}: not validated")
            )
        else:
            if schema_year != year:
                census.findings.append(
                    Finding(NOTE, str(path), f"no schema for {year}: validated against {schema_file.name}")
                )
            # Lazily, a child at a time (xmlschema's lazy mode, at the depth of Message/Children/Child), not the
            # whole document as a tree: one 55 MB census of the million-row scaled demo 465 -> 64 MiB, 17 -> 22 s;
            # the cleaning of ten million rows peaked at 6.6 GB before (issue 21).
            resource = xmlschema.XMLResource(str(path), defuse="always", lazy=LAZY_DEPTH)
            census.findings += validation_findings(path, resource, schema_file, pseudonyms)
    census.tables = read.records.tables(pseudonyms, path, census.findings)
    return census


class _TooLarge(Exception):
    """More elements, or deeper nesting, than the census reader accepts (xmlschema's limits, as raised above)."""


class _Records:
    """The tables' records, column by column, as each child is read (:data:`TABLE_PATHS`, :data:`TABLE_ELEMENTS`)."""

    def __init__(self) -> None:
        self.columns: dict[str, dict[str, list[Any]]] = {
            name: {"child_index": [], "referral_date": [], **{c: [] for c in elements.values()}}
            for name, elements in TABLE_ELEMENTS.items()
        }
        self.nested = False  # a Child inside a Child (not DfE's layout): rows are put back in document order

    def add(self, child: ET.Element, index: int) -> None:
        """The child's records: its identifiers, then each CIN episode and the records below it, each table's rows
        in document order. Each episode is found once for the four tables it feeds (issue 21)."""
        for identifiers in child.findall(TABLE_PATHS["children"]):
            self._add_row("children", identifiers, index, None)
        for episode in child.findall(TABLE_PATHS["cin_episodes"]):
            referral_date = _text(episode, "CINreferralDate")
            self._add_row("cin_episodes", episode, index, referral_date)
            for name, tag in _BELOW_AN_EPISODE.items():
                for element in episode.findall(tag):
                    self._add_row(name, element, index, referral_date)

    def _add_row(self, name: str, element: ET.Element, index: int, referral_date: str | None) -> None:
        row: dict[str, Any] = {"child_index": index, "referral_date": referral_date}
        for tag_name, column in TABLE_ELEMENTS[name].items():
            row[column] = _text(element, tag_name)
        columns = self.columns[name]
        for column, value in row.items():
            columns[column].append(value)

    def tables(self, pseudonyms: list[str | None], path: Path, findings: list[Finding]) -> dict:
        """Each table (``child`` the pseudonym), its dates parsed: a date that does not parse is a finding."""
        tables = {}
        for name, columns in self.columns.items():
            if not columns["child_index"]:
                tables[name] = _frame(name, [])
                continue
            raw = pd.DataFrame(columns)
            if self.nested:
                raw = raw.sort_values("child_index", kind="stable", ignore_index=True)
            raw.insert(0, "child", [pseudonyms[i - 1] for i in raw["child_index"]])
            for column in [c for c in raw.columns if c.endswith(DATE_SUFFIX)]:
                dates, unparseable = parse_dates(raw[column])
                for position in unparseable[unparseable].index:
                    findings.append(
                        Finding(
                            WARNING, str(path), f"'{raw.at[position, column]}' is not a date (yyyy-mm-dd)",
                            child=raw.at[position, "child"], field=column, rule="date",
                        )
                    )  # fmt: skip
                raw[column] = dates
            for column in ("referral_nfa", "icpc_not_required", "reason_for_closure", "primary_need"):
                if column in raw.columns:
                    raw[column] = raw[column].astype("string").str.upper()
            tables[name] = _frame(name, raw)
        return tables


@dataclass
class _CensusRead:
    """What one pass over a census file found: the root's tag, the stated year, each child's identifier (in
    document order, as ``root.iter("Child")`` lists them) and the records of the tables."""

    root_tag: str | None = None
    has_children: bool = False
    stated_year: str | None = None
    child_ids: list[str | None] = field(default_factory=list)
    records: _Records = field(default_factory=_Records)


def _read_children(path: Path) -> _CensusRead:
    """One streaming pass (``xml.etree.ElementTree.iterparse``) over the file: each ``Child`` is read when it ends,
    then dropped from the tree, so memory holds one child at a time, not the census."""
    import xmlschema

    most_elements, deepest = xmlschema.limits.MAX_XML_ELEMENTS, xmlschema.limits.MAX_XML_DEPTH
    read = _CensusRead()
    open_children: list[tuple[ET.Element, int]] = []  # Child elements open, each with its index (1 = first)
    parents: list[ET.Element] = []
    elements = 0
    for event, element in ET.iterparse(str(path), events=("start", "end")):
        if event == "start":
            elements += 1
            if elements > most_elements or len(parents) >= deepest:
                raise _TooLarge
            if not parents:
                read.root_tag = element.tag
            elif element.tag == "Children" and len(parents) == 1:
                read.has_children = True
            if element.tag == "Child":
                read.child_ids.append(None)
                open_children.append((element, len(read.child_ids)))
            parents.append(element)
            continue
        parents.pop()
        if element.tag == "Header" and len(parents) == 1 and read.stated_year is None:
            read.stated_year = _text(element.find("CollectionDetails"), "Year")
        elif element.tag == "Child":
            child, index = open_children.pop()
            read.child_ids[index - 1] = _text(child.find("ChildIdentifiers"), "LAchildID")
            read.records.add(child, index)
            if open_children:  # a Child inside a Child (not DfE's layout), read before the one around it
                read.records.nested = True
            elif parents:  # an outermost Child: read, so dropped
                parents[-1].remove(child)
    return read


def combine(censuses: list[CinCensus]) -> CinCensus:
    """Several files of one collection year as one census (a council may split the census by team)."""
    combined = CinCensus(censuses[0].collection_year)
    for census in censuses:
        combined.findings += census.findings
    names = {name for census in censuses for name in census.tables}
    combined.tables = {
        name: pd.concat([c.table(name) for c in censuses], ignore_index=True) for name in sorted(names)
    }
    return combined
