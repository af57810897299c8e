"""pyarrow half of the PyFnArrow interop tests.

  dump STREAM OUT.json   read an IPC stream with pyarrow, write its canonical dump
  generate DIR           write pyarrow-made streams NAME.arrows and their canonical dumps NAME.json

A canonical dump is {"fields": [[name, type, nullable, metadata]], "metadata": {...},
"batches": [[column: [value string or null]]]}; the Swift tests render their values the same way.
"""
import datetime
import decimal
import json
import struct
import sys

import pyarrow as pa


def field_str(f):
    return f"{f.name}: {type_str(f.type)}{'' if f.nullable else ' not null'}"


def type_str(t):
    if pa.types.is_list(t):
        return f"list<{field_str(t.value_field)}>"
    if pa.types.is_map(t):
        return f"map<{field_str(t.key_field)}, {field_str(t.item_field)}{', sorted' if t.keys_sorted else ''}>"
    if pa.types.is_struct(t):
        return "struct<" + ", ".join(field_str(t.field(i)) for i in range(t.num_fields)) + ">"
    return str(t)


def canon(arr):
    """One canonical string (or None for null) per element of arr."""
    t = arr.type
    valid = arr.is_valid().to_pylist() if len(arr) else []
    if pa.types.is_null(t):
        return [None] * len(arr)
    if pa.types.is_struct(t):
        kids = [canon(arr.field(i)) for i in range(t.num_fields)]
        return [("{" + ", ".join(str(k[i]) if k[i] is not None else "null" for k in kids) + "}") if v else None
                for i, v in enumerate(valid)]
    if pa.types.is_map(t):
        out = []
        for i, v in enumerate(valid):
            if not v:
                out.append(None)
                continue
            entries = arr[i].values
            keys, items = canon(entries.field(0)), canon(entries.field(1))
            out.append("map{" + ", ".join(f"{k}: {'null' if x is None else x}" for k, x in zip(keys, items)) + "}")
        return out
    if pa.types.is_list(t):
        return [("[" + ", ".join("null" if x is None else x for x in canon(arr[i].values)) + "]") if v else None
                for i, v in enumerate(valid)]
    if pa.types.is_boolean(t):
        return [None if x is None else f"b:{str(x).lower()}" for x in arr.to_pylist()]
    if pa.types.is_integer(t):
        return [None if x is None else f"i:{x}" for x in arr.to_pylist()]
    if pa.types.is_floating(t):
        return [None if x is None else "f:%d" % struct.unpack("<q", struct.pack("<d", x))[0] for x in arr.to_pylist()]
    if pa.types.is_decimal(t):
        return [None if x is None else f"d:{int(x.scaleb(t.scale))}:{t.scale}" for x in arr.to_pylist()]
    if pa.types.is_string(t):
        return [None if x is None else "s:" + x for x in arr.to_pylist()]
    if pa.types.is_binary(t):
        return [None if x is None else "x:" + x.hex() for x in arr.to_pylist()]
    if pa.types.is_date32(t):
        raw = arr.view(pa.int32()).to_pylist()
        return [f"date:{r}" if v else None for r, v in zip(raw, valid)]
    if pa.types.is_time(t) or pa.types.is_timestamp(t):
        raw = arr.view(pa.int32() if t.bit_width == 32 else pa.int64()).to_pylist()
        tag = "t" if pa.types.is_time(t) else "ts"
        return [f"{tag}:{r}:{t.unit}" if v else None for r, v in zip(raw, valid)]
    raise TypeError(f"no canonical form for {t}")


def decode_meta(m):
    return {k.decode(): v.decode() for k, v in (m or {}).items()}


def dump(schema, batches):
    return {
        "fields": [[f.name, type_str(f.type), f.nullable, decode_meta(f.metadata)] for f in schema],
        "metadata": decode_meta(schema.metadata),
        "batches": [[canon(c) for c in b.columns] for b in batches],
    }


def read_and_dump(stream_path, out_path):
    with open(stream_path, "rb") as f:
        reader = pa.ipc.open_stream(f)
        batches = list(reader)
        schema = reader.schema
    for b in batches:
        b.validate(full=True)
    with open(out_path, "w") as f:
        json.dump(dump(schema, batches), f)


def write_case(directory, name, schema, batches):
    with pa.ipc.new_stream(f"{directory}/{name}.arrows", schema) as writer:
        for b in batches:
            writer.write_batch(b)
    with open(f"{directory}/{name}.json", "w") as f:
        json.dump(dump(schema, batches), f)


