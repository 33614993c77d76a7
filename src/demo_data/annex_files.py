"""The Annex A lists written as files: the ``annex_a.xlsx`` workbook, or one CSV file per list for large extracts.

The workbook's bytes do not depend on the clock (fixed document dates and zip timestamps), so the same seed gives
the same file. As a case system's own export might, List 4 has a blank row above its header and List 7 keeps
earlier heading wordings.
"""

from __future__ import annotations

import re
import zipfile
from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd
from openpyxl import Workbook

from analysis.inputs.annex_a import ANNEX_A_LISTS, AnnexAList

FIXED_TIMESTAMP = datetime(2015, 7, 10, 9, 0, 0)


#: Earlier wordings on List 7 (read through the alias table), as a case system's own export might keep them.
HEADING_VARIANTS = {7: {"Child Unique ID": "Child ID", "Date of Birth": "DOB"}}


BLANK_ROW_ABOVE_HEADER = {4}


def _headings(spec: AnnexAList, frame: pd.DataFrame) -> list[str]:
    variants = HEADING_VARIANTS.get(spec.number, {})
    return [variants.get(str(h), str(h)) for h in frame.columns]


def write_workbook(frames: dict[int, pd.DataFrame], path: Path, cover: list[list[object]]) -> Path:
    """``annex_a.xlsx``: a ``Cover`` sheet, then ``List 1`` ... ``List 11``.

    openpyxl writes the workbook (cover, styles, sheet names); the list sheets' XML is then written directly,
    because openpyxl takes about 30 seconds for the 900,000 cells of a scale-1 extract.
    """
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Cover")
    for row in cover:
        sheet.append(row)
    sheets: dict[str, bytes] = {}
    for position, spec in enumerate(ANNEX_A_LISTS, start=2):
        book.create_sheet(spec.sheet)
        frame = frames[spec.number]
        first = 2 if spec.number in BLANK_ROW_ABOVE_HEADER else 1
        header = pd.DataFrame([_headings(spec, frame)], columns=frame.columns)
        sheets[f"xl/worksheets/sheet{position}.xml"] = _sheet_xml(pd.concat([header, frame]), first)
    save_workbook(book, path, sheets)
    return path


def _column_letters(count: int) -> list[str]:
    letters = []
    for n in range(1, count + 1):
        name, rest = "", n
        while rest:
            rest, remainder = divmod(rest - 1, 26)
            name = chr(65 + remainder) + name
        letters.append(name)
    return letters


def _cell_xml(reference: str, value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, datetime):
        serial = (value - datetime(1899, 12, 30)).days
        return f'<c r="{reference}" s="1"><v>{serial}</v></c>'
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return f'<c r="{reference}"><v>{value}</v></c>'
    return f'<c r="{reference}" t="inlineStr"><is><t xml:space="preserve">{escape(str(value))}</t></is></c>'


def _sheet_xml(frame: pd.DataFrame, first_row: int) -> bytes:
    """The worksheet XML of a table (header first), starting at ``first_row``."""
    letters = _column_letters(frame.shape[1])
    columns = [frame[c].to_numpy(dtype=object) for c in frame.columns]
    parts = ['<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>']
    for offset, row in enumerate(zip(*columns, strict=True)):
        number = first_row + offset
        cells = "".join(
            _cell_xml(f"{letter}{number}", value) for letter, value in zip(letters, row, strict=True)
        )
        parts.append(f'<row r="{number}">{cells}</row>')
    parts.append("</sheetData></worksheet>")
    return "".join(parts).encode("utf-8")


def save_workbook(book: Workbook, path: Path, sheets: dict[str, bytes] | None = None) -> None:
    """Save with fixed document dates and zip timestamps (same content, same bytes), replacing sheets' XML if given."""
    sheets = sheets or {}
    book.properties.created = FIXED_TIMESTAMP
    book.properties.modified = FIXED_TIMESTAMP
    book.properties.creator = "demo-data (synthetic)"
    temporary = path.with_name(f".{path.name}.tmp")
    book.save(temporary)
    stable = path.with_name(f".{path.name}.stable.tmp")
    with zipfile.ZipFile(temporary) as source, zipfile.ZipFile(stable, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2015, 7, 10, 9, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            content = sheets.get(info.filename, source.read(info.filename))
            if info.filename == "docProps/core.xml":
                # openpyxl stamps the save time as "modified": pin it so the bytes do not depend on the clock.
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2015-07-10T09:00:00Z", content)
            target.writestr(fixed, content, compresslevel=1)
    temporary.unlink()
    stable.replace(path)


def write_csvs(frames: dict[int, pd.DataFrame], folder: Path, cover: list[list[object]]) -> list[Path]:
    """``annex_a/List_1.csv`` ... ``List_11.csv`` (UTF-8) and ``annex_a/cover.txt``, for large extracts."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    cover_path = folder / "cover.txt"
    cover_path.write_text(
        "\n".join(" ".join(str(v.date() if isinstance(v, datetime) else v) for v in row) for row in cover)
        + "\n",
        encoding="utf-8",
    )
    written.append(cover_path)
    for spec in ANNEX_A_LISTS:
        path = folder / spec.csv_name
        frame = frames[spec.number].copy()
        frame.columns = _headings(spec, frame)
        with path.open("w", encoding="utf-8", newline="") as handle:
            if spec.number in BLANK_ROW_ABOVE_HEADER:
                handle.write("\n")
            frame.to_csv(handle, index=False)
        written.append(path)
    return written
