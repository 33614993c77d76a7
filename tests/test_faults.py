"""The fault battery: each case breaks a copy of the demo project after a good published run, runs the pipeline
as the analyst would (``analysis run`` in its own process), and checks the promised exit code, that the message
names what it must, and that the SHA-256 of every published file is unchanged.

Published files are everything below ``data/processed/`` and ``reports/<quarter>/``. Costly cases share the
session's one good run (``first_run``) and copy it; the kills use ``--force`` so that every stage really writes.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
from pathlib import Path

import pytest
from fault_runs import QUARTER, assert_refused, command, environment, published, run_cli

from analysis.paths import ProjectPaths
from analysis.run.publication import folder_bytes

pytestmark = pytest.mark.e2e

#: Log lines after which a run is killed: the next stage (or step: rendering) is running.
KILL_POINTS = ["Ran clean in", "Ran validate in", "Ran analyse in", "Executed the report notebooks"]


# --------------------------------------------------------------------------------------------- bad input
def test_scorecard_150_percent_and_a_fraction_stop_the_run_and_publish_nothing(project: ProjectPaths) -> None:
    from openpyxl import load_workbook

    before = published(project)
    path = project.raw / "scorecard.xlsx"
    workbook = load_workbook(path)
    sheet = workbook["Scorecard"]
    row = next(r for r in sheet.iter_rows() if r[0].value == "Agency social worker rate")
    heading = {c.column: c.value for c in next(r for r in sheet.iter_rows() if r[0].value == "Indicator")}
    row[-1].value = "150%"  # the case: a percentage over 100
    row[-2].value = float(str(row[-3].value).rstrip("%")) / 100  # 0.3xx typed where the row holds 3x.x
    workbook.save(path)
    done = run_cli(project)
    assert_refused(
        done,
        "scorecard.percentages_0_to_100",
        "scorecard_percent_scale.no_fractions",
        "scorecard.xlsx sheet 'Scorecard'",
        f"column '{_label(heading[row[-2].column])}'",
    )
    assert published(project) == before


def _label(heading: object) -> str:
    """A month heading as the cleaning quotes it: a date cell as YYYY-MM-DD, text as it is."""
    return f"{heading:%Y-%m-%d}" if hasattr(heading, "strftime") else str(heading)


def test_a_damaged_annex_a_is_exit_2_naming_the_file(project: ProjectPaths) -> None:
    before = published(project)
    path = project.raw / "annex_a.xlsx"
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 200] = bytes(b ^ 0xFF for b in data[middle : middle + 200])
    path.write_bytes(bytes(data))
    done = run_cli(project)
    assert_refused(done, "annex_a.xlsx", "damaged")
    assert ".ipynb" not in done.stderr, "the message must not point at a notebook"
    assert published(project) == before


def test_an_encrypted_scorecard_is_said_to_be_encrypted(project: ProjectPaths) -> None:
    before = published(project)
    entry = "EncryptionInfo".encode("utf-16-le").ljust(64, b"\0")
    (project.raw / "scorecard.xlsx").write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 504 + entry)
    assert_refused(run_cli(project), "scorecard.xlsx", "encrypted")
    assert published(project) == before


# ---------------------------------------------------------------------------------------------- the key
def test_a_lost_key_stops_the_run_and_new_key_is_needed_to_start_afresh(project: ProjectPaths) -> None:
    before = published(project)
    (project.root / ".pseudonym-key").unlink()
    done = run_cli(project)
    assert_refused(done, ".pseudonym-key", "restore the key", "--new-key")
    assert not (project.root / ".pseudonym-key").exists()
    assert published(project) == before


def test_a_different_key_is_detected(project: ProjectPaths) -> None:
    before = published(project)
    (project.root / ".pseudonym-key").write_bytes(os.urandom(32))
    assert_refused(run_cli(project), "not the key the processed data were made with", "--new-key")
    assert published(project) == before


def test_a_key_readable_by_everyone_is_warned(project: ProjectPaths) -> None:
    """Issue 23 item 8: a key restored with mode 644 works, with a warning saying how to protect it."""
    key = project.root / ".pseudonym-key"
    key.chmod(0o644)
    done = run_cli(project)
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"The pseudonymisation key {key} can be read by everyone (mode 644)" in done.stderr
    assert f"chmod 600 {key}" in done.stderr


def test_a_dangling_link_as_the_key_with_new_key_is_exit_2(project: ProjectPaths, tmp_path: Path) -> None:
    """Issue 23 item 8: not a FileExistsError traceback."""
    before = published(project)
    key = project.root / ".pseudonym-key"
    key.unlink()
    key.symlink_to(tmp_path / "backup-drive" / "key")
    done = run_cli(project, "--new-key")
    assert_refused(
        done, f"{key} is a symbolic link to {tmp_path / 'backup-drive' / 'key'}, which does not exist"
    )
    assert published(project) == before


def test_an_unreadable_key_check_stops_the_run_naming_it(project: ProjectPaths) -> None:
    """Issue 18: the key's check value lives in its own file; if it cannot be read the key is not accepted."""
    check = project.processed / ".pseudonym-key-check"
    assert re.fullmatch(r"[0-9a-f]{64}\n", check.read_text(encoding="ascii"))
    state = (project.processed / ".pipeline-state.json").read_text(encoding="utf-8")
    assert "key_check" not in state
    check.write_bytes(b"\xff\xfe not a check value")
    before = published(project)
    assert_refused(run_cli(project), f"The key's check value {check}", "--new-key")
    assert published(project) == before


