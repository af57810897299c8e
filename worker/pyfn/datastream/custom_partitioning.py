"""`DataStream.partition_custom(partitioner, key_selector)`: the function its step runs, which names the subtask of
the reading operator that each record goes to (the runner routes by it: a `custom` edge)."""

from __future__ import annotations

from typing import Callable, Optional, Union

from pyfn.datastream.functions import Function, KeySelector, Partitioner, RuntimeContext

__all__ = ["CustomPartitioning"]


class CustomPartitioning(Function):
    """The user's Partitioner (or a `(key, num_partitions)` callable) over the key its KeySelector (or callable)
    picks. `num_partitions` is the parallelism of the operator reading the partitioned stream; the graph sets it
    when it places that operator."""

    def __init__(self, partitioner: Union[Partitioner, Callable], key_selector: Union[KeySelector, Callable]):
        if not isinstance(partitioner, Partitioner) and not callable(partitioner):
            raise TypeError("Parameter partitioner should be type of Partitioner or a callable function.")
        if not isinstance(key_selector, KeySelector) and not callable(key_selector):
            raise TypeError("Parameter key_selector should be type of KeySelector or a callable function.")
        self.partitioner = partitioner
        self.key_selector = key_selector
        self.num_partitions: Optional[int] = None
        self._partition = partitioner.partition if isinstance(partitioner, Partitioner) else partitioner
        self._get_key = key_selector.get_key if isinstance(key_selector, KeySelector) else key_selector

    def carried_functions(self) -> list:
        """The user's partitioner and key selector (their modules travel with the job)."""
        return [self.partitioner, self.key_selector]

    def open(self, runtime_context: RuntimeContext) -> None:
        for function in (self.partitioner, self.key_selector):
            if isinstance(function, Function):
                function.open(runtime_context)

    def close(self) -> None:
        for function in (self.partitioner, self.key_selector):
            if isinstance(function, Function):
                function.close()

    def partition_of(self, value) -> int:
        """The subtask index `value` goes to; a ValueError when the partitioner names none of the reader's."""
        if self.num_partitions is None or self.num_partitions < 1:
            raise ValueError("The partition number should be a positive value, got %s" % self.num_partitions)
        key = self._get_key(value)
        index = self._partition(key, self.num_partitions)
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < self.num_partitions:
            raise ValueError("the partitioner returned %r for key %r; it must be an int from 0 to %d (the reading "
                             "operator has %d subtasks)" % (index, key, self.num_partitions - 1, self.num_partitions))
        return index
