"""Writes the pandas_udaf_window benchmark's rows as an Arrow IPC stream file: `ts` (TIMESTAMP in microseconds, in
time order, KEYS rows a second), `k` (KEYS keys at random), `v` (a DOUBLE). Usage: pandas_udaf_window_data.py PATH
ROWS KEYS."""
import sys

import numpy as np
import pyarrow as pa

path, rows, keys = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
generator = np.random.default_rng(14)
start = np.datetime64("2026-01-01T00:00:00", "us").astype(np.int64)
# `keys` events per second, in order: about 60 * `keys` rows per one-minute window.
ts = start + (np.arange(rows, dtype=np.int64) * 1_000_000) // keys
schema = pa.schema([("ts", pa.timestamp("us")), ("k", pa.int64()), ("v", pa.float64())])
with pa.OSFile(path, "wb") as sink, pa.ipc.new_stream(sink, schema) as writer:
    for first in range(0, rows, 1_000_000):
        last = min(first + 1_000_000, rows)
        writer.write_batch(pa.record_batch([pa.array(ts[first:last], pa.timestamp("us")),
                                            pa.array(generator.integers(0, keys, last - first)),
                                            pa.array(generator.random(last - first) * 100)], schema=schema))
print("rows %d" % rows)
