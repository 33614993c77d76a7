"""Synthetic, deterministic demonstration data in the formats the pipeline reads (``demo-data``).

The authority is a unitary council of about 63,000 children (modelled on Medway, 2012-2015, under a DfE
Improvement Notice). Case histories are simulated per child (:mod:`demo_data.simulate`, calibrated in
:mod:`demo_data.calibration`) and written as the Ofsted Annex A lists, with the local scorecard, the action
tracker, EES-format benchmark files and the analyst's commentary beside them. Every file says it is synthetic.

The story the reports should find
---------------------------------
- Referrals fall from about 1,200 per 10,000 children (2012-13) to 690 (2013-14) and 500 (2014-15); re-referrals
  within 12 months fall from 44.7% to 30.0% and 20.8%.
- Children on child protection plans rise from 32.6 per 10,000 (31 March 2013) to 58.1 (2014) and 76.4 (2015), then
  stabilise at about 77 in April-June 2015; second or subsequent plans are about 15-19%.
- Section 47 enquiries: about 609, 869 and 1,514 a year; initial conferences within 15 working days 53-59%, rising
  to about 90% in April-June 2015.
- The service re-alignment of 1 October 2014: assessments within 45 working days jump from about 50-60% to
  85-90%, and fewer contacts become referrals.
- The workforce: about 30% of social work posts filled by agency staff (against England's 15-16%), caseloads about
  20 until they rise from November 2014. The authority's published workforce figures (30 September) are its own
  scorecard's where the scorecard measures as DfE does; its vacancy rate is not (the scorecard counts empty posts,
  DfE every post without a directly employed social worker), so its published vacancy rate is about 40% beside a
  scorecard's 17-20%, and the reports say why.
- About 420-470 children looked after; leaving care by adoption above England's 17%; A2 (placement order to match)
  about 200 days against the 152-day threshold; care leavers in education, employment or training about 50%.

Planted surprises in April-June 2015 (for the exception reports)
-------------------------------------------------------------------
- The CAMHS wait for looked after children jumps to 27.5 weeks in May and 31 weeks in June 2015 (scorecard).
- Average caseloads rise every month from November 2014 to June 2015 (eight rises in a row; scorecard).
- Placement moves for looked after children rise in April-June 2015 (extra moves in Annex A list 8).
- Action tracker: actions 1.1 and 4.1 are off track and overdue, 1.2 and 4.2 at risk and past their due date.

The statutory returns for 2013-14 and 2014-15 (``returns/<year>/``: the SSDA903 tables and the CIN census) are
written from the same case histories as the Annex A lists (:mod:`demo_data.returns`).
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
from pathlib import Path

from analysis.config import ProjectConfig
from demo_data import annex, annex_files, benchmarks, local_files, returns
from demo_data.simulate import simulate_histories

logger = logging.getLogger(__name__)

#: Above this scale the Annex A lists are written as CSV files (xlsx is too slow for a million rows).
CSV_ABOVE_SCALE = 4.0
#: The statutory returns (SSDA903 CSV tables and CIN census XML), one folder per collection year.
RETURNS_FOLDER = "returns"


def generate_demo_data(out: Path, *, seed: int, scale: float, config: ProjectConfig) -> list[Path]:
    """Write the synthetic raw files into ``out`` and return their paths.

    Parameters
    ----------
    out
        Folder to write to (``data/raw``); created if missing. Files of the same names are replaced.
    seed
        Random seed: the same seed (and scale) gives the same files.
    scale
        Multiplies the child-level volume (1 = about 63,000 children; 16 = about a million list rows). Above 4 the
        Annex A lists are written as ``annex_a/List_<n>.csv``.
    config
        The project configuration: themes, indicators (scorecard rows), benchmark publications, the authority.

    Returns
    -------
    list of Path
        Every file written.

    Notes
    -----
    List headings follow Ofsted's Annex A template (:data:`analysis.inputs.annex_a.ANNEX_A_LISTS`); benchmark files follow
    DfE's Explore Education Statistics open-data format. See the module docstring for the calibration and the
    surprises planted for the exception reports.
    """
    if scale <= 0:
        raise ValueError(f"scale must be positive, not {scale}")
    started = time.perf_counter()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    histories = simulate_histories(seed, scale)
    histories.children["child_id"] = annex.child_ids(len(histories.children), seed)
    frames = annex.dirty(annex.list_frames(histories, seed), seed, as_text_dates=scale > CSV_ABOVE_SCALE)
    cover = local_files.cover_rows(config.authority.name)
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix=".demo-", dir=out) as staging_name:
        staging = Path(staging_name)
        if scale > CSV_ABOVE_SCALE:
            written_staged = annex_files.write_csvs(frames, staging / "annex_a", cover)
        else:
            written_staged = [annex_files.write_workbook(frames, staging / "annex_a.xlsx", cover)]
        written_staged.append(local_files.write_scorecard(config, staging / "scorecard.xlsx", seed))
        written_staged.append(local_files.write_action_tracker(config, staging / "action_tracker.xlsx", seed))
        (staging / "action_tracker").mkdir()
        written_staged.append(
            local_files.write_action_tracker(
                config, staging / "action_tracker" / "2014-15-Q4.xlsx", seed, before_the_plan=True
            )
        )
        written_staged += benchmarks.write_benchmarks(
            histories, config, staging / config.benchmarks.folder, seed, scale
        )
        written_staged.append(benchmarks.write_ethnic_population(config, staging, seed, scale))
        written_staged += local_files.write_commentary(config, staging / "commentary")
        written_staged += returns.write_returns(histories, staging / RETURNS_FOLDER)
        for path in written_staged:
            target = out / path.relative_to(staging)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(path, target)
            written.append(target)
    if scale > CSV_ABOVE_SCALE:
        (out / "annex_a.xlsx").unlink(missing_ok=True)
    else:
        shutil.rmtree(out / "annex_a", ignore_errors=True)
    rows = sum(len(frame) for frame in frames.values())
    logger.info(
        "Synthetic data: %d Annex A rows for %d children (seed %d, scale %g) in %.1f s",
        rows,
        len(histories.children),
        seed,
        scale,
        time.perf_counter() - started,
    )
    return written
