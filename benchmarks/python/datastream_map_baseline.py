"""Plain Python doing what the datastream_map benchmark asks of PyFn: `lambda x: x + 1` over N longs with
`list(map(f, values))`, the values already a Python list. Prints `rows_per_second N` (best of 3)."""
import sys
import time

n = int(sys.argv[1])
values = list(range(n))
fn = lambda x: x + 1  # noqa: E731 - the benchmark's function, as the program writes it
best = float("inf")
for _ in range(3):
    start = time.perf_counter()
    result = list(map(fn, values))
    best = min(best, time.perf_counter() - start)
assert result[10] == 11
print(f"rows_per_second {n / best:.0f}")
