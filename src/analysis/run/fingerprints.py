"""Fingerprints and state of the quarter's stages: what a stage's inputs were, so that an unchanged stage is skipped.

A stage runs only when the fingerprint of its inputs (raw files, configuration, the package's code, the notebook,
its parameters and the tables it reads) differs from the last successful run's, kept in
``data/processed/.pipeline-state.json`` (:data:`analysis.run.publication.STATE_FILE`).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import analysis
from analysis import __version__
from analysis.run.publication import STATE_FILE

logger = logging.getLogger(__name__)

#: Raw sub-folder that only the report notebooks read: changing it re-runs the reports alone.
COMMENTARY_FOLDER = "commentary"


def sha256_file(path: Path) -> str:
    """SHA-256 of a file's bytes, read in blocks so large extracts do not fill memory."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def files_below(folder: Path, *, exclude: Iterable[str] = ()) -> list[Path]:
    """Regular files below ``folder`` in a stable order, skipping hidden files and excluded top-level folders."""
    if not folder.is_dir():
        return []
    excluded = set(exclude)
    files = []
    for path in folder.rglob("*"):
        relative = path.relative_to(folder)
        if not path.is_file() or relative.parts[0] in excluded:
            continue
        if any(part.startswith(".") for part in relative.parts) or path.name == "README.md":
            continue
        files.append(path)
    return sorted(files)


def fingerprint_files(files: Sequence[Path], root: Path) -> list[dict[str, str]]:
    """``[{"path", "sha256"}]`` for files, paths relative to ``root`` so the fingerprint does not move with it."""
    return [{"path": path.relative_to(root).as_posix(), "sha256": sha256_file(path)} for path in files]


def tables_digest(folder: Path, tables: Iterable[str]) -> str:
    """Hash of the named processed tables' files: a stage re-runs when any table it reads has changed."""
    return digest(
        [
            (t, sha256_file(folder / f"{t}.parquet"))
            for t in sorted(tables)
            if (folder / f"{t}.parquet").is_file()
        ]
    )


def config_digest(folder: Path, names: Iterable[str]) -> str:
    """Hash of the named files of ``config/`` a step reads (an optional file that is absent is left out)."""
    return digest(fingerprint_files([folder / n for n in sorted(names) if (folder / n).is_file()], folder))


def digest(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def code_fingerprint() -> str:
    """Hash of the package's source and templates: any change to the code re-runs every stage."""
    package = Path(analysis.__file__).resolve().parent  # the whole package, wherever this module lives
    files = sorted(
        p for p in package.rglob("*") if p.is_file() and p.suffix in {".py", ".tpl", ".css", ".j2"}
    )
    return digest(__version__, fingerprint_files(files, package))


def parameters_without_paths(parameters: dict[str, Any]) -> dict[str, Any]:
    """Parameters that say *what* is computed: folder paths are left out so that a moved project still skips."""
    return {k: v for k, v in parameters.items() if not k.endswith(("_dir", "_path", "_file"))}


def read_state(processed: Path) -> dict[str, Any]:
    path = processed / STATE_FILE
    if not path.is_file():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        logger.warning("Ignoring an unreadable %s: every stage will run", path)
        return {}


def write_json(path: Path, data: Any) -> None:
    write_text_file(path, json.dumps(data, indent=2, sort_keys=True, default=str) + "\n")


def write_text_file(path: Path, text: str) -> None:
    from analysis.io import write_text

    write_text(path, text)
