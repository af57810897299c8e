"""The functions the benchmarks run through PyFn, as a PyFlink user writes them."""
from pyfn import DataTypes, udf


@udf(result_type=DataTypes.BIGINT())
def add(a, b):
    return a + b