def generate(directory):
    n = 23
    def nulls_every(k, values):
        return [None if i % k == 0 else v for i, v in enumerate(values)]
    point = pa.struct([pa.field("x", pa.int32()), pa.field("label", pa.string())])
    cols = {
        "null": pa.array([None] * n, pa.null()),
        "bool": pa.array(nulls_every(3, [i % 2 == 0 for i in range(n)]), pa.bool_()),
        "i8": pa.array(nulls_every(4, [(-1) ** i * (i * 5 % 128) for i in range(n)]), pa.int8()),
        "i16": pa.array(nulls_every(5, [i * -1000 for i in range(n)]), pa.int16()),
        "i32": pa.array(nulls_every(6, [i * 100000 - 7 for i in range(n)]), pa.int32()),
        "i64": pa.array(nulls_every(7, [(-1) ** i * i * 10 ** 15 for i in range(n)]), pa.int64()),
        "f32": pa.array(nulls_every(3, [i / 3 for i in range(n)]), pa.float32()),
        "f64": pa.array(nulls_every(4, [-i * 1e300 / 7 for i in range(n)]), pa.float64()),
        "dec": pa.array(nulls_every(5, [decimal.Decimal(f"{(-1) ** i * i * 1234567}.{i:02d}") for i in range(n)]),
                        pa.decimal128(20, 2)),
        "str": pa.array(nulls_every(4, ["", "a", "héllo", "日本語", "🚀x" * 3] * 4 + ["z", "", "end"]), pa.string()),
        "bin": pa.array(nulls_every(6, [bytes(range(i % 7)) for i in range(n)]), pa.binary()),
        "date": pa.array(nulls_every(5, [datetime.date(1960 + i * 3, 1 + i % 12, 1 + i) for i in range(n)]), pa.date32()),
        "t32s": pa.array(nulls_every(4, [i * 3600 for i in range(n)]), pa.time32("s")),
        "t32ms": pa.array(nulls_every(4, [i * 3600001 for i in range(n)]), pa.time32("ms")),
        "t64us": pa.array(nulls_every(4, [i * 3600000001 for i in range(n)]), pa.time64("us")),
        "t64ns": pa.array(nulls_every(4, [i * 3600000000001 for i in range(n)]), pa.time64("ns")),
        "ts_s": pa.array(nulls_every(3, [i * 10 ** 8 for i in range(n)]), pa.timestamp("s")),
        "ts_ms": pa.array(nulls_every(3, [-i * 10 ** 11 for i in range(n)]), pa.timestamp("ms", tz="UTC")),
        "ts_us": pa.array(nulls_every(3, [i * 10 ** 14 for i in range(n)]), pa.timestamp("us")),
        "ts_ns": pa.array(nulls_every(3, [i * 10 ** 17 for i in range(n)]), pa.timestamp("ns", tz="Europe/Paris")),
        "list": pa.array(nulls_every(5, [list(range(i % 4)) + [None] * (i % 2) for i in range(n)]), pa.list_(pa.int64())),
        "list_struct": pa.array(nulls_every(4, [[{"x": j, "label": None if j == 1 else f"p{j}"} for j in range(i % 3)]
                                                for i in range(n)]), pa.list_(point)),
        "map": pa.array(nulls_every(6, [[(f"k{j}", None if j == 2 else j * i) for j in range(i % 4)] for i in range(n)]),
                        pa.map_(pa.string(), pa.int64())),
        "struct": pa.array(nulls_every(7, [{"x": i, "label": None if i % 2 else "é" * i} for i in range(n)]), point),
    }
    schema = pa.schema([pa.field(k, v.type) for k, v in cols.items()], metadata={"origin": "pyarrow"})
    schema = schema.set(2, schema.field(2).with_metadata({"unit": "count"}))
    full = pa.RecordBatch.from_arrays(list(cols.values()), schema=schema)
    write_case(directory, "all_types", schema, [full])
    write_case(directory, "sliced", schema, [full.slice(3, 11), full.slice(0, 0), full.slice(13, 10), full.slice(1, 1)])
    big = pa.RecordBatch.from_arrays([pa.array(range(5000), pa.int64()),
                                      pa.array([f"row {i}" if i % 11 else None for i in range(5000)])],
                                     names=["id", "text"])
    write_case(directory, "multi", big.schema, [big.slice(i * 997, 997) for i in range(5)])
    write_case(directory, "empty", pa.schema([pa.field("a", pa.int32()), pa.field("s", pa.string())]), [])


if __name__ == "__main__":
    if sys.argv[1] == "dump":
        read_and_dump(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "generate":
        generate(sys.argv[2])
    else:
        raise SystemExit(f"unknown command {sys.argv[1]}")
