"""UDFs whose declarations the planner checks before a job starts."""
from pyfn import DataTypes, udf


@udf(input_types=[DataTypes.BIGINT()], result_type=DataTypes.BIGINT())
def double_it(x):
    return x * 2


@udf(result_type=DataTypes.STRING())
def tag(s):
    return "<%s>" % s


@udf(result_type=DataTypes.BIGINT(), func_type="pandas")
def pandas_double(n):
    return n * 2
