"""`DataStream`, `KeyedStream` and `DataStreamSink`: PyFlink's stream classes (`pyflink.datastream.data_stream`).

Each method adds a Transformation to the environment's dataflow; nothing runs until `env.execute()` (or
`execute_and_collect()`). Functions are MapFunction/FlatMapFunction/… instances, lambdas or plain functions;
without `output_type` their records travel pickled, as in PyFlink.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Optional, Union

from pyfn.client.location import caller_location
from pyfn.datastream.functions import (FilterFunction, FlatMapFunction, KeyedProcessFunction, KeySelector,
                                       MapFunction, ProcessFunction, ReduceFunction)
from pyfn.datastream.transformations import Transformation

if TYPE_CHECKING:
    from pyfn.datastream.stream_execution_environment import StreamExecutionEnvironment

__all__ = ["DataStream", "KeyedStream", "DataStreamSink", "CloseableIterator", "ConnectedStreams", "BroadcastStream",
           "BroadcastConnectedStream", "WindowedStream", "AllWindowedStream", "CachedDataStream"]


def _function_name(function, default: str) -> str:
    name = getattr(function, "__name__", None)
    if name and name != "<lambda>":
        return name
    if not callable(function) or hasattr(function, "open"):
        return type(function).__name__
    return default


class DataStream:
    """A stream of records of one type."""

    def __init__(self, env: "StreamExecutionEnvironment", transformation: Transformation):
        self._env = env
        self._transformation = transformation

    # -- properties --------------------------------------------------------------------------------
    def get_name(self) -> str:
        """The operator's name."""
        return self._transformation.name

    def name(self, name: str) -> "DataStream":
        """Names the operator (shown in errors and metrics)."""
        self._transformation.name = name
        return self

    def uid(self, uid: str) -> "DataStream":
        """Sets the operator's id (kept for compatibility)."""
        self._transformation.uid = uid
        return self

    def set_uid_hash(self, uid_hash: str) -> "DataStream":
        """Kept for compatibility."""
        return self

    def get_type(self):
        """The records' type (PICKLED_BYTE_ARRAY when untyped)."""
        from pyfn.common.typeinfo import Types
        return self._transformation.effective_type() or Types.PICKLED_BYTE_ARRAY()

    def get_execution_environment(self) -> "StreamExecutionEnvironment":
        """The environment."""
        return self._env

    def get_execution_config(self):
        """The environment's ExecutionConfig."""
        return self._env.get_config()

    def set_parallelism(self, parallelism: int) -> "DataStream":
        """How many subtasks run this operator (a collection source is split over them)."""
        if int(parallelism) < 1:
            raise ValueError("parallelism must be at least 1, got %r" % (parallelism,))
        self._transformation.parallelism = int(parallelism)
        return self

    def set_max_parallelism(self, max_parallelism: int) -> "DataStream":
        """Kept for compatibility."""
        return self

    def get_parallelism(self) -> int:
        """The operator's parallelism."""
        return self._transformation.parallelism or self._env.get_parallelism()

    def start_new_chain(self) -> "DataStream":
        """Starts a new chain here: this function runs in its own Python node."""
        self._transformation.start_new_chain = True
        return self

    def disable_chaining(self) -> "DataStream":
        """This function is chained with neither its predecessor nor its successor."""
        self._transformation.chaining = False
        return self

    def slot_sharing_group(self, slot_sharing_group) -> "DataStream":
        """Kept for compatibility."""
        return self

    def set_description(self, description: str) -> "DataStream":
        """Kept for compatibility (Flink shows it in its web UI)."""
        return self

    def force_non_parallel(self) -> "DataStream":
        """Runs this operator in one subtask."""
        return self.set_parallelism(1)

    def set_buffer_timeout(self, timeout_millis: int) -> "DataStream":
        """Kept for compatibility."""
        return self

    # -- functions ---------------------------------------------------------------------------------
    def _python(self, step_kind: str, function, name: str, output_type, keyed_input: bool = False,
                inputs=None) -> Transformation:
        location = caller_location()
        transformation = Transformation("python", name, inputs or [self._transformation], output_type, location)
        transformation.step_kind = step_kind
        transformation.function = function
        transformation.keyed_input = keyed_input
        return transformation

    def map(self, func: Union[Callable, MapFunction], output_type=None) -> "DataStream":
        """One record per record: `func(value)` or `MapFunction.map(value)`."""
        return DataStream(self._env, self._python("map", func, _function_name(func, "Map"), output_type))

    def flat_map(self, func: Union[Callable, FlatMapFunction], output_type=None) -> "DataStream":
        """Zero or more records per record: `func` returns an iterable or is a generator."""
        return DataStream(self._env, self._python("flat_map", func, _function_name(func, "FlatMap"), output_type))

    def filter(self, func: Union[Callable, FilterFunction]) -> "DataStream":
        """The records `func` accepts."""
        return DataStream(self._env, self._python("filter", func, _function_name(func, "Filter"),
                                                  self._transformation.effective_type()))

    def process(self, func: ProcessFunction, output_type=None) -> "DataStream":
        """`func.process_element(value, ctx)` per record; zero or more records out."""
        return DataStream(self._env, self._python("process", func, _function_name(func, "Process"), output_type))

    def project(self, *field_indexes: int) -> "DataStream":
        """A Tuple stream's records cut to the fields at `field_indexes`, in that order (a Tuple of them)."""
        from pyfn.common.typeinfo import TupleTypeInfo, Types

        type_info = self._transformation.effective_type()
        if not isinstance(type_info, TupleTypeInfo):
            raise ValueError("Only Tuple DataStreams can be projected; this one is %r" % (self.get_type(),))
        fields = type_info.get_field_types()
        for index in field_indexes:
            if not isinstance(index, int) or not 0 <= index < len(fields):
                raise ValueError("project: no field %r in %r (fields 0 to %d)" % (index, type_info, len(fields) - 1))
        indexes = tuple(field_indexes)
        return self.map(lambda value: tuple(value[i] for i in indexes),
                        output_type=Types.TUPLE([fields[i] for i in indexes])).name("Projection")

    def assign_timestamps_and_watermarks(self, watermark_strategy) -> "DataStream":
        """The records with event-time timestamps from the strategy's TimestampAssigner, and a watermark that
        follows them (`WatermarkStrategy.for_bounded_out_of_orderness(Duration.of_seconds(5))`); event-time timers
        of a KeyedProcessFunction downstream fire as it passes them. The timestamps stay with the records through
        every function after this one (a flat_map's or process's outputs keep their input's; a
        KeyedProcessFunction's carry the record's or the firing timer's; `ctx.timestamp()` gives them) and
        through repartitionings and unions."""
        from pyfn.common.watermark_strategy import WatermarkStrategy

        if not isinstance(watermark_strategy, WatermarkStrategy):
            raise TypeError("assign_timestamps_and_watermarks takes a WatermarkStrategy, got %r" % (watermark_strategy,))
        transformation = self._python("timestamps", watermark_strategy.timestamp_assigner, "Timestamps/Watermarks",
                                      self._transformation.effective_type())
        transformation.out_of_orderness_ms = watermark_strategy.out_of_orderness_ms
        return DataStream(self._env, transformation)

    def cache(self) -> "CachedDataStream":
        """This stream's records, computed by the first job that needs them and read back by later jobs of the
        environment instead of computed again (batch mode only); `invalidate()` drops them."""
        from pyfn.datastream.cached_data_stream import CachedDataStream
        return CachedDataStream(self)

    def get_side_output(self, output_tag) -> "DataStream":
        """The records this stream's process function emitted with `yield output_tag, value`."""
        from pyfn.datastream.side_outputs import side_output_of
        return side_output_of(self, output_tag)

    def connect(self, ds: "DataStream") -> "ConnectedStreams":
        """This stream and `ds` (of any type) for one co-function (`map`, `flat_map`, `process`); with a
        BroadcastStream, a BroadcastConnectedStream for a (Keyed)BroadcastProcessFunction."""
        from pyfn.datastream.broadcast_stream import BroadcastConnectedStream, BroadcastStream
        from pyfn.datastream.connected_streams import ConnectedStreams
        if isinstance(ds, BroadcastStream):
            return BroadcastConnectedStream(self, ds, ds.broadcast_state_descriptors)
        return ConnectedStreams(self, ds)

    def window_all(self, window_assigner) -> "AllWindowedStream":
        """The whole stream split into windows by `window_assigner`, evaluated in one subtask."""
        from pyfn.datastream.windowed_stream import AllWindowedStream
        return AllWindowedStream(self, window_assigner)

    def count_window_all(self, size: int, slide: int = 0) -> "AllWindowedStream":
        """The whole stream in windows of `size` records (starting every `slide` records when given)."""
        from pyfn.datastream.window import CountSlidingWindowAssigner, CountTumblingWindowAssigner
        return self.window_all(CountSlidingWindowAssigner(size, slide) if slide else CountTumblingWindowAssigner(size))

    def key_by(self, key_selector: Union[Callable, KeySelector], key_type=None) -> "KeyedStream":
        """The stream partitioned by `key_selector(value)`; keyed operators keep state per key."""
        transformation = self._python("key_by", key_selector, _function_name(key_selector, "KeyBy"),
                                      self._transformation.effective_type())
        transformation.key_type = key_type
        return KeyedStream(self._env, transformation, self)

    def union(self, *streams: "DataStream") -> "DataStream":
        """This stream's records and those of `streams`, of the same type."""
        location = caller_location()
        inputs = [self._transformation] + [s._transformation for s in streams]
        return DataStream(self._env, Transformation("union", "Union", inputs, None, location))

    def _partitioned(self, partitioning: str) -> "DataStream":
        transformation = Transformation("partition", partitioning, [self._transformation], None, caller_location())
        transformation.partitioning = partitioning
        return DataStream(self._env, transformation)

    def partition_custom(self, partitioner, key_selector) -> "DataStream":
        """Each record to the subtask of the next operator that `partitioner.partition(key, num_partitions)` names
        for its key (`key_selector(value)`); `num_partitions` is that operator's parallelism. A Partitioner or a
        callable, a KeySelector or a callable."""
        from pyfn.datastream.custom_partitioning import CustomPartitioning
        function = CustomPartitioning(partitioner, key_selector)
        return DataStream(self._env, self._python("partition_custom", function, "PartitionCustom",
                                                  self._transformation.effective_type()))

    def shuffle(self) -> "DataStream":
        """Records to random subtasks of the next operator."""
        return self._partitioned("shuffle")

    def rebalance(self) -> "DataStream":
        """Records round-robin over the subtasks of the next operator."""
        return self._partitioned("rebalance")

    def rescale(self) -> "DataStream":
        """As rebalance (PyFn has no task locality to keep)."""
        return self._partitioned("rebalance")

    def forward(self) -> "DataStream":
        """Records to the same subtask of the next operator."""
        return self._partitioned("forward")

    def broadcast(self, broadcast_state_descriptor=None, *other_broadcast_state_descriptors):
        """Every record to every subtask of the next operator; given MapStateDescriptors, a BroadcastStream with
        those broadcast states, to `connect` a stream to."""
        partitioned = self._partitioned("broadcast")
        if broadcast_state_descriptor is None:
            return partitioned
        from pyfn.datastream.broadcast_stream import BroadcastStream
        return BroadcastStream(self, [broadcast_state_descriptor, *other_broadcast_state_descriptors])

    # -- sinks ---------------------------------------------------------------------------------------
    def print(self, sink_identifier: Optional[str] = None) -> "DataStreamSink":
        """Prints each record on the program's stdout as Flink does (`+I[a, 1]`, `(a,1)`, `2> …` in parallel)."""
        spec = {"type": "print"}
        if sink_identifier is not None:
            spec["identifier"] = sink_identifier
        return self._sink("Print to Std. Out", spec, text=True)

    def sink_to(self, sink) -> "DataStreamSink":
        """Writes to `sink` (a FileSink, or a JdbcSink: a table of SQLite or PostgreSQL)."""
        from pyfn.datastream.connectors.base import Sink
        if not isinstance(sink, Sink):
            raise TypeError("sink_to takes a FileSink or JdbcSink, got %r" % (sink,))
        return self._sink(type(sink).__name__, sink.sink_spec(), text=sink.needs_text,
                          input_type=getattr(sink, "input_type", None))

    def add_sink(self, sink_func) -> "DataStreamSink":
        """Writes to a sink (as sink_to)."""
        return self.sink_to(sink_func)

    def _sink(self, name: str, spec: dict, text: bool, input_type=None) -> "DataStreamSink":
        transformation = Transformation("sink", name, [self._transformation], None, caller_location())
        transformation.sink = spec
        transformation.needs_text = text
        transformation.input_type = input_type
        self._env._add_sink(transformation)
        return DataStreamSink(transformation)

    def execute_and_collect(self, job_execution_name: Optional[str] = None, limit: Optional[int] = None):
        """Runs the job (with every other sink of the environment) and returns its records: an iterator (close
        it, or use `with`, when not reading to the end), or a list of at most `limit` records."""
        transformation = Transformation("sink", "Collect", [self._transformation], None, caller_location())
        transformation.sink = {"type": "collect"}
        transformation.needs_text = False
        iterator = self._env._execute(job_execution_name, collect=transformation)
        if limit is None:
            return iterator
        with iterator:
            out = []
            for record in iterator:
                if len(out) >= limit:
                    break
                out.append(record)
            return out


