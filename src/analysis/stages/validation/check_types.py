"""The model of an expectation suite (a :class:`Check`, a :class:`Suite`, severities) and the sources checks cite.

A :class:`Check` names a Great Expectations built-in expectation (its class in ``great_expectations.expectations``)
with its arguments, a stable ``check_id``, a ``severity`` (``critical`` stops the run, ``warning`` goes to the
report's data-quality section) and a plain-English ``description`` of what is checked, where the rule comes from,
and what a failure means for the figures. Nothing here imports Great Expectations; :mod:`.runner` turns checks
into expectations. Kept apart from the suites so that every module of suites can share it without a cycle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["critical", "warning"]
CRITICAL: Severity = "critical"
WARNING: Severity = "warning"

#: Separates what a check tests from what its failure means; :func:`split_description` undoes it.
MEANING = " If it fails: "


ANNEX_A = "Ofsted Annex A (2015)"
SSDA903 = "DfE SSDA903 children looked after return guidance"
CIN = "DfE children in need census guidance"


@dataclass(frozen=True)
class Check:
    """One expectation: the GX class name and arguments, its id, severity and plain-English description."""

    check_id: str
    severity: Severity
    expectation: str
    kwargs: dict[str, Any]
    description: str

    @property
    def columns(self) -> str:
        """The column or columns the check looks at, comma-separated (empty for table-level checks)."""
        kw = self.kwargs
        if "column" in kw:
            return str(kw["column"])
        if "column_A" in kw:
            return f"{kw['column_A']}, {kw['column_B']}"
        if "column_list" in kw:
            return ", ".join(kw["column_list"])
        return ""


@dataclass(frozen=True)
class Suite:
    """The checks run on one frame; ``row_label`` is the column quoted for failing rows (never an identifier)."""

    name: str
    checks: list[Check] = field(default_factory=list)
    row_label: str = "source_row"


def split_description(description: str) -> tuple[str, str]:
    """(what is checked, what a failure means) from a check's description."""
    what, _, meaning = description.partition(MEANING)
    return what, meaning


def describe(what: str, meaning: str) -> str:
    """A check's description: what is checked, then what a failure means (:func:`split_description` undoes it)."""
    return f"{what}{MEANING}{meaning}"
