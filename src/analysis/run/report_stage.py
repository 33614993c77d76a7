"""The last step of a quarter's run: the report notebooks, executed in parallel and rendered, and the index's summary."""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Any

from analysis.config import ProjectConfig
from analysis.methods.quarters import Quarter
from analysis.products.glossary import spell_out_executed
from analysis.run.fingerprints import digest, tables_digest, write_json
from analysis.run.kernels import KernelPool
from analysis.run.notebook_execution import execute_notebook
from analysis.run.provenance import MANIFEST_FILE, quarter_manifest
from analysis.run.quarter_stages import QuarterRun, ensure_quarter_reports
from analysis.run.steps import REPORTS, Step

logger = logging.getLogger(__name__)

#: The table of the analyst's commentary, of which each report is given its own rows.
COMMENTARY = "commentary"


def report_notebooks(
    config: ProjectConfig, quarter: Quarter, step: Step = REPORTS
) -> list[tuple[str, str, dict[str, Any]]]:
    """(source notebook, executed file name, parameters) for the quarterly report, each theme's exceptions and each
    topic of ``config/topics.yml`` (``topic-<id>.ipynb``, issue 19): the notebooks of
    :data:`analysis.run.steps.REPORTS`."""
    (report, report_file), (exceptions, exceptions_file), (topic_report, topic_file) = step.notebooks
    jobs: list[tuple[str, str, dict[str, Any]]] = [(report, report_file, {"quarter": quarter.label})]
    for theme in config.plan.themes:
        jobs.append(
            (
                exceptions,
                exceptions_file.format(theme=theme.file_stem),
                {"quarter": quarter.label, "theme": theme.number},
            )
        )
    for topic in config.topics.topics:
        jobs.append(
            (topic_report, topic_file.format(topic=topic.id), {"quarter": quarter.label, "topic": topic.id})
        )
    return jobs


def report_fingerprints(
    run: QuarterRun, step: Step, jobs: list[tuple[str, str, dict[str, Any]]]
) -> dict[str, str]:
    """Each report's fingerprint (executed file name -> hash): the code, the step's configuration, the tables it
    reads but the commentary, its parameters and the rows of the commentary it is given
    (:func:`analysis.products.report_data.commentary_read_by`), so that a commentary edit re-runs only the reports
    that show the edited rows."""
    from analysis.io import read_table
    from analysis.products.report_data import commentary_read_by

    assert run.quarter is not None
    common = digest(
        step.name,
        run.code,
        run.config_digest(step),
        tables_digest(run.staged_processed, [table for table in step.reads if table != COMMENTARY]),
    )
    commentary = read_table(COMMENTARY, run.staged_processed)
    fingerprints = {}
    for source, output, parameters in jobs:
        rows = commentary_read_by(
            commentary, run.quarter, theme=parameters.get("theme"), topic=parameters.get("topic")
        )
        fingerprints[output] = digest(common, source, parameters, rows.to_json(orient="split", index=False))
    return fingerprints


def stage_reports(run: QuarterRun, step: Step, renderer: str) -> tuple[str, str]:
    """Execute the report notebooks of ``step`` (:data:`analysis.run.steps.REPORTS`; in parallel, up to ``jobs``)
    whose inputs changed (:func:`report_fingerprints`), and render them to self-contained HTML.

    The fingerprint covers what the notebooks show, not how they are rendered: a run with another renderer (e.g.
    Quarto's pre-render, ``--renderer none``, after ``make report``) finds the executed notebooks up to date and
    only renders them again, when the HTML is missing or was made by another renderer. A report whose fingerprint
    is unchanged keeps its executed notebook, page and PDF from the last run (the run's private copy of the
    quarter's folder starts as a copy of the published one); the index is always written again.
    """
    started = time.perf_counter()
    assert run.quarter is not None
    staged = ensure_quarter_reports(run)
    jobs = report_notebooks(run.config, run.quarter, step)
    fingerprints = report_fingerprints(run, step, jobs)
    fingerprint = digest(step.name, sorted(fingerprints.items()))
    executed = [staged / name for _, name, _ in jobs]
    pages = [path.with_suffix(".html") for path in executed] + [staged / "index.html"]
    previous = run.state.get("renderer", "none")
    if run.should_skip(step.name, fingerprint, executed):
        if renderer == "none" or (
            _renderer_for(renderer) == previous and all(path.exists() for path in pages)
        ):
            _record(run, step, fingerprint, started, fingerprints, skipped=True)
            # with "none" the pages are left to Quarto: the next run with a renderer renders them again
            return fingerprint, "none" if renderer == "none" else previous
        used = _render(run, staged, renderer)
        _record(run, step, fingerprint, started, fingerprints, skipped=False)
        return fingerprint, used
    before = run.state.get("stages", {}).get(step.name, {}).get("reports", {})
    changed = [
        job
        for job in jobs
        if run.force or before.get(job[1]) != fingerprints[job[1]] or not (staged / job[1]).is_file()
    ]
    for notebook in [staged / output for _, output, _ in changed] + [staged / "index.html"]:
        # pages and PDFs of the last run would otherwise sit beside newer notebooks
        notebook.with_suffix(".html").unlink(missing_ok=True)
        notebook.with_suffix(".pdf").unlink(missing_ok=True)
    manifest_path = staged / MANIFEST_FILE
    write_json(manifest_path, quarter_manifest(run, renderer="pending"))
    if len(changed) < len(jobs):
        logger.info(
            "Reports unchanged since the last run, kept: %d of %d", len(jobs) - len(changed), len(jobs)
        )
    chosen = "none" if renderer == "none" else _renderer_for(renderer)
    rendered = _execute_reports(run, step, staged, changed, manifest_path, render_each=chosen == "built-in")
    if renderer != "none":
        logger.info("Executed the report notebooks: rendering them")
    # every other page that is missing is made, and every page if the last run's renderer was another
    same_renderer = chosen != "none" and chosen == previous
    to_render = [
        path
        for path in executed
        if path not in rendered and not (same_renderer and path.with_suffix(".html").exists())
    ]
    used = "none" if renderer == "none" else _render(run, staged, renderer, notebooks=to_render)
    _record(run, step, fingerprint, started, fingerprints, skipped=False)
    return fingerprint, used


