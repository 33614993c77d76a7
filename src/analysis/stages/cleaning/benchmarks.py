"""Reading the published benchmark files (DfE Explore Education Statistics open data) and the population file.

The files are parsed by :mod:`analysis.inputs.ees` as ``config/benchmarks.yml`` describes them (each measure's column,
filter values and count); this module finds them (the newest match of each publication's glob), checks that each
is CSV text (:func:`analysis.stages.cleaning.file_checks.check_csv_text`: a binary file, or a link to something else under a
configured name, is an error naming the file and what was expected), covers the configured authority and records
them. DfE's statistical neighbour model named there is read into the
``statistical_neighbours`` table.

Notes
-----
DfE, "Open data standards" for EES files (``time_period``, ``geographic_level``, ``old_la_code``,
``new_la_code``); ONS mid-year population estimates.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from analysis.config import ProjectConfig
from analysis.errors import InputDataError
from analysis.schemas import schema
from analysis.stages.cleaning.file_checks import check_csv_text, reading_csv
from analysis.stages.cleaning.log import CleaningLog
from analysis.stages.cleaning.reading import relative_name

logger = logging.getLogger(__name__)

LOCAL_AUTHORITY = "Local authority"
#: What each kind of file must be, for the message when it is not.
EXPECTED_EES_FILE = (
    "a DfE Explore Education Statistics open-data file (CSV text, UTF-8, headings in the first line)"
)
EXPECTED_NEIGHBOUR_FILE = "DfE's statistical neighbour file (CSV text, UTF-8, headings in the first line)"


def newest_match(folder: Path, pattern: str) -> Path | None:
    """The last file matching ``pattern`` in name order (names carry the years: ``..._2013_to_2025.csv``)."""
    matches = sorted(p for p in folder.glob(pattern) if p.is_file())
    if len(matches) > 1:
        logger.info("%d files match %s: using %s", len(matches), pattern, matches[-1].name)
    return matches[-1] if matches else None


def check_covers_authority(frame: pd.DataFrame, path: Path, config: ProjectConfig) -> None:
    """Raise :class:`InputDataError` if no local-authority row is the configured authority's."""
    authority = config.authority
    local = frame.loc[frame["geographic_level"] == LOCAL_AUTHORITY]
    ours = local["old_la_code"].eq(authority.old_la_code).fillna(False) | local["area_code"].eq(
        authority.ons_code
    ).fillna(False)
    if not bool(ours.any()):
        raise InputDataError(
            path,
            f"no local-authority rows for {authority.name}",
            column="old_la_code",
            expected=f"rows with old_la_code {authority.old_la_code} or new_la_code {authority.ons_code} "
            "(is this a file for another set of authorities?)",
        )


def clean_benchmarks(
    raw_dir: Path, config: ProjectConfig, log: CleaningLog
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ``benchmarks`` and ``population`` tables from ``raw_dir/<benchmarks folder>``.

    A publication with no file is a warning (its indicators go without benchmarks); a missing population file
    is also a warning (rates per 10,000 cannot then be computed locally).
    """
    from analysis.inputs.ees_publications import read_publication
    from analysis.inputs.population_and_neighbours import read_population_file

    folder = raw_dir / config.benchmarks.folder
    frames = []
    for publication, entry in sorted(config.benchmarks.publications.items()):
        path = newest_match(folder, entry.file)
        if path is None:
            logger.warning(
                "No file for benchmark publication '%s' (%s in %s)", publication, entry.file, folder
            )
            continue
        check_csv_text(path, EXPECTED_EES_FILE)
        with reading_csv(path, EXPECTED_EES_FILE):
            frame = read_publication(path, publication, entry)
        if entry.local_authority_rows:
            check_covers_authority(frame, path, config)
        frames.append(frame)
        log.source(
            "benchmarks", relative_name(path, raw_dir), None, rows_read=len(frame), rows_written=len(frame)
        )
    columns = schema("benchmarks").column_names
    benchmarks = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
    benchmarks = _dedupe_sorted(benchmarks, "benchmarks", log)

    path = newest_match(raw_dir, config.authority.population_file)
    if path is None:
        logger.warning("No population file matching %s in %s", config.authority.population_file, raw_dir)
        population = pd.DataFrame(columns=schema("population").column_names)
    else:
        check_csv_text(path, EXPECTED_EES_FILE)
        with reading_csv(path, EXPECTED_EES_FILE):
            population = read_population_file(path)
        check_covers_authority(population, path, config)
        log.source(
            "population",
            relative_name(path, raw_dir),
            None,
            rows_read=len(population),
            rows_written=len(population),
        )
    population = _dedupe_sorted(population, "population", log)
    return benchmarks, population


def _dedupe_sorted(frame: pd.DataFrame, table: str, log: CleaningLog) -> pd.DataFrame:
    from analysis.io import conform

    frame = conform(frame, table)
    key = list(schema(table).natural_key)
    rows_read = len(frame)
    frame = frame.sort_values(key, kind="stable", na_position="first")
    repeated = frame.duplicated(subset=key, keep="first")
    frame = frame.loc[~repeated].reset_index(drop=True)
    log.fix(
        table, "duplicates.natural_key", "Rows repeating area, year and measure removed", int(repeated.sum())
    )
    log.count(table, rows_read=rows_read, duplicates_removed=int(repeated.sum()), written=len(frame))
    return frame


def clean_statistical_neighbours(raw_dir: Path, config: ProjectConfig, log: CleaningLog) -> pd.DataFrame:
    """The ``statistical_neighbours`` table from DfE's model named in ``config/benchmarks.yml``.

    A missing file is a warning (the reports then show no neighbours' figure); a model that does not list the
    configured authority is an error.

    Notes
    -----
    DfE, children's services statistical neighbour benchmarking tool: the 2025 model (``sn_model_2025_wide.csv``)
    or the April 2021 groupings, as LAIT uses them
    (:func:`analysis.inputs.population_and_neighbours.read_neighbour_model`).
    """
    from analysis.inputs.population_and_neighbours import neighbours_of, read_neighbour_model

    folder = raw_dir / config.benchmarks.folder
    pattern = config.benchmarks.statistical_neighbours.file
    path = newest_match(folder, pattern)
    if path is None:
        logger.warning(
            "No statistical neighbour file matching %s in %s: no neighbours' figures", pattern, folder
        )
        return pd.DataFrame(
            {c.name: pd.Series(dtype=c.dtype) for c in schema("statistical_neighbours").columns}
        )
    check_csv_text(path, EXPECTED_NEIGHBOUR_FILE)
    with reading_csv(path, EXPECTED_NEIGHBOUR_FILE):
        model = read_neighbour_model(path)
    authority = config.authority
    neighbours = neighbours_of(model, authority.old_la_code)
    if not neighbours:
        raise InputDataError(
            path,
            f"no row for {authority.name}",
            column="old_la_code" if "2025" in path.name else "LA num",
            expected=f"a row for old LA code {authority.old_la_code} (is this DfE's neighbour file?)",
        )
    logger.info("%s's statistical neighbours (%s): %s", authority.name, path.name, neighbours)
    log.source(
        "statistical_neighbours",
        relative_name(path, raw_dir),
        None,
        rows_read=len(model),
        rows_written=len(model),
    )
    return _dedupe_sorted(model, "statistical_neighbours", log)
