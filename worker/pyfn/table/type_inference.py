"""The type of an expression as far as the client can tell without the runner (for `get_schema()`): column
types from DDL, literals, casts, function result types, and the runner's arithmetic rules (integers stay
BIGINT, other numbers DOUBLE)."""

from __future__ import annotations

import datetime
import decimal
from typing import Callable, Dict, Optional

from pyfn.table.expression import Expression
from pyfn.types import (BigIntType, DataType, DataTypes, DecimalType, DoubleType, FloatType, IntType,
                        SmallIntType, TinyIntType, VarBinaryType, VarCharType)

__all__ = ["infer_type", "type_of_value"]

_INTEGERS = (TinyIntType, SmallIntType, IntType, BigIntType)


def type_of_value(value) -> Optional[DataType]:
    """The SQL type a Python value is written as (None for None and for values without a simple type)."""
    if isinstance(value, bool):
        return DataTypes.BOOLEAN()
    if isinstance(value, int):
        return DataTypes.BIGINT()
    if isinstance(value, float):
        return DataTypes.DOUBLE()
    if isinstance(value, str):
        return DataTypes.STRING()
    if isinstance(value, (bytes, bytearray)):
        return DataTypes.BYTES()
    if isinstance(value, decimal.Decimal):
        return DataTypes.DECIMAL(38, 18)
    if isinstance(value, datetime.datetime):
        return DataTypes.TIMESTAMP(6)
    if isinstance(value, datetime.date):
        return DataTypes.DATE()
    if isinstance(value, datetime.time):
        return DataTypes.TIME()
    return None


def infer_type(expression: Expression, columns: Dict[str, Optional[DataType]],
               function_wrapper: Callable[[str], object]) -> Optional[DataType]:
    """The type of `expression` over input columns {lower-case name: type}; None when it cannot be told."""
    kind, attributes = expression.kind, expression.attributes
    children = [infer_type(child, columns, function_wrapper) for child in expression.children]
    if kind == "column":
        return columns.get(attributes["name"].lower())
    if kind == "literal":
        return attributes.get("data_type") or type_of_value(attributes["value"])
    if kind in ("cast",):
        return attributes["data_type"]
    if kind in ("alias", "asc", "desc"):
        return children[0]
    if kind == "is_null":
        return DataTypes.BOOLEAN(False)
    if kind == "unary":
        return DataTypes.BOOLEAN() if attributes["operator"] == "NOT" else children[0]
    if kind == "binary":
        operator = attributes["operator"]
        if operator in ("AND", "OR", "=", "<>", "<", "<=", ">", ">="):
            return DataTypes.BOOLEAN()
        if operator == "||":
            return DataTypes.STRING()
        if all(isinstance(t, _INTEGERS) for t in children):
            return DataTypes.BIGINT()
        if all(isinstance(t, (_INTEGERS, FloatType, DoubleType, DecimalType)) for t in children):
            return DataTypes.DOUBLE()
        return None
    if kind == "call":
        function = attributes["function"]
        if not isinstance(function, str):
            return getattr(function, "result_type", None) if getattr(function, "kind", "") != "table" else None
        upper = function.upper()
        if upper == "COUNT":
            return DataTypes.BIGINT(False)
        if upper in ("SUM", "MIN", "MAX"):
            argument = children[0] if children else None
            return DataTypes.BIGINT() if upper == "SUM" and isinstance(argument, _INTEGERS) else argument
        if upper == "AVG":
            return DataTypes.DOUBLE()
        wrapper = function_wrapper(function)
        if wrapper is not None and getattr(wrapper, "kind", "") != "table":
            return wrapper.result_type
        return None
    return None



def _family(data_type: DataType) -> str:
    if isinstance(data_type, _INTEGERS):
        return "integer"
    if isinstance(data_type, (FloatType, DoubleType, DecimalType)):
        return "approximate"
    if isinstance(data_type, VarCharType):  # CHAR(n) is a VarCharType too
        return "string"
    if isinstance(data_type, VarBinaryType):
        return "binary"
    return type(data_type).__name__


def check_call_arguments(expression: Expression, columns: Dict[str, Optional[DataType]],
                         function_wrapper: Callable[[str], object]) -> Optional[str]:
    """PyFlink's check of a call against the function's declared `input_types`: the message of the first call
    whose arguments cannot be given as declared (same family: integers, other numbers, strings, …), else None."""
    for child in expression.children:
        problem = check_call_arguments(child, columns, function_wrapper)
        if problem:
            return problem
    if expression.kind != "call":
        return None
    function = expression.attributes["function"]
    wrapper = function if not isinstance(function, str) else function_wrapper(function)
    declared = getattr(wrapper, "input_types", None)
    if not declared:
        return None
    actual = [infer_type(child, columns, function_wrapper) for child in expression.children]
    fits = len(actual) == len(declared) and all(
        a is None or _family(a) == _family(d) for a, d in zip(actual, declared))
    if fits:
        return None
    name = function if isinstance(function, str) else wrapper.name
    shown = lambda types: ", ".join("?" if t is None else t.sql() for t in types)  # noqa: E731
    return ("Invalid function call:\n%s(%s)\n%s declares input_types %s(%s)"
            % (name, shown(actual), name, name, shown(declared)))
