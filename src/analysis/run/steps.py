"""The steps of a quarter's run and of a month's, declared once: each with its inputs, its notebook, its outputs and
the files of ``config/`` it reads.

The runner (:mod:`analysis.run.pipeline`) walks them in this order; a step's fingerprint is made of what is
declared here (the files of ``data/raw/`` or the tables it reads, the files of ``config/`` it reads, its
notebook and parameters, and the package's code), so a step runs again only when something it reads has changed:
editing ``config/dashboard.yml``, which only the month's products read, runs the months' notebooks again and
skips every step of the quarter; editing ``config/glossary.yml`` runs the reports and the months again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from analysis.run.fingerprints import COMMENTARY_FOLDER, files_below
from analysis.schemas import ANALYSIS_TABLES, SCHEMAS


@dataclass(frozen=True)
class RawFiles:
    """The files of ``data/raw/`` a step reads: those below ``folder``, less the sub-folders other steps read."""

    folder: str = ""
    exclude: tuple[str, ...] = ()

    def files(self, raw: Path) -> list[Path]:
        return files_below(raw / self.folder if self.folder else raw, exclude=self.exclude)


@dataclass(frozen=True)
class Step:
    """One step of a run: what it reads, the notebooks it executes, what it writes, the configuration it reads.

    ``notebooks`` are (source notebook in ``notebooks/``, executed file's name); a name with ``{theme}`` or
    ``{topic}`` is executed once for each theme of ``plan.yml`` or topic of ``topics.yml``. ``reads`` and
    ``writes`` are tables of ``data/processed/``; ``links`` are files of the quarter's reports that a page links
    to (its fingerprint notes which exist). ``warm_up`` is what the kernel of a step's notebook imports while
    earlier steps run (:mod:`analysis.run.kernels`).
    """

    name: str
    notebooks: tuple[tuple[str, str], ...]
    reads: tuple[str, ...]
    writes: tuple[str, ...]
    config: tuple[str, ...]
    raw: RawFiles | None = None
    links: tuple[str, ...] = ()
    warm_up: str = ""

    @property
    def notebook(self) -> str:
        """The source notebook of a step that executes one."""
        ((source, _),) = self.notebooks
        return source

    @property
    def executed(self) -> str:
        """The executed notebook's file name, for a step that executes one."""
        ((_, executed),) = self.notebooks
        return executed


#: The files of ``config/`` the quarter's steps up to the analysis read.
ANALYSIS_CONFIG = ("authority.yml", "benchmarks.yml", "indicators.yml", "plan.yml", "topics.yml")
#: The files of ``config/`` the quarter's reports read: the glossary too (acronyms spelt out on every page).
REPORTS_CONFIG = (*ANALYSIS_CONFIG, "glossary.yml")
#: The files of ``config/`` the month's products read: ``dashboard.yml`` too, which no step of the quarter reads.
MONTH_CONFIG = (*REPORTS_CONFIG, "dashboard.yml")
#: Tables the cleaning step writes (validation and analysis read them).
CLEAN_TABLES = tuple(
    name for name in SCHEMAS if name not in {*ANALYSIS_TABLES, "validation_results", "commentary"}
)

CLEAN = Step(
    "clean",
    notebooks=(("01_clean.ipynb", "01-clean.ipynb"),),
    reads=(),
    writes=CLEAN_TABLES,
    config=ANALYSIS_CONFIG,
    raw=RawFiles(exclude=(COMMENTARY_FOLDER,)),
)
#: The analyst's commentary, read apart from the rest so that editing it re-runs only the reports.
COMMENTARY = Step(
    "commentary",
    notebooks=(),
    reads=(),
    writes=("commentary",),
    config=ANALYSIS_CONFIG,
    raw=RawFiles(folder=COMMENTARY_FOLDER),
)
VALIDATE = Step(
    "validate",
    notebooks=(("02_validate.ipynb", "02-validate.ipynb"),),
    reads=CLEAN_TABLES,
    writes=("validation_results",),
    config=ANALYSIS_CONFIG,
    warm_up="from analysis.stages.validation import preload_great_expectations; preload_great_expectations()",
)
#: The analysis also reads the ethnic population file that ``topics.yml`` names (``ethnic_population_file``), from
#: ``data/raw/``: the runner passes it, as its name is configuration.
ANALYSE = Step(
    "analyse",
    notebooks=(("03_analyse.ipynb", "03-analyse.ipynb"),),
    reads=CLEAN_TABLES,  # not the validation's results: it runs beside the validation (analysis.run.quarter_run)
    writes=tuple(ANALYSIS_TABLES),
    config=ANALYSIS_CONFIG,
    # With the modules the analysis imports only when it first fits a forecast or builds the board's table
    # (statsmodels' ETS and scipy: 0.8 s), so that they are imported while the cleaning runs, not in the analysis.
    warm_up=(
        "import analysis.stages.analyse, analysis.stages.indicators.board, scipy.linalg, threadpoolctl, "
        "statsmodels.tsa.exponential_smoothing.ets"
    ),
)
REPORTS = Step(
    "reports",
    notebooks=(
        ("quarterly_report.ipynb", "quarterly-report.ipynb"),
        ("exception_report.ipynb", "exceptions-{theme}.ipynb"),
        ("topic_report.ipynb", "topic-{topic}.ipynb"),
    ),
    reads=tuple(SCHEMAS),
    writes=(),
    config=REPORTS_CONFIG,
    warm_up=(
        "import analysis.products.quarterly_report, analysis.products.exception_report, "
        "analysis.products.report_cover, analysis.products.data_quality_and_provenance, "
        "analysis.products.topic_report"
    ),
)
#: A quarter's steps, in the order they run.
QUARTER_STEPS = (CLEAN, COMMENTARY, VALIDATE, ANALYSE, REPORTS)

DASHBOARD = Step(
    "dashboard",
    notebooks=(("monthly_dashboard.ipynb", "dashboard.ipynb"),),
    reads=("indicators_monthly", "spc_as_at", "benchmark_comparison", "exceptions_as_at", "actions"),
    writes=(),
    config=MONTH_CONFIG,
    links=("exceptions-*.*",),
    warm_up="import analysis.products.dashboard",
)
SAFEGUARDING_BOARD = Step(
    "safeguarding_board",
    notebooks=(("safeguarding_board.ipynb", "safeguarding-board.ipynb"),),
    reads=("safeguarding_board",),
    writes=(),
    config=MONTH_CONFIG,
    warm_up="import analysis.products.safeguarding_board",
)
#: A month's steps, run for each month after the quarter's (whose tables they read).
MONTH_STEPS = (DASHBOARD, SAFEGUARDING_BOARD)


def later_steps(step: Step) -> list[Step]:
    """The quarter's steps after ``step`` whose notebooks' kernels can be prepared while it runs."""
    return [later for later in QUARTER_STEPS[QUARTER_STEPS.index(step) + 1 :] if later.warm_up]


def config_read_by(steps: Iterable[Step]) -> tuple[str, ...]:
    """The files of ``config/`` that any of ``steps`` reads."""
    return tuple(sorted({name for step in steps for name in step.config}))


def tables_read_by(steps: Iterable[Step]) -> tuple[str, ...]:
    """The tables of ``data/processed/`` that any of ``steps`` reads."""
    return tuple(sorted({name for step in steps for name in step.reads}))
