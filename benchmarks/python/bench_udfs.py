"""The functions the benchmarks run through PyFn, as a PyFlink user writes them. add, pandas_add, split and total
are benchmarks/vs_pyflink/udfs.py's, written once for both engines (PyFlink runs that file with its own import
line, so the definitions stay there); pandas_mean only PyFn's pandas_udaf_window benchmark runs."""
import os
import sys

from pyfn import DataTypes, udaf

# Workers and the baseline scripts have benchmarks/python on their path; the shared functions' folder is its sibling.
_SHARED = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "vs_pyflink"))
if _SHARED not in sys.path:
    sys.path.append(_SHARED)
from udfs import add, pandas_add, split, total  # noqa: E402,F401  (re-exported: bench_udfs.add, …)


@udaf(result_type=DataTypes.DOUBLE(), func_type="pandas")
def pandas_mean(v):
    """The mean of a pandas.Series (pandas_udaf_window)."""
    return v.mean()
