"""The benchmark functions written against PyFlink itself, for `benchmarks/run scalar_add --harness pyflink`
(PyFn's operators driving PyFlink's own worker)."""
from pyflink.table import DataTypes
from pyflink.table.udf import udf


@udf(result_type=DataTypes.BIGINT())
def add(a, b):
    return a + b
