"""`pyfn.table.udf`: PyFlink's module of user-defined functions (`udf`, `udtf`, `udaf` and the classes)."""

from pyfn.functions import AggregateFunction, AsyncScalarFunction, FunctionContext, ScalarFunction, TableFunction, UserDefinedFunction
from pyfn.wrappers import (UserDefinedAggregateFunctionWrapper, UserDefinedFunctionWrapper,
                           UserDefinedScalarFunctionWrapper, UserDefinedTableFunctionWrapper, udaf, udf, udtf)

__all__ = ["udf", "udtf", "udaf", "ScalarFunction", "AsyncScalarFunction", "TableFunction", "AggregateFunction", "FunctionContext",
           "UserDefinedFunction", "UserDefinedFunctionWrapper", "UserDefinedScalarFunctionWrapper",
           "UserDefinedTableFunctionWrapper", "UserDefinedAggregateFunctionWrapper"]
