"""Functions that report what the worker running them has imported (tests/test_pandas_deferral.py)."""
import sys

from pyfn import DataTypes, udf


@udf(result_type=DataTypes.STRING())
def upper(s):
    return None if s is None else s.upper()


@udf(result_type=DataTypes.BOOLEAN())
def pandas_imported(_):
    """Whether pandas is loaded in this worker (False in a worker that has run only plain functions)."""
    return "pandas" in sys.modules


@udf(result_type=DataTypes.BIGINT())
def series_length(n):
    """A plain function that imports pandas itself and uses it: the worker must let it."""
    import pandas as pd

    return len(pd.Series(range(n)))


@udf(result_type=DataTypes.BIGINT(), func_type="pandas")
def pandas_double(a):
    return a * 2
