"""Hostile input files built in the tests: an .xlsx "zip bomb" whose sheet XML expands to gigabytes.

The bomb is a real workbook (openpyxl's parts) whose first sheet's XML is a long run of identical rows. It is
written by hand (APPNOTE.TXT 4.3: local headers, central directory, end record) from one compressed block repeated:
after a full flush Deflate forgets its history, so each repetition's compressed bytes are the same and the file is
built in seconds without compressing gigabytes.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

#: One row of the bomb's sheet: an inline text cell and a number.
BOMB_ROW = b'<row><c t="inlineStr"><is><t>x</t></is></c><c><v>1</v></c></row>'
#: Rows compressed at a time (4 MiB of XML; Deflate stores it in about 12 KB).
BLOCK = BOMB_ROW * (1 << 16)
SHEET_PART = "xl/worksheets/sheet1.xml"
_HEAD = b'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
_TAIL = b"</sheetData></worksheet>"


def _raw_deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def _bomb_sheet(blocks: int) -> tuple[Iterator[bytes], int, int, int]:
    """The compressed chunks of the sheet, its CRC-32, compressed size and expanded size."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = compressor.compress(_HEAD) + compressor.flush(zlib.Z_FULL_FLUSH)
    repeated = compressor.compress(BLOCK) + compressor.flush(zlib.Z_FULL_FLUSH)
    tail = compressor.compress(_TAIL) + compressor.flush()
    crc = zlib.crc32(_HEAD)
    for _ in range(blocks):
        crc = zlib.crc32(BLOCK, crc)
    crc = zlib.crc32(_TAIL, crc)

    def chunks() -> Iterator[bytes]:
        yield head
        for _ in range(blocks):
            yield repeated
        yield tail

    size = len(_HEAD) + blocks * len(BLOCK) + len(_TAIL)
    return chunks(), crc, len(head) + blocks * len(repeated) + len(tail), size


def write_zip_bomb(
    path: Path, expanded_bytes: int, *, sheet: str = "List 1", declared: int | None = None
) -> Path:
    """A workbook at ``path`` whose sheet ``sheet`` expands to about ``expanded_bytes`` (under 4 GiB: no Zip64).

    ``declared`` writes that expanded size in the headers instead of the true one (a lying zip).
    """
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.title = sheet
    workbook.active["A1"] = "placeholder"
    buffer = io.BytesIO()
    workbook.save(buffer)
    with zipfile.ZipFile(buffer) as template:
        parts = [(info.filename, template.read(info)) for info in template.infolist()]
    blocks = max(1, expanded_bytes // len(BLOCK))
    central = []
    offset = 0
    with path.open("wb") as out:
        for name, data in parts:
            if name == SHEET_PART:
                chunks, crc, stored, size = _bomb_sheet(blocks)
            else:
                compressed = _raw_deflate(data)
                chunks, crc, stored, size = iter([compressed]), zlib.crc32(data), len(compressed), len(data)
            size = size if declared is None or name != SHEET_PART else declared
            encoded = name.encode()
            fields = (20, 0, 8, 0, 0x21, crc, stored, size, len(encoded), 0)
            out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields) + encoded)
            for chunk in chunks:
                out.write(chunk)
            central.append(
                struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, *fields, 0, 0, 0, 0, offset) + encoded
            )
            offset = out.tell()
        directory = b"".join(central)
        out.write(directory)
        out.write(
            struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(parts), len(parts), len(directory), offset, 0)
        )
    return path


def add_sheet_copy(path: Path, source: str, name: str, *, keep_rows: int | None = None) -> Path:
    """Add to the workbook at ``path`` a copy of its sheet ``source`` called ``name`` (e.g. ``"List 1 "``).

    The parts are copied as they are (no spreadsheet library: the demo Annex A is 52 MB of XML); ``keep_rows``
    keeps only the copy's first rows, as a stray sheet of a partial extract would.
    """
    import re

    with zipfile.ZipFile(path) as original:
        parts = {info.filename: original.read(info) for info in original.infolist()}
    workbook = parts["xl/workbook.xml"].decode()
    relations = parts["xl/_rels/workbook.xml.rels"].decode()
    source_id = re.search(rf'<sheet name="{re.escape(source)}" sheetId="\d+"[^>]*r:id="(\w+)"', workbook)
    assert source_id, f"no sheet {source!r}"
    target = re.search(rf'Target="/?(xl/worksheets/[^"]+)" Id="{source_id[1]}"', relations)
    assert target, f"no part for {source!r}"
    sheet_xml = parts[target[1]]
    if keep_rows is not None:
        rows = re.findall(rb"<row\b.*?</row>", sheet_xml, flags=re.DOTALL)
        start, end = sheet_xml.index(b"<sheetData>") + len(b"<sheetData>"), sheet_xml.index(b"</sheetData>")
        sheet_xml = sheet_xml[:start] + b"".join(rows[: keep_rows + 1]) + sheet_xml[end:]
    number = len(re.findall(r"<sheet ", workbook)) + 1
    part = f"xl/worksheets/sheet{number}.xml"
    parts[part] = sheet_xml
    parts["xl/workbook.xml"] = workbook.replace(
        "</sheets>",
        f'<sheet name="{name}" sheetId="{number}" state="visible" r:id="rIdCopy{number}" /></sheets>',
    ).encode()
    parts["xl/_rels/workbook.xml.rels"] = relations.replace(
        "</Relationships>",
        '<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        f'Target="/{part}" Id="rIdCopy{number}" /></Relationships>',
    ).encode()
    types = parts["[Content_Types].xml"].decode()
    parts["[Content_Types].xml"] = types.replace(
        "</Types>",
        f'<Override PartName="/{part}" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.worksheet+xml" /></Types>',
    ).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as rewritten:
        for part_name, data in parts.items():
            rewritten.writestr(part_name, data)
    return path


def edit_sheet_xml(path: Path, sheet: str, edit: Callable[[bytes], bytes]) -> Path:
    """Rewrite the XML of the workbook's sheet ``sheet`` with ``edit`` (bytes in, bytes out), other parts as they are."""
    import re

    with zipfile.ZipFile(path) as original:
        parts = {info.filename: original.read(info) for info in original.infolist()}
    workbook = parts["xl/workbook.xml"].decode()
    relations = parts["xl/_rels/workbook.xml.rels"].decode()
    sheet_id = re.search(rf'<sheet name="{re.escape(sheet)}" sheetId="\d+"[^>]*r:id="(\w+)"', workbook)
    assert sheet_id, f"no sheet {sheet!r}"
    target = re.search(rf'Target="/?(xl/worksheets/[^"]+)" Id="{sheet_id[1]}"', relations)
    assert target, f"no part for {sheet!r}"
    parts[target[1]] = edit(parts[target[1]])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as rewritten:
        for part_name, data in parts.items():
            rewritten.writestr(part_name, data)
    return path
