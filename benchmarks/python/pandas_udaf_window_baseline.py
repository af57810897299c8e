"""pandas doing what the pandas_udaf_window benchmark asks of PyFn: the mean of `v` per key and 1-minute window
over the same Arrow file, `df.groupby("k").resample("1min").mean()`. The file is read first (not timed); prints
`rows_per_second N` (best of 3, the groupby/resample alone) and `groups G` (key-windows that have rows)."""
import sys
import time

import pyarrow as pa

path = sys.argv[1]
with pa.OSFile(path, "rb") as source:
    frame = pa.ipc.open_stream(source).read_all().to_pandas()
frame = frame.set_index("ts")
best = float("inf")
for _ in range(3):
    started = time.perf_counter()
    means = frame.groupby("k")["v"].resample("1min").mean()
    best = min(best, time.perf_counter() - started)
print("rows_per_second %.0f" % (len(frame) / best))
print("groups %d" % means.notna().sum())
