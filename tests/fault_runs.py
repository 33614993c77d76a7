"""What the fault battery's tests share: run ``analysis run`` on a copy of the demo project in its own process, the
SHA-256 of every published file, and the check that a run was refused with a message naming what it must."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

from analysis.inputs.pseudonymise import KEY_ENV_VAR
from analysis.paths import ProjectPaths

QUARTER = "2015-16-Q1"


def published(paths: ProjectPaths) -> dict[str, str]:
    """SHA-256 of every published file: the processed tables and the quarter's reports."""
    digests = {}
    for folder in (paths.processed, paths.quarter_reports(QUARTER)):
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                digests[str(path.relative_to(paths.root))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digests


def environment(paths: ProjectPaths) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {KEY_ENV_VAR, "ANALYSIS_QUARTER"}}
    return env | {"ANALYSIS_PROJECT_ROOT": str(paths.root), "GX_ANALYTICS_ENABLED": "false"}


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "analysis.cli", "run", "--renderer", "builtin", *args]


def run_cli(paths: ProjectPaths, *args: str) -> subprocess.CompletedProcess[str]:
    """``analysis run`` on the project, in its own process; output captured."""
    return subprocess.run(
        command(*args),
        cwd=paths.root,
        env=environment(paths),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def assert_refused(done: subprocess.CompletedProcess[str], *names: str) -> None:
    """Exit code 2, a short message naming each of ``names``, and no traceback."""
    assert done.returncode == 2, done.stderr[-3000:]
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    for name in names:
        assert name in done.stderr, (name, done.stderr[-3000:])
