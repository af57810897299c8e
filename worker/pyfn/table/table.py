"""`Table` and `GroupedTable`: PyFlink's relational operations, each rendered at once as a SELECT of the runner's
SQL subset (the previous table becomes a subquery in FROM) with its columns checked, so mistakes fail on the
program's line.

`order_by`, `offset`, `fetch` and `limit` are kept aside and applied to the collected rows (the runner has no
ORDER BY / LIMIT yet): they must be the last operations before `execute()` / `to_pandas()`.
"""

from __future__ import annotations

from typing import List, Optional, Sequence, Tuple

from pyfn.client import caller_location
from pyfn.table.expression import Expression, RenderScope, column, quote_identifier
from pyfn.table.expression_parser import as_expressions
from pyfn.table.table_schema import TableSchema
from pyfn.table.type_inference import check_call_arguments, infer_type
from pyfn.util.exceptions import TableException, ValidationException

__all__ = ["Table", "GroupedTable", "FlatAggregateTable"]


def _fail(exception_class, message: str, location):
    raise exception_class(message, *((location.file, location.line) if location else ()))


class Table:
    """A table of the environment: a declared table, or the result of operations on one."""

    def __init__(self, env, query: Optional[str], name: Optional[str], columns: Optional[List[str]],
                 types: Optional[list] = None, location=None):
        self._env = env
        self._query = query
        self._name = name
        self._columns = list(columns) if columns is not None else None
        self._types = list(types) if types is not None else ([None] * len(columns) if columns is not None else None)
        self._location = location
        self._ordering: List[Tuple[str, bool]] = []
        self._offset = 0
        self._limit: Optional[int] = None

    # -- what other parts read -----------------------------------------------------------------------------
    def _select_sql(self) -> str:
        """The table as a complete SELECT."""
        if self._query is not None:
            return self._query
        listed = ", ".join(quote_identifier(c) for c in self._columns) if self._columns else "*"
        return "SELECT %s FROM %s" % (listed, quote_identifier(self._name))

    def _from_clause(self) -> str:
        """The table as it stands after FROM."""
        if self._query is None:
            return quote_identifier(self._name)
        return "(%s) AS %s" % (self._query, self._env._next_alias())

    def _scope(self, location) -> RenderScope:
        return RenderScope(self._columns, lambda f: self._env._catalog.resolve_function(f, location), location)

    def _check_open(self, operation: str, location) -> None:
        if self._ordering or self._limit is not None or self._offset:
            _fail(TableException, "%s after order_by/offset/fetch/limit: the PyFn runner sorts and limits only the "
                  "rows a program collects, so those must be the last operations before execute() or to_pandas()"
                  % operation, location)

    def _derive(self, query: str, columns: Optional[List[str]], types: Optional[list], location) -> "Table":
        return Table(self._env, query, None, columns, types, location)

    def _type_of(self, expression: Expression):
        lookup = {c.lower(): t for c, t in zip(self._columns or [], self._types or [])}
        return infer_type(expression, lookup, self._env._catalog.function_wrapper)

    def _check_arguments(self, expression: Expression, location) -> None:
        lookup = {c.lower(): t for c, t in zip(self._columns or [], self._types or [])}
        problem = check_call_arguments(expression, lookup, self._env._catalog.function_wrapper)
        if problem:
            _fail(ValidationException, problem, location)

    def _expand_star(self, expressions: List[Expression], location) -> List[Expression]:
        out = []
        for expression in expressions:
            if expression.kind == "column" and expression.attributes["name"] == "*":
                if self._columns is None:
                    _fail(TableException, "select('*') needs the input's columns, which are not known here", location)
                out.extend(column(c) for c in self._columns)
            else:
                out.append(expression)
        return out

    def _projection(self, expressions: List[Expression], location):
        """(SELECT list text, output names, output types) for `expressions` over this table."""
        scope = self._scope(location)
        texts, names, types = [], [], []
        unnamed_aggregates = 0
        for position, expression in enumerate(expressions):
            text = expression.render(scope)
            given = expression.output_names()
            if given is not None and len(given) != 1:
                _fail(ValidationException, "%r names %d columns; only a table function call (join_lateral) gives "
                      "several" % (expression, len(given)), location)
            if given is None:
                if expression.is_aggregate(self._env._catalog.aggregate_names()):
                    given = ["EXPR$%d" % unnamed_aggregates]
                    unnamed_aggregates += 1
                else:
                    given = ["_c%d" % position]
            name = given[0]
            inner = expression.unaliased()
            self._check_arguments(inner, location)
            plain = inner.kind == "column" and inner.attributes["name"].lower() == name.lower()
            texts.append(text if plain else "%s AS %s" % (text, quote_identifier(name)))
            names.append(name)
            types.append(self._type_of(inner))
        return ", ".join(texts), names, types

    # -- PyFlink's operations ----------------------------------------------------------------------------------
    def select(self, *fields) -> "Table":
        """Projects the table: `select(col("a"), (col("b") + 1).alias("c"))` or `select("a, b + 1 as c")`."""
        location = caller_location()
        self._check_open("select", location)
        expressions = self._expand_star(as_expressions(fields, location), location)
        if any(e.is_aggregate(self._env._catalog.aggregate_names()) for e in expressions):
            return GroupedTable(self, [], location)._aggregate_select(expressions, location)
        listed, names, types = self._projection(expressions, location)
        return self._derive("SELECT %s FROM %s" % (listed, self._from_clause()), names, types, location)

    def where(self, predicate) -> "Table":
        """Keeps the rows for which `predicate` holds (`where(col("a") > 1)` or `where("a > 1")`)."""
        location = caller_location()
        self._check_open("where", location)
        expressions = as_expressions([predicate], location)
        if len(expressions) != 1:
            _fail(ValidationException, "where takes one predicate, got %d" % len(expressions), location)
        condition = expressions[0].render(self._scope(location))
        listed = ", ".join(quote_identifier(c) for c in self._columns) if self._columns is not None else "*"
        return self._derive("SELECT %s FROM %s WHERE %s" % (listed, self._from_clause(), condition),
                            self._columns, self._types, location)

    def filter(self, predicate) -> "Table":
        """Same as `where`."""
        return self.where(predicate)

    def group_by(self, *fields) -> "GroupedTable":
        """Groups the rows by keys; follow with `.select(…)` of the keys and aggregates."""
        location = caller_location()
        self._check_open("group_by", location)
        return GroupedTable(self, as_expressions(fields, location), location)

    def distinct(self) -> "Table":
        """Removes duplicate rows."""
        location = caller_location()
        self._check_open("distinct", location)
        if self._columns is None:
            _fail(TableException, "distinct needs the input's columns, which are not known here", location)
        listed = ", ".join(quote_identifier(c) for c in self._columns)
        return self._derive("SELECT %s FROM %s GROUP BY %s" % (listed, self._from_clause(), listed),
                            self._columns, self._types, location)

    def add_columns(self, *fields) -> "Table":
        """Adds computed columns after the existing ones (names must be new)."""
        return self._add_columns(fields, replace=False)

    def add_or_replace_columns(self, *fields) -> "Table":
        """Adds computed columns, replacing existing columns of the same name."""
        return self._add_columns(fields, replace=True)

    def _add_columns(self, fields, replace: bool) -> "Table":
        location = caller_location()
        self._check_open("add_columns", location)
        if self._columns is None:
            _fail(TableException, "add_columns needs the input's columns, which are not known here", location)
        added = as_expressions(fields, location)
        kept = list(self._columns)
        new_names = [(e.output_names() or [None])[0] for e in added]
        for name in new_names:
            if name is None:
                continue
            clash = [c for c in kept if c.lower() == name.lower()]
            if clash and not replace:
                _fail(ValidationException, "Field name '%s' already exists; use add_or_replace_columns to replace it"
                      % name, location)
            kept = [c for c in kept if c.lower() != name.lower()] if clash else kept
        expressions = [column(c) for c in kept] + added
        listed, names, types = self._projection(expressions, location)
        return self._derive("SELECT %s FROM %s" % (listed, self._from_clause()), names, types, location)

    def drop_columns(self, *fields) -> "Table":
        """Removes the named columns."""
        location = caller_location()
        self._check_open("drop_columns", location)
        dropped = [e.unaliased() for e in as_expressions(fields, location)]
        if any(e.kind != "column" for e in dropped):
            _fail(ValidationException, "drop_columns takes column names", location)
        scope = self._scope(location)
        for e in dropped:
            scope.column(e.attributes["name"])
        gone = {e.attributes["name"].lower() for e in dropped}
        return self.select(*[column(c) for c in self._columns if c.lower() not in gone]) if self._columns else self

    def rename_columns(self, *fields) -> "Table":
        """Renames columns: `rename_columns(col("a").alias("x"))` or `rename_columns("a as x")`."""
        location = caller_location()
        self._check_open("rename_columns", location)
        renames = {}
        for expression in as_expressions(fields, location):
            inner = expression.unaliased()
            if expression.kind != "alias" or inner.kind != "column":
                _fail(ValidationException, "rename_columns takes `column as new_name`, got %r" % expression, location)
            self._scope(location).column(inner.attributes["name"])
            renames[inner.attributes["name"].lower()] = expression.attributes["names"][0]
        expressions = [column(c).alias(renames[c.lower()]) if c.lower() in renames else column(c)
                       for c in self._columns]
        listed, names, types = self._projection(expressions, location)
        return self._derive("SELECT %s FROM %s" % (listed, self._from_clause()), names, types, location)

    def alias(self, field, *fields) -> "Table":
        """Renames every column, in order: `alias("a", "b")` (or `alias("a, b")`)."""
        location = caller_location()
        self._check_open("alias", location)
        names = [n.strip() for part in (field, *fields) for n in
                 (part.split(",") if isinstance(part, str) else [part.attributes["name"]])]
        if self._columns is None or len(names) != len(self._columns):
            _fail(ValidationException, "alias needs one name per column: %d names for columns %s"
                  % (len(names), self._columns), location)
        expressions = [column(c).alias(n) for c, n in zip(self._columns, names)]
        listed, out, types = self._projection(expressions, location)
        return self._derive("SELECT %s FROM %s" % (listed, self._from_clause()), out, types, location)

    def join_lateral(self, table_function_call, join_predicate=None) -> "Table":
        """Joins each row with the rows a table function makes of it (rows without any are dropped):
        `join_lateral(call(split, col("line")).alias("word", "n"))` or `join_lateral("split(line) as (word, n)")`."""
        return self._lateral(table_function_call, join_predicate, left_outer=False)

    def left_outer_join_lateral(self, table_function_call, join_predicate=None) -> "Table":
        """As `join_lateral`, but rows for which the function makes nothing come out once, with NULLs."""
        return self._lateral(table_function_call, join_predicate, left_outer=True)

    def _lateral(self, table_function_call, join_predicate, left_outer: bool) -> "Table":
        location = caller_location()
        self._check_open("join_lateral", location)
        expressions = as_expressions([table_function_call], location)
        call = expressions[0].unaliased() if len(expressions) == 1 else None
        if call is None or call.kind != "call":
            _fail(ValidationException, "join_lateral takes one table function call, e.g. "
                  "call(split, col('line')).alias('word')", location)
        scope = self._scope(location)
        function = call.attributes["function"]
        sql_name = scope.resolve_function(function)
        result = self._env._catalog.function_result_columns(function)
        names = expressions[0].output_names() or (result[0] if result else None)
        if names is None:
            _fail(ValidationException, "name the columns of table function %s: .alias('a', 'b') or 'as (a, b)'"
                  % sql_name, location)
        types = result[1] if result and len(result[1]) == len(names) else [None] * len(names)
        arguments = ", ".join(child.render(scope) for child in call.children)
        alias = self._env._next_alias()
        lateral = "LATERAL TABLE(%s(%s)) AS %s(%s)" % (sql_name, arguments, alias,
                                                       ", ".join(quote_identifier(n) for n in names))
        joined = "%s LEFT JOIN %s ON TRUE" % (self._from_clause(), lateral) if left_outer \
            else "%s, %s" % (self._from_clause(), lateral)
        left = ", ".join(quote_identifier(c) for c in self._columns) if self._columns else "*"
        listed = left + ", " + ", ".join("%s.%s" % (alias, quote_identifier(n)) for n in names)
        columns = (self._columns or []) + names if self._columns is not None else None
        column_types = (self._types or []) + types if self._columns is not None else None
        query = "SELECT %s FROM %s" % (listed, joined)
        if join_predicate is not None:
            if left_outer:
                _fail(ValidationException, "left_outer_join_lateral supports only an always-true join predicate",
                      location)
            predicate = as_expressions([join_predicate], location)[0]
            joined_table = self._derive(query, columns, column_types, location)
            return joined_table.where(predicate)
        return self._derive(query, columns, column_types, location)

    # -- applied to collected rows ----------------------------------------------------------------------------
    def order_by(self, *fields) -> "Table":
        """Sorts the collected rows (`order_by(col("a").desc)` or `order_by("a.desc")`); batch mode only."""
        location = caller_location()
        ordering = []
        for expression in as_expressions(fields, location):
            ascending = expression.kind != "desc"
            inner = expression.children[0] if expression.kind in ("asc", "desc") else expression
            if inner.kind != "column":
                _fail(ValidationException, "order_by takes columns (optionally .asc / .desc)", location)
            self._scope(location).column(inner.attributes["name"])
            ordering.append((inner.attributes["name"], ascending))
        return self._with_tail(location, ordering=ordering)

    def offset(self, offset: int) -> "Table":
        """Skips the first `offset` collected rows."""
        return self._with_tail(caller_location(), offset=int(offset))

    def fetch(self, fetch: int) -> "Table":
        """Keeps only the first `fetch` collected rows (after any offset)."""
        return self._with_tail(caller_location(), limit=int(fetch))

    def limit(self, fetch: int, offset: int = 0) -> "Table":
        """Keeps `fetch` rows after skipping `offset`."""
        return self._with_tail(caller_location(), limit=int(fetch), offset=int(offset))

    def _with_tail(self, location, ordering=None, offset=None, limit=None) -> "Table":
        table = Table(self._env, self._query, self._name, self._columns, self._types, location)
        table._ordering = ordering if ordering is not None else list(self._ordering)
        table._offset = offset if offset is not None else self._offset
        table._limit = limit if limit is not None else self._limit
        return table

    # -- running -------------------------------------------------------------------------------------------------
    def execute(self):
        """Runs the query; the TableResult's `collect()` / `print()` give its rows."""
        return self._env._collect_table(self, caller_location())

    def to_pandas(self):
        """Runs the query and returns its rows as a pandas DataFrame."""
        return self._env._collect_table(self, caller_location()).to_pandas()

    def execute_insert(self, table_path_or_descriptor, overwrite: bool = False):
        """Runs `INSERT INTO table_path` with this table's rows as one job; returns its TableResult."""
        location = caller_location()
        self._check_open("execute_insert", location)
        return self._env._execute_inserts([(str(table_path_or_descriptor), self, location)], "insert")

    def insert_into(self, table_path: str) -> None:
        """PyFlink 1.10's deferred insert: runs with the next `t_env.execute(name)`."""
        location = caller_location()
        self._check_open("insert_into", location)
        self._env._pending_inserts.append((table_path, self, location))

    def explain(self, *extra_details) -> str:
        """The runner's plan for this query."""
        return self._env._explain(self._select_sql(), caller_location())

    # -- schema ------------------------------------------------------------------------------------------------
    def get_schema(self) -> TableSchema:
        """The columns and their types (a type the client cannot tell without planning shows as None)."""
        if self._columns is None:
            _fail(TableException, "the columns of this table are not known before it runs", caller_location())
        return TableSchema(self._columns, self._types)

    def print_schema(self) -> None:
        """Prints the columns as PyFlink does."""
        print(self.get_schema().to_ddl_text())

    def get_column_names(self) -> Optional[List[str]]:
        """The column names."""
        return list(self._columns) if self._columns is not None else None

    def __getattr__(self, name: str) -> Expression:
        columns = self.__dict__.get("_columns")
        if name.startswith("_") or columns is None or name.lower() not in {c.lower() for c in columns}:
            raise AttributeError("Table has no attribute or column %r" % name)
        return column(name)

    def __str__(self) -> str:
        return self._select_sql()

    __repr__ = __str__


