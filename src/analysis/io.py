"""Reading and writing the processed tables: one place for file output, always atomic.

A write goes to a temporary file beside the target and is renamed into place, so a failure part-way never leaves
a half-written table where the last good one was.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from analysis.schemas import schema

logger = logging.getLogger(__name__)


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it onto ``target`` only if the block succeeds."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(handle)
    temporary_path = Path(temporary)
    try:
        yield temporary_path
        os.replace(temporary_path, target)
    finally:
        temporary_path.unlink(missing_ok=True)


def write_text(target: Path, text: str) -> None:
    """Write a text file atomically (UTF-8)."""
    with atomic_path(target) as temporary:
        temporary.write_text(text, encoding="utf-8")


def conform(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """Columns of ``frame`` in the schema's order and types; a missing or extra column is a programming error."""
    table_schema = schema(table)
    missing = [c for c in table_schema.column_names if c not in frame.columns]
    extra = [c for c in frame.columns if c not in table_schema.column_names]
    if missing or extra:
        raise ValueError(f"table {table!r} does not match its schema: missing {missing}, unexpected {extra}")
    out = frame.loc[:, table_schema.column_names].reset_index(drop=True)
    return out.astype({c.name: c.dtype for c in table_schema.columns})


def write_table(frame: pd.DataFrame, table: str, folder: Path) -> Path:
    """Write a processed table as ``<folder>/<table>.parquet``, conformed to its schema, atomically.

    The file is deterministic: the same frame gives the same bytes (no timestamps, fixed row-group size).
    """
    target = Path(folder) / f"{table}.parquet"
    arrow_table = pa.Table.from_pandas(conform(frame, table), preserve_index=False)
    with atomic_path(target) as temporary:
        pq.write_table(arrow_table, temporary, compression="zstd", row_group_size=1_000_000)
    logger.debug("Wrote %s (%d rows)", target.name, len(frame))
    return target


def read_table(table: str, folder: Path, columns: list[str] | None = None) -> pd.DataFrame:
    """Read a processed table written by :func:`write_table` (``FileNotFoundError`` names the stage to run)."""
    path = Path(folder) / f"{table}.parquet"
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist: run the stage that writes the '{table}' table first")
    return pd.read_parquet(path, columns=columns)
