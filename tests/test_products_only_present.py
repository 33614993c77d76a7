"""Products only present: no SPC, exception, benchmark, trend or forecast computation in a product module (issue 18).

The analysis stage (:mod:`analysis.stages.analyse`) writes every reading a product shows (``spc``, ``spc_summary``,
``spc_as_at``, ``benchmark_comparison``, ``exceptions``, ``exceptions_as_at``, ``anticipated``, ``forecasts``); the
product modules read those tables. This test reads each product module's source and fails if it imports, or calls
through a module, any of the computing functions of the method modules. Constants (upper case names) and the few
pure wording helpers listed in :data:`ALLOWED` may be imported.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import analysis

PACKAGE = Path(analysis.__file__).resolve().parent
#: Every product module: each only presents the analysis stage's tables.
PRODUCTS = tuple(sorted(p.stem for p in (PACKAGE / "products").glob("*.py") if p.stem != "__init__"))
#: Modules whose functions compute readings: a product may take only constants and the names in ALLOWED from them.
#: A package listed here covers its modules too (``analysis.stages.indicators`` and ``...indicators.board``: the
#: counting of the case records, which the safeguarding board's view no longer does).
METHODS = (
    "analysis.methods.spc",
    "analysis.methods.spc_rules",
    "analysis.methods.spc_summary",
    "analysis.methods.exception_finder",
    "analysis.methods.benchmarking",
    "analysis.methods.forecast",
    "analysis.methods.ets_fit",
    "analysis.methods.demand_forecasts",
    "analysis.methods.trajectory",
    "analysis.stages.analyse",
    "analysis.stages.indicators",
)
#: Presentation helpers of the method modules (no computation of a reading): what a name or a range is called.
ALLOWED = {
    (
        "analysis.methods.exception_finder",
        "exception_reasons",
    ),  # splits a stored row's reasons into (code, sentence)
    ("analysis.methods.benchmarking", "neighbours_label"),  # the words for the neighbours' row
    ("analysis.methods.spc_summary", "natural_range"),  # 0-100 for a percentage: where a chart's axis may go
    (
        "analysis.methods.benchmarking",
        "known_by",
    ),  # the stored comparison rows released by a day (a selection, no sum)
    # The id a demand measure has in the forecasts table, and its stored monthly rows (a selection, no sum).
    ("analysis.methods.demand_forecasts", "series_id"),
    ("analysis.methods.demand_forecasts", "demand_series"),
    # The quarterly report's data-quality section lists the indicators whose Annex A column the cleaning log records
    # as missing (data_quality_and_provenance.py; it reads the log, it counts no case records).
    ("analysis.stages.indicators", "unavailable_indicators"),
}


def imported_names(source: str) -> list[tuple[str, str, int]]:
    """(module, name, line) of every ``from analysis.X import name`` and ``analysis.X.name`` use in the source."""
    tree = ast.parse(source)
    found = []
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("analysis"):
            found += [(node.module, alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("analysis."):
                    aliases[alias.asname or alias.name] = alias.name
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            base = ast.unparse(node.value)
            if base in aliases:
                found.append((aliases[base], node.attr, node.lineno))
    return found


def _computing(module: str) -> bool:
    return any(module == m or module.startswith(f"{m}.") for m in METHODS)


def forbidden(source: str) -> list[str]:
    return [
        f"line {line}: {module}.{name}"
        for module, name, line in imported_names(source)
        if _computing(module) and not name.isupper() and (module, name) not in ALLOWED
    ]


@pytest.mark.parametrize("product", PRODUCTS)
def test_a_product_module_computes_no_reading(product: str) -> None:
    source = (PACKAGE / "products" / f"{product}.py").read_text(encoding="utf-8")
    assert forbidden(source) == [], f"{product}.py computes what the analysis stage should write"


def test_the_check_sees_a_product_that_computes() -> None:
    source = (
        "from analysis.methods.spc import COMMON_CAUSE, indicator_chart\n"
        "import analysis.methods.exception_finder as ef\n"
        "rows = ef.find_exceptions()\n"
        "from analysis.methods.benchmarking import compare_with_benchmarks, neighbours_label\n"
        "from analysis.methods.spc_summary import natural_range, summarise\n"
        "from analysis.stages.indicators.periods import count, sum_in_periods\n"
        "from analysis.stages.indicators import child_protection, unavailable_indicators\n"
    )
    assert forbidden(source) == [
        "line 1: analysis.methods.spc.indicator_chart",
        "line 4: analysis.methods.benchmarking.compare_with_benchmarks",
        "line 5: analysis.methods.spc_summary.summarise",
        "line 6: analysis.stages.indicators.periods.count",
        "line 6: analysis.stages.indicators.periods.sum_in_periods",
        "line 7: analysis.stages.indicators.child_protection",
        "line 3: analysis.methods.exception_finder.find_exceptions",
    ]


def test_the_safeguarding_board_counted_before_and_would_be_refused() -> None:
    """The board's view as it was (counting the Annex A lists itself) fails the check: the check can fail."""
    old = (
        "from analysis.stages.indicators import assessments as assessment_measures\n"
        "from analysis.stages.indicators.assessments import open_cin_episodes\n"
        "from analysis.stages.indicators.periods import children_open_at_each_end, count\n"
    )
    assert len(forbidden(old)) == 4
