"""`TableEnvironment` and `StreamTableEnvironment`: PyFlink's entry point, building jobs for the Swift runner.

DDL (`CREATE TABLE`, `CREATE FUNCTION`) and `SET` are recorded; every job the environment runs starts with them.
A query (`execute()`, `execute_sql("SELECT …")`, `to_pandas()`) runs as one job whose rows stream back; inserts
(`execute_sql("INSERT …")`, `execute_insert`, a StatementSet, or `insert_into` + `execute(name)`) run as one
job each time. Python functions registered (or called) in the program travel by value.
"""

from __future__ import annotations

import os
import shutil
import weakref
from typing import List, Optional, Tuple

from pyfn.client import JobRequest, Statement, caller_location, submit
from pyfn.common.configuration import Configuration
from pyfn.table import sql_statements as sql
from pyfn.table.catalog import Catalog, TableEntry
from pyfn.table.dependencies import runner_settings
from pyfn.table.environment_settings import EnvironmentSettings
from pyfn.table.expression import quote_identifier
from pyfn.table.python_data import elements_table, pandas_table, write_arrow_file
from pyfn.table.statement_set import StatementSet
from pyfn.table.table import Table
from pyfn.table.table_config import TableConfig
from pyfn.table.table_result import JobExecutionResult, ResultKind, TableResult, _Tail
from pyfn.row import Row
from pyfn.util.exceptions import TableException, ValidationException

__all__ = ["TableEnvironment", "StreamTableEnvironment"]


def _where(location) -> tuple:
    return (location.file, location.line) if location else ()


