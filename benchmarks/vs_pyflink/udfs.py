"""The functions of the vs_pyflink jobs, written once for both engines: PyFlink 2.3's API, imported from pyfn
when PyFn runs them and from pyflink when PyFlink does (the only line a user changes)."""
try:
    from pyfn import AggregateFunction, DataTypes, udaf, udf, udtf
except ImportError:  # PyFlink's venv: the same names from PyFlink
    from pyflink.table import DataTypes
    from pyflink.table.udf import AggregateFunction, udaf, udf, udtf


@udf(result_type=DataTypes.BIGINT())
def add(a, b):
    return a + b


@udf(result_type=DataTypes.STRING())
def py_upper(s):
    return s.upper()


@udf(result_type=DataTypes.BIGINT(), func_type="pandas")
def pandas_add(a, b):
    return a + b


@udtf(result_types=[DataTypes.STRING()])
def split(s):
    """Two rows per input."""
    yield s[:8]
    yield s[8:]


class Total(AggregateFunction):
    """The sum of a BIGINT column per key."""

    def create_accumulator(self):
        return [0]

    def accumulate(self, accumulator, value):
        if value is not None:
            accumulator[0] += value

    def get_value(self, accumulator):
        return accumulator[0]

    def get_result_type(self):
        return DataTypes.BIGINT()

    def get_accumulator_type(self):
        return DataTypes.ARRAY(DataTypes.BIGINT())


total = udaf(Total())
