"""`ConnectedStreams` (PyFlink's `ds1.connect(ds2)`): two streams, possibly of different types, processed by one
function with a method per input (CoMapFunction, CoFlatMapFunction, CoProcessFunction, KeyedCoProcessFunction).

The two inputs become one stream: each record is tagged with its input (`(0, record)` or `(1, record)`, pickled)
and the tagged streams are unioned; the co-function then runs as one process step that calls the method of the
record's input. Keyed connected streams key the union by each input's own key selector, so both inputs of a key
share its keyed state and timers, as in Flink.
"""

from __future__ import annotations

from typing import Callable, Union

from pyfn.datastream.functions import (CoFlatMapFunction, CoMapFunction, CoProcessFunction, FunctionWrapper,
                                       KeyedCoProcessFunction, KeyedProcessFunction, KeySelector, ProcessFunction)

__all__ = ["ConnectedStreams"]


def _tag_first(value):
    return (0, value)


def _tag_second(value):
    return (1, value)


def _key_function(selector):
    return getattr(selector, "get_key", selector)


class _TaggedKey(KeySelector):
    """The key of a tagged record: the first input's selector for `(0, record)`, the second's for `(1, record)`."""

    def __init__(self, first, second):
        self.first = first
        self.second = second

    def carried_functions(self) -> list:
        """The user's key selectors (their modules travel by value)."""
        return [self.first, self.second]

    def open(self, runtime_context) -> None:
        for selector in (self.first, self.second):
            if hasattr(selector, "open"):
                selector.open(runtime_context)

    def get_key(self, value):
        return _key_function(self.first)(value[1]) if value[0] == 0 else _key_function(self.second)(value[1])


class _CoCalls(FunctionWrapper):
    """The user's co-function, each input's records going to that input's method."""

    def __init__(self, function, first: Callable, second: Callable):
        super().__init__(function)
        self.methods = (first, second)

    def process_element(self, value, ctx):
        return self.methods[value[0]](value[1], ctx)


class _CoProcess(_CoCalls, ProcessFunction):
    """A co-function over the tagged union of two streams that are not keyed."""


class _KeyedCoProcess(_CoCalls, KeyedProcessFunction):
    """A co-function over the tagged union of two keyed streams: timers go to the function's `on_timer`."""

    def on_timer(self, timestamp: int, ctx):
        on_timer = getattr(self.function, "on_timer", None)
        return None if on_timer is None else on_timer(timestamp, ctx)


def _co_calls(function):
    """(first-input method, second-input method) taking (value, ctx) and returning output records."""
    if isinstance(function, CoMapFunction):
        return (lambda value, ctx: [function.map1(value)]), (lambda value, ctx: [function.map2(value)])
    if isinstance(function, CoFlatMapFunction):
        return (lambda value, ctx: function.flat_map1(value)), (lambda value, ctx: function.flat_map2(value))
    return function.process_element1, function.process_element2


class ConnectedStreams:
    """Two streams connected for one co-function (`ds1.connect(ds2)`)."""

    def __init__(self, stream1, stream2):
        self.stream1 = stream1
        self.stream2 = stream2

    def _is_keyed_stream(self) -> bool:
        from pyfn.datastream.data_stream import KeyedStream
        return isinstance(self.stream1, KeyedStream) and isinstance(self.stream2, KeyedStream)

    def key_by(self, key_selector1: Union[Callable, KeySelector], key_selector2: Union[Callable, KeySelector],
               key_type=None) -> "ConnectedStreams":
        """Both inputs keyed, each by its own selector, into one key space."""
        return ConnectedStreams(_unkeyed(self.stream1).key_by(key_selector1, key_type),
                                _unkeyed(self.stream2).key_by(key_selector2, key_type))

    def map(self, func: CoMapFunction, output_type=None):
        """`map1` per record of the first stream, `map2` per record of the second."""
        if not isinstance(func, CoMapFunction):
            raise TypeError("The input function must be a CoMapFunction!")
        return self._run(func, output_type, "Co-Map")

    def flat_map(self, func: CoFlatMapFunction, output_type=None):
        """`flat_map1` per record of the first stream, `flat_map2` per record of the second."""
        if not isinstance(func, CoFlatMapFunction):
            raise TypeError("The input must be a CoFlatMapFunction!")
        return self._run(func, output_type, "Co-Flat Map")

    def process(self, func: Union[CoProcessFunction, KeyedCoProcessFunction], output_type=None):
        """`process_element1`/`process_element2` per record; on keyed streams with keyed state and timers."""
        if not isinstance(func, (CoProcessFunction, KeyedCoProcessFunction)):
            raise TypeError("The input must be a CoProcessFunction or KeyedCoProcessFunction!")
        if isinstance(func, KeyedCoProcessFunction) and not self._is_keyed_stream():
            raise TypeError("a KeyedCoProcessFunction needs keyed connected streams: "
                            "ds1.connect(ds2).key_by(key_selector1, key_selector2)")
        return self._run(func, output_type, "Keyed Co-Process" if self._is_keyed_stream() else "Co-Process")

    def _run(self, func, output_type, kind: str):
        first, second = _co_calls(func)
        tagged = _unkeyed(self.stream1).map(_tag_first).name("%s/input 1" % kind).union(
            _unkeyed(self.stream2).map(_tag_second).name("%s/input 2" % kind))
        if self._is_keyed_stream():
            keyed = tagged.key_by(_TaggedKey(self.stream1._transformation.function,
                                             self.stream2._transformation.function),
                                  self.stream1._transformation.key_type)
            return keyed.process(_KeyedCoProcess(func, first, second), output_type).name(kind)
        return tagged.process(_CoProcess(func, first, second), output_type).name(kind)


def _unkeyed(stream):
    """The stream before its key_by (a KeyedStream's origin), or the stream."""
    return getattr(stream, "_origin", stream)
