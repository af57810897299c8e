"""`NumberSequenceSource` (`pyflink.datastream.connectors.number_seq`): the longs from `start` to `end`."""

from __future__ import annotations

from pyfn.common.typeinfo import Types
from pyfn.datastream.connectors.base import Source

__all__ = ["NumberSequenceSource"]


class NumberSequenceSource(Source):
    """The numbers `start` to `end`, both included, as LONG records, split over the source's subtasks."""

    def __init__(self, start: int, end: int):
        self.start = int(start)
        self.end = int(end)
        self.type_info = Types.LONG()

    def source_spec(self, files) -> dict:
        return {"type": "number_sequence", "from": self.start, "to": self.end}
