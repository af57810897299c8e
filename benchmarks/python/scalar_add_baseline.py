"""Plain Python doing what the scalar_add benchmark asks of PyFn: the same function over the same data with
`list(map(add, A, B))`, the inputs already Python lists. Prints `rows_per_second N` (best of 3)."""
import sys
import time

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from bench_udfs import add  # noqa: E402

n = int(sys.argv[1])
A = list(range(1, n + 1))
B = [(i * 7919) % 1_000_003 for i in range(n)]
fn = getattr(add, "func", add)
best = float("inf")
for _ in range(3):
    start = time.perf_counter()
    result = list(map(fn, A, B))
    best = min(best, time.perf_counter() - start)
assert result[10] == A[10] + B[10]
print(f"rows_per_second {n / best:.0f}")
