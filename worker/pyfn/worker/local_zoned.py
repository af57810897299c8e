"""TIMESTAMP_LTZ values between Arrow and Python functions, as PyFlink 2.3 hands them over.

On the wire an LTZ column is `timestamp[us, tz=UTC]`: microseconds since the epoch of the instant. PyFlink's
worker (pyflink/fn_execution/coder_impl_fast.pyx `LocalZonedTimestampCoderImpl`, pyflink/table/utils.py
`tz_convert_from_internal` / `tz_convert_to_internal`) does not convert the instant into the session zone: it
reads the instant's UTC wall-clock time and *labels* it with the session zone (`table.local-time-zone`):
- a general UDF gets `tz.localize(utcfromtimestamp(...))`: an aware datetime whose wall clock is the UTC one and
  whose tzinfo is the session zone (in the default zone UTC, simply the instant in UTC);
- a Pandas UDF gets `series.dt.tz_localize(session_zone)` of the UTC wall-clock times;
- results go back by wall clock: a general UDF's datetime, aware or naive, is read as UTC wall-clock time
  (`value.replace(tzinfo=utc)`); a Pandas UDF's naive series likewise, an aware series is first converted to the
  session zone (`tz_convert(zone).tz_localize(None)`).
So an identity function returns its input unchanged in any zone, as in PyFlink. Arrow UDFs (PyFn's own kind) get the
column relabelled to the session zone (the same instants) and may return any timestamp array (an aware one keeps
its instants; a naive one is UTC wall-clock time).

The session zone comes with each plan's `UserDefinedFunctions.local_time_zone`; a worker process serves one job.
"""

from __future__ import annotations

import datetime
import re
from typing import List, Optional

import pyarrow as pa

_UTC = datetime.timezone.utc
_zone_name = "UTC"
_zone: datetime.tzinfo = _UTC
_OFFSET = re.compile(r"^(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)


def zone_named(name: str) -> datetime.tzinfo:
    """The tzinfo of a zone name as `table.local-time-zone` takes it: an IANA name, 'UTC', or 'GMT+08:00'."""
    text = (name or "UTC").strip()
    if text.upper() in ("UTC", "GMT", "Z"):
        return _UTC
    match = _OFFSET.match(text)
    if match:
        sign = -1 if match.group(1) == "-" else 1
        minutes = int(match.group(2)) * 60 + int(match.group(3) or 0)
        return datetime.timezone(sign * datetime.timedelta(minutes=minutes), text)
    from zoneinfo import ZoneInfo
    return ZoneInfo(text)


def set_session_zone(name: str) -> None:
    """Makes `name` the session zone LTZ values are labelled with ('' keeps UTC)."""
    global _zone_name, _zone
    name = name or "UTC"
    if name != _zone_name:
        _zone, _zone_name = zone_named(name), name


def session_zone() -> datetime.tzinfo:
    """The session zone's tzinfo."""
    return _zone


def is_local_zoned(arrow_type: pa.DataType) -> bool:
    """Whether an Arrow type is an LTZ column's (a timestamp with a time zone)."""
    return pa.types.is_timestamp(arrow_type) and arrow_type.tz is not None


def _wall_clock(column: pa.Array) -> pa.Array:
    """The column's UTC wall-clock times as a naive timestamp column (same values)."""
    return column.cast(pa.timestamp(column.type.unit))


def to_python(column: pa.Array) -> list:
    """A general UDF's values: UTC wall-clock datetimes labelled with the session zone, None for nulls."""
    zone = _zone
    return [None if v is None else v.replace(tzinfo=zone) for v in _wall_clock(column).to_pylist()]


def to_pandas(column: pa.Array):
    """A Pandas UDF's Series: the UTC wall-clock times, `tz_localize`d to the session zone."""
    return _wall_clock(column).to_pandas().dt.tz_localize(_zone)


def to_arrow_udf(column: pa.Array) -> pa.Array:
    """An Arrow UDF's column: the same instants, shown in the session zone (a fixed offset as '+08:00')."""
    tz = _zone_name
    if isinstance(_zone, datetime.timezone):
        offset = int(_zone.utcoffset(None).total_seconds()) // 60
        tz = "UTC" if offset == 0 else "%s%02d:%02d" % ("-" if offset < 0 else "+", abs(offset) // 60, abs(offset) % 60)
    return column.cast(pa.timestamp(column.type.unit, tz=tz))


def python_results(results: List, arrow_type: pa.DataType) -> pa.Array:
    """General UDF results (datetimes, aware or naive, or None) as instants: each wall clock read as UTC."""
    naive = [v.replace(tzinfo=None) if isinstance(v, datetime.datetime) else v for v in results]
    return pa.array(naive, type=pa.timestamp(arrow_type.unit)).cast(arrow_type)


def pandas_results(series, arrow_type: pa.DataType) -> pa.Array:
    """A Pandas UDF's result Series as instants: naive times are UTC wall clock; aware ones are first converted to
    the session zone and their wall clock read as UTC."""
    import pandas as pd
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        series = series.dt.tz_convert(_zone).dt.tz_localize(None)
    return pa.Array.from_pandas(series, type=pa.timestamp(arrow_type.unit)).cast(arrow_type)


def arrow_results(array: pa.Array, arrow_type: pa.DataType) -> pa.Array:
    """An Arrow UDF's timestamp result as instants: an aware array keeps its instants, a naive one is UTC."""
    if pa.types.is_timestamp(array.type) and array.type.tz is None:
        array = array.cast(pa.timestamp(arrow_type.unit))
    return array.cast(arrow_type)


def zone_name() -> Optional[str]:
    """The session zone's name."""
    return _zone_name
