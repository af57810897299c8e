"""`Expression`: PyFlink's expression DSL (`col("a") + 1`, `col("x").sum`, `.alias("p")`) as a tree that renders
to the runner's SQL.

A tree is rendered against a `RenderScope` (the input table's columns and the environment's functions), which
resolves columns and functions as PyFlink's Table API does when an operation is called, so a misspelt column
fails at the program's line, not later.
"""

from __future__ import annotations

import datetime
import decimal
import math
import re
from typing import List, Optional, Sequence

from pyfn.types import DataType, as_data_type

__all__ = ["Expression", "RenderScope", "quote_identifier", "sql_literal", "AGGREGATES"]

#: Built-in aggregate functions the runner computes (SQL name -> PyFlink's property name).
AGGREGATES = {"COUNT": "count", "SUM": "sum", "MIN": "min", "MAX": "max", "AVG": "avg"}

_SIMPLE_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_RESERVED = {
    "ALL", "AND", "AS", "BY", "CAST", "CREATE", "CROSS", "DISTINCT", "FALSE", "FROM", "FUNCTION", "GROUP", "IN",
    "INNER", "INSERT", "INTO", "IS", "JOIN", "LATERAL", "LEFT", "LIMIT", "NOT", "NULL", "ON", "OR", "ORDER",
    "OUTER", "SELECT", "SET", "TABLE", "TRUE", "UNION", "WHERE", "WITH", "VALUES", "USER", "TIME", "DATE",
    "TIMESTAMP", "VALUE", "RANGE", "ROW", "ROWS", "YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND",
}


def quote_identifier(name: str) -> str:
    """`name` as SQL writes it: bare when it is a plain, unreserved identifier, else in backticks."""
    if _SIMPLE_IDENTIFIER.match(name) and name.upper() not in _RESERVED:
        return name
    return "`%s`" % name.replace("`", "``")


