"""Pseudonymisation of child-level data before anything is written to ``data/processed``.

Identifiers become keyed hashes (HMAC-SHA256 with a secret key kept outside git), dates of birth lose their day
and postcodes are cut to their sector. The same key gives the same pseudonym, so the lists still link up; without
the key a pseudonym cannot be turned back into the case system's ID.

Notes
-----
ICO, "Anonymisation, pseudonymisation and privacy enhancing technologies guidance" (2022), chapter 3 (keyed
hashing); ONS postcode sector definition (outward code plus the first character of the inward code).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import secrets
from pathlib import Path

import pandas as pd

from analysis.errors import ConfigError, PseudonymKeyError
from analysis.inputs.parsing import DistinctValues, clean_text, is_missing, normalise_identifier

logger = logging.getLogger(__name__)

#: Environment variable holding the key as hex; it wins over the key file.
KEY_ENV_VAR = "ANALYSIS_PSEUDONYM_KEY"
#: Bytes of a newly made key.
KEY_BYTES = 32
#: Hex characters of the HMAC kept in a pseudonym (64 bits: collisions negligible for an authority's children).
PSEUDONYM_HEX_CHARS = 16
#: Permissions of a newly made key file: owner read and write only.
KEY_FILE_MODE = 0o600

#: What the key's check value is the HMAC of: a fixed label, so the check identifies the key without revealing it.
KEY_CHECK_LABEL = b"analysis: pseudonymisation key check v1"
#: The command-line flag that starts afresh with a new key on purpose.
NEW_KEY_FLAG = "--new-key"

_UK_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")
_SECTOR = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ([0-9])$")
_OUTWARD_ONLY = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")


def load_or_create_key(path: Path) -> bytes:
    """The pseudonymisation key: ``$ANALYSIS_PSEUDONYM_KEY`` (hex) if set, else the key file, else a new one.

    A new key is 32 random bytes written to ``path`` with permissions 0o600 (owner only); the log says so, with
    the path, because outputs made with a different key do not link to earlier ones.

    Notes
    -----
    Keep the key out of git (``.gitignore`` excludes ``.pseudonym-key``) and away from the processed data.
    """
    from_env = os.environ.get(KEY_ENV_VAR)
    if from_env:
        try:
            key = bytes.fromhex(from_env.strip())
        except ValueError:
            raise ConfigError(
                KEY_ENV_VAR, "(environment variable)", "the key as hexadecimal digits"
            ) from None
        if not key:
            raise ConfigError(KEY_ENV_VAR, "(environment variable)", "a non-empty key")
        logger.debug("Pseudonymisation key taken from $%s", KEY_ENV_VAR)
        return key
    path = Path(path)
    if path.is_file():
        warn_if_readable_by_others(path)
        key = path.read_bytes()
        if not key:
            raise ConfigError(path, "(file)", "a pseudonymisation key (the file is empty)")
        return key
    if path.is_symlink():
        raise PseudonymKeyError(
            f"The pseudonymisation key {path} is a symbolic link to {os.readlink(path)}, which does not exist: "
            "restore the key it points to, or remove the link to have a new key made (with "
            f"{NEW_KEY_FLAG} when the processed data were made with another key)."
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(KEY_BYTES)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, KEY_FILE_MODE)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(key)
    os.chmod(path, KEY_FILE_MODE)
    logger.warning("Made a new pseudonymisation key at %s: keep it safe and out of git", path)
    return key


def warn_if_readable_by_others(path: Path) -> None:
    """Warn when the key file can be read by its group or by everyone: anyone who can read it can re-identify.

    The key is made with mode 0o600 (owner only); a copy restored from a backup or an e-mail often is 0o644.
    """
    mode = Path(path).stat().st_mode & 0o777
    if mode & 0o077:
        logger.warning(
            "The pseudonymisation key %s can be read by %s (mode %o): make it readable by its owner only "
            "(chmod 600 %s)",
            path,
            "everyone" if mode & 0o004 else "its group",
            mode,
            path,
        )


def key_check(key: bytes) -> str:
    """A check value of the key, safe to store beside the data: HMAC-SHA256(key, fixed label), in hex.

    Notes
    -----
    Without the key the check value cannot be computed, and it reveals nothing about the key (RFC 2104); two
    runs with the same key give the same check value, so a different key is detected.
    """
    return hmac.new(key, KEY_CHECK_LABEL, hashlib.sha256).hexdigest()


def key_source_present(path: Path) -> bool:
    """Whether a key exists already: ``$ANALYSIS_PSEUDONYM_KEY`` is set or the key file exists."""
    return bool(os.environ.get(KEY_ENV_VAR)) or Path(path).is_file()


def confirm_key(
    path: Path, *, recorded_check: str | None, has_pseudonymised_data: bool, new_key: bool = False
) -> bytes:
    """The key for a run, refusing to re-key existing pseudonymised data silently.

    Parameters
    ----------
    path : Path
        The key file (``.pseudonym-key``).
    recorded_check : str or None
        :func:`key_check` of the key the processed data were made with, if recorded.
    has_pseudonymised_data : bool
        Whether ``data/processed`` holds pseudonymised tables already.
    new_key : bool
        The analyst's explicit choice (``--new-key``) to start afresh: a missing key is made and a key other
        than the recorded one is accepted. An existing key file is never overwritten.

    Raises
    ------
    PseudonymKeyError
        The key is missing, or differs from the recorded one, while pseudonymised data exist (exit code 2).
    """
    path = Path(path)
    if not key_source_present(path) and has_pseudonymised_data and not new_key:
        raise PseudonymKeyError(
            f"The pseudonymisation key {path} is missing, but the processed data were pseudonymised with a key: "
            f"restore the key file from your backup (or set ${KEY_ENV_VAR}), or run again with {NEW_KEY_FLAG} to "
            "start afresh on purpose (every pseudonym changes and links with earlier quarters are lost)."
        )
    key = load_or_create_key(path)
    if recorded_check and key_check(key) != recorded_check and not new_key:
        source = f"${KEY_ENV_VAR}" if os.environ.get(KEY_ENV_VAR) else str(path)
        raise PseudonymKeyError(
            f"The pseudonymisation key in {source} is not the key the processed data were made with: restore the "
            f"original key, or run again with {NEW_KEY_FLAG} to start afresh on purpose (every pseudonym changes "
            "and links with earlier quarters are lost)."
        )
    if new_key and has_pseudonymised_data:
        logger.warning("Starting afresh with the pseudonymisation key in %s (%s)", path, NEW_KEY_FLAG)
    return key


class Pseudonyms:
    """Pseudonyms under one key: ``prefix`` + the first 16 hex digits of HMAC-SHA256(key, identifier).

    The HMAC is keyed once and copied for each identifier (``hmac.HMAC.copy``: the key's inner and outer pads are
    not worked out again), a third less time per identifier than keying it each time (issue 21).
    """

    def __init__(self, key: bytes, prefix: str = "C") -> None:
        if not key:
            raise ValueError("the pseudonymisation key is empty")
        self._keyed = hmac.new(key, digestmod=hashlib.sha256)
        self.prefix = prefix

    def __call__(self, identifier: str) -> str:
        digest = self._keyed.copy()
        digest.update(identifier.encode("utf-8"))
        return f"{self.prefix}{digest.hexdigest()[:PSEUDONYM_HEX_CHARS]}"


def pseudonym(identifier: str, key: bytes, prefix: str = "C") -> str:
    """The pseudonym of one identifier (:class:`Pseudonyms`)."""
    return Pseudonyms(key, prefix)(identifier)


def pseudonymise_ids(ids: pd.Series, key: bytes, prefix: str = "C") -> pd.Series:
    """Replace identifiers by keyed pseudonyms (stable for a key, not reversible without it); missing stays missing.

    Notes
    -----
    HMAC-SHA256 (RFC 2104, FIPS 198-1) of the identifier's text, truncated to 16 hex characters after ``prefix``.
    """
    return pseudonyms_of(DistinctValues(ids), key, prefix)


def pseudonyms_of(ids: DistinctValues, key: bytes, prefix: str = "C") -> pd.Series:
    """:func:`pseudonymise_ids` of a column already factorised (one HMAC per distinct identifier)."""
    pseudonyms = Pseudonyms(key, prefix)

    def one(value: object) -> str | None:
        text = normalise_identifier(value)
        return None if text is None else pseudonyms(text)

    return ids.map(one).astype("string")


def date_of_birth_to_month(dates: pd.Series) -> pd.Series:
    """Dates of birth coarsened to the first day of their month (``datetime64[s]``)."""
    values = pd.to_datetime(dates).astype("datetime64[s]")
    return values.dt.to_period("M").dt.start_time.astype("datetime64[s]")


def postcode_sector(value: object) -> str | None:
    """The postcode sector of a UK postcode (``ME4 6AB`` -> ``ME4 6``); an outward code alone is kept as it is.

    Anything that is not a postcode gives ``None`` (never the text itself, which could identify someone).
    """
    if is_missing(value):
        return None
    spaced = clean_text(value).upper()
    sector = _SECTOR.match(spaced)
    if sector:  # already a sector (ME4 6)
        return f"{sector.group(1)} {sector.group(2)}"
    text = spaced.replace(" ", "")
    match = _UK_POSTCODE.match(text)
    if match:
        return f"{match.group(1)} {match.group(2)[0]}"
    if _OUTWARD_ONLY.match(text):
        return text
    return None


def postcode_sectors(postcodes: DistinctValues) -> pd.Series:
    """:func:`postcode_sector` of each value of a column, factorised (string dtype)."""
    return postcodes.map(postcode_sector).astype("string")
