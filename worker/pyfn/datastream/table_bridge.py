"""Tables and streams together: `StreamTableEnvironment.from_data_stream` / `to_data_stream` /
`to_append_stream` / `to_changelog_stream`.

PyFn runs a program's DataStream dataflow and its Table API queries as separate jobs, so the bridge hands the
records over between them as an Arrow file: `from_data_stream` runs the stream (collecting its records) and
declares the result as a table like `from_elements`; `to_data_stream` runs the table's query (collecting its rows)
and makes a stream source of them, a ROW record per row. Bounded inputs only (every PyFn source is).
`to_changelog_stream` runs the query in streaming mode with `table.exec.mini-batch.enabled = false`, so a GROUP BY
of built-in aggregates hands on its changed group after every row (Flink's unbatched aggregation), and the
stream's records are Rows with their RowKind (`+I`, `-U`, `+U`), pickled: Arrow columns have no place for the kind.
"""

from __future__ import annotations

import os
from typing import List, Optional

from pyfn.common.typeinfo import TypeInformation
from pyfn.types import RowType

__all__ = ["from_data_stream", "to_data_stream", "to_changelog_stream"]

#: The setting that makes the runner's GROUP BY emit a change per row (Flink's default; PyFn batches otherwise).
MINI_BATCH = "table.exec.mini-batch.enabled"


def _stream_table(data_stream):
    """The stream's records as an Arrow table: a ROW stream's fields as columns, another typed stream as `f0`."""
    import pyarrow as pa

    type_info = data_stream.get_type()
    data_type = type_info.to_data_type()
    if data_type is None:
        raise TypeError("from_data_stream needs a typed stream; give the last function an output_type such as "
                        "Types.ROW_NAMED(['name', 'count'], [Types.STRING(), Types.LONG()])")
    env = data_stream.get_execution_environment()
    from pyfn.datastream.transformations import Transformation
    from pyfn.client.location import caller_location

    collect = Transformation("sink", "Collect", [data_stream._transformation], None, caller_location())
    collect.sink = {"type": "collect"}
    collect.needs_text = False
    _, job = env._submit("from_data_stream", [collect])
    with job:
        batches = list(job.batches())
        schema = job.schema
    column = pa.Table.from_batches(batches, schema=schema).column(0).combine_chunks() if batches else \
        pa.array([], schema.field(0).type)
    if isinstance(data_type, RowType):
        names = list(data_type.names())
        types = [f.data_type for f in data_type.fields]
        arrays = [column.field(i) for i in range(len(names))]
    else:
        names, types, arrays = ["f0"], [data_type], [column]
    return pa.Table.from_arrays(arrays, names=names), names, types


def from_data_stream(table_env, data_stream, *fields):
    """A table of the stream's records (columns: a ROW's fields, else `f0`; renamed by `fields`)."""
    from pyfn.client.location import caller_location

    table, names, types = _stream_table(data_stream)
    if fields:
        renamed = [str(getattr(f, "_name", f)) for f in fields]
        if len(renamed) != len(names):
            raise ValueError("from_data_stream: %d field names for %d columns (%s)"
                             % (len(renamed), len(names), ", ".join(names)))
        names = renamed
        table = table.rename_columns(names)
    return table_env._data_table(table, names, types, caller_location())


def _row_type_info(names: List[str], types) -> TypeInformation:
    from pyfn.types import DataTypes

    data_type = DataTypes.ROW([DataTypes.FIELD(n, t) for n, t in zip(names, types)])
    return TypeInformation("Row(%s)" % ", ".join("%s: %s" % (n, t.sql()) for n, t in zip(names, types)), data_type,
                           None, names)


