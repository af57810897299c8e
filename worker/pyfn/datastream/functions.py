"""PyFlink's DataStream function classes (`pyflink.datastream.functions`): what user functions implement.

A function is a subclass of one of these, a lambda or a plain function. `open(runtime_context)` runs once in
the worker before the first record, `close()` at the end. Keyed state is reached through the RuntimeContext
(`get_state(ValueStateDescriptor(...))`, …) in `open`, and used in `process_element`/`reduce`/`map` of a keyed
stream.
"""

from __future__ import annotations

import abc
from typing import Any, Callable, Iterable, List, Optional

from pyfn.metrics import MetricGroup

__all__ = ["Function", "RuntimeContext", "MapFunction", "FlatMapFunction", "FilterFunction", "ReduceFunction",
           "KeySelector", "ProcessFunction", "KeyedProcessFunction", "TimerService", "AggregateFunction",
           "WindowFunction", "AllWindowFunction", "ProcessWindowFunction", "ProcessAllWindowFunction", "CoMapFunction",
           "CoFlatMapFunction", "CoProcessFunction", "KeyedCoProcessFunction",
           "BaseBroadcastProcessFunction", "BroadcastProcessFunction", "KeyedBroadcastProcessFunction", "Partitioner",
           "KeyedStateStore", "AsyncFunction", "AsyncRetryPredicate", "AsyncRetryStrategy", "SinkFunction",
           "SourceFunction"]


def _itself(cls, item):
    """PyFlink's functions and their Contexts are Generic (`WindowFunction[tuple, tuple, str, CountWindow]`,
    `ProcessWindowFunction.Context[TimeWindow]`): subscripting one of these classes gives the class itself."""
    return cls


class KeyedStateStore(abc.ABC):
    """Gives states of the current key by their descriptors (keyed streams only): a RuntimeContext, and a process
    window function's `window_state()` and `global_state()`."""

    @abc.abstractmethod
    def get_state(self, state_descriptor):
        """The ValueState `state_descriptor` names."""

    @abc.abstractmethod
    def get_list_state(self, state_descriptor):
        """The ListState `state_descriptor` names."""

    @abc.abstractmethod
    def get_map_state(self, state_descriptor):
        """The MapState `state_descriptor` names."""

    @abc.abstractmethod
    def get_reducing_state(self, state_descriptor):
        """The ReducingState `state_descriptor` names."""

    @abc.abstractmethod
    def get_aggregating_state(self, state_descriptor):
        """The AggregatingState `state_descriptor` names."""


class RuntimeContext(KeyedStateStore):
    """What a function learns about the task it runs in (given to `open`)."""

    @abc.abstractmethod
    def get_task_name(self) -> str:
        """The name of the operator the function runs in."""

    @abc.abstractmethod
    def get_number_of_parallel_subtasks(self) -> int:
        """The parallelism of the operator."""

    def get_max_number_of_parallel_subtasks(self) -> int:
        """The largest parallelism the operator may have (its parallelism here: PyFn does not rescale)."""
        return self.get_number_of_parallel_subtasks()

    @abc.abstractmethod
    def get_index_of_this_subtask(self) -> int:
        """This subtask's index, 0 to parallelism - 1."""

    def get_attempt_number(self) -> int:
        """How often this subtask was restarted (0: never)."""
        return 0

    def get_task_name_with_subtasks(self) -> str:
        """`name (index+1/parallelism)` as Flink prints it."""
        return "%s (%d/%d)" % (self.get_task_name(), self.get_index_of_this_subtask() + 1,
                               self.get_number_of_parallel_subtasks())

    @abc.abstractmethod
    def get_job_parameter(self, key: str, default_value: Optional[str] = None) -> Optional[str]:
        """The job parameter `key` (`pipeline.global-job-parameters`), or `default_value`."""

    @abc.abstractmethod
    def get_metrics_group(self) -> MetricGroup:
        """The group to register counters, gauges, meters and distributions in."""

    def get_metric_group(self) -> MetricGroup:
        """The same as `get_metrics_group` (the Table API's spelling)."""
        return self.get_metrics_group()


class Function(abc.ABC):
    """Base of every DataStream function: `open` before the first record, `close` after the last."""

    def open(self, runtime_context: RuntimeContext) -> None:
        """One-time setup."""

    def close(self) -> None:
        """Tear-down."""

    __class_getitem__ = classmethod(_itself)


