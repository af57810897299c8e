"""pyarrow half of the Arrow IPC benchmark: the same 1,000,000-row batch (int64, float64, 16-byte strings)
written with pa.ipc.new_stream and read back with pa.ipc.open_stream. Prints one JSON line with GB/s
(stream bytes / median time)."""
import json
import statistics
import sys
import time

import pyarrow as pa

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 7


def make_batch(rows):
    ids = pa.array(range(rows), pa.int64())
    values = pa.array([i * 0.5 for i in range(rows)], pa.float64())
    names = pa.array([f"name-{i:011d}" for i in range(rows)], pa.string())
    return pa.RecordBatch.from_arrays([ids, values, names], names=["id", "value", "name"])


def write(batch):
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, batch.schema) as writer:
        writer.write_batch(batch)
    return sink.getvalue()


def read(buffer):
    rows = 0
    for b in pa.ipc.open_stream(buffer):
        rows += b.num_rows
    return rows


def median_seconds(fn):
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


batch = make_batch(ROWS)
stream = write(batch)
assert read(stream) == ROWS
write_s = median_seconds(lambda: write(batch))
read_s = median_seconds(lambda: read(stream))
print(json.dumps({"bytes": stream.size, "write_gbps": stream.size / write_s / 1e9, "read_gbps": stream.size / read_s / 1e9}))
