"""Read the SSDA903 return (children looked after) as councils hold it: one CSV file per table, one folder per
collection year.

Each file is recognised from its headings, never its name (councils name them in many ways). Headings, codes and
identifiers are read as DfE defines them in the SSDA903 guidance ("Children looked after return: guide", one per
collection year), with the column lists the reference implementations use:

- SocialFinanceDigitalLabs/liia-tools, ``liiatools/ssda903_pipeline/spec/SSDA903_schema_2017.yml`` (``column_map``:
  Header, Episodes, UASC, Reviews, OC2, OC3, AD1, PlacedAdoption, PrevPerm, Missing) and
  ``SSDA903_schema_2024.diff.yml`` (SocialWorker: the social worker episodes added for 2023-24);
- data-to-insight's quality-lac-data-beta-validator (packages ``validator903`` / ``lac_validator``), whose rule
  codes (e.g. 143, 357) are DfE's validation rules (:mod:`analysis.stages.returns.expectations`).

Tolerated as councils' files really are: a byte-order mark, blank lines, extra columns, headings in lower case or
with spaces, dates as dd/mm/yyyy or ISO (yyyy-mm-dd), codes in lower case, spaces around identifiers. Identifiers
(``CHILD``) are pseudonymised with the project's key (:func:`analysis.inputs.pseudonymise.pseudonymise_ids`) as they are
read; social worker ids (``SW_ID``) too, with prefix ``W``.
"""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.inputs.pseudonymise import pseudonymise_ids
from analysis.stages.returns.common import ERROR, NOTE, WARNING, Finding, parse_dates

logger = logging.getLogger(__name__)

#: Every column of each SSDA903 table, in DfE's order (liia-tools ``SSDA903_schema_2017.yml``, ``column_map``).
COLUMNS: dict[str, tuple[str, ...]] = {
    "header": ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"),
    "episodes": (
        "CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC", "REASON_PLACE_CHANGE",
        "HOME_POST", "PL_POST", "URN",
    ),
    "uasc": ("CHILD", "SEX", "DOB", "DUC"),
    "reviews": ("CHILD", "DOB", "REVIEW", "REVIEW_CODE"),
    "oc2": (
        "CHILD", "DOB", "SDQ_SCORE", "SDQ_REASON", "CONVICTED", "HEALTH_CHECK", "IMMUNISATIONS", "TEETH_CHECK",
        "HEALTH_ASSESSMENT", "SUBSTANCE_MISUSE", "INTERVENTION_RECEIVED", "INTERVENTION_OFFERED",
    ),
    "oc3": ("CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM"),
    "ad1": ("CHILD", "DOB", "DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR"),
    "placed_for_adoption": ("CHILD", "DOB", "DATE_PLACED", "DATE_PLACED_CEASED", "REASON_PLACED_CEASED"),
    "previous_permanence": ("CHILD", "DOB", "PREV_PERM", "LA_PERM", "DATE_PERM"),
    "missing": ("CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"),
    "sw_episodes": ("CHILD", "DOB", "SW_ID", "SW_DECOM", "SW_DEC", "SW_REASON"),
}  # fmt: skip

#: The headings that identify each table: all must be present. Chosen so that no two tables share a signature
#: (UASC and header both have CHILD, SEX and DOB; only the header has ETHNIC, only UASC has DUC).
SIGNATURES: dict[str, frozenset[str]] = {
    "header": frozenset({"CHILD", "SEX", "DOB", "ETHNIC"}),
    "episodes": frozenset({"CHILD", "DECOM", "RNE", "LS", "PLACE"}),
    "uasc": frozenset({"CHILD", "DUC"}),
    "reviews": frozenset({"CHILD", "REVIEW", "REVIEW_CODE"}),
    "oc2": frozenset({"CHILD", "CONVICTED", "HEALTH_CHECK"}),
    "oc3": frozenset({"CHILD", "IN_TOUCH", "ACTIV", "ACCOM"}),
    "ad1": frozenset({"CHILD", "DATE_INT", "DATE_MATCH"}),
    "placed_for_adoption": frozenset({"CHILD", "DATE_PLACED"}),
    "previous_permanence": frozenset({"CHILD", "PREV_PERM"}),
    "missing": frozenset({"CHILD", "MIS_START"}),
    "sw_episodes": frozenset({"CHILD", "SW_ID", "SW_DECOM"}),
}