def sql_literal(value) -> str:
    """A Python value as a SQL literal."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return "CAST('%s' AS DOUBLE)" % ("NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity"))
        text = repr(value)
        return text if ("." in text or "e" in text or "E" in text) else text + ".0"
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, str):
        return "'%s'" % value.replace("'", "''")
    if isinstance(value, datetime.datetime):
        return "TIMESTAMP '%s'" % value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return "DATE '%s'" % value.isoformat()
    if isinstance(value, datetime.time):
        return "TIME '%s'" % value.isoformat()
    raise TypeError("cannot write %r (%s) as a SQL literal" % (value, type(value).__name__))


class RenderScope:
    """What names mean where an expression is rendered: the input columns (None when unknown) and a function
    resolver (`resolve_function(name_or_wrapper) -> SQL name`, raising for an unknown name)."""

    def __init__(self, columns: Optional[Sequence[str]], resolve_function, location=None):
        self.columns = list(columns) if columns is not None else None
        self.resolve_function = resolve_function
        self.location = location

    def column(self, name: str) -> str:
        """The input column `name` as SQL writes it; raises ValidationException when the input has no such column."""
        if self.columns is not None and name != "*":
            matches = [c for c in self.columns if c.lower() == name.lower()]
            if not matches:
                from pyfn.util.exceptions import ValidationException

                raise ValidationException("Cannot resolve field [%s], input field list:[%s]."
                                          % (name, ", ".join(self.columns)),
                                          *(self.location.file, self.location.line) if self.location else ())
            name = matches[0]
        return "*" if name == "*" else quote_identifier(name)


def _as_expression(value) -> "Expression":
    return value if isinstance(value, Expression) else Expression("literal", value=value)


class Expression:
    """A node of an expression tree: a column, a literal, a call, an operator, a cast, an alias, an order."""

    #: lets `udf` wrappers see that they are called with expressions (without importing this module)
    _pyfn_expression = True

    def __init__(self, kind: str, *children: "Expression", **attributes):
        self.kind = kind
        self.children: List[Expression] = list(children)
        self.attributes = attributes

    # -- rendering -------------------------------------------------------------------------------------
    def render(self, scope: RenderScope) -> str:
        """The expression as SQL text in `scope` (an alias is not part of it: see `output_names`)."""
        kind, a = self.kind, self.attributes
        if kind == "column":
            return scope.column(a["name"])
        if kind == "literal":
            text = sql_literal(a["value"])
            return "CAST(%s AS %s)" % (text, a["data_type"].sql()) if a.get("data_type") is not None else text
        if kind == "alias":
            return self.children[0].render(scope)
        if kind in ("asc", "desc"):
            return "%s %s" % (self.children[0].render(scope), kind.upper())
        if kind == "call":
            name = scope.resolve_function(a["function"])
            args = ", ".join(child.render(scope) for child in self.children)
            return "%s(%s%s)" % (name, "DISTINCT " if a.get("distinct") else "", args)
        if kind == "binary":
            return "%s %s %s" % (self._operand(0, scope), a["operator"], self._operand(1, scope))
        if kind == "unary":
            operator = a["operator"]
            return "%s%s%s" % (operator, " " if operator.isalpha() else "", self._operand(0, scope))
        if kind == "cast":
            return "CAST(%s AS %s)" % (self.children[0].render(scope), a["data_type"].sql())
        if kind == "is_null":
            return "%s IS %sNULL" % (self._operand(0, scope), "NOT " if a["negated"] else "")
        if kind == "star":
            return "*"
        if kind == "sql":
            return a["text"]
        raise ValueError("cannot render expression kind %r" % kind)

    def _operand(self, index: int, scope: RenderScope) -> str:
        child = self.children[index]
        text = child.render(scope)
        return "(%s)" % text if child.kind in ("binary", "unary", "is_null") else text

    def output_names(self) -> Optional[List[str]]:
        """The names the expression's output columns get: its alias, or a column's own name; None: unnamed."""
        if self.kind == "alias":
            return list(self.attributes["names"])
        if self.kind == "column" and self.attributes["name"] != "*":
            return [self.attributes["name"]]
        return None

    def unaliased(self) -> "Expression":
        """The expression without its alias."""
        return self.children[0] if self.kind == "alias" else self

    def columns(self) -> List[str]:
        """The column names the expression reads."""
        if self.kind == "column":
            return [self.attributes["name"]]
        return [name for child in self.children for name in child.columns()]

    def is_aggregate(self, aggregate_functions=()) -> bool:
        """Whether the expression calls an aggregate: a built-in one, a udaf object, or a name in
        `aggregate_functions` (lower-case names of registered aggregate functions)."""
        if self.kind == "call":
            function = self.attributes["function"]
            if isinstance(function, str):
                if function.upper() in AGGREGATES or function.lower() in aggregate_functions:
                    return True
            elif getattr(function, "kind", "") in ("aggregate", "pandas_aggregate"):
                return True
        return any(child.is_aggregate(aggregate_functions) for child in self.children)

    def __repr__(self) -> str:
        return "Expression(%s)" % self.render(RenderScope(None, lambda f: f if isinstance(f, str) else f.name))

    def __str__(self) -> str:
        return self.__repr__()

    def __bool__(self):
        raise TypeError("an Expression has no truth value: use & | ~ for AND, OR, NOT (not and/or/not)")

    # -- operators -------------------------------------------------------------------------------------
    def _binary(self, operator: str, other, reverse: bool = False) -> "Expression":
        left, right = (_as_expression(other), self) if reverse else (self, _as_expression(other))
        return Expression("binary", left, right, operator=operator)

    def __add__(self, other): return self._binary("+", other)
    def __radd__(self, other): return self._binary("+", other, True)
    def __sub__(self, other): return self._binary("-", other)
    def __rsub__(self, other): return self._binary("-", other, True)
    def __mul__(self, other): return self._binary("*", other)
    def __rmul__(self, other): return self._binary("*", other, True)
    def __truediv__(self, other): return self._binary("/", other)
    def __rtruediv__(self, other): return self._binary("/", other, True)
    def __mod__(self, other): return self._binary("%", other)
    def __rmod__(self, other): return self._binary("%", other, True)
    def __eq__(self, other): return self._binary("=", other)  # type: ignore[override]
    def __ne__(self, other): return self._binary("<>", other)  # type: ignore[override]
    def __lt__(self, other): return self._binary("<", other)
    def __le__(self, other): return self._binary("<=", other)
    def __gt__(self, other): return self._binary(">", other)
    def __ge__(self, other): return self._binary(">=", other)
    def __and__(self, other): return self._binary("AND", other)
    def __rand__(self, other): return self._binary("AND", other, True)
    def __or__(self, other): return self._binary("OR", other)
    def __ror__(self, other): return self._binary("OR", other, True)
    def __invert__(self): return Expression("unary", self, operator="NOT")
    def __neg__(self): return Expression("unary", self, operator="-")
    def __pos__(self): return self
    __hash__ = object.__hash__

    # -- PyFlink's methods -----------------------------------------------------------------------------
    def alias(self, name: str, *extra_names: str) -> "Expression":
        """Names the expression's output column(s)."""
        return Expression("alias", self.unaliased(), names=[name, *extra_names])

    def cast(self, data_type) -> "Expression":
        """`CAST(self AS data_type)`; `data_type` is a DataType or its SQL text."""
        return Expression("cast", self, data_type=as_data_type(data_type, "cast target"))

    def try_cast(self, data_type) -> "Expression":
        """As `cast` (the runner's casts of bad values fail the row the same way)."""
        return self.cast(data_type)

    @property
    def is_null(self) -> "Expression":
        """`self IS NULL`."""
        return Expression("is_null", self, negated=False)

    @property
    def is_not_null(self) -> "Expression":
        """`self IS NOT NULL`."""
        return Expression("is_null", self, negated=True)

    @property
    def distinct(self) -> "Expression":
        """Makes an aggregate count each distinct value once (`col("a").count.distinct`)."""
        if self.kind != "call":
            raise TypeError("distinct applies to an aggregate call, e.g. col('a').count.distinct")
        return Expression("call", *self.children, function=self.attributes["function"], distinct=True)

    @property
    def asc(self) -> "Expression":
        """Ascending order (for order_by)."""
        return Expression("asc", self)

    @property
    def desc(self) -> "Expression":
        """Descending order (for order_by)."""
        return Expression("desc", self)

    def plus(self, other) -> "Expression":
        """`self + other`."""
        return self + other

    def minus(self, other) -> "Expression":
        """`self - other`."""
        return self - other

    def times(self, other) -> "Expression":
        """`self * other`."""
        return self * other

    def divided_by(self, other) -> "Expression":
        """`self / other`."""
        return self / other

    def mod(self, other) -> "Expression":
        """`self % other`."""
        return self % other

    def concat(self, other) -> "Expression":
        """String concatenation, `self || other`."""
        return self._binary("||", other)

    def then(self, if_true, if_false) -> "Expression":
        """`IF(self, if_true, if_false)` (the runner has no CASE yet: it reports that)."""
        return Expression("call", self, _as_expression(if_true), _as_expression(if_false), function="IF")


