"""The functions the benchmarks run through PyFn, as a PyFlink user writes them."""
from pyfn import AggregateFunction, DataTypes, udaf, udf, udtf


@udf(result_type=DataTypes.BIGINT())
def add(a, b):
    return a + b


@udf(result_type=DataTypes.BIGINT(), func_type="pandas")
def pandas_add(a, b):
    return a + b


@udtf(result_types=[DataTypes.STRING()])
def split(s):
    """Two rows per input, as in PyFlink's benchmark."""
    yield s[:8]
    yield s[8:]


class Total(AggregateFunction):
    """The sum of a BIGINT column per key, as PyFlink's UDAF examples write it."""

    def create_accumulator(self):
        return [0]

    def accumulate(self, accumulator, value):
        accumulator[0] += value

    def get_value(self, accumulator):
        return accumulator[0]


total = udaf(Total(), result_type=DataTypes.BIGINT())


@udaf(result_type=DataTypes.DOUBLE(), func_type="pandas")
def pandas_mean(v):
    """The mean of a pandas.Series (pandas_udaf_window)."""
    return v.mean()
