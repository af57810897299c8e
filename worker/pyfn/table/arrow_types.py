"""SQL type text for an Arrow type (the columns of `from_pandas` tables and of collected results)."""

from __future__ import annotations

__all__ = ["sql_type_of_arrow"]


def sql_type_of_arrow(arrow_type) -> str:
    """The SQL type (as CREATE TABLE spells it) that holds values of `arrow_type`; TypeError when none does."""
    import pyarrow as pa

    t = pa.types
    simple = [(t.is_boolean, "BOOLEAN"), (t.is_int8, "TINYINT"), (t.is_int16, "SMALLINT"), (t.is_int32, "INT"),
              (t.is_int64, "BIGINT"), (t.is_float32, "FLOAT"), (t.is_float64, "DOUBLE"), (t.is_date32, "DATE"),
              (t.is_string, "STRING"), (t.is_large_string, "STRING"), (t.is_binary, "BYTES"),
              (t.is_large_binary, "BYTES")]
    for check, sql in simple:
        if check(arrow_type):
            return sql
    if t.is_fixed_size_binary(arrow_type):
        return "BINARY(%d)" % arrow_type.byte_width
    if t.is_decimal(arrow_type):
        return "DECIMAL(%d, %d)" % (arrow_type.precision, arrow_type.scale)
    if t.is_timestamp(arrow_type):
        # An Arrow timestamp with a zone holds instants: TIMESTAMP_LTZ.
        name = "TIMESTAMP_LTZ" if arrow_type.tz is not None else "TIMESTAMP"
        return "%s(%d)" % (name, {"s": 0, "ms": 3, "us": 6, "ns": 9}[arrow_type.unit])
    if t.is_time(arrow_type):
        return "TIME(%d)" % {"s": 0, "ms": 3, "us": 6, "ns": 9}[arrow_type.unit]
    if t.is_list(arrow_type) or t.is_large_list(arrow_type):
        return "ARRAY<%s>" % sql_type_of_arrow(arrow_type.value_type)
    if t.is_map(arrow_type):
        return "MAP<%s, %s>" % (sql_type_of_arrow(arrow_type.key_type), sql_type_of_arrow(arrow_type.item_type))
    if t.is_struct(arrow_type):
        fields = ", ".join("`%s` %s" % (arrow_type.field(i).name, sql_type_of_arrow(arrow_type.field(i).type))
                           for i in range(arrow_type.num_fields))
        return "ROW<%s>" % fields
    if t.is_dictionary(arrow_type):
        return sql_type_of_arrow(arrow_type.value_type)
    if t.is_null(arrow_type):
        return "STRING"
    raise TypeError("no SQL type holds Arrow type %s" % arrow_type)
