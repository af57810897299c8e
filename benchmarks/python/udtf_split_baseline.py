"""Plain Python doing what the udtf_split benchmark asks of PyFn: the same generator over the same 16-character
strings, its rows collected in a loop. Prints `rows_per_second N` (input rows per second, best of 3)."""
import random
import string
import sys
import time

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from bench_udfs import split  # noqa: E402

n = int(sys.argv[1])
rng = random.Random(7)
alphabet = string.ascii_letters + string.digits
S = ["".join(rng.choices(alphabet, k=16)) for _ in range(n)]
fn = getattr(split, "func", split)
best = float("inf")
for _ in range(3):
    start = time.perf_counter()
    rows = []
    append = rows.append
    for index, s in enumerate(S):
        for item in fn(s):
            append((index, item))
    best = min(best, time.perf_counter() - start)
assert len(rows) == 2 * n
print(f"rows_per_second {n / best:.0f}")
