"""UDFs of the PyFlink conformance cases the Swift job tests run (computed arguments, mixed kinds, temporal types)."""
import datetime

from pyfn import DataTypes, udf


@udf(result_type=DataTypes.BIGINT())
def add_one(i):
    """i + 1, as PyFlink's test_udf.py `add_one`."""
    return i + 1


@udf(result_type=DataTypes.BIGINT(), func_type="pandas")
def pandas_add_one(i):
    """i + 1 over a pandas.Series."""
    return i + 1


@udf(result_type=DataTypes.DOUBLE())
def half(x):
    """x / 2 (a DOUBLE argument)."""
    return x / 2


@udf(result_type=DataTypes.STRING())
def describe(value):
    """The Python type and value of the argument, to check what a UDF receives."""
    return "%s %s" % (type(value).__name__, value.isoformat() if hasattr(value, "isoformat") else value)


@udf(result_type=DataTypes.TIME())
def time_plus_second(t):
    """The TIME argument one second later, fractions kept (PyFlink's test_all_data_types passes 12:00:00.123)."""
    full = datetime.datetime.combine(datetime.date(2000, 1, 1), t) + datetime.timedelta(seconds=1)
    return full.time()
