"""What a TableEnvironment has declared so far: tables (with the columns their DDL names), functions (Python
objects shipped by value, or `CREATE FUNCTION` statements), views over Table API objects, and the DDL
statements every job of the environment starts with."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

from pyfn.client import FunctionSpec, Location, Statement, describe_function
from pyfn.table.expression import AGGREGATES
from pyfn.types import DataType
from pyfn.util.exceptions import ValidationException
from pyfn.wrappers import UserDefinedFunctionWrapper

__all__ = ["Catalog", "TableEntry", "RUNNER_BUILTINS"]

#: Functions the runner has built in (aggregates computed in Swift).
RUNNER_BUILTINS = set(AGGREGATES)


@dataclass
class TableEntry:
    """A declared table: its columns (None when unknown) and their types (None where unknown)."""

    name: str
    columns: Optional[List[str]]
    types: Optional[List[Optional[DataType]]]
    statement: Optional[Statement] = None
    view: object = None  # a Table, for views over Table API objects


@dataclass
class _Function:
    name: str
    wrapper: Optional[UserDefinedFunctionWrapper]
    location: Optional[Location]
    spec: Optional[FunctionSpec] = None


@dataclass
class Catalog:
    """The environment's tables, functions and DDL, in declaration order."""

    tables: Dict[str, TableEntry] = field(default_factory=dict)
    functions: Dict[str, _Function] = field(default_factory=dict)
    statements: List[Statement] = field(default_factory=list)

    # -- tables -------------------------------------------------------------------------------------------
    def add_table(self, entry: TableEntry) -> None:
        """Declares a table (its DDL statement, if any, joins the environment's statements)."""
        self.tables[entry.name.lower()] = entry
        if entry.statement is not None:
            self.statements.append(entry.statement)

    def table(self, name: str, location: Optional[Location]) -> TableEntry:
        """The table `name`; ValidationException naming the known tables when there is none."""
        entry = self.tables.get(name.lower())
        if entry is None:
            where = (location.file, location.line) if location else ()
            raise ValidationException("Table `%s` was not found. Known tables: %s"
                                      % (name, ", ".join(self.table_names()) or "(none)"), *where)
        return entry

    def table_columns(self, name: str) -> Optional[List[str]]:
        """The columns of `name`, or None when the table or its columns are unknown."""
        entry = self.tables.get(name.lower())
        return entry.columns if entry is not None else None

    def drop_table(self, name: str) -> bool:
        """Forgets `name` (and its DDL); True if it was declared."""
        entry = self.tables.pop(name.lower(), None)
        if entry is not None and entry.statement is not None:
            self.statements.remove(entry.statement)
        return entry is not None

    def table_names(self) -> List[str]:
        """Declared table and view names, sorted as PyFlink lists them."""
        return sorted(entry.name for entry in self.tables.values())

    # -- functions ----------------------------------------------------------------------------------------
    def add_python_function(self, name: str, wrapper, location: Optional[Location]) -> None:
        """Registers a udf/udtf/udaf object under `name` (shipped by value)."""
        if not isinstance(wrapper, UserDefinedFunctionWrapper):
            what = getattr(wrapper, "__name__", type(wrapper).__name__)
            where = (location.file, location.line) if location else ()
            raise ValidationException("function %r is not a declared function: wrap it with "
                                      "@udf(result_type=...), @udtf(result_types=[...]) or udaf(...)" % (what,),
                                      *where)
        self.functions[name.lower()] = _Function(name, wrapper, location)

    def add_sql_function(self, name: str, statement: Statement) -> None:
        """Registers a function declared by a CREATE FUNCTION statement."""
        self.functions[name.lower()] = _Function(name, None, statement.location)
        self.statements.append(statement)

    def drop_function(self, name: str) -> bool:
        """Forgets the function `name`; True if it was registered."""
        return self.functions.pop(name.lower(), None) is not None

    def function_names(self) -> List[str]:
        """Registered function names."""
        return sorted(f.name for f in self.functions.values())

    def aggregate_names(self) -> set:
        """Lower-case names of the registered Python aggregate functions."""
        return {key for key, f in self.functions.items()
                if f.wrapper is not None and f.wrapper.kind in ("aggregate", "pandas_aggregate")}

    def function_wrapper(self, name: str) -> Optional[UserDefinedFunctionWrapper]:
        """The Python object registered as `name`, if any."""
        entry = self.functions.get(name.lower())
        return entry.wrapper if entry is not None else None

    def resolve_function(self, function, location: Optional[Location]) -> str:
        """The SQL name to call `function` by (a name, or a udf object, registered here on first use)."""
        if isinstance(function, UserDefinedFunctionWrapper):
            return self._name_of_object(function, location)
        name = str(function)
        if name.lower() in self.functions:
            return self.functions[name.lower()].name
        if name.upper() in RUNNER_BUILTINS:
            return name.upper()
        where = (location.file, location.line) if location else ()
        raise ValidationException("Undefined function: %s (registered: %s)"
                                  % (name, ", ".join(self.function_names()) or "none"), *where)

    def _name_of_object(self, wrapper: UserDefinedFunctionWrapper, location: Optional[Location]) -> str:
        for entry in self.functions.values():
            if entry.wrapper is wrapper:
                return entry.name
        base = _sql_identifier(wrapper.name)
        name, suffix = base, 1
        while name.lower() in self.functions or name.upper() in RUNNER_BUILTINS:
            suffix += 1
            name = "%s_%d" % (base, suffix)
        self.add_python_function(name, wrapper, location)
        return name

    def function_specs(self) -> List[FunctionSpec]:
        """Descriptions of the Python functions, pickled once each."""
        specs = []
        for entry in self.functions.values():
            if entry.wrapper is None:
                continue
            if entry.spec is None:
                entry.spec = describe_function(entry.name, entry.wrapper, entry.location)
            specs.append(entry.spec)
        return specs

    def function_result_columns(self, function) -> Optional[Tuple[List[str], List[DataType]]]:
        """A table function's output column names and types, when its object is known."""
        wrapper = function if isinstance(function, UserDefinedFunctionWrapper) else self.function_wrapper(str(function))
        if wrapper is None or wrapper.kind != "table":
            return None
        fields = wrapper.result_type.fields
        return [f.name for f in fields], [f.data_type for f in fields]


def _sql_identifier(name: str) -> str:
    """`name` as a SQL function name: a lambda's `<lambda>` becomes `lambda`, other characters that SQL does not take
    in a plain identifier become `_` (the name only has to be unique within the job; PyFlink makes one up too)."""
    cleaned = re.sub(r"\W+", "_", name).strip("_") or "function"
    return "f_" + cleaned if cleaned[0].isdigit() else cleaned
