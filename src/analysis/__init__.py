"""Quarterly performance reporting for a children's services Improvement Plan.

The package holds every piece of logic; the notebooks in ``notebooks/`` only set parameters, call into it and
show what a reader should see.
"""

__version__ = "0.1.0"
