"""pyproject.toml and environment.yml declare the same dependencies."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ]", requirement, maxsplit=1)[0].strip().lower().replace("_", "-")


def test_environment_mirrors_pyproject(repo_root: Path) -> None:
    pyproject = tomllib.loads((repo_root / "pyproject.toml").read_text(encoding="utf-8"))
    environment = yaml.safe_load((repo_root / "environment.yml").read_text(encoding="utf-8"))
    declared = {_name(r): r.replace(" ", "") for r in pyproject["project"]["dependencies"]}
    conda = {
        _name(d): d.replace(" ", "")
        for d in environment["dependencies"]
        if isinstance(d, str) and _name(d) not in {"python", "pip"}
    }
    assert conda.keys() == declared.keys()
    for name, requirement in declared.items():
        assert conda[name] == requirement, (
            f"{name}: pyproject says {requirement}, environment.yml {conda[name]}"
        )
    python = next(d for d in environment["dependencies"] if isinstance(d, str) and d.startswith("python"))
    assert python.replace("python", "") == pyproject["project"]["requires-python"]
