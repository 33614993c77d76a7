"""The ``demo-data`` command: write the synthetic demonstration data set in the formats the pipeline reads.

Kept outside the ``analysis`` package: the pipeline never imports the generator, so nothing synthetic can reach
a council's run by way of the code.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from analysis.config import load_config
from analysis.errors import AnalysisError
from demo_data.generate import generate_demo_data

logger = logging.getLogger("demo_data")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="demo-data",
        description=(
            "Write a synthetic, deterministic demonstration data set (Annex A lists, scorecard, tracker, "
            "benchmarks, commentary) in the formats the pipeline reads."
        ),
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="log only warnings and errors")
    parser.add_argument(
        "--out", type=Path, default=Path("data/raw"), help="folder to write to (default: data/raw)"
    )
    parser.add_argument(
        "--seed", type=int, default=2015, help="random seed: the same seed gives the same files"
    )
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="multiply the child-level volume (e.g. 16 for about a million rows); large scales write CSV lists",
    )
    parser.add_argument("--config", type=Path, default=None, help="configuration folder (default: config/)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``demo-data`` console script."""
    args = build_parser().parse_args(argv)
    level = logging.WARNING if args.quiet else logging.INFO
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    try:
        written = generate_demo_data(
            args.out, seed=args.seed, scale=args.scale, config=load_config(args.config)
        )
    except AnalysisError as error:
        logger.error("%s", error)
        return error.exit_code
    logger.info("Wrote %d synthetic demonstration files to %s", len(written), args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