#: Date columns (DfE: dd/mm/yyyy).
DATE_COLUMNS = frozenset(
    {
        "DOB", "MC_DOB", "DECOM", "DEC", "DUC", "REVIEW", "DATE_INT", "DATE_MATCH", "DATE_PLACED",
        "DATE_PLACED_CEASED", "DATE_PERM", "MIS_START", "MIS_END", "SW_DECOM", "SW_DEC",
    }
)  # fmt: skip
#: Columns that may not be blank (liia-tools ``canbeblank: no``); a blank one is a finding naming row and field.
MANDATORY: dict[str, tuple[str, ...]] = {
    "header": ("CHILD", "SEX", "DOB"),
    "episodes": ("CHILD", "DECOM", "RNE", "LS", "PLACE"),
    "uasc": ("CHILD",),
    "reviews": ("CHILD", "REVIEW"),
    "oc3": ("CHILD", "IN_TOUCH", "ACTIV", "ACCOM"),
    "ad1": ("CHILD", "DATE_INT", "DATE_MATCH"),
    "placed_for_adoption": ("CHILD", "DATE_PLACED"),
    "missing": ("CHILD", "MISSING", "MIS_START"),
    "sw_episodes": ("CHILD", "SW_ID", "SW_DECOM"),
}
#: Free-text and identifier columns kept as written (only trimmed); every other column is a code, upper-cased.
NOT_CODES = frozenset(
    {"CHILD", "UPN", "HOME_POST", "PL_POST", "URN", "LA_PERM", "SW_ID", "SDQ_SCORE", "NB_ADOPTR"}
)
#: Child-identifying columns dropped on reading: the pipeline never needs them and must not keep them.
DROPPED = frozenset({"UPN", "HOME_POST", "PL_POST"})
TEXT_ENCODINGS = ("utf-8-sig", "cp1252")


@dataclass
class Ssda903Return:
    """One collection year's SSDA903 tables (pseudonymised; ``source_file`` and ``source_row`` added) and findings."""

    collection_year: int | None
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    def table(self, name: str) -> pd.DataFrame:
        """The table, or an empty frame with its columns when the return had no such file."""
        if name in self.tables:
            return self.tables[name]
        columns = [c for c in COLUMNS[name] if c not in DROPPED]
        return pd.DataFrame(
            {c: pd.Series(dtype="datetime64[s]" if c in DATE_COLUMNS else "string") for c in columns}
        )


def heading_key(text: str) -> str:
    """A heading as DfE spells it: BOM and spaces stripped, upper case, inner spaces and hyphens as ``_``."""
    cleaned = text.replace("\ufeff", "").strip().upper()
    return "_".join(cleaned.replace("-", " ").split())


def recognise(headings: list[str]) -> str | None:
    """The SSDA903 table whose signature headings are all present (the most specific if several); else ``None``."""
    keys = {heading_key(h) for h in headings}
    matches = [name for name, signature in SIGNATURES.items() if signature <= keys]
    return max(matches, key=lambda name: len(SIGNATURES[name])) if matches else None


