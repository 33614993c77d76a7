"""The command line: help for every command and option, exit codes for bad input."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from analysis.cli import build_parser, main


def _help(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "analysis.cli", *args, "--help"], capture_output=True, text=True, check=True
    )
    return done.stdout


def test_top_level_help_lists_the_commands() -> None:
    text = _help()
    assert "run" in text


def test_every_run_option_is_explained() -> None:
    text = _help("run")
    for option in [
        "--quarter",
        "--raw",
        "--processed",
        "--reports",
        "--jobs",
        "--force",
        "--renderer",
        "--authorities",
    ]:
        assert option in text
    assert "2015-16-Q1" in text
    for action in build_parser()._subparsers._group_actions[0].choices["run"]._actions:  # noqa: SLF001
        assert action.help, f"{action.option_strings} has no help"


@pytest.mark.parametrize(
    ("argv", "verbose", "quiet"),
    [
        (["-v", "run"], True, False),
        (["run", "-v"], True, False),
        (["run", "--verbose", "--force"], True, False),
        (["run", "-q"], False, True),
        (["-q", "run"], False, True),
        (["run"], False, False),
        (["returns", "folder", "-v"], True, False),
    ],
)
def test_verbosity_is_accepted_before_or_after_the_command(
    argv: list[str], verbose: bool, quiet: bool
) -> None:
    args = build_parser().parse_args(argv)
    assert (args.verbose, args.quiet) == (verbose, quiet)


def test_demo_data_help() -> None:
    text = subprocess.run(
        [sys.executable, "-m", "demo_data.cli", "--help"], capture_output=True, text=True, check=True
    ).stdout
    assert "--seed" in text and "--scale" in text and "--out" in text


def test_bad_quarter_exits_2_with_a_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["run", "--quarter", "2015-Q1", "--raw", str(tmp_path)])
    assert exit_.value.code == 2
    assert "2015-16-Q1" in capsys.readouterr().err


def test_empty_raw_folder_exits_2_naming_it(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    code = main(
        [
            "run",
            "--raw",
            str(tmp_path / "raw"),
            "--processed",
            str(tmp_path / "p"),
            "--reports",
            str(tmp_path / "r"),
        ]
    )
    assert code == 2
    assert "no input files" in caplog.text and str(tmp_path / "raw") in caplog.text
