"""`udf`, `udtf` and `udaf`: declare a Python function's types, with PyFlink's names and arguments.

The wrappers they return keep the function, its declared types and its name. The harness and `describe`
read them; calling a wrapper with plain values runs the function (handy in tests).
"""

from __future__ import annotations

import functools
import inspect
from typing import List, Optional

from pyfn.functions import (AggregateFunction, AsyncScalarFunction, ScalarFunction, TableAggregateFunction, TableFunction,
                            UserDefinedFunction)
from pyfn.types import DataType, MapType, RowField, RowType, as_data_type, as_data_types

__all__ = [
    "udf", "udtf", "udaf", "udtaf", "UserDefinedFunctionWrapper", "UserDefinedScalarFunctionWrapper",
    "UserDefinedTableFunctionWrapper", "UserDefinedAggregateFunctionWrapper", "UserDefinedTableAggregateFunctionWrapper",
]

_AGGREGATE_FUNC_TYPES = ("general", "pandas")
#: Scalar functions may also be Arrow-native: a pyarrow.Array per argument in, one out.
_SCALAR_FUNC_TYPES = _AGGREGATE_FUNC_TYPES + ("arrow",)


def _check_func_type(func_type, allowed=_AGGREGATE_FUNC_TYPES) -> None:
    """Raises PyFlink's ValueError for a func_type not in `allowed` (PyFlink's words for its own types, then the
    types PyFn adds)."""
    if func_type not in allowed:
        extra = [t for t in allowed if t not in _AGGREGATE_FUNC_TYPES]
        also = " PyFn also takes %s." % ", ".join("'%s'" % t for t in extra) if extra else ""
        raise ValueError("The func_type must be one of '%s', got %s.%s" % (", ".join(_AGGREGATE_FUNC_TYPES), func_type, also))


def _is_async(func) -> bool:
    """True for an AsyncScalarFunction or an `async def` function (called row by row, awaited)."""
    if isinstance(func, AsyncScalarFunction):
        return True
    return inspect.iscoroutinefunction(func) or inspect.iscoroutinefunction(getattr(func, "__call__", None))


def _function_name(func) -> str:
    name = getattr(func, "__name__", None)
    return name if isinstance(name, str) else type(func).__name__


class UserDefinedFunctionWrapper:
    """A Python function with its declared types."""

    #: "scalar", "pandas_scalar", "arrow_scalar", "async_scalar", "table", "aggregate" or "pandas_aggregate"
    kind = ""

    def __init__(self, func, input_types, deterministic: Optional[bool], name: Optional[str], what: str):
        if inspect.isclass(func) and issubclass(func, UserDefinedFunction):
            func = func()
        if inspect.isclass(func) or not (isinstance(func, UserDefinedFunction) or callable(func)):
            raise TypeError("Invalid function for %s: not a function, callable or %s instance: %r"
                            % (what, "UserDefinedFunction", func))
        self._func = func
        self._name = name or _function_name(func)
        self._input_types: Optional[List[DataType]] = (
            None if input_types is None
            else as_data_types(input_types, "input_types of %s %r" % (what, self._name)))
        if deterministic is not None and isinstance(func, UserDefinedFunction) \
                and bool(deterministic) != func.is_deterministic():
            raise ValueError("Inconsistent deterministic for %r: %s given, but is_deterministic() says %s"
                             % (self._name, deterministic, func.is_deterministic()))
        self._deterministic = bool(deterministic) if deterministic is not None else (
            func.is_deterministic() if isinstance(func, UserDefinedFunction) else True)
        if isinstance(func, functools.partial):
            # A partial's own __module__ is "functools": take the module of the function it wraps, so the
            # wrapper is found by name there and pickled with that module, not with functools.
            inner = func.func
            while isinstance(inner, functools.partial):
                inner = inner.func
            self.__module__ = getattr(inner, "__module__", None) or type(self).__module__
        elif hasattr(func, "__doc__") and not isinstance(func, UserDefinedFunction):
            functools.update_wrapper(self, func, assigned=("__module__", "__doc__", "__qualname__"), updated=())

    # -- what the harness and describe read -------------------------------------------------------------
    @property
    def func(self):
        """The wrapped function or UserDefinedFunction instance."""
        return self._func

    @property
    def name(self) -> str:
        return self._name

    @property
    def input_types(self) -> Optional[List[DataType]]:
        return self._input_types

    @property
    def deterministic(self) -> bool:
        return self._deterministic

    def _callable(self):
        func = self._func
        return func.eval if isinstance(func, (ScalarFunction, AsyncScalarFunction, TableFunction)) else func

    def __call__(self, *args):
        if any(getattr(type(a), "_pyfn_expression", False) for a in args):
            from pyfn.table.expression import function_call  # a Table API call: f(col("a"))
            return function_call(self, *args)
        return self._callable()(*args)

    def __repr__(self):
        return "<%s %s %r>" % (type(self).__name__, self.kind, self._name)


