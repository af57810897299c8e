"""Plain Python doing what the udaf_sum benchmark asks of PyFn: the same AggregateFunction over the same rows,
one accumulator per key in a dict. Prints `rows_per_second N` (best of 3)."""
import sys
import time

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from bench_udfs import total  # noqa: E402

n, keys = int(sys.argv[1]), int(sys.argv[2])
K = [i % keys for i in range(n)]
V = [(i * 7919) % 1_000_003 for i in range(n)]
function = total.func
best = float("inf")
for _ in range(3):
    start = time.perf_counter()
    accumulators = {}
    for key, value in zip(K, V):
        accumulator = accumulators.get(key)
        if accumulator is None:
            accumulator = accumulators[key] = function.create_accumulator()
        function.accumulate(accumulator, value)
    results = {key: function.get_value(accumulator) for key, accumulator in accumulators.items()}
    best = min(best, time.perf_counter() - start)
assert len(results) == min(n, keys)
print(f"rows_per_second {n / best:.0f}")
