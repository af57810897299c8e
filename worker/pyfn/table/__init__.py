"""PyFlink's Table API (`pyflink.table`), run by PyFn's Swift runner: change `pyflink` to `pyfn` in a program's
imports and it runs here.

    from pyfn.table import EnvironmentSettings, TableEnvironment
    from pyfn.table.expressions import col

    t_env = TableEnvironment.create(EnvironmentSettings.in_batch_mode())
    t_env.from_elements([(1, "a"), (2, "b")], ["id", "word"]).where(col("id") > 1).execute().print()
"""

from pyfn.common.configuration import Configuration
from pyfn.functions import AggregateFunction, AsyncScalarFunction, FunctionContext, ScalarFunction, TableFunction
from pyfn.row import Row, RowKind
from pyfn.table.changelog_mode import ChangelogMode
from pyfn.table.data_view import DataView, ListView, MapView
from pyfn.table.environment_settings import EnvironmentSettings
from pyfn.table.expression import Expression
from pyfn.table.statement_set import StatementSet
from pyfn.table.table import GroupedTable, Table
from pyfn.table.table_config import TableConfig
from pyfn.table.table_environment import StreamTableEnvironment, TableEnvironment
from pyfn.table.table_result import CloseableIterator, JobClient, ResultKind, TableResult
from pyfn.table.table_schema import TableSchema
from pyfn.types import DataTypes

__all__ = [
    "TableEnvironment", "StreamTableEnvironment", "EnvironmentSettings", "TableConfig", "DataTypes", "Table",
    "GroupedTable", "TableResult", "StatementSet", "Row", "RowKind", "ScalarFunction", "AsyncScalarFunction",
    "TableFunction", "AggregateFunction", "FunctionContext", "ResultKind", "TableSchema", "Expression", "CloseableIterator",
    "JobClient", "Configuration", "DataView", "ListView", "MapView", "ChangelogMode",
]