def to_data_stream(table_env, table, type_info: Optional[TypeInformation] = None):
    """A stream of the table's rows (Row records with the column names, or `type_info`'s records)."""
    import pyarrow as pa

    from pyfn.client.location import caller_location
    from pyfn.datastream.data_stream import DataStream
    from pyfn.datastream.transformations import Transformation
    from pyfn.datastream.stream_execution_environment import StreamExecutionEnvironment

    env = getattr(table_env, "_stream_env", None) or StreamExecutionEnvironment.get_execution_environment()
    result = table.execute()
    job = result._job
    with job:
        batches = list(job.batches())
        schema = job.schema
    keep = [i for i, name in enumerate(schema.names) if name != "__row_kind"]
    data = pa.Table.from_batches(batches, schema=schema) if batches else schema.empty_table()
    names = [schema.names[i] for i in keep]
    struct = pa.StructArray.from_arrays([data.column(i).combine_chunks() for i in keep], names=names) \
        if data.num_rows else pa.array([], pa.struct([schema.field(i) for i in keep]))
    from pyfn.types import parse_type
    from pyfn.table.arrow_types import sql_type_of_arrow

    types = [parse_type(sql_type_of_arrow(schema.field(i).type)) for i in keep]
    row_info = type_info or _row_type_info(names, types)
    files = env._temporary_files()
    path = os.path.join(files.folder(), "table-%d.arrows" % id(struct))
    value_schema = pa.schema([pa.field("value", struct.type)])
    with pa.OSFile(path, "wb") as sink, pa.ipc.new_stream(sink, value_schema) as writer:
        writer.write_batch(pa.record_batch([struct], schema=value_schema))
    transformation = Transformation("source", "Table Source", [], row_info, caller_location())
    transformation.arrow_path = path
    return DataStream(env, transformation)


def to_changelog_stream(table_env, table):
    """A stream of the table's changes: Rows whose `get_row_kind()` is INSERT, UPDATE_BEFORE, UPDATE_AFTER or
    DELETE, in the order the query made them (a GROUP BY: `+I` for a new key, `-U` old and `+U` new after each
    row that changes it); printed as Flink prints them (`+I[Alice, 12]`, `-U[Alice, 12]`, `+U[Alice, 112]`)."""
    import pyarrow as pa

    from pyfn.client.location import caller_location
    from pyfn.datastream.data_stream import DataStream
    from pyfn.datastream.transformations import Transformation
    from pyfn.datastream.stream_execution_environment import StreamExecutionEnvironment
    from pyfn.table.table_result import rows_of_batch
    from pyfn.worker.datastream.records import pickle_column

    env = getattr(table_env, "_stream_env", None) or StreamExecutionEnvironment.get_execution_environment()
    configuration = table_env.get_config().get_configuration()
    chosen = configuration.get_string(MINI_BATCH)
    if chosen is None:
        configuration.set_string(MINI_BATCH, "false")
    try:
        job = table.execute()._job
    finally:
        if chosen is None:
            configuration.remove_config(MINI_BATCH)
    with job:
        batches = list(job.batches())
        schema = job.schema
    names = [name for name in schema.names if name != "__row_kind"]
    rows = [row for batch in batches for row in rows_of_batch(batch, names)]
    files = env._temporary_files()
    path = os.path.join(files.folder(), "changelog-%d.arrows" % id(rows))
    value_schema = pa.schema([pa.field("value", pa.binary(), False)])
    with pa.OSFile(path, "wb") as sink, pa.ipc.new_stream(sink, value_schema) as writer:
        writer.write_batch(pa.record_batch([pickle_column(rows)], schema=value_schema))
    transformation = Transformation("source", "Changelog Source", [], _ChangelogRows(names), caller_location())
    transformation.arrow_path = path
    return DataStream(env, transformation)


class _ChangelogRows(TypeInformation):
    """The type of a changelog stream's records: Rows with their kind, pickled (Arrow has no place for the kind);
    `print()` shows them as PyFlink does (`+I[Alice,12]`)."""

    rows_with_kinds = True

    def __init__(self, names: List[str]):
        super().__init__("Row(%s) with RowKind" % ", ".join(names), None, None, names)
