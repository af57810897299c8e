"""`WindowedStream` and `AllWindowedStream` (PyFlink's `key_by(...).window(...)`, `count_window(...)`,
`window_all(...)`): a windowed stream becomes a DataStream again through `reduce`, `aggregate`, `apply` or
`process`, each run as one keyed process step (`window_operator.WindowOperator`; with a trigger set by `trigger()`,
or for GlobalWindows, `triggered_window_operator.TriggeredWindowOperator`)."""

from __future__ import annotations

from typing import Callable, Union

from pyfn.datastream.data_stream import _function_name
from pyfn.datastream.functions import (AggregateFunction, AllWindowFunction, ProcessAllWindowFunction,
                                       ProcessWindowFunction, ReduceFunction, WindowFunction)
from pyfn.datastream.triggered_window_operator import TriggeredWindowOperator
from pyfn.datastream.triggers import Trigger
from pyfn.datastream.window import MergingWindowAssigner, WindowAssigner
from pyfn.datastream.window_operator import (AggregatedContents, ListedContents, ReducedContents, WindowContents,
                                             WindowOperator)

__all__ = ["WindowedStream", "AllWindowedStream"]


class WindowedStream:
    """A keyed stream split into windows by a WindowAssigner; each key's windows are evaluated on their own."""

    _keyed = True

    def __init__(self, keyed_stream, window_assigner: WindowAssigner):
        if not isinstance(window_assigner, WindowAssigner):
            raise TypeError("window() takes a WindowAssigner (e.g. TumblingEventTimeWindows.of(Time.seconds(5))), "
                            "got %r" % (window_assigner,))
        if type(window_assigner).__module__ != "pyfn.datastream.window":
            raise NotImplementedError(
                "window(%s) is not supported by PyFn: a WindowAssigner of the program's own cannot run (PyFn's "
                "window operator knows its own assigners: Tumbling/Sliding/Session event- and processing-time "
                "windows, GlobalWindows, count windows)" % type(window_assigner).__name__)
        self._keyed_stream = keyed_stream
        self._window_assigner = window_assigner
        self._allowed_lateness = 0
        self._late_data_tag = None
        self._trigger = None

    def get_execution_environment(self):
        """The environment the stream belongs to."""
        return self._keyed_stream.get_execution_environment()

    def get_input_type(self):
        """The type of the windowed records."""
        return self._keyed_stream.get_type()

    def trigger(self, trigger: Trigger) -> "WindowedStream":
        """Sets the Trigger that decides when windows fire and purge, instead of the assigner's default one
        (session windows need a trigger that can merge)."""
        if not isinstance(trigger, Trigger):
            raise TypeError("trigger() takes a Trigger (e.g. CountTrigger.of(3)), got %r" % (trigger,))
        if isinstance(self._window_assigner, MergingWindowAssigner) and trigger.can_merge() is not True:
            raise TypeError("A merging window assigner cannot be used with a trigger that does not support merging.")
        self._trigger = trigger
        return self

    def allowed_lateness(self, time_ms: int) -> "WindowedStream":
        """Keeps event-time windows `time_ms` past their end: a late record within it fires its window again."""
        self._allowed_lateness = int(time_ms if isinstance(time_ms, int) else time_ms.to_milliseconds())
        return self

    def side_output_late_data(self, output_tag) -> "WindowedStream":
        """Late records (past the allowed lateness) go to `output_tag`'s side output instead of being dropped:
        `result.get_side_output(output_tag)`."""
        self._late_data_tag = output_tag
        return self

    def reduce(self, reduce_function: Union[Callable, ReduceFunction], window_function=None, output_type=None):
        """Each window's records combined by `reduce_function` as they arrive; with a window function, that
        function gets the one reduced value."""
        if window_function is None and output_type is None:
            output_type = self._keyed_stream._transformation.effective_type()
        return self._evaluate(ReducedContents(reduce_function), window_function, output_type,
                              _function_name(reduce_function, "Reduce"))

    def aggregate(self, aggregate_function: AggregateFunction, window_function=None, accumulator_type=None,
                  output_type=None):
        """Each window's records added to an AggregateFunction's accumulator as they arrive; its `get_result`
        comes out, or goes to the window function."""
        if not isinstance(aggregate_function, AggregateFunction):
            raise TypeError("aggregate() takes an AggregateFunction, got %r" % (aggregate_function,))
        return self._evaluate(AggregatedContents(aggregate_function), window_function, output_type,
                              type(aggregate_function).__name__)

    def apply(self, window_function, output_type=None):
        """A WindowFunction's `apply(key, window, inputs)` over each window's records."""
        self._check(window_function, WindowFunction if self._keyed else AllWindowFunction, "apply")
        return self._evaluate(ListedContents(), window_function, output_type, type(window_function).__name__)

    def process(self, process_window_function, output_type=None):
        """A ProcessWindowFunction's `process(key, context, elements)` over each window's records."""
        self._check(process_window_function, ProcessWindowFunction if self._keyed else ProcessAllWindowFunction,
                    "process")
        return self._evaluate(ListedContents(), process_window_function, output_type,
                              type(process_window_function).__name__)

    @staticmethod
    def _check(function, kind, method: str) -> None:
        if not isinstance(function, kind):
            raise TypeError("%s() takes a %s, got %r" % (method, kind.__name__, function))

    def _evaluate(self, contents: WindowContents, window_function, output_type, name: str):
        # WindowOperator refuses a window_function of another kind (window_operator.window_emitter).
        trigger = self._trigger or getattr(self._window_assigner, "get_default_trigger", lambda: None)()
        if trigger is None:
            operator = WindowOperator(self._window_assigner, contents, window_function, self._keyed,
                                      self._allowed_lateness, self._late_data_tag)
        else:
            operator = TriggeredWindowOperator(self._window_assigner, contents, window_function, self._keyed, trigger,
                                               self._allowed_lateness, self._late_data_tag)
            name = "%r, %s" % (trigger, name)  # after the assigner, as Flink names a window operator
        if window_function is not None and not name.endswith(type(window_function).__name__):  # apply, process
            name = "%s, %s" % (name, type(window_function).__name__)
        stream = self._keyed_stream.process(operator, output_type)
        return stream.name("Window(%r, %s)" % (self._window_assigner, name))


class AllWindowedStream(WindowedStream):
    """A whole stream split into windows (`window_all`, `count_window_all`): evaluated in one subtask, as in
    Flink; window functions are AllWindowFunction / ProcessAllWindowFunction."""

    _keyed = False

    def __init__(self, data_stream, window_assigner: WindowAssigner):
        super().__init__(data_stream.key_by(_whole_stream), window_assigner)

    def _evaluate(self, contents, window_function, output_type, name: str):
        return super()._evaluate(contents, window_function, output_type, name).set_parallelism(1)


def _whole_stream(value) -> int:
    """The key of every record of a `window_all` stream."""
    return 0