def _aggregate_property(sql_name: str):
    def getter(self: Expression) -> Expression:
        return Expression("call", self, function=sql_name)
    getter.__doc__ = "`%s(self)`, the built-in aggregate." % sql_name
    return property(getter)


def _function_property(sql_name: str):
    def getter(self: Expression) -> Expression:
        return Expression("call", self, function=sql_name)
    getter.__doc__ = "`%s(self)`, a SQL built-in (the runner says which it has)." % sql_name
    return property(getter)


for _sql_name, _property_name in AGGREGATES.items():
    setattr(Expression, _property_name, _aggregate_property(_sql_name))

# Scalar built-ins PyFlink spells as properties; they render as SQL calls the runner resolves (or rejects,
# naming the function).
for _property_name, _sql_name in {
        "upper_case": "UPPER", "lower_case": "LOWER", "char_length": "CHAR_LENGTH", "trim": "TRIM",
        "abs": "ABS", "sqrt": "SQRT", "exp": "EXP", "ln": "LN", "log10": "LOG10", "floor": "FLOOR",
        "ceil": "CEIL", "sign": "SIGN", "md5": "MD5", "sum0": "SUM0", "stddev_pop": "STDDEV_POP",
        "stddev_samp": "STDDEV_SAMP", "var_pop": "VAR_POP", "var_samp": "VAR_SAMP"}.items():
    setattr(Expression, _property_name, _function_property(_sql_name))


def column(name: str) -> Expression:
    """The input column `name`."""
    return Expression("column", name=name)


def literal(value, data_type: Optional[DataType] = None) -> Expression:
    """A literal, optionally with an explicit type (rendered as a CAST)."""
    return Expression("literal", value=value,
                      data_type=None if data_type is None else as_data_type(data_type, "literal type"))


def function_call(function, *args) -> Expression:
    """A call of `function` (a registered name, a built-in name, or a udf/udtf/udaf object) with `args`."""
    return Expression("call", *[_as_expression(a) for a in args], function=function)
