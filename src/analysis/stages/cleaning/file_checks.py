"""Checks that a raw file is what it claims before any parser opens it (text, CSV, an .xlsx workbook, not a zip bomb).

Every file is untrusted: a file that is binary, not UTF-8, encrypted, an old .xls, damaged or built to expand far
beyond what a real workbook does is an :class:`InputDataError` naming it (exit 2), and nothing of its content is
quoted (a cell could identify a child).
"""

from __future__ import annotations

import codecs
import csv
import logging
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from analysis.errors import InputDataError

logger = logging.getLogger(__name__)

#: Bytes read at a time when checking a file's contents.
CSV_BLOCK_BYTES = 1 << 20
#: The first bytes of an OLE2 compound file: an encrypted .xlsx, or an Excel 97-2003 .xls.
OLE_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
#: The stream an encrypted Office file holds (MS-OFFCRYPTO 2.3.4, "EncryptionInfo Stream"), as its name is stored.
ENCRYPTION_STREAM = "EncryptionInfo".encode("utf-16-le")
#: What to do about a workbook that cannot be read.
SAVE_AGAIN = "a workbook that opens in Excel: save a fresh copy as Excel Workbook (.xlsx)"
#: The most a workbook's parts may expand to, all together (512 MiB). Why: the demo Annex A (27,215 contacts in
#: six months, a mid-sized authority) expands to 52 MB of XML; England's largest authorities have about five times
#: its contacts, so a real Annex A stays well under this, while reading more XML than this needs more memory than
#: an analyst's laptop has. A workbook declaring more is refused before any of it is expanded (a "zip bomb").
MAX_WORKBOOK_EXPANDED_BYTES = 512 * 1024 * 1024
#: The most any part of a workbook may expand by (uncompressed size / compressed size). Why: spreadsheet XML
#: compresses about 5 to 30 times (the demo's sheets 9 times); a zip bomb needs hundreds of times (Deflate's limit
#: is about 1,032). Parts smaller than :data:`RATIO_CHECKED_FROM_BYTES` are not judged by ratio (they cannot hurt).
MAX_COMPRESSION_RATIO = 100
RATIO_CHECKED_FROM_BYTES = 1024 * 1024


def error_reason(error: BaseException) -> str:
    """What went wrong, without quoting the file's content (a cell could identify a child)."""
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return type(error).__name__


def check_csv_text(path: Path, expected: str) -> None:
    """An error naming the file and ``expected`` unless ``path`` starts as comma-separated UTF-8 text.

    For files a library parses whole (the DfE open-data files): a binary file, a file that is not UTF-8, or text
    whose first line holds no comma (``/etc/passwd`` linked under a benchmark's name) is refused before parsing,
    and nothing of its content is quoted. A file linked from outside its folder is read, with a warning naming
    where it really is.
    """
    if path.is_symlink() and not path.exists():
        raise InputDataError(path, "the file is a link to a file that does not exist", expected=expected)
    if not path.is_file():
        raise InputDataError(path, "the file does not exist", expected=expected)
    real = path.resolve()
    if real.parent != path.parent.resolve():
        logger.warning("%s is a link to %s, outside its folder: read as it is", path, real)
    try:
        with path.open("rb") as handle:
            block = handle.read(CSV_BLOCK_BYTES)
    except OSError as error:
        raise InputDataError(
            path, f"the file cannot be read ({error_reason(error)})", expected=expected
        ) from None
    if b"\x00" in block:
        raise InputDataError(path, "the file holds binary data (NUL bytes), not text", expected=expected)
    if not block.strip():
        raise InputDataError(path, "the file is empty", expected=expected)
    try:
        text = codecs.getincrementaldecoder("utf-8-sig")().decode(block)
    except UnicodeDecodeError as error:
        raise InputDataError(
            path, f"the file is not UTF-8 text ({error.reason})", expected=expected
        ) from None
    lines = text.lstrip().splitlines()
    if not lines or "," not in lines[0]:
        raise InputDataError(
            path, "the file is not CSV: its first line holds no comma-separated headings", expected=expected
        )


def read_text_file(path: Path, expected: str) -> str:
    """The whole of a small text file (UTF-8, with or without BOM), or an error naming it and ``expected``.

    A file that cannot be opened (permissions, a dangling link), holds binary data or is not UTF-8 is an
    :class:`InputDataError` (exit 2), never a traceback; nothing of its content is quoted.
    """
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputDataError(
            path, f"the file cannot be read ({error_reason(error)})", expected=expected
        ) from None
    if b"\x00" in data[:CSV_BLOCK_BYTES]:
        raise InputDataError(path, "the file holds binary data (NUL bytes), not text", expected=expected)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputDataError(
            path, f"the file is not UTF-8 text ({error.reason})", expected=expected
        ) from None


