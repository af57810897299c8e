"""Fixtures for the `pyfn submit` tests: functions pickled by value (defined here, in __main__, as a program defines
them), an Arrow stream file of every type PyFn has, and the check that a collected stream holds the same rows.

    python submit_fixtures.py functions            -> JSON list of request functions on stdout
    python submit_fixtures.py all-types FILE       -> writes FILE, prints the CREATE TABLE column list
    python submit_fixtures.py same-rows FILE STREAM -> exit 0 when STREAM (collected) holds FILE's rows, else prints why
"""

import base64
import datetime
import decimal
import json
import sys

import cloudpickle
import pyarrow as pa

from pyfn import DataTypes, udf, udtf


@udf(result_type=DataTypes.STRING(), input_types=[DataTypes.STRING()])
def shout(text):
    return None if text is None else text.upper() + "!"


@udf(result_type=DataTypes.BIGINT())
def fail_on_three(n):
    if n == 3:
        raise ValueError(f"three is not allowed (got {n})")
    return n * 10


@udtf(result_types=[DataTypes.STRING(), DataTypes.BIGINT()])
def letters(text):
    for position, letter in enumerate(text):
        yield letter, position


def request_function(name, wrapper, kind, result_type, input_types=None, line=1):
    """One entry of the request's `functions`, as the pyfn.table client sends it."""
    entry = {"name": name, "kind": kind, "result_type": result_type, "deterministic": True,
             "pickle": base64.b64encode(cloudpickle.dumps(wrapper)).decode("ascii"),
             "location": {"file": "/programs/fixtures.py", "line": line}}
    if input_types is not None:
        entry["input_types"] = input_types
    return entry


ALL_TYPES = [
    ("b", "BOOLEAN", pa.bool_(), [True, None, False]),
    ("i8", "TINYINT", pa.int8(), [-128, 127, None]),
    ("i16", "SMALLINT", pa.int16(), [-32768, None, 7]),
    ("i32", "INT", pa.int32(), [None, 2**31 - 1, -5]),
    ("i64", "BIGINT", pa.int64(), [2**63 - 1, -(2**63), None]),
    ("f32", "FLOAT", pa.float32(), [1.5, None, -0.25]),
    ("f64", "DOUBLE", pa.float64(), [3.141592653589793, -1e300, None]),
    ("dec", "DECIMAL(10, 2)", pa.decimal128(10, 2), [decimal.Decimal("12345678.90"), None, decimal.Decimal("-0.01")]),
    ("s", "STRING", pa.string(), ["héllo", "", None]),
    ("bin", "BYTES", pa.binary(), [b"\x00\xff", None, b""]),
    ("d", "DATE", pa.date32(), [datetime.date(2020, 2, 29), None, datetime.date(1969, 12, 31)]),
    ("t", "TIME(6)", pa.time64("us"), [datetime.time(23, 59, 59, 999999), None, datetime.time(0, 0)]),
    ("ts", "TIMESTAMP(6)", pa.timestamp("us"), [datetime.datetime(2021, 1, 2, 3, 4, 5, 6), None, datetime.datetime(1960, 1, 1)]),
    ("arr", "ARRAY<BIGINT>", pa.list_(pa.int64()), [[1, None, 3], None, []]),
    ("m", "MAP<STRING, INT>", pa.map_(pa.string(), pa.int32()), [[("a", 1), ("b", None)], None, []]),
    ("r", "ROW<x INT, y STRING>", pa.struct([("x", pa.int32()), ("y", pa.string())]), [{"x": 1, "y": "one"}, None, {"x": None, "y": None}]),
]


def all_types_table():
    return pa.table({name: pa.array(values, type=arrow) for name, _, arrow, values in ALL_TYPES})


def main(argv):
    if argv[1] == "functions":
        print(json.dumps([
            request_function("shout", shout, "SCALAR", "STRING", ["STRING"], line=11),
            request_function("fail_on_three", fail_on_three, "SCALAR", "BIGINT", line=12),
            request_function("letters", letters, "TABLE", "ROW<letter STRING, position BIGINT>", line=13),
        ]))
    elif argv[1] == "all-types":
        table = all_types_table()
        with pa.OSFile(argv[2], "wb") as sink, pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table, max_chunksize=2)
        print(", ".join(f"{name} {sql}" for name, sql, _, _ in ALL_TYPES))
    elif argv[1] == "same-rows":
        with pa.OSFile(argv[2], "rb") as f:
            expected = pa.ipc.open_stream(f).read_all()
        with pa.OSFile(argv[3], "rb") as f:
            actual = pa.ipc.open_stream(f).read_all()
        if actual.column_names != expected.column_names:
            print(f"columns {actual.column_names} != {expected.column_names}")
            return 1
        for name in expected.column_names:
            if actual[name].to_pylist() != expected[name].to_pylist():
                print(f"column {name}: {actual[name].to_pylist()} != {expected[name].to_pylist()}")
                return 1
        print(f"{actual.num_rows} rows equal")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
