"""Tables and streams together: `StreamTableEnvironment.from_data_stream` / `to_data_stream` /
`to_append_stream` / `to_changelog_stream`.

PyFn runs a program's DataStream dataflow and its Table API queries as separate jobs, so the bridge hands the
records over between them as an Arrow file: `from_data_stream` runs the stream (collecting its records) and
declares the result as a table like `from_elements`; `to_data_stream` runs the table's query (collecting its rows)
and makes a stream source of them, a ROW record per row. Bounded inputs only (every PyFn source is).
`to_changelog_stream` runs the query in streaming mode with `table.exec.mini-batch.enabled = false`, so a GROUP BY
of built-in aggregates hands on its changed group after every row (Flink's unbatched aggregation), and the
stream's records are Rows with their RowKind (`+I`, `-U`, `+U`), pickled: Arrow columns have no place for the kind.
`from_changelog_stream` runs the stream with its Rows pickled (so they keep their kinds) and declares a table with
a hidden TINYINT column of kinds (ROW_KIND_COLUMN), which the runner's GROUP BY reads (its aggregates take back the
`-U` and `-D` rows; a group left with no rows is deleted); it refuses other queries over it, as Flink's append-only
sinks refuse an updating input.
"""

from __future__ import annotations

import os
from typing import List, Optional

from pyfn.common.typeinfo import TypeInformation
from pyfn.types import RowType

__all__ = ["from_data_stream", "from_changelog_stream", "to_data_stream", "to_changelog_stream"]

#: The hidden column of a changelog table's row kinds (the runner's `ChangelogTable.rowKindColumn`).
ROW_KIND_COLUMN = "__pyfn_row_kind"

#: The setting that makes the runner's GROUP BY emit a change per row (Flink's default; PyFn batches otherwise).
MINI_BATCH = "table.exec.mini-batch.enabled"


def _stream_type(data_stream, method: str):
    """The stream's record type; an untyped stream is refused."""
    data_type = data_stream.get_type().to_data_type()
    if data_type is None:
        raise TypeError("%s needs a typed stream; give the last function an output_type such as "
                        "Types.ROW_NAMED(['name', 'count'], [Types.STRING(), Types.LONG()])" % method)
    return data_type


def _collected_column(data_stream, job_name: str, keep_row_kinds: bool = False):
    """Runs the stream and returns its records' column (pickled Rows with `keep_row_kinds`)."""
    import pyarrow as pa

    from pyfn.client.location import caller_location
    from pyfn.datastream.transformations import Transformation

    env = data_stream.get_execution_environment()
    collect = Transformation("sink", "Collect", [data_stream._transformation], None, caller_location())
    collect.sink = {"type": "collect"}
    collect.needs_text = False
    _, job = env._submit(job_name, [collect], keep_row_kinds)
    with job:
        batches = list(job.batches())
        schema = job.schema
    return pa.Table.from_batches(batches, schema=schema).column(0).combine_chunks() if batches else \
        pa.array([], schema.field(0).type)


def _stream_table(data_stream):
    """The stream's records as an Arrow table: a ROW stream's fields as columns, another typed stream as `f0`."""
    import pyarrow as pa

    data_type = _stream_type(data_stream, "from_data_stream")
    column = _collected_column(data_stream, "from_data_stream")
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


def from_changelog_stream(table_env, data_stream, schema=None, changelog_mode=None):
    """A table of the stream's changes (Rows with their RowKind; columns: the ROW's fields). A GROUP BY over it
    applies them; with `ChangelogMode.insert_only()` it is a plain table, and a row of another kind an error."""
    import pyarrow as pa

    from pyfn.client.location import caller_location
    from pyfn.datastream.graph import record_format
    from pyfn.row import Row, RowKind
    from pyfn.types import DataTypes
    from pyfn.worker.datastream.records import RecordCodec, unpickle_column

    location = caller_location()
    if schema is not None:
        raise ValueError("from_changelog_stream: a schema is not supported yet; the table's columns are the "
                         "stream's ROW fields (name them with Types.ROW_NAMED)")
    data_type = _stream_type(data_stream, "from_changelog_stream")
    if not isinstance(data_type, RowType):
        raise TypeError("from_changelog_stream needs a stream of Rows (Types.ROW / ROW_NAMED), not %r"
                        % (data_stream.get_type(),))
    allowed = frozenset(RowKind) if changelog_mode is None else changelog_mode.kinds
    if RowKind.INSERT in allowed and RowKind.UPDATE_AFTER in allowed and RowKind.UPDATE_BEFORE not in allowed:
        raise ValueError("from_changelog_stream: %r (updates by a primary key) is not supported yet; give "
                         "ChangelogMode.all() with UPDATE_BEFORE rows" % (changelog_mode,))
    column = _collected_column(data_stream, "from_changelog_stream", keep_row_kinds=True)
    records = unpickle_column(column) if pa.types.is_binary(column.type) else column.to_pylist()
    kinds = []
    values = []
    for index, record in enumerate(records):
        kind = record.get_row_kind() if isinstance(record, Row) else RowKind.INSERT
        if kind not in allowed:
            raise ValueError("from_changelog_stream: record %d %r is a %s row, which %r does not allow"
                             % (index + 1, record, kind.name, changelog_mode))
        kinds.append(kind.value)
        values.append(Row(*record) if isinstance(record, Row) else record)
    codec = RecordCodec(record_format(data_stream.get_type()))
    try:
        struct = codec.encode(values)
    except ValueError as error:
        raise TypeError("from_changelog_stream: record %s: %s" % ((getattr(error, "row", None) or 0) + 1, error)) \
            from None
    names = list(data_type.names())
    types = [f.data_type for f in data_type.fields]
    arrays = [struct.field(i) for i in range(len(names))]
    if changelog_mode is not None and allowed == frozenset([RowKind.INSERT]):
        return table_env._data_table(pa.Table.from_arrays(arrays, names=names), names, types, location)
    data = pa.Table.from_arrays(arrays + [pa.array(kinds, pa.int8())], names=names + [ROW_KIND_COLUMN])
    table = table_env._data_table(data, names, types, location, [(ROW_KIND_COLUMN, DataTypes.TINYINT(False))])
    table._changelog_rows = [_with_kind(Row(*v), k) for v, k in zip(values, kinds)]
    for row in table._changelog_rows:
        row.set_field_names(names)
    return table


def _with_kind(row, kind: int):
    """`row` with RowKind `kind` (its value)."""
    from pyfn.row import RowKind

    row.set_row_kind(RowKind(kind))
    return row


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
    from pyfn.datastream.stream_execution_environment import StreamExecutionEnvironment
    from pyfn.table.table_result import rows_of_batch

    env = getattr(table_env, "_stream_env", None) or StreamExecutionEnvironment.get_execution_environment()
    changes = getattr(table, "_changelog_rows", None)
    if changes is not None:  # a changelog table itself: its changes as they came
        return _changelog_source(env, list(changes), list(table._columns))
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
    return _changelog_source(env, rows, names)


def _changelog_source(env, rows, names):
    """A stream source of `rows` (Rows with their kinds), pickled."""
    import pyarrow as pa

    from pyfn.client.location import caller_location
    from pyfn.datastream.data_stream import DataStream
    from pyfn.datastream.transformations import Transformation
    from pyfn.worker.datastream.records import pickle_column

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
