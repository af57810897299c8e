"""JDBC (`pyflink.datastream.connectors.jdbc`): `JdbcSink.sink(sql, type_info, connection_options)` writes a
stream's records into a database table through the runner's SQL sinks — SQLite (`jdbc:sqlite:path`) and PostgreSQL
(`jdbc:postgresql://host[:port]/db`), the URLs a `'connector' = 'jdbc'` table takes.

The statement is PyFlink's `INSERT INTO table (col, …) VALUES (?, …)`: its table and columns say where the
records go, one column per field of `type_info` (a ROW), in order. The runner makes the table when it is missing
and writes each batch of records as one transaction. Records are converted to `type_info` before they reach the
sink, so an untyped stream can be written too; a record that does not fit names itself and the type.
"""

from __future__ import annotations

import re
from typing import List, Optional

from pyfn.datastream.connectors.base import Sink
from pyfn.types import RowType

__all__ = ["JdbcSink", "JdbcConnectionOptions", "JdbcExecutionOptions"]

_INSERT = re.compile(r"^\s*insert\s+into\s+(?P<table>[\w.\"`]+)\s*\((?P<columns>[^)]*)\)"
                     r"\s*values\s*\((?P<marks>[^)]*)\)\s*;?\s*$", re.IGNORECASE | re.DOTALL)


def _unquote(name: str) -> str:
    name = name.strip()
    if len(name) >= 2 and name[0] == name[-1] and name[0] in "\"`":
        return name[1:-1]
    return name


def parse_insert(sql: str):
    """(table, [columns]) of `INSERT INTO table (a, b) VALUES (?, ?)`; ValueError naming what is wrong."""
    match = _INSERT.match(sql)
    if match is None:
        raise ValueError("JdbcSink.sink takes 'INSERT INTO table (column, ...) VALUES (?, ...)', got %r" % (sql,))
    columns = [_unquote(c) for c in match.group("columns").split(",")]
    marks = [m.strip() for m in match.group("marks").split(",")]
    if any(not c for c in columns):
        raise ValueError("JdbcSink.sink: an empty column name in %r" % (sql,))
    if len(marks) != len(columns) or any(m != "?" for m in marks):
        raise ValueError("JdbcSink.sink: VALUES needs one '?' per column (%d columns) in %r" % (len(columns), sql))
    return _unquote(match.group("table")), columns


class JdbcConnectionOptions:
    """Where the database is: its JDBC URL, driver, user and password."""

    def __init__(self, url: str, driver_name: Optional[str] = None, user_name: Optional[str] = None,
                 password: Optional[str] = None):
        self._url = url
        self._driver_name = driver_name
        self._user_name = user_name
        self._password = password

    def get_db_url(self) -> str:
        """The JDBC URL."""
        return self._url

    def get_driver_name(self) -> Optional[str]:
        """The driver class (checked against the URL by the runner)."""
        return self._driver_name

    def get_user_name(self) -> Optional[str]:
        """The user."""
        return self._user_name

    def get_password(self) -> Optional[str]:
        """The password."""
        return self._password

    def options(self) -> dict:
        """The options of a `'connector' = 'jdbc'` table."""
        out = {"connector": "jdbc", "url": self._url}
        for key, value in (("driver", self._driver_name), ("username", self._user_name), ("password", self._password)):
            if value is not None:
                out[key] = value
        return out

    class JdbcConnectionOptionsBuilder:
        """Builds JdbcConnectionOptions."""

        def __init__(self):
            self._url: Optional[str] = None
            self._driver: Optional[str] = None
            self._user: Optional[str] = None
            self._password: Optional[str] = None

        def with_url(self, url: str) -> "JdbcConnectionOptions.JdbcConnectionOptionsBuilder":
            """The JDBC URL (`jdbc:sqlite:path`, `jdbc:postgresql://host/db`)."""
            self._url = url
            return self

        def with_driver_name(self, driver_name: str) -> "JdbcConnectionOptions.JdbcConnectionOptionsBuilder":
            """The driver class name."""
            self._driver = driver_name
            return self

        def with_user_name(self, user_name: str) -> "JdbcConnectionOptions.JdbcConnectionOptionsBuilder":
            """The user."""
            self._user = user_name
            return self

        def with_password(self, password: str) -> "JdbcConnectionOptions.JdbcConnectionOptionsBuilder":
            """The password."""
            self._password = password
            return self

        def build(self) -> "JdbcConnectionOptions":
            """The options; the URL is required."""
            if not self._url:
                raise ValueError("JdbcConnectionOptions need a URL (with_url)")
            return JdbcConnectionOptions(self._url, self._driver, self._user, self._password)


