"""`TableResult.print()`'s table, as PyFlink 2.3 prints it (checked against PyFlink's own output):

    +----------------------+--------------------------------+--------+
    |                   id |                           word |      b |
    +----------------------+--------------------------------+--------+
    |                    1 |                          hello | <NULL> |
    +----------------------+--------------------------------+--------+
    1 row in set

Columns are right-aligned; a column is as wide as its type needs (BIGINT 20, INT 11, STRING and DOUBLE 30, …), its
name, and `<NULL>` when it may hold NULLs; longer values are cut to the width, ending in `...`. Streaming results
have an `op` column first (+I, -U, +U, -D). No rows: `Empty set`. Rows print as they arrive.
"""

from __future__ import annotations

import datetime
import decimal
import math
from typing import Iterable, List, Optional, TextIO

__all__ = ["print_table", "format_value"]

_MAX_WIDTH = 30
_NULL = "<NULL>"
_ROW_KINDS = ["+I", "-U", "+U", "-D"]


def _type_width(arrow_type) -> int:
    import pyarrow as pa

    t = pa.types
    if t.is_boolean(arrow_type):
        return 5
    if t.is_int8(arrow_type):
        return 4
    if t.is_int16(arrow_type):
        return 6
    if t.is_int32(arrow_type):
        return 11
    if t.is_int64(arrow_type):
        return 20
    if t.is_decimal(arrow_type):
        return arrow_type.precision + 2
    if t.is_date(arrow_type):
        return 10
    if t.is_time(arrow_type):
        return 8
    if t.is_timestamp(arrow_type):
        digits = {"s": 0, "ms": 3, "us": 6, "ns": 9}[arrow_type.unit]
        return 19 + (digits + 1 if digits else 0)
    return _MAX_WIDTH


def _java_double(value: float) -> str:
    """A double as Java's Double.toString writes it (what Flink prints)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0 or 1e-3 <= abs(value) < 1e7:
        text = repr(value)
        return text if ("." in text or "e" in text) else text + ".0"
    sign, digits, exponent = decimal.Decimal(repr(value)).normalize().as_tuple()
    text = "".join(map(str, digits))
    return "%s%s.%sE%d" % ("-" if sign else "", text[0], text[1:] or "0", len(text) - 1 + exponent)


def format_value(value) -> str:
    """A value as Flink prints it."""
    if value is None:
        return _NULL
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return _java_double(value)
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (datetime.date, datetime.time, decimal.Decimal)):
        return str(value)
    if isinstance(value, (bytes, bytearray)):
        return "x'%s'" % bytes(value).hex()
    if isinstance(value, list):
        return "[" + ", ".join(format_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join("%s=%s" % (format_value(k), format_value(v)) for k, v in value.items()) + "}"
    return str(value)


def _session_zone(name: Optional[str]):
    """The tzinfo of `table.local-time-zone` (None or 'default': this machine's zone)."""
    if not name or name == "default":
        return datetime.datetime.now().astimezone().tzinfo
    from pyfn.worker.local_zoned import zone_named
    return zone_named(name)


def _in_zone(value, zone):
    """An aware datetime (a TIMESTAMP_LTZ value) as the naive wall-clock time `zone` shows; anything else as is."""
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return value.astimezone(zone).replace(tzinfo=None)
    return value


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 3] + "..."


def print_table(schema, rows: Iterable, streaming: bool, out: Optional[TextIO] = None,
                widths_from_data: bool = False, zone: Optional[str] = None) -> None:
    """Prints `rows` (Row objects) of an Arrow `schema` (without the `__row_kind` column) as PyFlink does, each row
    as it arrives (widths come from the types, so an endless stream prints too). `widths_from_data`: columns as
    wide as their longest value (PyFlink's style for SHOW / SET answers). TIMESTAMP_LTZ values (aware datetimes)
    print as the wall clock of the session zone `zone` (`table.local-time-zone`; None or 'default': this
    machine's), as Flink prints them."""
    import sys

    session = _session_zone(zone)

    out = out or sys.stdout
    names = list(schema.names)
    if widths_from_data:
        rows = list(rows)
        widths = [max([len(name)] + [len(format_value(row[i])) for row in rows]) for i, name in enumerate(names)]
    else:
        widths = [max(_type_width(field.type), len(field.name), len(_NULL) if field.nullable else 0)
                  for field in schema]
    if streaming:
        names = ["op"] + names
        widths = [2] + widths
    border = "+" + "+".join("-" * (w + 2) for w in widths) + "+"

    def line(cells: List[str]) -> str:
        return "|" + "|".join(" %s " % _cut(c, w).rjust(w) for c, w in zip(cells, widths)) + "|"

    count = 0
    for row in rows:
        if count == 0:
            print(border, line(names), border, sep="\n", file=out)
        cells = [format_value(_in_zone(v, session)) for v in row]
        if streaming:
            cells = [_ROW_KINDS[row.get_row_kind().value]] + cells
        print(line(cells), file=out, flush=True)
        count += 1
    if count == 0:
        print("Empty set", file=out)
        return
    print(border, file=out)
    print("%d row%s in set" % (count, "" if count == 1 else "s"), file=out)