class UserDefinedScalarFunctionWrapper(UserDefinedFunctionWrapper):
    """A scalar function (`func_type="general"`, row at a time; awaited when it is async), a pandas function
    (`"pandas"`, a batch at a time as Series) or an Arrow function (`"arrow"`, a batch at a time as pyarrow arrays)."""

    def __init__(self, func, input_types, result_type, func_type="general", deterministic=None, name=None):
        _check_func_type(func_type, _SCALAR_FUNC_TYPES)
        super().__init__(func, input_types, deterministic, name, "udf")
        is_async = _is_async(self._func)
        if is_async and func_type != "general":
            raise TypeError("udf %r is async (AsyncScalarFunction or async def), which needs func_type 'general', "
                            "not %r" % (self._name, func_type))
        if result_type is None:
            raise TypeError("udf %r has no result_type: declare it, e.g. @udf(result_type=DataTypes.BIGINT()) "
                            "or @udf(result_type='BIGINT')" % self._name)
        self._result_type = as_data_type(result_type, "result_type of udf %r" % self._name)
        self._func_type = func_type
        self.kind = "async_scalar" if is_async else {"pandas": "pandas_scalar", "arrow": "arrow_scalar"}.get(
            func_type, "scalar")

    @property
    def result_type(self) -> DataType:
        return self._result_type

    @property
    def func_type(self) -> str:
        return self._func_type


class UserDefinedTableFunctionWrapper(UserDefinedFunctionWrapper):
    """A table function: zero or more rows per input row."""

    kind = "table"

    def __init__(self, func, input_types, result_types, deterministic=None, name=None):
        super().__init__(func, input_types, deterministic, name, "udtf")
        if result_types is None:
            raise TypeError("udtf %r has no result_types: declare them, e.g. "
                            "@udtf(result_types=[DataTypes.STRING(), DataTypes.BIGINT()])" % self._name)
        self._result_types = as_data_types(result_types, "result_types of udtf %r" % self._name)
        if not self._result_types:
            raise TypeError("udtf %r: result_types is empty; declare at least one column" % self._name)

    @property
    def result_types(self) -> List[DataType]:
        return list(self._result_types)

    @property
    def result_type(self) -> RowType:
        """The output columns as one ROW: a single ROW result type gives its fields, otherwise f0, f1, ..."""
        types = self._result_types
        if len(types) == 1 and isinstance(types[0], RowType):
            return types[0]
        return RowType([RowField("f%d" % i, t) for i, t in enumerate(types)], nullable=False)


class UserDefinedAggregateFunctionWrapper(UserDefinedFunctionWrapper):
    """An aggregate function (`func_type="general"`: an AggregateFunction; `"pandas"`: a function of Series)."""

    def __init__(self, func, input_types, result_type, accumulator_type, func_type="general",
                 deterministic=None, name=None):
        _check_func_type(func_type)
        super().__init__(func, input_types, deterministic, name, "udaf")
        if func_type == "general" and not isinstance(self._func, AggregateFunction):
            raise TypeError("udaf %r: a general aggregate function must be an AggregateFunction instance, got %r"
                            % (self._name, self._func))
        if result_type is None and isinstance(self._func, AggregateFunction):
            result_type = self._func.get_result_type()
        if result_type is None:
            raise TypeError("udaf %r has no result_type: pass result_type=... or implement get_result_type()"
                            % self._name)
        if accumulator_type is None and isinstance(self._func, AggregateFunction):
            accumulator_type = self._func.get_accumulator_type()
        self._result_type = as_data_type(result_type, "result_type of udaf %r" % self._name)
        if func_type == "pandas" and isinstance(self._result_type, MapType):
            # PyFlink's words (it checks only a DataType; a 'MAP<...>' string is refused here too)
            raise TypeError("Invalid returnType: Pandas UDAF doesn't support DataType type MAP currently")
        self._accumulator_type = (None if accumulator_type is None
                                  else as_data_type(accumulator_type, "accumulator_type of udaf %r" % self._name))
        self._func_type = func_type
        self.kind = "pandas_aggregate" if func_type == "pandas" else "aggregate"

    @property
    def result_type(self) -> DataType:
        return self._result_type

    @property
    def accumulator_type(self) -> Optional[DataType]:
        return self._accumulator_type

    @property
    def func_type(self) -> str:
        return self._func_type


