"""Plain Python doing what the pandas_add benchmark asks of PyFn: numpy's `A + B` over the same BIGINT data.
Prints `rows_per_second N` (best of 5)."""
import sys
import time

import numpy as np

n = int(sys.argv[1])
A = np.arange(1, n + 1, dtype=np.int64)
B = (np.arange(n, dtype=np.int64) * 7919) % 1_000_003
best = float("inf")
for _ in range(5):
    start = time.perf_counter()
    result = A + B
    best = min(best, time.perf_counter() - start)
assert result[10] == A[10] + B[10]
print(f"rows_per_second {n / best:.0f}")
