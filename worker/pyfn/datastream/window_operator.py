"""Windows of a keyed stream run as a KeyedProcessFunction, as PyFlink runs them in its Python worker.

Each key's open windows live in one keyed MapState (window → contents) kept by the runner, so a replayed bundle
never adds a record twice; time windows fire on the runner's timers (event time at `max_timestamp()` once the
watermark passes it, processing time by the clock), count windows when they hold their size. A record whose
window the watermark has already passed (beyond the allowed lateness) is dropped and counted in the
`numLateRecordsDropped` counter, or sent to the `side_output_late_data` tag, as Flink's window operator does. At
the end of a bounded input the watermark reaches its maximum and every event-time window fires.

How a window holds its records (`WindowContents`) and what comes out when it fires (`WindowEmitter`) are chosen
by the WindowedStream method: reduce and aggregate keep one running value per window, apply and process keep
the records.
"""

from __future__ import annotations

from typing import Callable, Iterable, List, Optional

from pyfn.datastream.functions import (AggregateFunction, AllWindowFunction, KeyedProcessFunction,
                                       ProcessAllWindowFunction, ProcessWindowFunction, RuntimeContext,
                                       WindowFunction)
from pyfn.datastream.state import MapStateDescriptor, ValueStateDescriptor
from pyfn.datastream.window import CountWindow, MergingWindowAssigner, TimeWindow, WindowAssigner
from pyfn.datastream.window_function_context import WindowContext, WindowFunctionStores

_WINDOWS = "__pyfn_windows"
_COUNT = "__pyfn_window_count"


class WindowContents:
    """What a window keeps: `add` a record to it (None: an empty window), `merge` two (sessions), `values` the
    records the window function is given."""

    def open(self, runtime_context: RuntimeContext) -> None:
        """Opens the user's function."""

    def close(self) -> None:
        """Closes the user's function."""

    def add(self, contents, value):
        raise NotImplementedError

    def merge(self, a, b):
        raise NotImplementedError

    def values(self, contents) -> list:
        raise NotImplementedError


class ReducedContents(WindowContents):
    """One value per window, the records combined with `reduce(value1, value2)`; `(value,)` so None is a value."""

    def __init__(self, reduce_function):
        self.function = reduce_function
        self.reduce = getattr(reduce_function, "reduce", reduce_function)

    def open(self, runtime_context):
        if hasattr(self.function, "open"):
            self.function.open(runtime_context)

    def close(self):
        if hasattr(self.function, "close"):
            self.function.close()

    def add(self, contents, value):
        return (value,) if contents is None else (self.reduce(contents[0], value),)

    def merge(self, a, b):
        return (self.reduce(a[0], b[0]),)

    def values(self, contents):
        return [contents[0]]


class AggregatedContents(WindowContents):
    """An AggregateFunction's accumulator per window; the window function gets `get_result`."""

    def __init__(self, aggregate_function: AggregateFunction):
        self.function = aggregate_function

    def open(self, runtime_context):
        self.function.open(runtime_context)

    def close(self):
        self.function.close()

    def add(self, contents, value):
        accumulator = self.function.create_accumulator() if contents is None else contents[0]
        return (self.function.add(value, accumulator),)

    def merge(self, a, b):
        return (self.function.merge(a[0], b[0]),)

    def values(self, contents):
        return [self.function.get_result(contents[0])]


class ListedContents(WindowContents):
    """The window's records in arrival order (apply and process)."""

    def add(self, contents, value):
        return [value] if contents is None else contents + [value]

    def merge(self, a, b):
        return a + b

    def values(self, contents):
        return contents


def window_emitter(window_function, keyed: bool, stores: WindowFunctionStores) -> Callable:
    """`emit(key, window, values, watermark)`: the output records of a firing window (a process window function's
    Context reaches the operator's state through `stores`). Without a window function the values themselves come
    out (reduce, aggregate)."""
    if window_function is None:
        return lambda key, window, values, watermark: values
    if isinstance(window_function, (ProcessWindowFunction, ProcessAllWindowFunction)):
        if keyed:
            return lambda key, window, values, watermark: window_function.process(
                key, WindowContext(window, watermark, stores), values)
        return lambda key, window, values, watermark: window_function.process(
            WindowContext(window, watermark, stores), values)
    if isinstance(window_function, (WindowFunction, AllWindowFunction)):
        if keyed:
            return lambda key, window, values, watermark: window_function.apply(key, window, values)
        return lambda key, window, values, watermark: window_function.apply(window, values)
    raise TypeError("window_function should be a WindowFunction or ProcessWindowFunction, got %r" % (window_function,))


def record_event_time(ctx: KeyedProcessFunction.Context) -> int:
    """The record's event time, which an event-time window needs (Flink's error when it has none)."""
    timestamp = ctx.timestamp()
    if timestamp is None:
        raise RuntimeError("Record has Long.MIN_VALUE timestamp (= no timestamp marker). Is the time "
                           "characteristic set to 'ProcessingTime', or did you forget to call "
                           "'data_stream.assign_timestamps_and_watermarks(...)'?")
    return timestamp


