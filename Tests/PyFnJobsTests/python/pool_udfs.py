"""UDFs for the multi-host pool tests: slow enough that a pool can be killed while a job runs."""
import time

from pyfn import DataTypes, udf


@udf(input_types=[DataTypes.BIGINT()], result_type=DataTypes.BIGINT())
def slow_triple(x):
    time.sleep(0.0005)
    return x * 3
