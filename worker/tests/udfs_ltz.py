"""TIMESTAMP_LTZ functions for the LTZ job tests, written as a PyFlink user writes them (only the imports differ):
what each kind of function receives, and results handed back."""

import datetime

from pyfn import DataTypes, udf


@udf(result_type=DataTypes.STRING())
def describe(ts):
    """The datetime a general UDF gets: its wall clock and UTC offset."""
    return None if ts is None else "%s %s" % (ts.isoformat(), ts.utcoffset())


@udf(result_type=DataTypes.TIMESTAMP_LTZ(3))
def same(ts):
    """The value handed back unchanged."""
    return ts


@udf(result_type=DataTypes.TIMESTAMP_LTZ(3))
def naive_noon(ts):
    """A naive result: PyFlink reads it as UTC wall-clock time."""
    return datetime.datetime(2024, 1, 1, 12, 0, 0)


@udf(result_type=DataTypes.STRING(), func_type="pandas")
def pandas_describe(series):
    """The Series a Pandas UDF gets: its dtype's zone, and each value's wall clock."""
    return series.map(lambda t: "%s %s" % (series.dt.tz, t.isoformat()))


@udf(result_type=DataTypes.TIMESTAMP_LTZ(3), func_type="pandas")
def pandas_same(series):
    """The Series handed back unchanged."""
    return series


@udf(result_type=DataTypes.STRING(), func_type="arrow")
def arrow_describe(array):
    """The Arrow array an Arrow UDF gets: its type."""
    import pyarrow as pa
    return pa.array([str(array.type)] * len(array))


@udf(result_type=DataTypes.TIMESTAMP_LTZ(3), func_type="arrow")
def arrow_same(array):
    """The array handed back unchanged."""
    return array
