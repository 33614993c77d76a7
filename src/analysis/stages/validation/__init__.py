"""Stage 2: data expectations on the processed tables, run with Great Expectations.

``validate_processed`` is the entry point; the suites are in :mod:`.suites`, derived frames in :mod:`.checks`.
Great Expectations itself is imported lazily by :mod:`.runner`, so importing this package is cheap.
"""

from analysis.stages.validation.runner import (
    ValidationOutcome,
    data_quality_table,
    preload_great_expectations,
    validate_processed,
)

__all__ = ["ValidationOutcome", "data_quality_table", "preload_great_expectations", "validate_processed"]
