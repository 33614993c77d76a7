"""Every path the pipeline uses, built from the project root in one place."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

#: The action tracker in ``data/raw/``: ``action_tracker.xlsx`` (or ``.csv``), and its snapshots as at past quarters,
#: ``action_tracker/<quarter>.xlsx`` (or ``.csv``; issue 13).
TRACKER_STEM = "action_tracker"


def tracker_snapshot(raw_dir: Path, quarter: str | None) -> Path | None:
    """The snapshot of the action tracker as at ``quarter`` (``action_tracker/<quarter>.xlsx`` or ``.csv``), or
    ``None`` when there is none and the undated tracker is read instead."""
    if quarter is None:
        return None
    for suffix in (".xlsx", ".csv"):
        snapshot = Path(raw_dir) / TRACKER_STEM / f"{quarter}{suffix}"
        if snapshot.is_file():
            return snapshot
    return None


def project_root() -> Path:
    """The project's root folder: ``$ANALYSIS_PROJECT_ROOT`` if set, else the nearest parent with ``config/``.

    Falls back to the current working directory when the package is installed outside a checkout.
    """
    env = os.environ.get("ANALYSIS_PROJECT_ROOT")
    if env:
        return Path(env).resolve()
    for candidate in (Path.cwd(), *Path.cwd().parents, *Path(__file__).resolve().parents):
        if (candidate / "config" / "plan.yml").is_file():
            return candidate
    return Path.cwd()


def in_project(path: str | Path) -> Path:
    """A notebook parameter's path: absolute as given, or relative to the project root (not the working folder).

    The notebooks' defaults (``config``, ``data/processed``...) are relative to the project root, so a notebook
    runs the same whether papermill or Jupyter starts it in the root or in ``notebooks/``; the pipeline passes
    absolute paths.
    """
    path = Path(path).expanduser()
    return path if path.is_absolute() else project_root() / path


def code_root() -> Path:
    """The checkout the package was installed from (editable install): where the notebooks live."""
    return Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class ProjectPaths:
    """The folders of one run: configuration, raw inputs, processed tables, reports and notebooks."""

    root: Path
    config: Path
    raw: Path
    processed: Path
    reports: Path
    notebooks: Path

    @classmethod
    def from_root(
        cls,
        root: Path | None = None,
        *,
        config: Path | None = None,
        raw: Path | None = None,
        processed: Path | None = None,
        reports: Path | None = None,
        notebooks: Path | None = None,
    ) -> ProjectPaths:
        """Default layout below ``root``, with any folder overridden (e.g. from the CLI)."""
        root = (root or project_root()).resolve()
        return cls(
            root=root,
            config=(config or root / "config").resolve(),
            raw=(raw or root / "data" / "raw").resolve(),
            processed=(processed or root / "data" / "processed").resolve(),
            reports=(reports or root / "reports").resolve(),
            notebooks=(notebooks or _notebooks_folder(root)).resolve(),
        )

    def quarter_reports(self, quarter: str) -> Path:
        """Folder of one quarter's executed notebooks and rendered reports, e.g. ``reports/2015-16-Q1``."""
        return self.reports / quarter


def _notebooks_folder(root: Path) -> Path:
    """``root/notebooks`` when the data root is a checkout; else the checkout's (an authority folder has none)."""
    return root / "notebooks" if (root / "notebooks").is_dir() else code_root() / "notebooks"