def test_a_different_key_is_detected_even_with_an_unreadable_state_file(project: ProjectPaths) -> None:
    (project.processed / ".pipeline-state.json").write_text("{not json", encoding="utf-8")
    before = published(project)
    (project.root / ".pseudonym-key").write_bytes(os.urandom(32))
    assert_refused(run_cli(project), "not the key the processed data were made with")
    assert published(project) == before


def test_the_manifest_lists_only_the_inputs_read_and_marks_links_outside_the_project(
    project: ProjectPaths, tmp_path: Path
) -> None:
    """Issue 23 item 8: an extra raw file (a link to a system file) is not hashed into the manifest."""
    from analysis.run.provenance import manifest_inputs

    (project.raw / "notes-link").symlink_to("/etc/hostname")
    read = manifest_inputs(project, project.processed)
    names = [entry["path"] for entry in read]
    assert "notes-link" not in names
    assert "annex_a.xlsx" in names and any(name.startswith("commentary/") for name in names)
    assert not any(entry.get("outside_project") for entry in read)
    outside = tmp_path / "share" / "annex_a.xlsx"
    outside.parent.mkdir()
    shutil.move(project.raw / "annex_a.xlsx", outside)
    (project.raw / "annex_a.xlsx").symlink_to(outside)
    (entry,) = [
        entry for entry in manifest_inputs(project, project.processed) if entry["path"] == "annex_a.xlsx"
    ]
    assert entry["outside_project"] is True
    published_manifest = (project.quarter_reports(QUARTER) / "manifest.json").read_text(encoding="utf-8")
    assert (
        '"path": "annex_a.xlsx"' in published_manifest and "action_tracker/README" not in published_manifest
    )


# ------------------------------------------------------------------------------------------------ storage
def _mount(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["mount", *args], capture_output=True, text=True, check=False)


def test_a_read_only_reports_folder_is_exit_2_before_any_stage(project: ProjectPaths) -> None:
    # Tests run as root, whom chmod does not stop: a read-only bind mount does.
    reports = str(project.reports)
    if _mount("--bind", reports, reports).returncode != 0:
        pytest.skip("cannot bind-mount here (needs root and mount rights): read-only folder not tested")
    try:
        if _mount("-o", "remount,ro,bind", reports).returncode != 0:
            pytest.skip("cannot remount read-only here")
        before = published(project)
        (project.raw / "commentary" / f"{QUARTER}.md").open("a", encoding="utf-8").close()
        done = run_cli(project, "--force")
        assert_refused(done, "read-only file system", reports)
        assert "Ran clean" not in done.stderr, "the check must come before the first stage"
        assert published(project) == before
    finally:
        subprocess.run(["umount", reports], check=False)