class KeyedStream(DataStream):
    """A stream partitioned by key: its functions run per key, with keyed state."""

    def __init__(self, env, transformation: Transformation, origin: DataStream):
        super().__init__(env, transformation)
        self._origin = origin

    def _keyed(self, step_kind: str, function, name: str, output_type) -> Transformation:
        return self._python(step_kind, function, name, output_type, keyed_input=True)

    def map(self, func, output_type=None) -> DataStream:
        """One record per record, with the record's key current for keyed state."""
        return DataStream(self._env, self._keyed("map", func, _function_name(func, "Map"), output_type))

    def flat_map(self, func, output_type=None) -> DataStream:
        """Zero or more records per record, with keyed state."""
        return DataStream(self._env, self._keyed("flat_map", func, _function_name(func, "FlatMap"), output_type))

    def filter(self, func) -> DataStream:
        """The records `func` accepts, with keyed state."""
        return DataStream(self._env, self._keyed("filter", func, _function_name(func, "Filter"),
                                                 self._transformation.effective_type()))

    def process(self, func: KeyedProcessFunction, output_type=None) -> DataStream:
        """`func.process_element(value, ctx)` per record, `ctx.get_current_key()` and keyed state available."""
        kind = "keyed_process" if isinstance(func, KeyedProcessFunction) else "process"
        return DataStream(self._env, self._keyed(kind, func, _function_name(func, "KeyedProcess"), output_type))

    def reduce(self, func: Union[Callable, ReduceFunction]) -> DataStream:
        """Each key's records combined with `func(value1, value2)`: in streaming mode the new value after every
        record, in batch mode one final value per key."""
        return DataStream(self._env, self._keyed("reduce", func, _function_name(func, "Reduce"),
                                                 self._transformation.effective_type()))

    def _aggregate(self, name: str, position, pick: Callable) -> DataStream:
        from pyfn.datastream.aggregations import field_reducer
        return self.reduce(field_reducer(name, position, pick)).name(name)

    def sum(self, position_to_sum: Union[int, str] = 0) -> DataStream:
        """The running sum of a field (by position or name) per key; other fields from the key's first record."""
        return self._aggregate("Sum", position_to_sum, "sum")

    def min(self, position_to_min: Union[int, str] = 0) -> DataStream:
        """The running minimum of a field per key; other fields from the key's first record."""
        return self._aggregate("Min", position_to_min, "min")

    def max(self, position_to_max: Union[int, str] = 0) -> DataStream:
        """The running maximum of a field per key; other fields from the key's first record."""
        return self._aggregate("Max", position_to_max, "max")

    def min_by(self, position_to_min_by: Union[int, str] = 0) -> DataStream:
        """The record with the smallest field per key (the first of equals)."""
        return self._aggregate("MinBy", position_to_min_by, "min_by")

    def max_by(self, position_to_max_by: Union[int, str] = 0) -> DataStream:
        """The record with the largest field per key (the first of equals)."""
        return self._aggregate("MaxBy", position_to_max_by, "max_by")

    def window(self, window_assigner) -> "WindowedStream":
        """Each key's records split into windows by `window_assigner` (e.g.
        `TumblingEventTimeWindows.of(Time.seconds(5))`), evaluated by the WindowedStream's reduce, aggregate,
        apply or process."""
        from pyfn.datastream.windowed_stream import WindowedStream
        return WindowedStream(self, window_assigner)

    def count_window(self, size: int, slide: int = 0) -> "WindowedStream":
        """Each key's records in windows of `size` records (starting every `slide` records when given)."""
        from pyfn.datastream.window import CountSlidingWindowAssigner, CountTumblingWindowAssigner
        return self.window(CountSlidingWindowAssigner(size, slide) if slide else CountTumblingWindowAssigner(size))

    def _partitioned(self, partitioning: str) -> DataStream:
        raise ValueError("a KeyedStream is partitioned by its key; %s() cannot change that" % partitioning)

    def cache(self):
        """Refused, as in PyFlink."""
        raise Exception("Cache for KeyedStream is not supported.")

    def partition_custom(self, partitioner, key_selector) -> DataStream:
        """A KeyedStream is partitioned by its key (as in PyFlink)."""
        raise Exception("Cannot override partitioning for KeyedStream.")

    def union(self, *streams):
        """A KeyedStream cannot be unioned (as in PyFlink)."""
        raise ValueError("union() is not supported on a KeyedStream")


