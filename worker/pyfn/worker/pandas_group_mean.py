"""An exact shortcut for the Pandas UDAF `lambda v: v.mean()` over whole groups: all groups of a bundle at once.

A Pandas UDAF is called once per group with a Series of the group's rows; for 60-row groups the Series and the
call to `Series.mean` are nearly all of the worker's time. When the function is recognisably nothing but
`return v.mean()` of its one argument (its bytecode: load the argument, call its `mean` with no arguments,
return) and that argument is a float64 column, the means of all groups are computed here with numpy instead, bit
for bit what `Series.mean` gives for each group:

- pandas (without bottleneck) computes a float64 group's mean as `nanops.nanmean`: NaNs replaced by 0, the sum
  by numpy's `add.reduce` over the 1-D values (pairwise summation), divided by the count of non-NaN values as
  float64 (NaN when there are none).
- numpy sums each row of a C-contiguous 2-D array along axis 1 with the same inner loop as a 1-D array of that
  row's length, so the groups are taken by length into one (groups x length) array each and summed at once.
- Measured (groups of random lengths, values at scales 1e-3 to 1e8, 5 % NaN, 9,030 groups): this matched
  `Series.mean` bit for bit in every group; `np.add.reduceat` differed in 4,668 of them and pandas'
  `groupby(...).mean()` (Kahan summation) in 4,398, so neither is used. `test_pandas_group_mean.py` repeats the
  comparison on every run, lengths 1 to 300 and 1,000.

With bottleneck installed and pandas' `compute.use_bottleneck` on, pandas sums sequentially instead; the
shortcut then steps aside (checked at every bundle, as the option can change), as it does for anything else.
"""

from __future__ import annotations

import dis
import types
from typing import Optional

import numpy as np

#: What an instruction of a recognised function may be, besides the four that matter (Python 3.11 to 3.13).
_IGNORED = {"RESUME", "CACHE", "NOP", "PRECALL", "PUSH_NULL", "EXTENDED_ARG"}
#: CO_VARARGS | CO_VARKEYWORDS: a function taking *args or **kwargs is not recognised.
_VARIADIC = 0x04 | 0x08


def is_plain_mean(fn) -> bool:
    """True when `fn` is a plain Python function of one argument whose whole body is `return arg.mean()`."""
    if not isinstance(fn, types.FunctionType):
        return False
    code = fn.__code__
    if code.co_argcount != 1 or code.co_kwonlyargcount or code.co_flags & _VARIADIC:
        return False
    steps = [(i.opname, i.argval) for i in dis.get_instructions(code) if i.opname not in _IGNORED]
    if len(steps) != 4:
        return False
    (load, argument), (attribute, name), (call, count), (ret, _) = steps
    return (load == "LOAD_FAST" and argument == code.co_varnames[0]
            and attribute in ("LOAD_METHOD", "LOAD_ATTR") and name == "mean"
            and call == "CALL" and count == 0 and ret == "RETURN_VALUE")


def pandas_sums_pairwise() -> bool:
    """True when this pandas computes `Series.mean` of float64 values with numpy's sum: bottleneck not in use, and
    `Series.mean` pandas' own (not replaced by a program)."""
    try:
        import pandas as pd
        from pandas.core import nanops
    except ImportError:
        return False
    mean = pd.Series.mean
    return (getattr(nanops, "_USE_BOTTLENECK", True) is False
            and getattr(mean, "__module__", "") == "pandas.core.series" and mean.__qualname__ == "Series.mean")


def group_means(values: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> Optional[np.ndarray]:
    """The mean of `values[starts[g]:ends[g]]` for each group g, as `pd.Series(...).mean()` gives it, or None when
    `values` is not float64 or pandas would not sum pairwise."""
    if values.dtype != np.float64 or values.ndim != 1 or not pandas_sums_pairwise():
        return None
    missing = np.isnan(values)
    filled = np.where(missing, 0.0, values)
    lengths = ends - starts
    seen = np.concatenate([np.zeros(1, dtype=np.int64), np.cumsum(missing, dtype=np.int64)])
    counts = lengths - (seen[ends] - seen[starts])
    sums = np.zeros(len(starts), dtype=np.float64)
    for length in np.unique(lengths):
        if length == 0:
            continue
        groups = np.flatnonzero(lengths == length)
        rows = starts[groups][:, None] + np.arange(length)[None, :]
        sums[groups] = np.add.reduce(filled[rows], axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = sums / counts.astype(np.float64)
    means[counts == 0] = np.nan
    return means
