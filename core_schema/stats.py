"""The one percentile of the project: every p50/p95 in evals, imaging and benchmarks reports.

Definition (stated once, used everywhere): the **nearest-rank** percentile, i.e. numpy's
``percentile(..., method="inverted_cdf")`` (Hyndman & Fan definition 1): the smallest observed value
``x`` with at least ``q`` percent of the values ``<= x`` -- the ``ceil(q/100 * n)``-th smallest. It is
always a value that was actually measured (no interpolation), so "p95 = 19 ms" means a run took 19 ms.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

PERCENTILE_METHOD: Final = "inverted_cdf"  # nearest rank


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank ``q``-th percentile (``q`` in 0..100) of ``values``; 0.0 for no values."""
    if not 0 <= q <= 100:
        raise ValueError(f"percentile q must be in 0..100, got {q!r}")
    if len(values) == 0:
        return 0.0
    import numpy as np  # noqa: PLC0415 -- lazily: the CLI imports the scorers without needing numpy

    return float(np.percentile(np.asarray(values, dtype=float), q, method=PERCENTILE_METHOD))