def test_a_full_disk_is_exit_2_before_any_stage(project: ProjectPaths, tmp_path: Path) -> None:
    reports = project.reports
    aside = tmp_path / "reports-aside"
    shutil.move(reports, aside)
    reports.mkdir()
    size = folder_bytes(aside) + 2 * 1024 * 1024
    if _mount("-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(reports)).returncode != 0:
        shutil.rmtree(reports)
        shutil.move(aside, reports)
        pytest.skip("cannot mount a small tmpfs here (needs root and mount rights): full disk not tested")
    try:
        shutil.copytree(aside, reports, symlinks=True, dirs_exist_ok=True)
        before = published(project)
        done = run_cli(project, "--force")
        assert_refused(done, "nearly full", str(reports))
        assert "Ran clean" not in done.stderr
        assert published(project) == before
    finally:
        subprocess.run(["umount", str(reports)], check=False)


# --------------------------------------------------------------------------------- kills and concurrency
@pytest.mark.parametrize("point", KILL_POINTS)
def test_a_run_killed_at_any_stage_changes_nothing_and_the_next_run_recovers(
    project: ProjectPaths, point: str
) -> None:
    before = published(project)
    process = subprocess.Popen(
        command("--force"),
        cwd=project.root,
        env=environment(project),
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        start_new_session=True,  # its own process group, killed whole
    )
    seen = []
    try:
        assert process.stderr is not None
        for line in process.stderr:
            seen.append(line)
            if point in line:
                break
        else:
            pytest.fail(f"the run ended before '{point}': {''.join(seen)[-2000:]}")
        if point == KILL_POINTS[0]:
            # A second run meanwhile is refused, naming the first.
            second = run_cli(project)
            assert_refused(second, "another run is in progress")
            assert re.search(rf"pid {process.pid} since \d\d:\d\d", second.stderr), second.stderr
        os.killpg(process.pid, signal.SIGKILL)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(60)
    assert process.returncode == -signal.SIGKILL
    assert published(project) == before
    # The next run takes the dead run's lock, removes its staging folders and (nothing changed) skips every stage.
    again = run_cli(project)
    assert again.returncode == 0, again.stderr[-3000:]
    assert published(project).keys() == before.keys()
    leftovers = [p.name for p in project.reports.iterdir() if p.name.startswith(".staging-")]
    leftovers += [p.name for p in project.processed.parent.iterdir() if ".staging-" in p.name]
    assert leftovers == []


# ------------------------------------------------------------------------------- all-or-nothing publication
def test_a_failing_second_swap_leaves_both_folders_old_and_the_next_run_finishes(
    project: ProjectPaths, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 23 items 3 and 6: the reports folder busy when it is swapped (simulated in the publication code)."""
    import errno

    from analysis.cli import main
    from analysis.run import publication

    before = published(project)
    with (project.raw / "commentary" / f"{QUARTER}.md").open("a", encoding="utf-8") as commentary:
        commentary.write("\nA sentence added after the good run.\n")
    busy = project.quarter_reports(QUARTER)
    real_exchange = publication.exchange

    def exchange(staged: Path, target: Path) -> None:
        if target == busy:
            raise OSError(errno.EBUSY, os.strerror(errno.EBUSY), str(target))
        real_exchange(staged, target)

    monkeypatch.setenv("ANALYSIS_PROJECT_ROOT", str(project.root))
    monkeypatch.chdir(project.root)
    monkeypatch.setattr(publication, "exchange", exchange)
    assert main(["run", "--renderer", "builtin"]) == 2
    assert f"Could not publish {busy} (Device or resource busy)" in caplog.text
    assert "1 folder(s) already swapped were put back" in caplog.text
    assert "Unexpected error" not in caplog.text
    assert published(project) == before
    assert not (project.root / publication.JOURNAL_FILE).exists()
    monkeypatch.setattr(publication, "exchange", real_exchange)
    assert main(["run", "--renderer", "builtin"]) == 0
    # The next run publishes the new tables and the new reports together (it does not skip the reports).
    after = published(project)
    changed = {name for name in after if after[name] != before.get(name)}
    assert "data/processed/commentary.parquet" in changed
    assert f"reports/{QUARTER}/quarterly-report.html" in changed


def test_a_mount_point_processed_folder_is_exit_2_before_any_stage(project: ProjectPaths) -> None:
    """Issue 23 item 6: a mount point cannot be swapped; it is found before the stages, and no journal is left."""
    processed = str(project.processed)
    if _mount("--bind", processed, processed).returncode != 0:
        pytest.skip("cannot bind-mount here (needs root and mount rights): mount point not tested")
    try:
        before = published(project)
        done = run_cli(project, "--force")
        assert_refused(done, f"{processed} is a mount point")
        assert "Ran clean" not in done.stderr, "the check must come before the first stage"
        assert published(project) == before
        assert not (project.root / ".analysis-publish.json").exists()
    finally:
        subprocess.run(["umount", processed], check=False)
