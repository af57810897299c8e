"""The floor of a vs_pyflink job: its UDF alone over the same number of rows in a plain Python loop, inputs
already Python values in memory. Prints `floor_seconds T` (best of 3).

    python vs_pyflink_floor.py JOB ROWS [ACCESS_LOG.csv]     JOB: scalar_add | string_upper | pandas_add |
                                                                 udtf_split | udaf_sum | cdn
"""
import csv
import os
import random
import string
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "benchmarks", "vs_pyflink"))
sys.path.insert(0, os.path.join(ROOT, "examples", "cdn"))

#: Rows per call of the Pandas UDF: the Arrow batch size both engines use by default (python.fn-execution.arrow.batch.size).
PANDAS_BATCH = 10_000


def function_of(wrapper):
    """The user's function or object inside a udf/udtf/udaf wrapper."""
    return getattr(wrapper, "func", wrapper)


def strings(n, length=16):
    rng = random.Random(7)
    letters = string.ascii_letters + string.digits
    return ["".join(rng.choices(letters, k=length)) for _ in range(n)]


def workload(job, n, log_path):
    """A function of no arguments doing the job's Python work once."""
    import udfs

    if job == "scalar_add":
        add, a, b = function_of(udfs.add), list(range(1, n + 1)), [random.randint(0, 1_000_000) for _ in range(n)]
        return lambda: list(map(add, a, b))
    if job == "string_upper":
        upper, s = function_of(udfs.py_upper), strings(n)
        return lambda: list(map(upper, s))
    if job == "pandas_add":
        import pandas as pd

        add = function_of(udfs.pandas_add)
        a = pd.Series(range(1, n + 1), dtype="int64")
        b = pd.Series([random.randint(0, 1_000_000) for _ in range(n)], dtype="int64")
        slices = [(a.iloc[i:i + PANDAS_BATCH], b.iloc[i:i + PANDAS_BATCH]) for i in range(0, n, PANDAS_BATCH)]
        return lambda: [add(x, y) for x, y in slices]
    if job == "udtf_split":
        split, s = function_of(udfs.split), strings(n)

        def run():
            out = []
            for value in s:
                out.extend(split(value))
            return out
        return run
    if job == "udaf_sum":
        total = function_of(udfs.total)
        keys = [random.randint(0, 999) for _ in range(n)]
        values = [random.randint(0, 1_000_000) for _ in range(n)]

        def run():
            accumulators = {}
            for key, value in zip(keys, values):
                accumulator = accumulators.get(key)
                if accumulator is None:
                    accumulator = accumulators[key] = total.create_accumulator()
                total.accumulate(accumulator, value)
            return {key: total.get_value(a) for key, a in accumulators.items()}
        return run
    if job == "cdn":
        import cdn_udfs

        function = function_of(cdn_udfs.ip_to_province)
        function.load(cdn_udfs.DEFAULT_IP_RANGES)
        with open(log_path, newline="", encoding="utf-8") as f:
            ips = [row[1] for row in csv.reader(f)][:n]
        return lambda: list(map(function.eval, ips))
    raise SystemExit("unknown job %r" % job)


def main():
    job, n = sys.argv[1], int(sys.argv[2])
    run = workload(job, n, sys.argv[3] if len(sys.argv) > 3 else None)
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    print("floor_seconds %.4f" % best)


if __name__ == "__main__":
    main()
