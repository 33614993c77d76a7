"""Tests of pseudonymisation: keys, pseudonyms, coarsening, and that no raw identifier reaches an output."""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import shutil
import stat
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from conftest import RAW_SMALL
from hypothesis import given
from hypothesis import strategies as st

from analysis.config import load_config
from analysis.inputs.parsing import normalise_identifier
from analysis.inputs.pseudonymise import (
    KEY_ENV_VAR,
    date_of_birth_to_month,
    load_or_create_key,
    postcode_sector,
    pseudonymise_ids,
)
from analysis.stages.cleaning import clean_all

REPO = Path(__file__).resolve().parents[1]
KEY = b"0123456789abcdef0123456789abcdef"


def test_same_key_gives_the_same_pseudonym_and_another_key_another():
    ids = pd.Series(["RAW1001", " RAW1001 ", "RAW1002", None])
    first = pseudonymise_ids(ids, KEY)
    again = pseudonymise_ids(ids, KEY)
    other = pseudonymise_ids(ids, b"another key of thirty-two bytes!")
    assert first.tolist() == again.tolist()
    assert first[0] == first[1]  # surrounding spaces are not part of the ID
    assert first[0] != first[2]
    assert pd.isna(first[3])
    assert other[0] != first[0]


def test_a_pseudonym_is_the_truncated_hmac_with_its_prefix():
    expected = "C" + hmac.new(KEY, b"RAW1001", hashlib.sha256).hexdigest()[:16]
    assert pseudonymise_ids(pd.Series(["RAW1001"]), KEY).iloc[0] == expected
    assert re.fullmatch(r"A[0-9a-f]{16}", pseudonymise_ids(pd.Series(["X"]), KEY, prefix="A").iloc[0])


@given(
    st.lists(st.text(min_size=1, max_size=12) | st.integers(0, 10**9), max_size=20), st.sampled_from("CAW")
)
def test_a_column_gets_each_identifiers_own_pseudonym(ids: list[object], prefix: str) -> None:
    """The column's keyed-once HMAC gives each identifier the pseudonym its own HMAC gives."""
    expected = [
        None
        if (text := normalise_identifier(value)) is None
        else prefix + hmac.new(KEY, text.encode(), hashlib.sha256).hexdigest()[:16]
        for value in ids
    ]
    got = pseudonymise_ids(pd.Series(ids, dtype=object), KEY, prefix=prefix)
    assert [None if pd.isna(value) else value for value in got] == expected


def test_a_number_cell_and_its_text_give_the_same_pseudonym():
    ids = pseudonymise_ids(pd.Series([1234.0, "1234"], dtype=object), KEY)
    assert ids[0] == ids[1]


def test_dates_of_birth_keep_only_the_month():
    dates = pd.Series(pd.to_datetime(["2010-05-14", "2012-02-29", None]))
    out = date_of_birth_to_month(dates)
    assert out.tolist()[:2] == [pd.Timestamp("2010-05-01"), pd.Timestamp("2012-02-01")]
    assert pd.isna(out[2])
    assert str(out.dtype) == "datetime64[s]"


@pytest.mark.parametrize(
    ("postcode", "sector"),
    [
        ("ME4 6AB", "ME4 6"),
        ("me46ab", "ME4 6"),
        ("SW1A 1AA", "SW1A 1"),
        ("ME4", "ME4"),
        ("ME14 2", "ME14 2"),
        ("me4  6", "ME4 6"),
        ("not known", None),
        ("", None),
    ],
)
def test_postcodes_become_sectors(postcode, sector):
    assert postcode_sector(postcode) == sector


def test_a_new_key_is_made_owner_only_and_then_reused(tmp_path, monkeypatch, caplog):
    monkeypatch.delenv(KEY_ENV_VAR, raising=False)
    path = tmp_path / ".pseudonym-key"
    with caplog.at_level(logging.WARNING, logger="analysis.inputs.pseudonymise"):
        key = load_or_create_key(path)
    assert len(key) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert str(path) in caplog.text
    assert load_or_create_key(path) == key


def test_the_environment_variable_wins_over_the_file(tmp_path, monkeypatch):
    path = tmp_path / ".pseudonym-key"
    path.write_bytes(b"from the file")
    monkeypatch.setenv(KEY_ENV_VAR, "00ff10")
    assert load_or_create_key(path) == bytes([0, 255, 16])


def _raw_identifiers(raw: Path) -> set[str]:
    """Every Child/Adopter Unique ID in the raw CSV lists, read independently of the cleaning code."""
    ids: set[str] = set()
    for path in (raw / "annex_a").glob("List_*.csv"):
        lines = path.read_text(encoding="utf-8").splitlines()
        header = next(n for n, line in enumerate(lines) if "unique id" in line.lower())
        for line in lines[header + 1 :]:
            first = line.split(",")[0].strip()
            if first:
                ids.add(first)
    return ids


def test_no_raw_identifier_or_worker_name_reaches_any_output(tmp_path, monkeypatch, caplog):
    monkeypatch.delenv(KEY_ENV_VAR, raising=False)
    raw = tmp_path / "raw"
    shutil.copytree(RAW_SMALL, raw)
    processed = tmp_path / "processed"
    with caplog.at_level(logging.DEBUG):
        clean_all(raw, processed, load_config(REPO / "config"), key=KEY)
    identifiers = _raw_identifiers(raw)
    assert {"RAW1001", "RAW1007", "ADOPT77"} <= identifiers
    # Worker names and full postcodes from the fixture must not survive either.
    secrets = identifiers | {"Jane Worker", "John Smith", "Pat Adviser", "ME4 6AB", "ME46AB", "ME7 2PQ"}
    files = list(processed.glob("*"))
    assert len(files) >= 19
    texts = {path.name: _all_text(path) for path in files}
    # The scan sees the contents: a team name, which is kept, is found.
    assert any("Team A" in text for text in texts.values())
    for name, text in texts.items():
        for secret in secrets:
            assert secret not in text, f"{secret!r} found in {name}"
    for secret in secrets:
        assert secret not in caplog.text


def _all_text(path: Path) -> str:
    """The file's raw bytes as text, plus every cell and the metadata of a parquet file (which is compressed)."""
    parts = [path.read_bytes().decode("latin-1")]
    if path.suffix == ".parquet":
        table = pq.read_table(path)
        parts.append(str(table.schema.metadata))
        parts.append(table.to_pandas().astype(str).to_csv())
    return "\n".join(parts)