class DataStreamSink:
    """A sink of the dataflow."""

    def __init__(self, transformation: Transformation):
        self._transformation = transformation

    def name(self, name: str) -> "DataStreamSink":
        """Names the sink."""
        self._transformation.name = name
        return self

    def uid(self, uid: str) -> "DataStreamSink":
        """Kept for compatibility."""
        return self

    def set_parallelism(self, parallelism: int) -> "DataStreamSink":
        """How many subtasks write."""
        self._transformation.parallelism = int(parallelism)
        return self

    def disable_chaining(self) -> "DataStreamSink":
        """Kept for compatibility."""
        return self

    def slot_sharing_group(self, slot_sharing_group) -> "DataStreamSink":
        """Kept for compatibility."""
        return self

    def set_description(self, description: str) -> "DataStreamSink":
        """Kept for compatibility (PyFn shows no descriptions)."""
        return self

    def set_uid_hash(self, uid_hash: str) -> "DataStreamSink":
        """Kept for compatibility."""
        return self


class CloseableIterator:
    """The records of `execute_and_collect()`: iterate them; `close()` (or leaving `with`) stops the job."""

    def __init__(self, batches, decode: Callable, job, on_end: Optional[Callable[[], None]] = None):
        self._batches = batches
        self._decode = decode
        self._job = job
        self._pending = iter(())
        self._on_end = on_end

    def __iter__(self):
        return self

    def __next__(self):
        while True:
            try:
                return next(self._pending)
            except StopIteration:
                try:
                    batch = next(self._batches)
                except StopIteration:
                    if self._on_end is not None:  # the job succeeded (a failed one raises from the batches)
                        self._on_end()
                        self._on_end = None
                    raise
                self._pending = iter(self._decode(batch.column(0)))

    def next(self):
        """The next record (StopIteration at the end), as PyFlink's iterator has it."""
        return self.__next__()

    def close(self) -> None:
        """Stops the job if it still runs."""
        self._job.close()

    def __enter__(self) -> "CloseableIterator":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# PyFlink's data_stream module also holds the connected, broadcast, windowed and cached streams; programs import them
# from here (each lives in its own module in PyFn).
from pyfn.datastream.connected_streams import ConnectedStreams  # noqa: E402
from pyfn.datastream.broadcast_stream import BroadcastConnectedStream, BroadcastStream  # noqa: E402
from pyfn.datastream.windowed_stream import AllWindowedStream, WindowedStream  # noqa: E402
from pyfn.datastream.cached_data_stream import CachedDataStream  # noqa: E402
