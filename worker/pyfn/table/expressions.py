"""PyFlink's expression functions (`pyflink.table.expressions`): `col`, `lit`, `call`, `and_`, …"""

from __future__ import annotations

from functools import reduce
from typing import Optional

from pyfn.table.expression import Expression, _as_expression, column, function_call, literal
from pyfn.types import DataType

__all__ = ["col", "lit", "call", "call_sql", "and_", "or_", "not_", "null_of", "if_then_else", "row", "concat",
           "coalesce"]


def col(name: str) -> Expression:
    """The column `name` of the table the expression is used on (`col("*")`: all of them)."""
    return column(name)


def lit(v, data_type: Optional[DataType] = None) -> Expression:
    """A literal value; with `data_type`, cast to that type."""
    return literal(v, data_type)


def call(f, *args) -> Expression:
    """A call of a function: a registered name (`call("ip_to_province", col("ip"))`) or a function object
    (`call(my_udf, col("x"))`, registered for the job under its name)."""
    return function_call(f, *args)


def call_sql(sql_expression: str) -> Expression:
    """A SQL expression given as text, used as is (`call_sql("UPPER(name)")`)."""
    return Expression("sql", text=sql_expression)


def and_(predicate0, predicate1, *predicates) -> Expression:
    """All predicates (`AND`)."""
    return reduce(lambda a, b: _as_expression(a) & b, (predicate1, *predicates), _as_expression(predicate0))


def or_(predicate0, predicate1, *predicates) -> Expression:
    """Any predicate (`OR`)."""
    return reduce(lambda a, b: _as_expression(a) | b, (predicate1, *predicates), _as_expression(predicate0))


def not_(expression) -> Expression:
    """`NOT expression`."""
    return ~_as_expression(expression)


def null_of(data_type: DataType) -> Expression:
    """A typed NULL."""
    return literal(None, data_type)


def if_then_else(condition, if_true, if_false) -> Expression:
    """`IF(condition, if_true, if_false)`."""
    return _as_expression(condition).then(if_true, if_false)


def row(head, *tail) -> Expression:
    """`ROW(values…)`."""
    return function_call("ROW", head, *tail)


def concat(first, *others) -> Expression:
    """String concatenation of all arguments."""
    return reduce(lambda a, b: a.concat(b), others, _as_expression(first))


def coalesce(*args) -> Expression:
    """The first non-NULL argument."""
    return function_call("COALESCE", *args)