class GroupedTable:
    """A table grouped by keys: `.select(keys and aggregates)` makes the grouped query."""

    def __init__(self, table: Table, keys: Sequence[Expression], location):
        self._table = table
        self._keys = list(keys)
        self._location = location

    def select(self, *fields) -> Table:
        """The keys and aggregates per group: `select("province, count(uuid) as n")` or
        `select(col("w"), col("c").sum.alias("total"))`."""
        location = caller_location()
        return self._aggregate_select(self._table._expand_star(as_expressions(fields, location), location), location)

    def _aggregate_select(self, expressions: List[Expression], location) -> Table:
        table = self._table
        listed, names, types = table._projection(expressions, location)
        scope = table._scope(location)
        query = "SELECT %s FROM %s" % (listed, table._from_clause())
        if self._keys:
            query += " GROUP BY " + ", ".join(key.unaliased().render(scope) for key in self._keys)
        return table._derive(query, names, types, location)

    def flat_aggregate(self, func) -> "FlatAggregateTable":
        """Applies a table aggregate function (`udtaf`) to each group: `flat_aggregate(top2(col("v")))`, then
        `.select(…)` of the keys and the function's columns. Bounded input only."""
        location = caller_location()
        expressions = as_expressions([func], location)
        call = expressions[0].unaliased() if len(expressions) == 1 else None
        function = call.attributes.get("function") if call is not None and call.kind == "call" else None
        if isinstance(function, str):
            function = self._table._env._catalog.function_wrapper(function)
        if getattr(function, "kind", "") != "table_aggregate":
            _fail(ValidationException, "flat_aggregate takes one call of a table aggregate function (udtaf), got %r"
                  % (func,), location)
        for key in self._keys:
            if key.unaliased().kind != "column":
                _fail(ValidationException, "flat_aggregate groups by columns; %r is not one" % (key,), location)
        table = self._table
        scope = table._scope(location)
        keys = [key.unaliased().attributes["name"] for key in self._keys]
        listed = ", ".join([quote_identifier(k) for k in keys] + [call.render(scope)])
        query = "SELECT %s FROM %s" % (listed, table._from_clause())
        if keys:
            query += " GROUP BY " + ", ".join(quote_identifier(k) for k in keys)
        fields = function.result_type.fields
        key_types = [table._type_of(key.unaliased()) for key in self._keys]
        flat = table._derive(query, keys + [f.name for f in fields], key_types + [f.data_type for f in fields], location)
        return FlatAggregateTable(flat)

    def aggregate(self, aggregate_function):
        """Not yet: the runner's GROUP BY runs built-in aggregates or Python ones in a select."""
        _fail(TableException, "GroupedTable.aggregate is not supported by PyFn yet; call the aggregate function "
              "in select(…)", caller_location())


class FlatAggregateTable:
    """The rows of `group_by(…).flat_aggregate(f)`: the keys, then the columns of the rows f emits; follow with
    `.select(…)`."""

    def __init__(self, table: Table):
        self._table = table

    def select(self, *fields) -> Table:
        """Projects the keys and the emitted columns: `select(col("k"), col("v"), col("rank"))` or `select("*")`."""
        return self._table.select(*fields)