class WindowOperator(KeyedProcessFunction):
    """The window operator: assigns each record to its windows, keeps their contents in keyed state and emits
    them when they fire."""

    def __init__(self, assigner: WindowAssigner, contents: WindowContents, window_function, keyed: bool,
                 allowed_lateness: int = 0, late_data_tag=None):
        self.assigner = assigner
        self.contents = contents
        self.window_function = window_function
        self.stores = WindowFunctionStores()
        self.emit = window_emitter(window_function, keyed, self.stores)
        self.allowed_lateness = allowed_lateness if assigner.is_event_time() else 0
        self.merging = isinstance(assigner, MergingWindowAssigner)
        self.late_data_tag = late_data_tag

    def carried_functions(self) -> list:
        """The user's functions this operator runs (their modules travel with it by value)."""
        functions = [f for f in (getattr(self.contents, "function", None), self.window_function) if f is not None]
        return functions + getattr(self.assigner, "carried_functions", list)()

    def open(self, runtime_context: RuntimeContext) -> None:
        self.windows = runtime_context.get_map_state(MapStateDescriptor(_WINDOWS))
        self.count = runtime_context.get_state(ValueStateDescriptor(_COUNT)) if self.assigner.count else None
        self.late = runtime_context.get_metrics_group().counter("numLateRecordsDropped")
        self.contents.open(runtime_context)
        self.stores.open(runtime_context)
        if self.window_function is not None:
            self.window_function.open(runtime_context)

    def close(self) -> None:
        self.contents.close()
        if self.window_function is not None:
            self.window_function.close()

    # Records

    def process_element(self, value, ctx: KeyedProcessFunction.Context):
        if self.count is not None:
            return self._count_element(value, ctx)
        timers = ctx.timer_service()
        if self.assigner.is_event_time():
            timestamp = record_event_time(ctx)
        else:
            timestamp = timers.current_processing_time()
        watermark = timers.current_watermark()
        fired: List = []
        skipped = True
        for window in self.assigner.assign_windows(value, timestamp):
            if self.merging:
                window = self._merge_into_session(window, timers)
            if self._is_late(window, watermark):
                continue
            skipped = False
            key = (window.start, window.end)
            contents = self.windows.get(key)
            if contents is None:
                self._register(window, timers)
            contents = self.contents.add(contents, value)
            self.windows.put(key, contents)
            if self.assigner.is_event_time() and window.max_timestamp() <= watermark:
                # Late but within the allowed lateness: the window fires again with the record, as Flink's
                # EventTimeTrigger does.
                fired.append((window, contents))
        key = ctx.get_current_key()
        outputs = [out for window, contents in fired for out in self._outputs(key, window, contents, watermark)]
        if skipped and self.assigner.is_event_time() and timestamp + self.allowed_lateness <= watermark:
            if self.late_data_tag is None:
                self.late.inc()
            else:
                outputs.append((self.late_data_tag, value))
        return outputs

    def _is_late(self, window: TimeWindow, watermark: int) -> bool:
        return self.assigner.is_event_time() and window.max_timestamp() + self.allowed_lateness <= watermark

    def _register(self, window: TimeWindow, timers) -> None:
        if self.assigner.is_event_time():
            # A window the watermark already passed fires with its late record right away (as EventTimeTrigger
            # does); a timer at its end would fire it a second time.
            if window.max_timestamp() > timers.current_watermark():
                timers.register_event_time_timer(window.max_timestamp())
            if self.allowed_lateness:
                timers.register_event_time_timer(window.max_timestamp() + self.allowed_lateness)
        else:
            timers.register_processing_time_timer(window.max_timestamp())

    def _merge_into_session(self, window: TimeWindow, timers) -> TimeWindow:
        """`window` merged with the key's sessions it overlaps or touches; their contents merged under the new
        session and their timers moved to its end."""
        merged = window
        absorbed = []
        for start, end in list(self.windows.keys()):
            existing = TimeWindow(start, end)
            if existing.intersects(merged):
                merged = merged.cover(existing)
                absorbed.append(existing)
        if not absorbed or absorbed == [merged]:
            return merged
        contents = None
        for existing in sorted(absorbed):
            part = self.windows.get((existing.start, existing.end))
            contents = part if contents is None else self.contents.merge(contents, part)
            self.windows.remove((existing.start, existing.end))
            if existing.max_timestamp() != merged.max_timestamp():
                if self.assigner.is_event_time():
                    timers.delete_event_time_timer(existing.max_timestamp())
                else:
                    timers.delete_processing_time_timer(existing.max_timestamp())
        self._register(merged, timers)
        self.windows.put((merged.start, merged.end), contents)
        return merged

    def _count_element(self, value, ctx):
        """A record of a count window: window i fires, and is dropped, with its size-th record."""
        number = self.count.value() or 0
        self.count.update(number + 1)
        outputs = []
        for window in self.assigner.assign_windows(value, number):
            contents = self.contents.add(self.windows.get(window.id), value)
            if number == window.id * self.assigner.slide + self.assigner.count - 1:
                self.windows.remove(window.id)
                outputs.extend(self._outputs(ctx.get_current_key(), window, contents,
                                             ctx.timer_service().current_watermark()))
            else:
                self.windows.put(window.id, contents)
        return outputs

    # Timers

    def on_timer(self, timestamp: int, ctx: KeyedProcessFunction.OnTimerContext):
        key = ctx.get_current_key()
        outputs = []
        for start, end in sorted(self.windows.keys()):
            window = TimeWindow(start, end)
            if window.max_timestamp() == timestamp:
                outputs.extend(self._outputs(key, window, self.windows.get((start, end)), timestamp))
            if window.max_timestamp() + self.allowed_lateness <= timestamp:
                self.windows.remove((start, end))
                if isinstance(self.window_function, (ProcessWindowFunction, ProcessAllWindowFunction)):
                    self.window_function.clear(WindowContext(window, timestamp, self.stores))
        return outputs

    def _outputs(self, key, window, contents, watermark) -> list:
        produced: Optional[Iterable] = self.emit(key, window, self.contents.values(contents), watermark)
        return [] if produced is None else list(produced)