class FunctionWrapper(Function):
    """A function of pyfn's own around the user's (a co-function's dispatch, a side output's tagging): `open` and
    `close` go to the user's function, and its module travels with the job by value (`carried_functions`)."""

    def __init__(self, function: Function):
        self.function = function

    def carried_functions(self) -> list:
        """The user's function."""
        return [self.function]

    def open(self, runtime_context: RuntimeContext) -> None:
        self.function.open(runtime_context)

    def close(self) -> None:
        self.function.close()


class MapFunction(Function):
    """One output record per input record: implement `map(value)`."""

    @abc.abstractmethod
    def map(self, value) -> Any:
        """The output record for `value`."""


class FlatMapFunction(Function):
    """Zero or more output records per input record: implement `flat_map(value)` (a generator or a list)."""

    @abc.abstractmethod
    def flat_map(self, value) -> Iterable:
        """The output records for `value`."""


class FilterFunction(Function):
    """Keeps the records for which `filter(value)` is true."""

    @abc.abstractmethod
    def filter(self, value) -> bool:
        """Whether `value` is kept."""


class ReduceFunction(Function):
    """Combines two records of the same key into one: implement `reduce(value1, value2)`."""

    @abc.abstractmethod
    def reduce(self, value1, value2) -> Any:
        """The combination of the key's value so far and the next record."""


class KeySelector(Function):
    """Picks the key of a record: implement `get_key(value)`."""

    @abc.abstractmethod
    def get_key(self, value) -> Any:
        """The key of `value`."""


class Partitioner(Function):
    """Picks the subtask of a record's key for `DataStream.partition_custom`: implement
    `partition(key, num_partitions)`, returning an int from 0 to num_partitions - 1."""

    @abc.abstractmethod
    def partition(self, key: Any, num_partitions: int) -> int:
        """The index of the subtask (of `num_partitions`) that `key`'s records go to."""


class TimerService(abc.ABC):
    """Time and timers of a KeyedProcessFunction (`ctx.timer_service()`): timers belong to the current key, live in
    the runner, and call `on_timer` when the watermark (event time) or the wall clock (processing time) passes
    them. A key has at most one timer per time and domain (registering it again changes nothing)."""

    @abc.abstractmethod
    def current_processing_time(self) -> int:
        """Milliseconds since the epoch, now."""

    @abc.abstractmethod
    def current_watermark(self) -> int:
        """The current event-time watermark in ms (before any: the smallest long)."""

    @abc.abstractmethod
    def register_processing_time_timer(self, timestamp: int) -> None:
        """Calls `on_timer(timestamp, ctx)` for the current key once the wall clock reaches `timestamp`."""

    @abc.abstractmethod
    def register_event_time_timer(self, timestamp: int) -> None:
        """Calls `on_timer(timestamp, ctx)` for the current key once the watermark reaches `timestamp`."""

    @abc.abstractmethod
    def delete_processing_time_timer(self, timestamp: int) -> None:
        """Removes the current key's processing-time timer at `timestamp`, if any."""

    @abc.abstractmethod
    def delete_event_time_timer(self, timestamp: int) -> None:
        """Removes the current key's event-time timer at `timestamp`, if any."""


class ProcessFunction(Function):
    """Zero or more output records per input record, with a Context: implement
    `process_element(value, ctx)` (a generator, a list, or None)."""

    class Context(abc.ABC):
        __class_getitem__ = classmethod(_itself)
        """What `process_element` learns about the record."""

        @abc.abstractmethod
        def timer_service(self) -> TimerService:
            """Time and timers."""

        @abc.abstractmethod
        def timestamp(self) -> Optional[int]:
            """The record's event-time timestamp (from assign_timestamps_and_watermarks), or the firing timer's;
            None when the record has none."""

    @abc.abstractmethod
    def process_element(self, value, ctx: "ProcessFunction.Context"):
        """The output records for `value`."""


class KeyedProcessFunction(Function):
    """A ProcessFunction on a keyed stream, whose Context knows the current key and whose RuntimeContext
    gives keyed state."""

    class Context(ProcessFunction.Context):
        """What `process_element` learns about the record, and its key."""

        @abc.abstractmethod
        def get_current_key(self):
            """The key of the record being processed."""

    class OnTimerContext(Context):
        """The context of `on_timer`: the firing timer's time (`timestamp()`) and domain, and its key."""

        @abc.abstractmethod
        def time_domain(self):
            """The TimeDomain of the firing timer (EVENT_TIME or PROCESSING_TIME)."""

    @abc.abstractmethod
    def process_element(self, value, ctx: "KeyedProcessFunction.Context"):
        """The output records for `value`."""

    def on_timer(self, timestamp: int, ctx: "KeyedProcessFunction.OnTimerContext"):
        """Called when a timer of the current key fires, with its time; yields (or returns) output records and may
        register further timers."""


