"""The ``analysis`` command: run the pipeline for a quarter or a month (the demo data: ``demo-data``).

Exit codes: 0 success; 2 bad input, bad configuration, a failed critical data check (the message names the
file, row and column), another run in progress, a missing or different pseudonymisation key, or a folder that
cannot be written or a full disk; 1 anything unexpected.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from analysis import __version__
from analysis.errors import AnalysisError

logger = logging.getLogger("analysis")


def _add_paths(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, default=None, help="configuration folder (default: config/)")
    parser.add_argument("--raw", type=Path, default=None, help="raw inputs folder (default: data/raw/)")
    parser.add_argument(
        "--processed", type=Path, default=None, help="processed tables folder (default: data/processed/)"
    )
    parser.add_argument("--reports", type=Path, default=None, help="reports folder (default: reports/)")


def _quarter(label: str) -> str:
    """Check a ``--quarter`` value as it is parsed, so a typo is reported before any work starts."""
    from analysis.methods.quarters import Quarter

    try:
        return Quarter.parse(label).label
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _months(text: str) -> list:
    """Check a ``--month``/``--months`` value (``2015-06`` or ``2014-04:2015-06``) as it is parsed."""
    from analysis.methods.months import parse_month_range

    try:
        return parse_month_range(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _add_verbosity(parser: argparse.ArgumentParser, *, after_command: bool = False) -> None:
    """``-v``/``-q`` before the command (``analysis -v run``) or after it (``analysis run -v``), as users type them.

    After the command the defaults are suppressed, so an option given before it is not reset by the sub-parser.
    """
    default: object = argparse.SUPPRESS if after_command else False
    verbosity = parser.add_mutually_exclusive_group()
    verbosity.add_argument(
        "-v", "--verbose", action="store_true", default=default, help="log every step (DEBUG level)"
    )
    verbosity.add_argument(
        "-q", "--quiet", action="store_true", default=default, help="log only warnings and errors"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="analysis",
        description=(
            "Quarterly performance reports for a children's services Improvement Plan: clean the raw data, check "
            "it, analyse it and render the quarterly progress report and one exception report per theme."
        ),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    _add_verbosity(parser)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser(
        "run",
        help="run the pipeline for a quarter: clean, validate, analyse, report",
        description=(
            "Run every stage for one quarter. Stages whose inputs, code and parameters are unchanged since the last "
            "run are skipped; outputs replace the last good ones only when the whole run succeeds."
        ),
    )
    run.add_argument(
        "--quarter",
        type=_quarter,
        default=os.environ.get("ANALYSIS_QUARTER") or None,
        help=(
            "financial-year quarter such as 2015-16-Q1 (Q1 = April to June); default: $ANALYSIS_QUARTER if set, "
            "else the latest complete quarter in the data"
        ),
    )
    monthly = run.add_mutually_exclusive_group()
    monthly.add_argument(
        "--month",
        type=_months,
        default=None,
        metavar="YYYY-MM",
        help=(
            "make the month's Improvement Board dashboard and safeguarding board view in reports/YYYY-MM/ (after "
            "the pipeline for the latest quarter ended by then, skipping every unchanged stage)"
        ),
    )
    monthly.add_argument(
        "--months",
        type=_months,
        default=None,
        metavar="FIRST:LAST",
        help="a range of months, e.g. 2014-04:2015-06, run in parallel; writes reports/dashboards.html",
    )
    _add_paths(run)
    _add_verbosity(run, after_command=True)
    run.add_argument("--jobs", type=int, default=2, help="report notebooks executed in parallel (default: 2)")
    run.add_argument("--force", action="store_true", help="run every stage even if nothing changed")
    run.add_argument(
        "--new-key",
        action="store_true",
        help=(
            "start afresh on purpose with a new pseudonymisation key when .pseudonym-key is missing or differs "
            "from the one the processed data were made with (every pseudonym changes)"
        ),
    )
    run.add_argument(
        "--renderer",
        choices=["auto", "quarto", "builtin", "none"],
        default="auto",
        help=(
            "how the executed report notebooks become HTML: quarto, the built-in nbconvert renderer, auto (quarto "
            "when it is on PATH, else built-in) or none (Quarto's pre-render step: execute, do not render)"
        ),
    )
    run.add_argument(
        "--authorities",
        nargs="+",
        type=Path,
        default=None,
        metavar="FOLDER",
        help="run for several authorities: each FOLDER holds config/ and data/raw/ (reports go in FOLDER/reports)",
    )
    run.add_argument(
        "--executor",
        default="local",
        help="with --authorities: 'local' (processes on this machine) or 'dask://host:port' (a Dask scheduler)",
    )
    _add_returns_command(commands)
    return parser


def _add_returns_command(commands: argparse._SubParsersAction) -> None:
    """``analysis returns FOLDER``: the statutory returns' figures as DfE defines them (:mod:`analysis.stages.returns`)."""
    returns = commands.add_parser(
        "returns",
        help="read the SSDA903 and CIN census returns in FOLDER; print DfE's measures per year as CSV",
        description=(
            "Read every SSDA903 CSV table and CIN census XML file in FOLDER (one folder per collection year, e.g. "
            "2014-15/), print measure,year,numerator,denominator,value on standard output and the data-quality "
            "findings on standard error. Exit 0 when the returns were read, 2 when nothing could be read."
        ),
    )
    returns.add_argument("folder", type=Path, metavar="FOLDER", help="folder of the returns")
    returns.add_argument("--config", type=Path, default=None, help="configuration folder (default: config/)")
    returns.add_argument(
        "--raw",
        type=Path,
        default=None,
        help="raw inputs folder holding the population file (default: data/raw/)",
    )
    returns.add_argument(
        "--schemas",
        type=Path,
        default=None,
        help="folder of DfE's CIN census schemas CIN_schema_YYYY.xsd (default: ../shared/data/cin_census_schemas)",
    )
    returns.add_argument(
        "--no-expectations", action="store_true", help="skip the Great Expectations checks (faster)"
    )
    _add_verbosity(returns, after_command=True)


