"""The functions the benchmarks run through PyFn, as a PyFlink user writes them."""
from pyfn import DataTypes, udf, udtf


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
