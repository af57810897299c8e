"""Records as Flink prints them: what `print()` and a text FileSink write for each record.

PyFlink prints on the Java side, so a record reads as its Java object's `toString()`: a TUPLE as `(a,1)`, a LONG
as `1`, a DOUBLE as `1.0` or `1.0E10`, a boolean as `true`, null as `null`, a map as `{k=v}`; untyped (pickled)
records are turned into text with Python's `str()` first, and `print()` turns ROW records into text in Python too
(`+I[a,1,1.5,True]`, checked against PyFlink 2.3), while a file sink writes a ROW as Java does (`+I[a, 1]`).
"""

from __future__ import annotations

import datetime
import decimal
import math
from typing import Callable, Optional

from pyfn.common.typeinfo import TupleTypeInfo
from pyfn.row import Row, RowKind
from pyfn.types import RowType

_ROW_KIND = {RowKind.INSERT: "+I", RowKind.UPDATE_BEFORE: "-U", RowKind.UPDATE_AFTER: "+U", RowKind.DELETE: "-D"}


def java_double(value: float) -> str:
    """Java's Double.toString: `1.0`, `0.001`, `1.0E-4`, `1.0E10`, `NaN`, `Infinity`."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "-0.0" if math.copysign(1, value) < 0 else "0.0"
    magnitude = abs(value)
    if 1e-3 <= magnitude < 1e7:
        text = repr(float(value))
        return text if ("." in text or "e" in text) else text + ".0"
    sign, digit_tuple, exponent = decimal.Decimal(repr(float(value))).as_tuple()
    power = exponent + len(digit_tuple) - 1
    digits = "".join(map(str, digit_tuple)).rstrip("0") or "0"
    return "%s%s.%sE%d" % ("-" if sign else "", digits[0], digits[1:] or "0", power)


def java_text(value, type_name: str = "") -> str:
    """`value` as Java's toString prints it; `type_name` says a ROW's records are tuples (`Tuple(…)`)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return java_double(value)
    if isinstance(value, Row):
        kind = _ROW_KIND.get(value.get_row_kind(), "+I")
        return "%s[%s]" % (kind, ", ".join(java_text(v) for v in value))
    if isinstance(value, tuple):
        return "(%s)" % ",".join(java_text(v) for v in value)
    if isinstance(value, (list,)):
        return "[%s]" % ", ".join(java_text(v) for v in value)
    if isinstance(value, dict):
        return "{%s}" % ", ".join("%s=%s" % (java_text(k), java_text(v)) for k, v in value.items())
    if isinstance(value, datetime.datetime):
        text = value.strftime("%Y-%m-%d %H:%M:%S")
        fraction = ("%06d" % value.microsecond).rstrip("0") or "0"
        return "%s.%s" % (text, fraction)
    if isinstance(value, (bytes, bytearray)):
        return "[%s]" % ", ".join(str(b if b < 128 else b - 256) for b in value)
    return str(value)


def printed_row(value) -> str:
    """A Row record as PyFlink 2.3's `print()` turns it into text before Java prints it (its `_align_output_type`):
    the kind, then the fields' Python `str` joined by commas without spaces — `+I[a,1,1.5,True,None]`."""
    kind = _ROW_KIND.get(value.get_row_kind(), "+I") if isinstance(value, Row) else "+I"
    return "%s[%s]" % (kind, ",".join(str(item) for item in value))


def formatter_for(type_info, printing: bool = False) -> Callable:
    """The function that turns a record of `type_info` (None: pickled) into the text Flink prints or writes.
    `printing` (a print sink): Row records as PyFlink prints them (``printed_row``), as do the pickled Rows of a
    changelog stream (their type says `rows_with_kinds`); a file sink writes Java's text."""
    if printing and type_info is not None and (getattr(type_info, "rows_with_kinds", False) or (
            isinstance(type_info.to_data_type(), RowType) and not isinstance(type_info, TupleTypeInfo))):
        return printed_row
    if type_info is None or type_info.to_data_type() is None:
        def pickled_text(value) -> str:
            return value if isinstance(value, str) else str(value)
        return pickled_text
    return java_text


def format_name(type_info: Optional[object]) -> str:
    """A name for the formatting step."""
    return "format %r" % (type_info,) if type_info is not None else "str"
