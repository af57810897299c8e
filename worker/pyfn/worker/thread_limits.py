"""One thread per worker for the numeric libraries: OpenBLAS, OpenMP and MKL read their thread counts from the
environment once, when numpy (which pyarrow imports) loads, so the worker's entry points set them before either:
`python -m pyfn.worker` (process mode and worker pools) and `pyfn.worker.embedded` (embedded mode). Modules a
user's driver program imports leave its environment alone.

A worker already has a core of its own (process mode starts one per subtask; embedded mode runs every bundle on
one interpreter thread), so library threads only compete with it: numpy's OpenBLAS started one server thread per
core that spun in `blas_thread_server` (1.6-6 % of the samples of `perf record` on the embedded arrow_add
benchmark).
A value the user set wins (setdefault), so a function that wants threaded BLAS can still have it.
"""

from __future__ import annotations

import os

#: The variables set, each to "1" unless already set.
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def limit_library_threads() -> None:
    """Sets each of THREAD_VARIABLES to "1" where the environment does not set it already."""
    for name in THREAD_VARIABLES:
        os.environ.setdefault(name, "1")