class AggregateFunction(Function):
    """Incremental aggregation of a window's records: an accumulator per window (`create_accumulator`, `add`),
    merged when session windows merge (`merge`), turned into the window's result by `get_result`."""

    @abc.abstractmethod
    def create_accumulator(self):
        """A new, empty accumulator."""

    @abc.abstractmethod
    def add(self, value, accumulator):
        """`accumulator` with `value` added (returned; it may be the same object)."""

    @abc.abstractmethod
    def get_result(self, accumulator):
        """The result of the aggregation."""

    def merge(self, acc_a, acc_b):
        """Two accumulators as one (session windows merging). Subclasses that run in session windows define it."""
        raise NotImplementedError("%s.merge is needed when windows merge (session windows)" % type(self).__name__)


class WindowFunction(Function):
    """A window's records (or its one aggregated value) in, output records out: `apply(key, window, inputs)`."""

    @abc.abstractmethod
    def apply(self, key, window, inputs: Iterable) -> Iterable:
        """The output records of one window of `key`."""


class AllWindowFunction(Function):
    """The WindowFunction of a stream windowed as a whole (`window_all`): `apply(window, inputs)`."""

    @abc.abstractmethod
    def apply(self, window, inputs: Iterable) -> Iterable:
        """The output records of one window."""


class ProcessWindowFunction(Function):
    """A window's records in with a Context (the window, the time, the watermark), output records out."""

    class Context(abc.ABC):
        __class_getitem__ = classmethod(_itself)
        """What `process` learns about the firing window."""

        @abc.abstractmethod
        def window(self):
            """The window being evaluated (a TimeWindow or CountWindow)."""

        @abc.abstractmethod
        def current_processing_time(self) -> int:
            """The current processing time in milliseconds."""

        @abc.abstractmethod
        def current_watermark(self) -> int:
            """The current event-time watermark in milliseconds."""

        @abc.abstractmethod
        def window_state(self) -> "KeyedStateStore":
            """The state of the current key and this window (clear it in `clear(context)`)."""

        @abc.abstractmethod
        def global_state(self) -> "KeyedStateStore":
            """The state of the current key, across its windows."""

    @abc.abstractmethod
    def process(self, key, context: "ProcessWindowFunction.Context", elements: Iterable) -> Iterable:
        """The output records of one window of `key`."""

    def clear(self, context: "ProcessWindowFunction.Context") -> None:
        """Called when the window's state is dropped."""


class ProcessAllWindowFunction(Function):
    """The ProcessWindowFunction of a stream windowed as a whole (`window_all`): `process(context, elements)`."""

    Context = ProcessWindowFunction.Context

    @abc.abstractmethod
    def process(self, context: "ProcessWindowFunction.Context", elements: Iterable) -> Iterable:
        """The output records of one window."""

    def clear(self, context: "ProcessWindowFunction.Context") -> None:
        """Called when the window's state is dropped."""


class CoMapFunction(Function):
    """One record out per record of either of two connected streams: `map1` for the first, `map2` the second."""

    @abc.abstractmethod
    def map1(self, value) -> Any:
        """The output record for a record of the first stream."""

    @abc.abstractmethod
    def map2(self, value) -> Any:
        """The output record for a record of the second stream."""


class CoFlatMapFunction(Function):
    """Zero or more records out per record of either of two connected streams."""

    @abc.abstractmethod
    def flat_map1(self, value) -> Iterable:
        """The output records for a record of the first stream."""

    @abc.abstractmethod
    def flat_map2(self, value) -> Iterable:
        """The output records for a record of the second stream."""


class CoProcessFunction(Function):
    """`process_element1`/`process_element2` per record of two connected streams, with a Context (the record's
    timestamp; timers only on keyed streams)."""

    Context = ProcessFunction.Context

    @abc.abstractmethod
    def process_element1(self, value, ctx: "ProcessFunction.Context"):
        """The output records for a record of the first stream."""

    @abc.abstractmethod
    def process_element2(self, value, ctx: "ProcessFunction.Context"):
        """The output records for a record of the second stream."""