def _execute_reports(
    run: QuarterRun,
    step: Step,
    staged: Path,
    jobs: list[tuple[str, str, dict[str, Any]]],
    manifest_path: Path,
    *,
    render_each: bool,
) -> list[Path]:
    """Execute ``jobs`` (source, executed file name, parameters) in at most ``run.jobs`` kernels.

    With ``render_each`` (the built-in renderer), each report's page is rendered and handed to one Chromium for its
    PDF as soon as the report is executed, while the others still run (:class:`analysis.run.pdf.PdfPrinter`);
    the notebooks so rendered are returned.
    """
    from tqdm.auto import tqdm

    from analysis.run.pdf import PdfPrinter
    from analysis.run.render import render_report_page

    assert run.quarter is not None
    quarter = run.quarter
    printer = PdfPrinter() if render_each and jobs else None
    rendered: list[Path] = []

    # At most `jobs` kernels, each running report after report (analysis.run.kernels.KernelPool), the first ones
    # started and warmed up while the earlier stages ran.
    kernels = KernelPool(
        run.paths.notebooks,
        step.warm_up,
        run.jobs,
        ready=lambda slot: run.take_kernel(f"report-{slot}"),
        notebooks=len(jobs),
    )

    def execute(job: tuple[str, str, dict[str, Any]]) -> str:
        source, output, parameters = job
        with kernels.lease() as kernel:
            execute_notebook(
                run.paths.notebooks / source,
                staged / output,
                run.parameters(manifest_path=str(manifest_path)) | parameters,
                cwd=run.paths.notebooks,
                kernel=kernel,
            )
        # acronyms spelt out at their first use on the page, for both renderers (config/glossary.yml)
        spell_out_executed(staged / output, run.config.glossary)
        if printer is not None:
            page = render_report_page(
                staged / output, authority_name=run.config.authority.name, quarter=quarter
            )
            rendered.append(staged / output)
            printer.print(page)
        return output

    with ThreadPoolExecutor(max_workers=max(1, run.jobs)) as pool:
        futures = [pool.submit(execute, job) for job in jobs]
        progress = tqdm(total=len(futures), desc="Report notebooks", unit="report", disable=None)
        try:
            for future in as_completed(futures):
                future.result()
                progress.update()
        except BaseException:
            for pending in futures:
                pending.cancel()
            raise
        finally:
            progress.close()
            kernels.close()
            if printer is not None:
                printer.close()
    return rendered


def _record(
    run: QuarterRun,
    step: Step,
    fingerprint: str,
    started: float,
    fingerprints: dict[str, str],
    *,
    skipped: bool,
) -> None:
    """The step's record, and each report's fingerprint in the run's state for the next run to compare with."""
    run.record(step.name, fingerprint, started, skipped=skipped, notebooks=[])
    run.new_state["stages"][step.name]["reports"] = fingerprints


def index_summary(
    config: ProjectConfig, processed: Path, quarter: Quarter
) -> tuple[str, list[tuple[str, str, str]]]:
    """The index page's banner (HTML) and each theme's status, from the exceptions table."""
    from analysis.io import read_table
    from analysis.products.presentation import demo_banner_html, theme_statuses

    return demo_banner_html(config), theme_statuses(config, read_table("exceptions", processed), quarter)


def _renderer_for(renderer: str) -> str:
    from analysis.run.render import choose_renderer

    return "none" if renderer == "none" else choose_renderer(renderer)


def _render(run: QuarterRun, staged: Path, renderer: str, *, notebooks: list[Path] | None = None) -> str:
    """Render ``notebooks`` (default: every report in ``staged``) to HTML and PDF, and write the index."""
    from analysis.run.render import render_reports

    assert run.quarter is not None
    banner, statuses = index_summary(run.config, run.staged_processed, run.quarter)
    used = render_reports(
        staged,
        renderer=renderer,
        authority_name=run.config.authority.name,
        quarter_label=run.quarter.label,
        banner=banner,
        statuses=statuses,
        glossary=run.config.glossary,
        only=notebooks,
    )
    logger.info("Rendered the reports with the %s renderer", used)
    return used