def _decode(path: Path) -> str:
    raw = path.read_bytes()
    for encoding in TEXT_ENCODINGS:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def read_rows(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The headings and the non-blank rows of a CSV file, each row with its line number in the file (1-based)."""
    reader = csv.reader(io.StringIO(_decode(path), newline=""))
    headings: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    for values in reader:
        if not any(v.strip() for v in values):
            continue
        if headings is None:
            headings = values
            continue
        rows.append((reader.line_num, values))
    return headings or [], rows


def read_table(path: Path, key: bytes) -> tuple[str | None, pd.DataFrame, list[Finding]]:
    """Read one CSV file: which table it is, its rows (DfE's columns, pseudonymised, parsed) and its findings.

    Notes
    -----
    Blank mandatory fields and dates that do not parse are findings (file, row, child, field), and the cell is
    read as missing; an unknown file is a note and is not read.
    """
    headings, rows = read_rows(path)
    name = recognise(headings)
    if name is None:
        return (
            None,
            pd.DataFrame(),
            [Finding(NOTE, str(path), "not an SSDA903 table (headings not recognised)")],
        )
    keys = [heading_key(h) for h in headings]
    wanted = [c for c in COLUMNS[name] if c in keys and c not in DROPPED]
    position = {c: keys.index(c) for c in wanted}
    records = {
        c: [values[position[c]].strip() if position[c] < len(values) else "" for _, values in rows]
        for c in wanted
    }
    frame = pd.DataFrame(records, dtype="string")
    frame["source_row"] = pd.Series([line for line, _ in rows], dtype="Int64")
    frame["source_file"] = pd.Series([str(path)] * len(rows), dtype="string")
    findings: list[Finding] = []
    child = pseudonymise_ids(frame["CHILD"].where(frame["CHILD"] != ""), key)
    for column in wanted:
        values = frame[column]
        blank = values.eq("")
        if column in MANDATORY.get(name, ()):
            for index in blank[blank].index:
                findings.append(
                    Finding(
                        WARNING, str(path), f"the {name} table's {column} is blank", int(frame.at[index, "source_row"]),
                        child.iloc[index], column, "mandatory",
                    )
                )  # fmt: skip
        if column in DATE_COLUMNS:
            dates, unparseable = parse_dates(values.where(~blank))
            for index in unparseable[unparseable].index:
                findings.append(
                    Finding(
                        WARNING, str(path), f"'{values.iloc[index]}' is not a date (dd/mm/yyyy)",
                        int(frame.at[index, "source_row"]), child.iloc[index], column, "date",
                    )
                )  # fmt: skip
            frame[column] = dates
        elif column == "SW_ID":
            frame[column] = pseudonymise_ids(values.where(~blank), key, prefix="W")
        elif column not in NOT_CODES:
            frame[column] = values.str.upper().where(~blank)
        else:
            frame[column] = values.where(~blank)
    frame["CHILD"] = child
    missing_columns = [c for c in COLUMNS[name] if c not in keys and c not in DROPPED]
    if missing_columns:
        findings.append(
            Finding(NOTE, str(path), f"{name} table without the columns {', '.join(missing_columns)}")
        )
        for column in missing_columns:
            frame[column] = pd.Series(pd.NaT if column in DATE_COLUMNS else pd.NA, index=frame.index)
            if column in DATE_COLUMNS:
                frame[column] = frame[column].astype("datetime64[s]")
            else:
                frame[column] = frame[column].astype("string")
    return name, frame, findings


def read_ssda903_folder(folder: Path, key: bytes, collection_year: int | None) -> Ssda903Return:
    """Read every CSV file of one collection year's SSDA903 return (a folder; files recognised by headings).

    Two files of the same table are stacked (a council may split episodes by team). An episodes file without a
    header file is an error finding and the year's return is not used: the children's dates of birth, which the
    age-related measures need, are in the header (DfE's return is the header with its linked tables).
    """
    result = Ssda903Return(collection_year)
    parts: dict[str, list[pd.DataFrame]] = {}
    for path in sorted(Path(folder).iterdir()):
        if not path.is_file() or path.suffix.lower() not in {".csv", ".txt"}:
            continue
        name, frame, findings = read_table(path, key)
        result.findings.extend(findings)
        if name is not None:
            parts.setdefault(name, []).append(frame)
            logger.debug("%s: SSDA903 %s table, %d rows", path, name, len(frame))
    result.tables = {name: pd.concat(frames, ignore_index=True) for name, frames in parts.items()}
    if result.tables and "header" not in result.tables:
        tables = ", ".join(sorted(result.tables))
        result.findings.append(
            Finding(
                ERROR, str(folder), f"SSDA903 tables ({tables}) without a header file: the return is not used"
            )
        )
        result.tables = {}
    if result.tables and collection_year is None:
        result.findings.append(
            Finding(ERROR, str(folder), "cannot tell the collection year: name the folder like 2014-15")
        )
        result.tables = {}
    if result.tables:
        result.findings.extend(_linkage_findings(result))
    return result


def _linkage_findings(result: Ssda903Return) -> list[Finding]:
    """Children in a linked table who are not in the header (the header lists every child the return holds)."""
    header_children = set(result.table("header")["CHILD"].dropna())
    findings: list[Finding] = []
    for name in ("episodes", "oc3", "ad1", "missing", "uasc"):
        table = result.tables.get(name)
        if table is None:
            continue
        orphans = table.loc[table["CHILD"].notna() & ~table["CHILD"].isin(header_children)]
        for _, row in orphans.head(20).iterrows():
            findings.append(
                Finding(
                    WARNING, str(row["source_file"]), f"child in the {name} table but not in the header",
                    int(row["source_row"]), row["CHILD"], "CHILD", "linkage",
                )
            )  # fmt: skip
    return findings