@contextmanager
def reading_csv(path: Path, expected: str) -> Iterator[None]:
    """Turn a parser's failure on ``path`` into an :class:`InputDataError` naming it and ``expected`` (exit 2)."""
    try:
        yield
    except (OSError, csv.Error, pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise InputDataError(
            path, f"the file cannot be read as CSV ({error_reason(error)})", expected=expected
        ) from None


def check_workbook_file(path: Path) -> None:
    """An error naming the problem if ``path`` cannot be an .xlsx workbook: encrypted, an old .xls, or not one.

    Notes
    -----
    An .xlsx file is a zip archive (ECMA-376 Part 2); an encrypted one is an OLE2 compound file holding an
    ``EncryptionInfo`` stream (MS-OFFCRYPTO 2.3.4), as is, without that stream, an Excel 97-2003 workbook.
    """
    try:
        with path.open("rb") as handle:
            signature = handle.read(len(OLE_SIGNATURE))
            if signature == OLE_SIGNATURE:
                encrypted = False
                carry = b""
                while block := handle.read(CSV_BLOCK_BYTES):
                    if ENCRYPTION_STREAM in carry + block:
                        encrypted = True
                        break
                    carry = block[-len(ENCRYPTION_STREAM) :]
    except OSError as error:
        raise InputDataError(path, f"the file cannot be read ({error_reason(error)})") from None
    if signature == OLE_SIGNATURE and encrypted:
        raise InputDataError(
            path,
            "the workbook is encrypted (protected by a password), so it cannot be read",
            expected="the workbook saved without a password (in Excel: File, Info, Protect Workbook, "
            "Encrypt with Password, clear the password, save)",
        )
    if signature == OLE_SIGNATURE:
        raise InputDataError(
            path, "the file is an Excel 97-2003 (.xls) workbook, not an .xlsx workbook", expected=SAVE_AGAIN
        )
    if not signature.startswith(b"PK"):
        raise InputDataError(path, "the file is not an Excel workbook", expected=SAVE_AGAIN)
    check_workbook_sizes(path)


def check_workbook_sizes(path: Path) -> None:
    """An error naming the file (and part) if the workbook would expand beyond what a real one does: a zip bomb.

    Checked before any reader opens it: first the sizes each part declares in the zip's central directory
    (total :data:`MAX_WORKBOOK_EXPANDED_BYTES`, ratio :data:`MAX_COMPRESSION_RATIO`), then every part is expanded
    once in blocks and counted, so that a part whose declared size lies is caught too (Python's zip reader stops
    at the declared size and the part's CRC-32 then fails), in at most one block of memory.

    Notes
    -----
    ECMA-376 Part 2 (Open Packaging Conventions): an .xlsx file is a zip archive; APPNOTE.TXT 4.3.12 (central
    directory: compressed and uncompressed sizes, CRC-32). Python's ``zipfile`` documentation warns of
    decompression bombs ("Decompression pitfalls").
    """
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
            _check_declared_sizes(path, parts)
            for part in parts:
                with archive.open(part) as stream:
                    expanded = 0
                    while block := stream.read(CSV_BLOCK_BYTES):
                        expanded += len(block)
                        if expanded > part.file_size:  # defensive: zipfile itself stops at the declared size
                            raise _expands_too_far(
                                path, f"its part '{part.filename}' expands beyond its declared size"
                            )
    except InputDataError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, ValueError) as error:
        raise InputDataError(
            path,
            f"the workbook is damaged and cannot be opened ({type(error).__name__})",
            expected=SAVE_AGAIN,
        ) from None
    except OSError as error:
        raise InputDataError(path, f"the file cannot be read ({error_reason(error)})") from None


def _check_declared_sizes(path: Path, parts: list[zipfile.ZipInfo]) -> None:
    total = sum(part.file_size for part in parts)
    if total > MAX_WORKBOOK_EXPANDED_BYTES:
        biggest = max(parts, key=lambda part: part.file_size)
        raise _expands_too_far(
            path,
            f"it would expand to {_mebibytes(total)} ('{biggest.filename}' alone to "
            f"{_mebibytes(biggest.file_size)}), more than the {_mebibytes(MAX_WORKBOOK_EXPANDED_BYTES)} a real "
            "workbook needs",
        )
    for part in parts:
        if part.file_size < RATIO_CHECKED_FROM_BYTES:
            continue
        ratio = part.file_size / max(part.compress_size, 1)
        if ratio > MAX_COMPRESSION_RATIO:
            raise _expands_too_far(
                path,
                f"its part '{part.filename}' would expand {ratio:,.0f} times, to {_mebibytes(part.file_size)}, "
                f"where spreadsheet data expands at most {MAX_COMPRESSION_RATIO} times",
            )


def _mebibytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.0f} MiB"


def _expands_too_far(path: Path, how_far: str) -> InputDataError:
    return InputDataError(
        path,
        f"the workbook is refused unread: {how_far} (a damaged or malicious file, a 'zip bomb')",
        expected=SAVE_AGAIN + ", with only the data the pipeline needs",
    )
