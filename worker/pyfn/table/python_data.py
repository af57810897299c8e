"""Tables made of Python data (`from_elements`, `from_pandas`): the rows written as an Arrow IPC stream file,
declared to the runner as `CREATE TABLE … WITH ('connector' = 'arrow', 'path' = …)` (docs/job-submission.md)."""

from __future__ import annotations

import datetime
import os
from typing import List, Optional, Sequence, Tuple

from pyfn.row import Row
from pyfn.table.arrow_types import sql_type_of_arrow
from pyfn.table.type_inference import type_of_value
from pyfn.types import ArrayType, DataType, DataTypes, LocalZonedTimestampType, MapType, RowType, parse_type

__all__ = ["elements_table", "pandas_table", "write_arrow_file"]


def _names_and_types(schema, width: int, default_names: List[str]) -> Tuple[List[str], Optional[List[DataType]]]:
    """Column names and (when given) types from PyFlink's `schema` argument forms."""
    if schema is None:
        return default_names, None
    if isinstance(schema, RowType):
        return schema.names(), schema.field_types()
    if isinstance(schema, DataType):
        raise TypeError("schema must be a ROW type, a list of names or a list of types, got %s" % schema.sql())
    schema = list(schema)
    if schema and all(isinstance(s, str) for s in schema):
        if len(schema) != width:
            raise ValueError("schema names %d columns but the data has %d" % (len(schema), width))
        return schema, None
    if schema and all(isinstance(s, DataType) for s in schema):
        if len(schema) != width:
            raise ValueError("schema gives %d types but the data has %d columns" % (len(schema), width))
        return default_names, schema
    raise TypeError("schema must be a ROW type, a list of names or a list of types, got %r" % (schema,))


def _merged_type(values) -> DataType:
    for value in values:
        if value is None:
            continue
        if isinstance(value, (list, tuple)) and not isinstance(value, Row):
            return DataTypes.ARRAY(_merged_type(value))
        if isinstance(value, dict):
            return DataTypes.MAP(_merged_type(value.keys()), _merged_type(value.values()))
        if isinstance(value, Row):
            names = value._fields or ["f%d" % i for i in range(len(value))]
            return DataTypes.ROW([DataTypes.FIELD(n, _merged_type([v])) for n, v in zip(names, value)])
        found = type_of_value(value)
        if found is None:
            raise TypeError("cannot tell the SQL type of %r (%s): pass a schema" % (value, type(value).__name__))
        return found
    return DataTypes.STRING()


def _arrow_value(value, data_type: DataType):
    """A Python value in the shape pyarrow builds `data_type.to_arrow()` from."""
    if value is None:
        return None
    if isinstance(data_type, RowType):
        values = value.as_dict() if isinstance(value, Row) and value._fields else (
            value if isinstance(value, dict) else dict(zip(data_type.names(), value)))
        return {f.name: _arrow_value(values.get(f.name), f.data_type) for f in data_type.fields}
    if isinstance(data_type, ArrayType):
        return [_arrow_value(v, data_type.element_type) for v in value]
    if isinstance(data_type, MapType):
        return [(_arrow_value(k, data_type.key_type), _arrow_value(v, data_type.value_type))
                for k, v in value.items()]
    if isinstance(value, bytearray):
        return bytes(value)
    if isinstance(data_type, LocalZonedTimestampType) and isinstance(value, datetime.datetime) and value.tzinfo is None:
        # PyFlink's LocalZonedTimestampType.to_sql_type reads a naive datetime in this machine's zone (time.mktime).
        return value.astimezone()
    return value


def elements_table(elements: Sequence, schema=None):
    """(Arrow table, column names, column types) of `from_elements` rows (tuples, lists, Rows or single values)."""
    import pyarrow as pa

    rows = [tuple(e) if isinstance(e, (tuple, list, Row)) else (e,) for e in elements]
    width = len(rows[0]) if rows else (len(schema) if schema is not None and not isinstance(schema, RowType)
                                       else len(schema.fields) if isinstance(schema, RowType) else 0)
    if any(len(r) != width for r in rows):
        raise ValueError("from_elements: every element needs %d fields" % width)
    first = elements[0] if elements else None
    default_names = (list(first._fields) if isinstance(first, Row) and first._fields else
                     ["_%d" % (i + 1) for i in range(width)])
    names, types = _names_and_types(schema, width, default_names)
    if types is None:
        types = [_merged_type([r[i] for r in rows]) for i in range(width)]
    arrays = [pa.array([_arrow_value(r[i], t) for r in rows], type=t.to_arrow()) for i, t in enumerate(types)]
    return pa.Table.from_arrays(arrays, names=names), names, types


def _pandas_column(series, data_type: DataType):
    """One DataFrame column as an Arrow array of `data_type` (nested values converted value by value)."""
    import pyarrow as pa

    if not isinstance(data_type, (ArrayType, MapType, RowType)):
        return pa.array(series, type=data_type.to_arrow(), from_pandas=True)
    values = [None if v is None or (not isinstance(v, (list, dict, tuple, Row)) and v != v) else v for v in series]
    return pa.array([_arrow_value(v, data_type) for v in values], type=data_type.to_arrow())


def pandas_table(pdf, schema=None):
    """(Arrow table, column names, column types) of a pandas DataFrame (`from_pandas`)."""
    import pyarrow as pa

    width = len(pdf.columns)
    names, types = _names_and_types(schema, width, [str(c) for c in pdf.columns])
    if types is None:
        inferred = pa.Table.from_pandas(pdf, preserve_index=False)
        types = [parse_type(sql_type_of_arrow(field.type)) for field in inferred.schema]
    arrays = []
    for index, data_type in enumerate(types):
        series = pdf.iloc[:, index]
        try:
            arrays.append(_pandas_column(series, data_type))
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, TypeError) as error:
            raise TypeError("from_pandas: column %r (%s) cannot be held as %s: %s"
                            % (names[index], series.dtype, data_type.sql(), error)) from None
    return pa.Table.from_arrays(arrays, names=names), names, types


def write_arrow_file(table, folder: str, name: str) -> str:
    """Writes `table` as an Arrow IPC stream file `folder/name.arrow`; returns its path."""
    import pyarrow as pa

    path = os.path.join(folder, name + ".arrow")
    with pa.OSFile(path, "wb") as sink, pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table, max_chunksize=64 * 1024)
    return path