def _configure_logging(verbose: bool, quiet: bool) -> None:
    level = logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    for noisy in ("great_expectations", "papermill", "traitlets", "matplotlib", "distributed", "asyncio"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))
    logging.getLogger("traitlets").addFilter(_ZmqContextNotice())


class _ZmqContextNotice(logging.Filter):
    """Drop jupyter_client's "Could not destroy zmq context" notice, logged once per report notebook.

    jupyter_client logs it through traitlets at warning level when a kernel client is garbage-collected after
    its kernel has stopped (``jupyter_client/client.py``, ``KernelClient.__del__``); nothing is wrong and there is
    nothing for the analyst to do. Every other traitlets warning still shows.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Could not destroy zmq context")


def _run(args: argparse.Namespace) -> int:
    from analysis.paths import ProjectPaths
    from analysis.run.consortium import run_authorities
    from analysis.run.pipeline import run_pipeline

    if args.authorities:
        results = run_authorities(
            args.authorities,
            quarter=args.quarter,
            jobs=args.jobs,
            force=args.force,
            executor=args.executor,
            renderer=args.renderer,
        )
        for result in results:
            print(result.report_path)
        return 0
    paths = ProjectPaths.from_root(
        config=args.config, raw=args.raw, processed=args.processed, reports=args.reports
    )
    months = args.month or args.months
    if months:
        from analysis.run.pipeline import run_months

        monthly = run_months(
            paths, months, jobs=args.jobs, force=args.force, renderer=args.renderer, new_key=args.new_key
        )
        for label in monthly.months:
            print(monthly.dashboard(label))
        if len(monthly.months) > 1:
            print(monthly.index)
        return 0
    result = run_pipeline(
        paths,
        quarter=args.quarter,
        jobs=args.jobs,
        force=args.force,
        renderer=args.renderer,
        new_key=args.new_key,
    )
    skipped = [stage.name for stage in result.stages if stage.skipped]
    if skipped:
        logger.info("Skipped (unchanged): %s", ", ".join(skipped))
    print(result.report_path)
    return 0


def _returns(args: argparse.Namespace) -> int:
    from analysis.config import load_config
    from analysis.inputs.population_and_neighbours import read_population_file
    from analysis.inputs.pseudonymise import load_or_create_key
    from analysis.paths import ProjectPaths
    from analysis.run.quarter_stages import KEY_FILE
    from analysis.stages.cleaning.benchmarks import newest_match
    from analysis.stages.returns.command import DEFAULT_SCHEMA_DIR, run_returns

    paths = ProjectPaths.from_root(config=args.config, raw=args.raw)
    config = load_config(paths.config)
    population_path = newest_match(paths.raw, config.authority.population_file)
    population = read_population_file(population_path) if population_path is not None else None
    schemas = args.schemas or (paths.root / DEFAULT_SCHEMA_DIR)
    return run_returns(
        args.folder,
        key=load_or_create_key(paths.root / KEY_FILE),
        schema_dir=schemas if schemas.is_dir() else None,
        population=population,
        authority_codes=(config.authority.old_la_code, config.authority.ons_code),
        out=sys.stdout,
        err=sys.stderr,
        expectations=not args.no_expectations,
    )


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``analysis`` console script."""
    args = build_parser().parse_args(argv)
    _configure_logging(args.verbose, args.quiet)
    try:
        return {"run": _run, "returns": _returns}[args.command](args)
    except AnalysisError as error:
        logger.error("%s", error)
        return error.exit_code
    except KeyboardInterrupt:
        logger.error("Interrupted")
        return 130
    except OSError as error:
        from analysis.run.publication import is_storage_error, storage_error

        if not is_storage_error(error):
            logger.exception("Unexpected error: please report it with the log above")
            return 1
        failure = storage_error(error, error.filename or Path.cwd())
        logger.error("%s", failure)
        return failure.exit_code
    except Exception:
        logger.exception("Unexpected error: please report it with the log above")
        return 1


if __name__ == "__main__":
    sys.exit(main())
