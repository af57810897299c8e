"""`pyfn.table.udf`: PyFlink's module of user-defined functions (`udf`, `udtf`, `udaf` and the classes)."""

from pyfn.functions import (AggregateFunction, AsyncScalarFunction, FunctionContext, ScalarFunction, TableAggregateFunction,
                            TableFunction, UserDefinedFunction)
from pyfn.wrappers import (UserDefinedAggregateFunctionWrapper, UserDefinedFunctionWrapper,
                           UserDefinedScalarFunctionWrapper, UserDefinedTableAggregateFunctionWrapper,
                           UserDefinedTableFunctionWrapper, udaf, udf, udtaf, udtf)

__all__ = ["udf", "udtf", "udaf", "udtaf", "ScalarFunction", "AsyncScalarFunction", "TableFunction", "AggregateFunction",
           "TableAggregateFunction", "FunctionContext", "UserDefinedFunction", "UserDefinedFunctionWrapper",
           "UserDefinedScalarFunctionWrapper", "UserDefinedTableFunctionWrapper", "UserDefinedAggregateFunctionWrapper",
           "UserDefinedTableAggregateFunctionWrapper"]
