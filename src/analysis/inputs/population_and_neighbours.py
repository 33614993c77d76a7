"""Read the child population (the rates' denominator) and DfE's statistical neighbours (the comparators)."""

from __future__ import annotations

import csv
import logging
import math
import re
from pathlib import Path

import pandas as pd

from analysis.errors import InputDataError
from analysis.inputs.ees import read_ees_file

logger = logging.getLogger(__name__)


def read_population_file(path: Path) -> pd.DataFrame:
    """Read ONS mid-year estimates of children aged 0 to 17 (EES format) as the ``population`` table.

    Returns
    -------
    pandas.DataFrame
        Columns of the ``population`` schema; ``time_period`` is the mid-year of the estimate (2014 = mid-2014).

    Raises
    ------
    InputDataError
        As :func:`analysis.inputs.ees.read_ees_file`, or when the file has no population column or more than one.

    Notes
    -----
    ONS mid-year population estimates as DfE republishes them for children's social care rates: rates per 10,000
    at 31 March of year Y divide by the estimate for mid-year Y-1 (DfE, CIN census methodology).
    """
    path = Path(path)
    tidy = read_ees_file(path, "population")
    measures = tidy["measure"].unique().tolist()
    chosen = [m for m in measures if "population" in m.lower()] or measures
    if len(chosen) != 1:
        raise InputDataError(
            path,
            f"cannot tell which column is the population ({', '.join(measures)})",
            column=measures[0],
            expected="one measure column named like population_estimate",
        )
    rows = tidy.loc[tidy["measure"] == chosen[0]].reset_index(drop=True)
    columns = ["time_period", "geographic_level", "area_code", "old_la_code", "area_name"]
    return rows.loc[:, columns].assign(population=rows["value"])


NEIGHBOUR_COLUMNS = [
    "old_la_code",
    "la_name",
    "neighbour_rank",
    "neighbour_old_la_code",
    "closeness",
    "model",
]


def read_neighbour_model(path: Path) -> pd.DataFrame:
    """Read DfE's statistical neighbour file, in its 2025 or its April 2021 layout, as one row per neighbour.

    Layouts
    -------
    2025 model (``sn_model_2025_wide.csv``): ``old_la_code, la_name, region_ind, region_name, SN_1, SN_1P, ...,
    SN_10, SN_10P`` (closeness in ``SN_nP``), UTF-8 with a byte-order mark. April 2021 groupings
    (``New_Statistical_Neighbour_Groupings_April_2021.csv``): ``LA num, LA Name, LA number, GOInd, GOReg, SN1, SNP,
    SN2, SNP, ...`` (the closeness heading ``SNP`` repeated after each neighbour), a trailing comma on some rows, a
    note row ("Old SNs:") before the authorities that no longer exist.

    Returns
    -------
    pandas.DataFrame
        ``old_la_code`` (the authority), ``la_name``, ``neighbour_rank`` (1 = closest), ``neighbour_old_la_code``,
        ``closeness`` (e.g. "Very close") and ``model`` (the file name).

    Raises
    ------
    InputDataError
        Missing file, empty file, a header of neither layout, or a code that is not a whole number (with its row
        and column).

    Notes
    -----
    DfE, "Children's services statistical neighbour benchmarking tool" (2025 model; April 2021 groupings). LAIT
    takes an authority's ten neighbours from this file (dfe-analytical-services/local-authority-interactive-tool,
    01_data/02_prod/sn_may_2025.xlsx).
    """
    path = Path(path)
    if not path.is_file():
        raise InputDataError(path, "file not found", expected="DfE's statistical neighbour file")
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
    except UnicodeDecodeError as error:
        raise InputDataError(path, f"not UTF-8 text ({error.reason})", expected="a UTF-8 CSV file") from None
    if not rows:
        raise InputDataError(path, "the file is empty", expected="a header row and one row per authority")
    header = [h.strip() for h in rows[0]]
    if "old_la_code" in header:
        key, name_column, pattern = "old_la_code", "la_name", r"SN_(\d+)"
    elif "LA num" in header:
        key, name_column, pattern = "LA num", "LA Name", r"SN(\d+)"
    else:
        raise InputDataError(
            path,
            "neither DfE layout: no 'old_la_code' (2025 model) nor 'LA num' (2021 groupings) column",
            row=1,
            column=header[0] if header else None,
            expected="the header of sn_model_2025_wide.csv or New_Statistical_Neighbour_Groupings_April_2021.csv",
        )
    key_at = header.index(key)
    name_at = header.index(name_column) if name_column in header else None
    neighbour_columns = sorted(
        ((int(m[1]), i) for i, h in enumerate(header) if (m := re.fullmatch(pattern, h))), key=lambda p: p[0]
    )
    if not neighbour_columns:
        first = "SN_1" if key == "old_la_code" else "SN1"
        raise InputDataError(
            path, f"no {first}, ... columns", row=1, column=first, expected="DfE's neighbour columns"
        )

    def code(cell: str, row: int, column: str) -> int:
        try:
            value = float(cell)
        except ValueError:
            raise InputDataError(
                path, f"{cell!r} is not an LA code", row=row, column=column, expected="a number"
            ) from None
        if not math.isfinite(value) or value != int(value):
            raise InputDataError(
                path, f"{cell!r} is not an LA code", row=row, column=column, expected="a whole number"
            )
        return int(value)

    records = []
    for number, row in enumerate(rows[1:], start=2):
        if len(row) <= key_at or not row[key_at].strip():
            # Blank rows and notes such as "Old SNs:" (the pre-2019/2021 authorities that follow are kept).
            continue
        authority = code(row[key_at].strip(), number, key)
        name = row[name_at].strip() if name_at is not None and name_at < len(row) else ""
        for rank, at in neighbour_columns:
            if at < len(row) and row[at].strip():
                closeness = row[at + 1].strip() if at + 1 < len(row) else ""
                records.append(
                    (authority, name, rank, code(row[at].strip(), number, header[at]), closeness, path.name)
                )
    frame = pd.DataFrame.from_records(records, columns=NEIGHBOUR_COLUMNS)
    logger.info(
        "Read %s: statistical neighbours of %d authorities", path.name, frame["old_la_code"].nunique()
    )
    return frame.astype(
        {
            "old_la_code": "Int64",
            "la_name": "str",
            "neighbour_rank": "int64",
            "neighbour_old_la_code": "Int64",
            "closeness": "str",
            "model": "str",
        }
    )


def neighbours_of(model: pd.DataFrame, old_la_code: int) -> list[int]:
    """An authority's statistical neighbours (old LA codes), closest first; empty if the model does not list it."""
    rows = model.loc[model["old_la_code"].eq(old_la_code).fillna(False)].sort_values("neighbour_rank")
    return [int(c) for c in rows["neighbour_old_la_code"]]


def read_statistical_neighbours(path: Path) -> dict[int, list[int]]:
    """Each authority's old LA code -> its neighbours, closest first, from either DfE layout.

    Notes
    -----
    See :func:`read_neighbour_model` for the two layouts and the source.
    """
    model = read_neighbour_model(path)
    return {int(a): neighbours_of(model, int(a)) for a in model["old_la_code"].unique()}
