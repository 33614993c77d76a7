"""Fitting one ETS model with statsmodels, once for the same figures, with BLAS on one thread.

The models, their choice and their forecasts are :mod:`analysis.methods.forecast`'s (see its docstring for the
method and its references); this module fits one candidate to one series.
"""

from __future__ import annotations

import functools
import warnings
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from analysis.methods.forecast import EtsSpec

#: Figures statsmodels' heuristic initialisation needs (seasonal models: two whole cycles as well).
HEURISTIC_MINIMUM_POINTS = 10


def initialisation(points: int, period: int | None) -> str:
    """``heuristic`` initial states from ``HEURISTIC_MINIMUM_POINTS`` figures on, else ``estimated`` (fitted).

    Notes
    -----
    Hyndman et al. (2008), *Forecasting with Exponential Smoothing*, section 2.6.1: initial level, trend and
    seasonal states from the first figures (the first two whole cycles for seasonal models), as statsmodels
    ``ETSModel(initialization_method="heuristic")`` computes them; it needs at least 10 figures. Estimating the
    initial states by maximum likelihood as well is several times slower (twelve seasonal states) and unstable on
    three years of monthly data. Seasonal candidates are only tried from two whole cycles on, so every candidate
    fitted to the same figures uses the same initialisation and their AICc are comparable. Fewer than 10 figures
    (only the annual backtest's first origins) are fitted with estimated initial states.
    """
    del period  # the seasonal candidates' own two-cycle minimum is applied in candidate_specs
    return "heuristic" if points >= HEURISTIC_MINIMUM_POINTS else "estimated"


def fit(y: np.ndarray, spec: EtsSpec, period: int | None) -> object:
    """Fit one ETS model (the same figures, model and period are fitted once: :func:`fit_of_figures`).

    A run fits the same model to the same figures many times over: the AICc choice and then the forecast of the
    chosen model, and the backtests of consecutive quarters (the anticipated trends as at each quarter), whose
    origins train on the same first figures. The fit is deterministic (maximum likelihood from fixed starting
    values: :mod:`analysis.methods.forecast`), so reusing it changes no figure.
    """
    figures = np.ascontiguousarray(y, dtype="float64")
    return fit_of_figures(figures.tobytes(), spec, period)


@functools.cache
def _blas() -> Any:
    """The BLAS libraries numpy and scipy loaded (a ``threadpoolctl.ThreadpoolController``), found once."""
    import scipy.linalg  # noqa: F401  (scipy's own BLAS is loaded with it)
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def one_blas_thread() -> AbstractContextManager[object]:
    """A context in which numpy's and scipy's BLAS run on one thread (what fitting and predicting are done in).

    An ETS fit is many small matrix products; OpenBLAS spreading each over its threads costs more than it saves
    (the demo's forecasts take half the time on one thread on a two-core machine) and competes with the run's
    other jobs. The thread count changes no figure here: the analysis tables are identical either way.
    """
    limited: AbstractContextManager[object] = _blas().limit(limits=1, user_api="blas")
    return limited


@functools.lru_cache(maxsize=512)
def fit_of_figures(figures: bytes, spec: EtsSpec, period: int | None) -> object:
    """Fit one ETS model; statsmodels' convergence and estimation warnings are silenced here, deliberately.

    ``figures`` are the series' float64 bytes (hashable, so the fit can be kept). The optimiser's warnings (e.g.
    ``ConvergenceWarning`` on a short or flat series) say nothing a reader can act on: the backtest, not the
    optimiser, decides whether a model's forecasts are printed.
    """
    y = np.frombuffer(figures, dtype="float64").copy()
    from statsmodels.tools.sm_exceptions import ConvergenceWarning, ModelWarning
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", ModelWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        model = ETSModel(
            pd.Series(np.asarray(y, dtype="float64")),  # a RangeIndex: statsmodels labels the forecast steps
            error="add",
            trend="add" if spec.trend else None,
            damped_trend=spec.trend,
            seasonal="add" if spec.seasonal else None,
            seasonal_periods=period
            if spec.seasonal or initialisation(len(y), period) == "heuristic"
            else None,
            initialization_method=initialisation(len(y), period),
        )
        with one_blas_thread():
            return model.fit(disp=False)
