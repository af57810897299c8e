"""Functions for the partition_custom tests (shipped by value to the workers)."""

from pyfn.datastream import KeySelector, MapFunction, Partitioner, RuntimeContext


class ModuloPartitioner(Partitioner):
    """Key k to subtask k % num_partitions."""

    def partition(self, key, num_partitions):
        return key % num_partitions


class FirstField(KeySelector):
    """The record's first field."""

    def get_key(self, value):
        return value[0]


class TagsSubtask(MapFunction):
    """(subtask index, record): where the record was read."""

    def open(self, runtime_context: RuntimeContext):
        self.subtask = runtime_context.get_index_of_this_subtask()

    def map(self, value):
        return self.subtask, value


class OutOfRange(Partitioner):
    """Names a subtask that does not exist for key 7."""

    def partition(self, key, num_partitions):
        return num_partitions if key == 7 else 0


def modulo_of_five_partitions(key, num_partitions):
    """PyFlink's test partitioner: key % num_partitions, where num_partitions must be 5."""
    assert num_partitions == 5, num_partitions
    return key % num_partitions