class KeyedCoProcessFunction(Function):
    """A CoProcessFunction on two connected keyed streams: keyed state shared by both inputs under their common
    key, timers (`on_timer`)."""

    Context = KeyedProcessFunction.Context
    OnTimerContext = KeyedProcessFunction.OnTimerContext

    @abc.abstractmethod
    def process_element1(self, value, ctx: "KeyedProcessFunction.Context"):
        """The output records for a record of the first stream."""

    @abc.abstractmethod
    def process_element2(self, value, ctx: "KeyedProcessFunction.Context"):
        """The output records for a record of the second stream."""

    def on_timer(self, timestamp: int, ctx: "KeyedProcessFunction.OnTimerContext"):
        """Called when a timer of the current key fires."""


# The broadcast process functions live in their own module; PyFlink programs import them from here.
from pyfn.datastream.broadcast_functions import (BaseBroadcastProcessFunction, BroadcastProcessFunction,  # noqa: E402
                                                 KeyedBroadcastProcessFunction)


class AsyncFunction(Function):
    """Async I/O (`AsyncDataStream.unordered_wait` / `ordered_wait`): implement `async def async_invoke(value)`,
    returning a list of output records; many run at once (up to the capacity). `timeout(value)` gives the records of
    one that took longer than the timeout (by default it raises TimeoutError)."""

    @abc.abstractmethod
    async def async_invoke(self, value) -> List:
        """The output records for `value` (a coroutine: `async def`)."""

    def timeout(self, value) -> List:
        """The output records for `value` when `async_invoke` timed out; raises TimeoutError unless overridden."""
        raise TimeoutError("Async function call has timed out for input: " + str(value))


class AsyncRetryPredicate(abc.ABC):
    """When an async call is tried again: on results (`result_predicate`) and/or on exceptions
    (`exception_predicate`); None: never for that kind."""

    @abc.abstractmethod
    def result_predicate(self) -> Optional[Callable[[List], bool]]:
        """A test of a call's output records that asks for another attempt, or None."""

    @abc.abstractmethod
    def exception_predicate(self) -> Optional[Callable[[Exception], bool]]:
        """A test of a call's exception that asks for another attempt, or None."""


class AsyncRetryStrategy(abc.ABC):
    """How often and after what delay an async call is tried again (`AsyncDataStream.*_with_retry`); all attempts of
    a record share its timeout."""

    @abc.abstractmethod
    def can_retry(self, current_attempts: int) -> bool:
        """Whether another attempt may follow attempt number `current_attempts` (the first is 1)."""

    @abc.abstractmethod
    def get_backoff_time_millis(self, current_attempts: int) -> int:
        """How long to wait after attempt number `current_attempts` before the next."""

    @abc.abstractmethod
    def get_retry_predicate(self) -> AsyncRetryPredicate:
        """When to try again."""

    @staticmethod
    def no_restart() -> "AsyncRetryStrategy":
        """Never again."""
        from pyfn.datastream.async_retry_strategies import NO_RETRY_STRATEGY
        return NO_RETRY_STRATEGY

    @staticmethod
    def fixed_delay(max_attempts: int, backoff_time_millis: int, result_predicate, exception_predicate):
        """Up to `max_attempts` retries, `backoff_time_millis` apart."""
        from pyfn.datastream.async_retry_strategies import FixedDelayRetryStrategy
        return FixedDelayRetryStrategy(max_attempts, backoff_time_millis, result_predicate, exception_predicate)

    @staticmethod
    def exponential_backoff(max_attempts: int, initial_delay: int, max_retry_delay: int, multiplier: float,
                            result_predicate, exception_predicate):
        """Up to `max_attempts` retries, the delay growing by `multiplier` from `initial_delay` up to
        `max_retry_delay`."""
        from pyfn.datastream.async_retry_strategies import ExponentialBackoffDelayRetryStrategy
        return ExponentialBackoffDelayRetryStrategy(max_attempts, initial_delay, max_retry_delay, multiplier,
                                                    result_predicate, exception_predicate)


# PyFlink's Java-wrapping classes, importable from here as from pyflink.datastream.functions; they refuse to run
# (pyfn.datastream.unsupported).
from pyfn.datastream.unsupported import SinkFunction, SourceFunction  # noqa: E402
