"""The package's exceptions: each carries enough context for the analyst to find and fix the problem.

The CLI turns :class:`AnalysisError` into a short message and exit code 2; anything else is unexpected (exit 1).
"""

from __future__ import annotations

from pathlib import Path


class AnalysisError(Exception):
    """Base class for errors the analyst can act on (bad input, bad configuration, failed data checks)."""

    exit_code = 2


class ConfigError(AnalysisError):
    """A configuration file in ``config/`` is missing, malformed or inconsistent."""

    def __init__(self, file: Path | str, key: str, expected: str, found: object = None) -> None:
        self.file = Path(file)
        self.key = key
        self.expected = expected
        self.found = found
        found_text = "" if found is None else f" (found {found!r})"
        super().__init__(f"{self.file}: at '{key}': expected {expected}{found_text}")


class InputDataError(AnalysisError):
    """A raw input file cannot be read as expected. Names the file, and sheet, row and column where known.

    Row numbers are the ones the analyst sees in Excel or a text editor (1-based, header rows included).
    """

    def __init__(
        self,
        file: Path | str,
        problem: str,
        *,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        expected: str | None = None,
    ) -> None:
        self.file = Path(file)
        self.problem = problem
        self.sheet = sheet
        self.row = row
        self.column = column
        self.expected = expected
        where = [str(self.file)]
        if sheet is not None:
            where.append(f"sheet '{sheet}'")
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column '{column}'")
        message = f"{', '.join(where)}: {problem}"
        if expected:
            message += f"; expected {expected}"
        super().__init__(message)


class DataCheckFailed(AnalysisError):
    """One or more critical data expectations failed; the run stops before any indicator is computed."""


class NotebookFailed(AnalysisError):
    """A pipeline or report notebook raised an unexpected error; the failed notebook is kept for inspection."""

    exit_code = 1


class RunInProgress(AnalysisError):
    """Another run holds the project's lock: two runs at once would mix their outputs."""


class StorageError(AnalysisError):
    """A folder cannot be written (permissions, a read-only file system) or the disk is full."""


class PublicationFailed(AnalysisError):
    """A published folder could not be swapped for the new one (busy, a mount point).

    ``all_old`` says whether every published folder is still the last good run's (the swaps made were undone).
    """

    def __init__(self, message: str, *, all_old: bool = True) -> None:
        super().__init__(message)
        self.all_old = all_old


class PseudonymKeyError(AnalysisError):
    """The pseudonymisation key is missing or is not the key the processed data were made with."""