class JdbcExecutionOptions:
    """Batching and retries. Accepted for PyFlink compatibility: the runner writes each batch of records as one
    transaction."""

    def __init__(self, batch_interval_ms: int = 0, batch_size: int = 5000, max_retries: int = 3):
        self._batch_interval_ms = batch_interval_ms
        self._batch_size = batch_size
        self._max_retries = max_retries

    def get_batch_interval_ms(self) -> int:
        """The flush interval."""
        return self._batch_interval_ms

    def get_batch_size(self) -> int:
        """The batch size."""
        return self._batch_size

    def get_max_retries(self) -> int:
        """The retries."""
        return self._max_retries

    @staticmethod
    def defaults() -> "JdbcExecutionOptions":
        """The defaults."""
        return JdbcExecutionOptions()

    @staticmethod
    def builder() -> "JdbcExecutionOptions.Builder":
        """A builder."""
        return JdbcExecutionOptions.Builder()

    class Builder:
        """Builds JdbcExecutionOptions."""

        def __init__(self):
            self._values = JdbcExecutionOptions()

        def with_batch_size(self, size: int) -> "JdbcExecutionOptions.Builder":
            """The batch size."""
            self._values._batch_size = int(size)
            return self

        def with_batch_interval_ms(self, interval_ms: int) -> "JdbcExecutionOptions.Builder":
            """The flush interval."""
            self._values._batch_interval_ms = int(interval_ms)
            return self

        def with_max_retries(self, max_retries: int) -> "JdbcExecutionOptions.Builder":
            """The retries."""
            self._values._max_retries = int(max_retries)
            return self

        def build(self) -> "JdbcExecutionOptions":
            """The options."""
            return self._values


class JdbcSink(Sink):
    """Writes records into a database table (`JdbcSink.sink(...)`)."""

    needs_text = False

    def __init__(self, table: str, columns: List[str], type_info, connection: JdbcConnectionOptions):
        self.table = table
        self.columns = columns
        #: The records' type at the sink: the stream's records are converted to it first.
        self.input_type = type_info
        self.connection = connection

    @staticmethod
    def sink(sql: str, type_info, jdbc_connection_options: JdbcConnectionOptions,
             jdbc_execution_options: Optional[JdbcExecutionOptions] = None) -> "JdbcSink":
        """A sink running `sql` (`INSERT INTO t (a, b) VALUES (?, ?)`) for each record of `type_info` (a ROW type
        with one field per column)."""
        table, columns = parse_insert(sql)
        data_type = None if type_info is None else type_info.to_data_type()
        if data_type is None:
            raise TypeError("JdbcSink.sink needs a typed record type (Types.ROW([...])), got %r" % (type_info,))
        fields = type_info.get_field_types() if isinstance(data_type, RowType) else [type_info]
        if len(fields) != len(columns):
            raise ValueError("JdbcSink.sink: %d columns (%s) but %r has %d fields"
                             % (len(columns), ", ".join(columns), type_info, len(fields)))
        return JdbcSink(table, columns, type_info, jdbc_connection_options)

    def sink_spec(self) -> dict:
        return {"type": "table", "table": self.table, "columns": list(self.columns),
                "options": self.connection.options()}