class UserDefinedTableAggregateFunctionWrapper(UserDefinedFunctionWrapper):
    """A table aggregate function (`udtaf`): a TableAggregateFunction whose `emit_value` yields a group's rows."""

    kind = "table_aggregate"

    def __init__(self, func, input_types, result_type, accumulator_type, deterministic=None, name=None):
        super().__init__(func, input_types, deterministic, name, "udtaf")
        if not isinstance(self._func, TableAggregateFunction):
            raise TypeError("udtaf %r: a table aggregate function must be a TableAggregateFunction instance, got %r"
                            % (self._name, self._func))
        if result_type is None:
            result_type = self._func.get_result_type()
        if result_type is None:
            raise TypeError("udtaf %r has no result_type: pass result_type=DataTypes.ROW([...]) or implement "
                            "get_result_type()" % self._name)
        if accumulator_type is None:
            accumulator_type = self._func.get_accumulator_type()
        declared = as_data_type(result_type, "result_type of udtaf %r" % self._name)
        # A non-ROW result is one column, f0 (PyFlink wraps it the same way).
        self._result_type = declared if isinstance(declared, RowType) else \
            RowType([RowField("f0", declared)], nullable=False)
        self._accumulator_type = (None if accumulator_type is None
                                  else as_data_type(accumulator_type, "accumulator_type of udtaf %r" % self._name))

    @property
    def result_type(self) -> RowType:
        """The emitted rows' columns as one ROW."""
        return self._result_type

    @property
    def accumulator_type(self) -> Optional[DataType]:
        return self._accumulator_type


def udf(f=None, input_types=None, result_type=None, deterministic=None, name=None, func_type="general",
        udf_type=None):
    """Declares a scalar function.

    `@udf(result_type=DataTypes.BIGINT())` on a function, `udf(lambda i: i + 1, result_type='BIGINT')`, or
    `udf(MyScalarFunction(), result_type=...)`. `func_type="pandas"` makes it vectorized: it gets a
    pandas.Series per argument for a whole batch and returns a Series (or array) of the same length.
    `func_type="arrow"` gets one pyarrow.Array per argument and returns an Array of the batch's length (no
    pandas). An AsyncScalarFunction or `async def` function runs many rows at once on an event loop.
    `udf_type="pandas"` is PyFlink 1.11's spelling of the same. Called with Table API expressions
    (`f(col("a"))`), a wrapper gives the call's expression.
    """
    if udf_type is not None:
        if func_type not in ("general", udf_type):
            raise ValueError("udf: udf_type=%r and func_type=%r disagree; give one" % (udf_type, func_type))
        func_type = udf_type
    _check_func_type(func_type, _SCALAR_FUNC_TYPES)
    if f is None:
        return functools.partial(udf, input_types=input_types, result_type=result_type,
                                 deterministic=deterministic, name=name, func_type=func_type)
    return UserDefinedScalarFunctionWrapper(f, input_types, result_type, func_type, deterministic, name)


def udtf(f=None, input_types=None, result_types=None, deterministic=None, name=None):
    """Declares a table function: `@udtf(result_types=[DataTypes.STRING(), DataTypes.INT()])` on a generator
    (or a TableFunction instance); each yielded tuple, Row or single value is one output row."""
    if f is None:
        return functools.partial(udtf, input_types=input_types, result_types=result_types,
                                 deterministic=deterministic, name=name)
    return UserDefinedTableFunctionWrapper(f, input_types, result_types, deterministic, name)


def udaf(f=None, input_types=None, result_type=None, accumulator_type=None, deterministic=None, name=None,
         func_type="general"):
    """Declares an aggregate function: an AggregateFunction instance (general) or a function of Series (pandas)."""
    _check_func_type(func_type)
    if f is None:
        return functools.partial(udaf, input_types=input_types, result_type=result_type,
                                 accumulator_type=accumulator_type, deterministic=deterministic, name=name,
                                 func_type=func_type)
    return UserDefinedAggregateFunctionWrapper(f, input_types, result_type, accumulator_type, func_type,
                                               deterministic, name)


def udtaf(f=None, input_types=None, result_type=None, accumulator_type=None, deterministic=None, name=None,
          func_type="general"):
    """Declares a table aggregate function: a TableAggregateFunction instance whose `emit_value` yields rows of
    `result_type` (a ROW), used with `group_by(...).flat_aggregate(...)`."""
    _check_func_type(func_type, ("general",))
    if f is None:
        return functools.partial(udtaf, input_types=input_types, result_type=result_type,
                                 accumulator_type=accumulator_type, deterministic=deterministic, name=name)
    return UserDefinedTableAggregateFunctionWrapper(f, input_types, result_type, accumulator_type, deterministic, name)
