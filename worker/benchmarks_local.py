"""Micro benchmark of the scalar evaluation path, in process (not a test).

    .venv/bin/python worker/benchmarks_local.py [--rows N] [--batch-rows B] [--repeat R]

Prints rows/s of add(a, b) on two BIGINT columns: the bare Python call `list(map(add, A, B))` over ready
Python ints, the harness's evaluation (Arrow batch in, Arrow column out) at several batch sizes, and the
same with Arrow IPC framing in and out (what a bundle costs without gRPC).
"""

import argparse
import statistics
import time

import numpy as np
import pyarrow as pa

from pyfn import DataTypes, udf
from pyfn.describe import describe
from pyfn.metrics import MetricGroup
from pyfn.proto.pyfn import udf_pb2
from pyfn.worker.arrow_stream import ArrowStreamWriter, PieceReader
from pyfn.worker.function_loader import FunctionLifecycle
from pyfn.worker.scalar_operation import ScalarOperation


def add(a, b):
    return a + b


class Discard:
    """A writer that drops batches (counting rows)."""

    def __init__(self):
        self.rows = 0

    def write_batch(self, batch):
        self.rows += batch.num_rows


class BytesSink:
    def __init__(self):
        self.size = 0

    def send(self, data, is_last):
        self.size += len(data)


def timed(fn, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rows = args.rows

    a = np.arange(rows, dtype=np.int64)
    b = a * 3 + 1
    column_a, column_b = pa.array(a), pa.array(b)
    python_a, python_b = a.tolist(), b.tolist()

    message = udf_pb2.UserDefinedFunctions()
    call = message.udfs.add()
    call.CopyFrom(describe(udf(add, result_type=DataTypes.BIGINT())))
    call.inputs.add().column = 0
    call.inputs.add().column = 1
    operation = ScalarOperation(message, FunctionLifecycle({}, MetricGroup()))

    def report(label, seconds):
        best, median = seconds
        print("%-58s %7.2f M rows/s (median %6.2f, %5.1f ns/row)"
              % (label, rows / best / 1e6, rows / median / 1e6, best / rows * 1e9))

    print("add(a, b) on %d BIGINT rows, best of %d" % (rows, args.repeat))
    report("list(map(add, A, B)) over Python ints (the call alone)",
           timed(lambda: list(map(add, python_a, python_b)), args.repeat))

    for batch_rows in (1_000, 10_000, 100_000, rows):
        batches = [pa.record_batch([column_a.slice(i, batch_rows), column_b.slice(i, batch_rows)], names=["a", "b"])
                   for i in range(0, rows, batch_rows)]

        def evaluate():
            sink = Discard()
            operation.process(batches, sink)
            assert sink.rows == rows

        report("scalar path, Arrow in -> Arrow out, batches of %d" % batch_rows, timed(evaluate, args.repeat))

    batches = [pa.record_batch([column_a.slice(i, 10_000), column_b.slice(i, 10_000)], names=["a", "b"])
               for i in range(0, rows, 10_000)]
    stream = pa.BufferOutputStream()
    with pa.ipc.new_stream(stream, batches[0].schema) as writer:
        for batch in batches:
            writer.write_batch(batch)
    ipc = stream.getvalue().to_pybytes()
    pieces = [ipc[i:i + (1 << 20)] for i in range(0, len(ipc), 1 << 20)]

    def with_ipc():
        reader = PieceReader(pieces, complete=True)
        stream_reader = pa.ipc.open_stream(reader)
        sink = BytesSink()
        writer = ArrowStreamWriter(operation.schema, sink)
        operation.process(iter(stream_reader), writer)
        writer.close()

    report("with Arrow IPC decode/encode (1 MiB pieces), batches of 10000", timed(with_ipc, args.repeat))


if __name__ == "__main__":
    main()
