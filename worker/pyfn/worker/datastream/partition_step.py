"""`partition_custom`: each record keeps its value and gains, as its `__key`, the index of the subtask its
partitioner named (4-byte little-endian Int32); the runner sends it there (a `custom` edge)."""

from __future__ import annotations

import struct

from pyfn.datastream.custom_partitioning import CustomPartitioning
from pyfn.worker.datastream.step_base import Step

_INDEX = struct.Struct("<i")


class PartitionCustomStep(Step):
    """Names each record's subtask."""

    method = (CustomPartitioning, "partition_of")

    def run(self, values, keys):
        pack = _INDEX.pack
        return values, [pack(index) for index in self.call_each(values)]