class TableEnvironment:
    """Declares tables and functions and runs queries and inserts on the PyFn runner."""

    def __init__(self, environment_settings: Optional[EnvironmentSettings] = None):
        self._settings = environment_settings or EnvironmentSettings.in_streaming_mode()
        self._config = TableConfig(Configuration(self._settings.get_configuration()))
        self._catalog = Catalog()
        self._pending_inserts: List[Tuple[str, Table, object]] = []
        self._aliases = 0
        self._data_folder: Optional[str] = None
        self._data_tables = 0

    @staticmethod
    def create(environment_settings=None) -> "TableEnvironment":
        """A TableEnvironment for `EnvironmentSettings.in_batch_mode()` / `in_streaming_mode()` (or a
        Configuration)."""
        if isinstance(environment_settings, Configuration):
            environment_settings = EnvironmentSettings(environment_settings)
        return TableEnvironment(environment_settings)

    # -- settings ------------------------------------------------------------------------------------------------
    def get_config(self) -> TableConfig:
        """The environment's settings (`get_config().set(key, value)`, `.get_configuration().set_boolean(…)`)."""
        return self._config

    def _is_streaming(self) -> bool:
        mode = self._config.get_configuration().get_string("execution.runtime-mode", "streaming")
        return mode.lower() != "batch"

    def add_python_file(self, file_path: str) -> None:
        """A Python file or folder the workers import from (`python.files`)."""
        self._append_setting("python.files", os.path.abspath(file_path))

    def set_python_requirements(self, requirements_file_path: str, requirements_cache_dir: Optional[str] = None):
        """Packages the workers need, installed once per requirements file content (`pip install --no-index
        --find-links cache` when a cache folder is given: no network at run time)."""
        value = os.path.abspath(requirements_file_path)
        if requirements_cache_dir:
            value += "#" + os.path.abspath(requirements_cache_dir)
        self._config.get_configuration().set_string("python.requirements", value)

    def add_python_archive(self, archive_path: str, target_dir: Optional[str] = None) -> None:
        """An archive extracted for the workers (`python.archives`); `python.executable` may point into it."""
        self._append_setting("python.archives",
                             os.path.abspath(archive_path) + ("#" + target_dir if target_dir else ""))

    def set_python_executable(self, python_exec: str) -> None:
        """The workers' interpreter (`python.executable`)."""
        self._config.set_python_executable(python_exec)

    def _append_setting(self, key: str, value: str) -> None:
        configuration = self._config.get_configuration()
        current = configuration.get_string(key)
        configuration.set_string(key, value if not current else current + "," + value)

    # -- functions -----------------------------------------------------------------------------------------------
    def create_temporary_system_function(self, name: str, function) -> None:
        """Registers a udf/udtf/udaf object under `name` (shipped by value)."""
        self._catalog.add_python_function(name, function, caller_location())

    def create_temporary_function(self, path: str, function) -> None:
        """Registers a udf/udtf/udaf object under `path` (shipped by value)."""
        self._catalog.add_python_function(path.split(".")[-1], function, caller_location())

    def create_function(self, path: str, function_class_name, ignore_if_exists=None) -> None:
        """Registers a function by object, or by its `'module.name'` (a CREATE FUNCTION statement)."""
        if isinstance(function_class_name, str):
            self.execute_sql("CREATE TEMPORARY SYSTEM FUNCTION %s AS '%s' LANGUAGE PYTHON"
                             % (quote_identifier(path.split(".")[-1]), function_class_name.replace("'", "''")))
        else:
            self._catalog.add_python_function(path.split(".")[-1], function_class_name, caller_location())

    def register_function(self, name: str, function) -> None:
        """PyFlink 1.10's spelling of `create_temporary_system_function`."""
        self._catalog.add_python_function(name, function, caller_location())

    def drop_temporary_system_function(self, name: str) -> bool:
        """Forgets a function."""
        return self._catalog.drop_function(name)

    drop_temporary_function = drop_temporary_system_function
    drop_function = drop_temporary_system_function

    def list_user_defined_functions(self) -> List[str]:
        """Registered function names."""
        return self._catalog.function_names()

    list_functions = list_user_defined_functions

    # -- tables ----------------------------------------------------------------------------------------------------
    def from_path(self, path: str) -> Table:
        """The declared table (or view) `path`."""
        location = caller_location()
        entry = self._catalog.table(path.split(".")[-1], location)
        if entry.view is not None:
            return entry.view
        return Table(self, None, entry.name, entry.columns, entry.types, location)

    scan = from_path

    def list_tables(self) -> List[str]:
        """Declared table and view names."""
        return self._catalog.table_names()

    list_temporary_tables = list_tables

    def list_views(self) -> List[str]:
        """Declared view names."""
        return sorted(e.name for e in self._catalog.tables.values() if e.view is not None)

    def create_temporary_view(self, view_path: str, table: Table, *fields) -> None:
        """Names a Table API object so `from_path` finds it (SQL text cannot read it yet)."""
        if fields:
            table = table.alias(*fields)
        name = view_path.split(".")[-1]
        self._catalog.add_table(TableEntry(name, table._columns, table._types, view=table))

    register_table = create_temporary_view

    def drop_temporary_view(self, view_path: str) -> bool:
        """Forgets a view."""
        return self._catalog.drop_table(view_path.split(".")[-1])

    drop_temporary_table = drop_temporary_view

    def from_elements(self, elements, schema=None, verify_schema: bool = True) -> Table:
        """A table of Python rows (tuples, lists, Rows or single values); `schema`: a ROW type or column names."""
        data, names, types = elements_table(list(elements), schema)
        return self._data_table(data, names, types, caller_location())

    def from_pandas(self, pdf, schema=None, splits_num: int = 1) -> Table:
        """A table of a pandas DataFrame's rows; `schema`: a ROW type, column names or column types."""
        data, names, types = pandas_table(pdf, schema)
        return self._data_table(data, names, types, caller_location())

    def _data_table(self, data, names, types, location, hidden=()) -> Table:
        """A table of the Arrow table `data` (columns `names` of `types`, then the `hidden` (name, type) pairs the
        runner reads and queries do not see)."""
        if self._data_folder is None:
            import tempfile

            self._data_folder = tempfile.mkdtemp(prefix="pyfn-data-")
            weakref.finalize(self, shutil.rmtree, self._data_folder, True)
        self._data_tables += 1
        name = "pyfn_data_%d" % self._data_tables
        path = write_arrow_file(data, self._data_folder, name)
        columns = ", ".join("%s %s" % (quote_identifier(n), t.sql()) for n, t in list(zip(names, types)) + list(hidden))
        ddl = "CREATE TABLE %s (%s) WITH ('connector' = 'arrow', 'path' = '%s')" % (
            name, columns, path.replace("'", "''"))
        self._catalog.add_table(TableEntry(name, names, types, Statement(ddl, location)))
        return Table(self, None, name, names, types, location)

    def close(self) -> None:
        """Removes the files `from_elements` / `from_pandas` wrote."""
        if self._data_folder is not None:
            shutil.rmtree(self._data_folder, True)
            self._data_folder = None

    # -- SQL -----------------------------------------------------------------------------------------------------------
    def execute_sql(self, stmt: str) -> TableResult:
        """Runs one statement: DDL and SET are recorded (`OK`); INSERT starts a job; SELECT runs a query whose
        rows `collect()` / `print()` give; EXPLAIN gives the plan; SHOW TABLES / SHOW FUNCTIONS list."""
        return self._execute_statement(stmt, caller_location())

    def sql_update(self, stmt: str) -> None:
        """PyFlink 1.10's DDL / INSERT: DDL is recorded, INSERT runs with the next `execute(name)`."""
        location = caller_location()
        if sql.statement_kind(stmt) == "INSERT":
            self._pending_inserts.append((None, self._expand_views(stmt.strip().rstrip(";")), location))
        else:
            self._execute_statement(stmt, location)

    def sql_query(self, query: str) -> Table:
        """A Table of a SELECT, to continue with Table API operations."""
        location = caller_location()
        if sql.statement_kind(query) != "SELECT":
            raise ValidationException("sql_query takes a SELECT; use execute_sql for %r" % query.strip()[:40],
                                      *_where(location))
        text = self._expand_views(query.strip().rstrip(";"))
        columns = sql.select_output_names(query.strip().rstrip(";"), self._catalog.table_columns)
        return Table(self, text, None, columns, None, location)

    def _expand_views(self, text: str) -> str:
        """`text` reading views (Table API objects) as subqueries."""
        views = {key: entry.view._select_sql() for key, entry in self._catalog.tables.items() if entry.view is not None}
        return sql.expand_views(text, views)

    def _execute_statement(self, stmt: str, location) -> TableResult:
        kind = sql.statement_kind(stmt)
        text = stmt.strip().rstrip(";").strip()
        if kind in ("INSERT", "SELECT", "EXPLAIN"):
            text = self._expand_views(text)
        statement = Statement(text, location)
        if kind == "CREATE_TABLE":
            name, columns = sql.create_table_parts(text)
            self._catalog.add_table(TableEntry(name, [c for c, _ in columns] or None,
                                               [t for _, t in columns] or None, statement))
            return TableResult(ResultKind.SUCCESS)
        if kind == "CREATE_FUNCTION":
            self._catalog.add_sql_function(sql.create_function_name(text), statement)
            return TableResult(ResultKind.SUCCESS)
        if kind == "SET":
            pair = sql.set_pair(text)
            if pair is None:
                settings = self._config.get_configuration().to_dict()
                return TableResult(ResultKind.SUCCESS_WITH_CONTENT, columns=["key", "value"],
                                   rows=[Row(k, v) for k, v in sorted(settings.items())])
            self._config.get_configuration().set_string(*pair)
            return TableResult(ResultKind.SUCCESS)
        if kind == "RESET":
            key = text[len("RESET"):].strip().strip("'")
            self._config.get_configuration().remove_config(key)
            return TableResult(ResultKind.SUCCESS)
        if kind in ("DROP_TABLE", "DROP_FUNCTION"):
            name = sql.dropped_name(text)
            dropped = (self._catalog.drop_table if kind == "DROP_TABLE" else self._catalog.drop_function)(name)
            if not dropped and " EXISTS " not in " %s " % text.upper().replace("\n", " "):
                raise ValidationException("%s `%s` does not exist" % (kind.split("_")[1].title(), name),
                                          *_where(location))
            return TableResult(ResultKind.SUCCESS)
        if kind == "SHOW_TABLES":
            return TableResult(ResultKind.SUCCESS_WITH_CONTENT, columns=["table name"],
                               rows=[Row(n) for n in self.list_tables()])
        if kind == "SHOW_FUNCTIONS":
            return TableResult(ResultKind.SUCCESS_WITH_CONTENT, columns=["function name"],
                               rows=[Row(n) for n in self._catalog.function_names()])
        if kind == "INSERT":
            return self._execute_inserts([(None, text, location)], "insert")
        if kind == "SELECT":
            return self._collect(text, location, _Tail([], 0, None))
        if kind == "EXPLAIN":
            body = text.split(None, 1)[1] if len(text.split(None, 1)) > 1 else ""
            for prefix in ("PLAN FOR ",):
                if body.upper().startswith(prefix):
                    body = body[len(prefix):]
            plan = self._explain(body, location)
            return TableResult(ResultKind.SUCCESS_WITH_CONTENT, columns=["result"], rows=[Row(plan)])
        if kind == "USE":
            return TableResult(ResultKind.SUCCESS)
        raise ValidationException("PyFn cannot run this statement (it runs CREATE TABLE, CREATE FUNCTION, SET, "
                                  "INSERT, SELECT, EXPLAIN, SHOW TABLES/FUNCTIONS, DROP): %s" % text[:80],
                                  *_where(location))

    def explain_sql(self, stmt: str, *extra_details) -> str:
        """The runner's plan for a SELECT or INSERT."""
        return self._explain(stmt.strip().rstrip(";"), caller_location())

    def create_statement_set(self) -> StatementSet:
        """A set of inserts that run as one job."""
        return StatementSet(self)

    # -- PyFlink 1.10's insert_into + execute -------------------------------------------------------------------
    def execute(self, job_name: str = "pyfn-job") -> JobExecutionResult:
        """Runs every insert made with `insert_into` / `sql_update` since the last run, as one job, and waits."""
        location = caller_location()
        if not self._pending_inserts:
            raise TableException("No operators defined in streaming topology. Cannot execute: call insert_into "
                                 "or sql_update with an INSERT first", *_where(location))
        inserts, self._pending_inserts = self._pending_inserts, []
        result = self._execute_inserts(inserts, job_name)
        return result.get_job_client().get_job_execution_result()

    # -- jobs ------------------------------------------------------------------------------------------------------
    def _next_alias(self) -> str:
        self._aliases += 1
        return "t%d" % self._aliases

    def _request(self, name: str, statements: List[Statement], collect: Optional[Statement]) -> JobRequest:
        return JobRequest(
            name=name, base_directory=os.getcwd(),
            settings=runner_settings(self._config.get_configuration().to_dict()),
            functions=self._catalog.function_specs(),
            statements=list(self._catalog.statements) + statements, collect=collect)

    def _insert_statement(self, target: Optional[str], source, location) -> Statement:
        if target is None:
            return Statement(source, location)
        table = source
        if isinstance(table, Table):
            table._check_open("insert", location)
            return Statement("INSERT INTO %s %s" % (quote_identifier(target.split(".")[-1]), table._select_sql()),
                             location)
        raise TypeError("insert source must be a Table, got %r" % (table,))

    def _execute_inserts(self, inserts, name: str) -> TableResult:
        statements = [self._insert_statement(target, source, location) for target, source, location in inserts]
        job = submit(self._request(name, statements, None))
        job.finish_at_exit = True
        sinks = [(target or "sink").split(".")[-1] for target, _, _ in inserts]
        return TableResult(ResultKind.SUCCESS_WITH_CONTENT, job=job, name=name,
                           columns=["default_catalog.default_database.%s" % s for s in sinks],
                           rows=[Row(*([-1] * len(sinks)))])

    def _collect(self, query: str, location, tail: _Tail) -> TableResult:
        job = submit(self._request("collect", [], Statement(query, location)))
        return TableResult(ResultKind.SUCCESS_WITH_CONTENT, job=job, name="collect",
                           streaming=self._is_streaming(), tail=tail)

    def _collect_table(self, table: Table, location) -> TableResult:
        if table._ordering and self._is_streaming():
            raise TableException("order_by on a streaming result: PyFn sorts only batch results "
                                 "(EnvironmentSettings.in_batch_mode())", *_where(location))
        return self._collect(table._select_sql(), location, _Tail(table._ordering, table._offset, table._limit))

    def _explain(self, query: str, location) -> str:
        """What the runner is sent for `query`: the statements (SQL as rendered) and the Python functions.

        The runner's operator plan is `pyfn explain` of a job file; a program's jobs are explained by the text
        they send (the submission contract has no explain request yet)."""
        lines = ["== Statements sent to the PyFn runner =="]
        lines += [statement.sql + ";" for statement in self._catalog.statements]
        lines += [query.strip().rstrip(";") + ";", "", "== Python functions (shipped by value) =="]
        lines += ["%s: %s %s" % (spec.name, spec.description["kind"], spec.description["result_type"])
                  for spec in self._catalog.function_specs()]
        return "\n".join(lines)


