"""Writes N longs pickled one per row in a binary `value` column as an Arrow IPC stream file (the input of the
untyped datastream_map run), with the same pickles pyfn.datastream makes."""

import sys

import pyarrow as pa

from pyfn.worker.datastream.records import pickle_column


def main():
    n, batch_rows, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    schema = pa.schema([pa.field("value", pa.binary())])
    with pa.OSFile(path, "wb") as sink, pa.ipc.new_stream(sink, schema) as writer:
        for start in range(0, n, batch_rows):
            writer.write_batch(pa.record_batch([pickle_column(list(range(start, min(n, start + batch_rows))))],
                                               schema=schema))


if __name__ == "__main__":
    main()
