"""The fault battery's hostile and plausible-but-wrong input files (issue 23): each breaks a copy of the demo project
after a good published run, runs ``analysis run`` in its own process, and checks the exit code, the message and that
the SHA-256 of every published file is unchanged.

Published files are everything below ``data/processed/`` and ``reports/<quarter>/``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fault_runs import assert_refused, command, environment, published, run_cli
from hostile_files import write_zip_bomb

from analysis.paths import ProjectPaths

pytestmark = pytest.mark.e2e

#: The issue's limits for refusing a zip bomb: time and memory of the whole process tree. The time is CPU time
#: (user and system, every process): expanding a bomb burns it, while wall-clock time on a machine shared with
#: other runs measures the neighbours. Wall-clock time gets a looser bound against a hang.
BOMB_SECONDS = 30
BOMB_WALL_CLOCK_SECONDS = 120
BOMB_MEMORY_KIB = 1024 * 1024

#: Runs ``analysis run`` as a child and prints its exit code, the largest resident memory (KiB) of the process
#: tree it started and the tree's CPU seconds (every descendant is waited for, so RUSAGE_CHILDREN covers the
#: kernels too).
_MEASURED_RUN = """
import json, resource, subprocess, sys
done = subprocess.run(sys.argv[1:], capture_output=True, text=True, check=False)
sys.stderr.write(done.stderr)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"returncode": done.returncode, "max_rss_kib": usage.ru_maxrss,
                  "cpu_seconds": usage.ru_utime + usage.ru_stime}))
"""


# ------------------------------------------------------------------------------------------------ zip bomb
def test_a_zip_bomb_annex_a_is_refused_in_seconds_and_little_memory(project: ProjectPaths) -> None:
    """Issue 23, 1: a ~9 MB Annex A whose sheet expands to 3 GiB; the run used to pass 6 GiB and be killed."""
    before = published(project)
    bomb = write_zip_bomb(project.raw / "annex_a.xlsx", 3 * 1024**3)
    assert bomb.stat().st_size < 16 * 1024**2
    started = time.monotonic()
    measured = subprocess.run(
        [sys.executable, "-c", _MEASURED_RUN, *command()],
        cwd=project.root,
        env=environment(project),
        capture_output=True,
        text=True,
        timeout=2 * BOMB_WALL_CLOCK_SECONDS,
        check=False,
    )
    seconds = time.monotonic() - started
    outcome = json.loads(measured.stdout.strip().splitlines()[-1])
    done = subprocess.CompletedProcess(measured.args, outcome["returncode"], "", measured.stderr)
    assert_refused(done, "annex_a.xlsx", "zip bomb")
    assert outcome["cpu_seconds"] < BOMB_SECONDS, outcome
    assert seconds < BOMB_WALL_CLOCK_SECONDS, seconds
    assert outcome["max_rss_kib"] < BOMB_MEMORY_KIB, outcome
    print(f"zip bomb refused: {seconds:.1f} s wall clock, {outcome}")
    assert published(project) == before


# --------------------------------------------------------------------------------------- not a CSV file
@pytest.mark.parametrize("kind", ["a link to /etc/passwd", "binary bytes"])
def test_a_benchmark_file_that_is_not_csv_text_is_exit_2_naming_it(project: ProjectPaths, kind: str) -> None:
    """Issue 23, 2: it used to end in exit 1 with "ParserError: Error tokenizing data" from the notebook."""
    before = published(project)
    path = next((project.raw / "benchmarks").glob("d3_cpps_subsequent_plan_*.csv"))
    path.unlink()
    if kind == "binary bytes":
        path.write_bytes(bytes(range(256)) * 64)
    elif Path("/etc/passwd").is_file():
        path.symlink_to("/etc/passwd")
    else:
        pytest.skip("no /etc/passwd on this machine")
    done = run_cli(project)
    assert_refused(done, path.name, "expected a DfE Explore Education Statistics open-data file")
    assert "Unexpected error" not in done.stderr and "ParserError" not in done.stderr
    assert published(project) == before


# ------------------------------------------------------------------------------------ silent wrong figures
def test_a_second_list_1_with_a_trailing_space_is_exit_2_naming_both_sheets(project: ProjectPaths) -> None:
    """Issue 23, 5: 'List 1 ' (100 rows) was read instead of 'List 1': contacts 27,215 -> 100 with exit 0."""
    from hostile_files import add_sheet_copy

    before = published(project)
    add_sheet_copy(project.raw / "annex_a.xlsx", "List 1", "List 1 ", keep_rows=100)
    done = run_cli(project)
    assert_refused(done, "annex_a.xlsx", "'List 1' and 'List 1 '")
    assert published(project) == before


def test_assessments_under_another_systems_ids_stop_the_run_naming_both_lists(project: ProjectPaths) -> None:
    """Issue 23, 5: List 4 written with identifiers no other list uses: every check passed and "Referrals that
    led to an assessment 0.0%" was published. Now a critical check stops the run, naming List 3 and List 4."""
    import re

    from hostile_files import edit_sheet_xml

    def other_system(xml: bytes) -> bytes:  # the demo's IDs are MC followed by digits
        return re.sub(
            rb'(<c r="A\d+" t="inlineStr"><is><t xml:space="preserve">)MC(\d+)', rb"\1MOSAIC-\2", xml
        )

    before = published(project)
    edit_sheet_xml(project.raw / "annex_a.xlsx", "List 4", other_system)
    done = run_cli(project)
    assert_refused(done, "annex_a_links", "List 3 (referrals) and List 4 (assessments)")
    assert published(project) == before


def test_ids_as_numbers_in_list_3_and_zero_padded_text_elsewhere_give_the_same_figures(
    project: ProjectPaths,
) -> None:
    """Issue 23, 5: 580049 in List 3 (a number cell) and "00580049" in List 4 are one child in every list, so
    the published figures are those of the unchanged extract (the pseudonyms differ: the IDs' text did)."""
    import re

    import pandas as pd
    from hostile_files import edit_sheet_xml

    # The demo's IDs are MC and six digits, some with a trailing space (which the cleaning strips).
    cell = rb'<c r="(A\d+)" t="inlineStr"><is><t xml:space="preserve">MC(\d+)(\s*)</t></is></c>'

    def as_numbers(xml: bytes) -> bytes:
        return re.sub(cell, rb'<c r="\1"><v>\2</v></c>', xml)

    def zero_padded(xml: bytes) -> bytes:
        return re.sub(cell, rb'<c r="\1" t="inlineStr"><is><t xml:space="preserve">00\2\3</t></is></c>', xml)

    figures = ["indicator_id", "month", "numerator", "denominator", "value", "suppressed"]
    before = pd.read_parquet(project.processed / "indicators_monthly.parquet")
    workbook = project.raw / "annex_a.xlsx"
    for number in range(1, 12):
        edit_sheet_xml(workbook, f"List {number}", as_numbers if number == 3 else zero_padded)
    done = run_cli(project, "--renderer", "none")  # the figures are the tables': no page or PDF is needed
    assert done.returncode == 0, done.stderr[-3000:]
    after = pd.read_parquet(project.processed / "indicators_monthly.parquet")
    converted = "referrals_converting_to_assessments"
    assert after.loc[after["indicator_id"] == converted, "value"].max() > 0
    pd.testing.assert_frame_equal(
        after[figures].reset_index(drop=True), before[figures].reset_index(drop=True), check_exact=False
    )
