"""PyFn: Python user-defined functions for PyFn's Swift dataflow operators.

The user API is PyFlink's, so a PyFlink UDF file runs with only its imports changed::

    from pyfn import udf, DataTypes

    @udf(result_type=DataTypes.BIGINT())
    def add(a, b):
        return a + b

The harness that runs these functions for the Swift runner is `python -m pyfn.worker`; `python -m pyfn.describe`
lists the functions of a file with their declared types.
"""

from pyfn.functions import (AggregateFunction, AsyncScalarFunction, FunctionContext, ScalarFunction, TableAggregateFunction,
                            TableFunction, UserDefinedFunction)
from pyfn.metrics import MetricGroup
from pyfn.row import Row, RowKind
from pyfn.types import DataType, DataTypes
from pyfn.wrappers import udaf, udf, udtaf, udtf

__version__ = "0.1.0"

__all__ = [
    "udf", "udtf", "udaf", "udtaf", "TableAggregateFunction", "DataTypes", "DataType", "ScalarFunction", "AsyncScalarFunction", "TableFunction",
    "AggregateFunction", "UserDefinedFunction", "FunctionContext", "MetricGroup", "Row", "RowKind",
]