class StreamTableEnvironment(TableEnvironment):
    """A TableEnvironment made from a StreamExecutionEnvironment's settings (parallelism, runtime mode, Python
    dependencies)."""

    @staticmethod
    def create(stream_execution_environment=None, environment_settings: Optional[EnvironmentSettings] = None,
               table_config=None) -> "StreamTableEnvironment":
        """`StreamTableEnvironment.create(env)` or `create(env, environment_settings=…)` (or settings alone)."""
        if isinstance(stream_execution_environment, EnvironmentSettings):
            stream_execution_environment, environment_settings = None, stream_execution_environment
        configuration = Configuration()
        if stream_execution_environment is not None:
            configuration.add_all(stream_execution_environment.get_configuration())
        if environment_settings is not None:
            configuration.add_all(environment_settings.get_configuration())
        environment = StreamTableEnvironment(EnvironmentSettings(configuration))
        environment._stream_env = stream_execution_environment  # to_data_stream's streams belong to it
        if table_config is not None:
            environment.get_config().add_configuration(table_config.get_configuration())
        return environment

    def from_data_stream(self, data_stream, *fields):
        """A table of a DataStream's records (a ROW stream's fields as columns, else `f0`; `fields` renames)."""
        from pyfn.datastream.table_bridge import from_data_stream
        return from_data_stream(self, data_stream, *fields)

    def from_changelog_stream(self, data_stream, schema=None, changelog_mode=None):
        """A table of a stream of changes: Rows whose `get_row_kind()` is INSERT, UPDATE_BEFORE, UPDATE_AFTER or
        DELETE (`Row.of_kind(RowKind.UPDATE_AFTER, "Alice", 100)`). A GROUP BY over it applies the changes (its
        aggregates take back `-U`/`-D` rows); `changelog_mode=ChangelogMode.insert_only()` makes a plain table."""
        from pyfn.datastream.table_bridge import from_changelog_stream
        return from_changelog_stream(self, data_stream, schema, changelog_mode)

    def to_data_stream(self, table):
        """A DataStream of the table's rows, as Row records named after the columns."""
        from pyfn.datastream.table_bridge import to_data_stream
        return to_data_stream(self, table)

    def to_append_stream(self, table, type_info=None):
        """A DataStream of the table's rows typed `type_info` (Rows named after the columns by default)."""
        from pyfn.datastream.table_bridge import to_data_stream
        return to_data_stream(self, table, type_info)

    def to_changelog_stream(self, table, *args):
        """A DataStream of the table's changes: Rows with their RowKind (`+I`, `-U`, `+U`, `-D`) as the query made
        them (a GROUP BY: a change after every row, as Flink's unbatched aggregation)."""
        from pyfn.datastream.table_bridge import to_changelog_stream
        return to_changelog_stream(self, table)

    def to_retract_stream(self, table, type_info=None):
        """(True, row) pairs of the table's final rows (PyFlink 1.x)."""
        return self.to_append_stream(table, type_info).map(lambda row: (True, row))
