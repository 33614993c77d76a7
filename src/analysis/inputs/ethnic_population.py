"""Read ONS Census 2021 population by ethnic group for one area, and map DfE ethnicity codes to the same groups.

The disproportionality of a topic's children (:func:`analysis.methods.topic_analyses.disproportionality`) compares
the share of each ethnic group among them with the group's share of the authority's population. Census 2021 gives
the population by ethnic group for upper-tier local authorities for ALL AGES only (table TS021, 20 categories), so
the comparison is against all residents, not children; the report says so.

Notes
-----
File: ONS, Census 2021, "Ethnic group (20 categories)" by 2023 upper-tier local authority, as downloaded from
ONS's "Create a custom dataset" service (columns ``2023 Upper tier local authorities Code``, ``... Ethnic group
(20 categories) Code``, ``Observation``); the real file is ``../shared/data/ons/ons-ethnic-population-la.csv``.
Open Government Licence v3.0.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from analysis.errors import InputDataError

logger = logging.getLogger(__name__)

#: The five major ethnic groups both sources can be put in, in the order reports list them.
ETHNIC_GROUPS = ("White", "Mixed", "Asian", "Black", "Other")
#: The group of children whose ethnicity is refused or not yet obtained (not in the population's shares).
NOT_KNOWN = "Not known"
#: Census 2021 20-category codes by major group (-8 "Does not apply" is dropped; it holds no one).
ONS_GROUPS = {
    **dict.fromkeys(range(1, 6), "Asian"),
    **dict.fromkeys(range(6, 9), "Black"),
    **dict.fromkeys(range(9, 13), "Mixed"),
    **dict.fromkeys(range(13, 18), "White"),
    **dict.fromkeys(range(18, 20), "Other"),
}


def ethnic_group(code: object) -> str:
    """The major ethnic group of a DfE ethnicity code (CIN census and SSDA903): ``WBRI`` -> ``White``.

    Notes
    -----
    DfE codes begin with their group's letter (W, M, A, B; OOTH other); ``CHNE`` (Chinese) is put with Asian, as
    Census 2021 classifies it, so that both sides of the comparison use the same groups (DfE's own tables put
    Chinese under "Other ethnic groups"). ``REFU``, ``NOBT`` and a missing code are "Not known".
    """
    if not isinstance(code, str) or not code:
        return NOT_KNOWN
    text = code.strip().upper()
    if text == "CHNE":
        return "Asian"
    if text in {"REFU", "NOBT"}:
        return NOT_KNOWN
    return {"W": "White", "M": "Mixed", "A": "Asian", "B": "Black", "O": "Other"}.get(text[:1], NOT_KNOWN)


def read_ethnic_population(path: Path, area_code: str) -> pd.DataFrame:
    """The population of one area by major ethnic group, Census 2021, all ages.

    Parameters
    ----------
    path
        The ONS file (one row per area and 20-category ethnic group).
    area_code
        The authority's ONS code (``config.authority.ons_code``).

    Returns
    -------
    pandas.DataFrame
        ``ethnic_group`` (:data:`ETHNIC_GROUPS`, in that order) and ``population`` (residents of all ages).

    Raises
    ------
    InputDataError
        No such file, a file without the area, code and observation columns, a count that is not a number, or no
        rows for ``area_code``.
    """
    path = Path(path)
    if not path.is_file():
        raise InputDataError(path, "file not found", expected="ONS Census 2021 population by ethnic group")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    area = next((c for c in frame.columns if c.strip().endswith("Code") and "Ethnic" not in c), None)
    group = next((c for c in frame.columns if "Ethnic group" in c and c.strip().endswith("Code")), None)
    if area is None or group is None or "Observation" not in frame.columns:
        raise InputDataError(
            path,
            "not an ONS custom dataset of population by ethnic group",
            expected="columns '<areas> Code', 'Ethnic group (20 categories) Code' and 'Observation'",
        )
    rows = frame.loc[frame[area].str.strip() == area_code]
    if rows.empty:
        raise InputDataError(
            path, f"no rows for area {area_code}", column=area, expected=f"rows for {area_code}"
        )
    codes = pd.to_numeric(rows[group], errors="coerce")
    counts = pd.to_numeric(rows["Observation"], errors="coerce")
    bad = counts.isna() | codes.isna()
    if bad.any():
        label = bad[bad].index[0]
        raise InputDataError(
            path,
            f"value {rows.loc[label, 'Observation']!r} is not a count",
            row=int(label) + 2,
            column="Observation",
            expected="a whole number of residents",
        )
    groups = codes.astype(int).map(ONS_GROUPS)
    population = counts.groupby(groups).sum().reindex(list(ETHNIC_GROUPS), fill_value=0)
    logger.info("Read %s: population of %s by ethnic group (Census 2021, all ages)", path.name, area_code)
    return pd.DataFrame(
        {"ethnic_group": list(ETHNIC_GROUPS), "population": population.to_numpy(dtype="float64")}
    )
