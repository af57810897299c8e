"""What an untyped DataStream record costs the worker: `pickle_column`/`unpickle_column` (ints and floats with
numpy, strings with Arrow's kernels, the rest per record) beside `pickle.dumps`/`pickle.loads` per record, over
100,000 ints, short strings and tuples. CPU time (`time.process_time`), best of 7, ns a record.

Run: .venv/bin/python benchmarks/python/datastream_records.py  (from the repository, worker/ on the path)
"""

import os
import pickle
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "worker"))

import pyarrow as pa  # noqa: E402

from pyfn.worker.datastream.records import pickle_column, unpickle_column  # noqa: E402

COUNT = 100_000


def best_ns(function) -> float:
    """The fastest of 7 runs, in CPU nanoseconds a record."""
    best = float("inf")
    for _ in range(7):
        start = time.process_time()
        function()
        best = min(best, time.process_time() - start)
    return best / COUNT * 1e9


def main():
    samples = {"int": list(range(COUNT)), "str": ["word%d" % (i % 1000) for i in range(COUNT)],
               "tuple": [("w", i) for i in range(COUNT)]}
    for name, values in samples.items():
        column = pickle_column(values)
        assert unpickle_column(column) == values
        general = pa.array([pickle.dumps(v, 5) for v in values], pa.binary())
        print("%-5s pickle_column %6.1f ns (dumps each %6.1f), unpickle_column %6.1f ns (loads each %6.1f)" % (
            name, best_ns(lambda: pickle_column(values)),
            best_ns(lambda: pa.array([pickle.dumps(v, 5) for v in values], pa.binary())),
            best_ns(lambda: unpickle_column(column)),
            best_ns(lambda: list(map(pickle.loads, general.to_pylist())))))


if __name__ == "__main__":
    main()
