"""The broadcast state pattern (PyFlink's `rules.broadcast(descriptor)`, `ds.connect(broadcast_stream)` and
`BroadcastConnectedStream.process`): a BroadcastProcessFunction (or, on a keyed stream, a
KeyedBroadcastProcessFunction) sees every broadcast record in every subtask and keeps broadcast state; the other
stream's records read it.

Lowering (as `connect`'s): each input's records are tagged (`(0, record)`, `(1, record)`) and both run as one
process step on a keyed input. The broadcast records carry a reserved key (BROADCAST_KEY) and reach every subtask
(a broadcast edge); the broadcast states are maps kept under that key in the operator's keyed state in the runner,
so each subtask keeps its own copy, committed with its bundle: a worker killed mid-job loses and repeats no update.
On a KeyedStream the other records are keyed by the stream's selector (a hash edge: keyed state and timers as in a
KeyedProcessFunction); on a non-keyed stream they carry the reserved key too and stay in their subtask (a forward
edge), so their function reads the broadcast state directly.
"""

from __future__ import annotations

from typing import List

from pyfn.client.location import caller_location
from pyfn.datastream.broadcast_functions import BroadcastProcessFunction, KeyedBroadcastProcessFunction
from pyfn.datastream.connected_streams import _TaggedKey, _tag_first, _tag_second, _unkeyed
from pyfn.datastream.functions import FunctionWrapper, KeyedProcessFunction, ProcessFunction
from pyfn.datastream.state import MapStateDescriptor
from pyfn.datastream.transformations import Transformation

__all__ = ["BroadcastStream", "BroadcastConnectedStream"]


class BroadcastStream:
    """A stream whose records go to every subtask of the function it is connected to, with the broadcast states
    its `descriptors` name (`ds.broadcast(MapStateDescriptor(...))`); only `connect` can read it."""

    def __init__(self, input_stream, broadcast_state_descriptors: List[MapStateDescriptor]):
        for descriptor in broadcast_state_descriptors:
            if not isinstance(descriptor, MapStateDescriptor):
                raise TypeError("broadcast_state_descriptor must be MapStateDescriptor, got %r" % (descriptor,))
        self.input_stream = input_stream
        self.broadcast_state_descriptors = list(broadcast_state_descriptors)


class _BroadcastCalls(FunctionWrapper):
    """The user's broadcast process function over the tagged records: broadcast records to
    `process_broadcast_element`, the others to `process_element`, each with its context."""

    def open(self, runtime_context) -> None:
        from pyfn.worker.datastream.broadcast_context import (BroadcastSideContext, ElementSideContext,
                                                              KeyedElementSideContext)
        from pyfn.worker.datastream.broadcast_state import BroadcastStates

        states = BroadcastStates(runtime_context.state_backend())
        self._broadcast_context = BroadcastSideContext(states)
        keyed = isinstance(self.function, KeyedBroadcastProcessFunction)
        self._element_context = (KeyedElementSideContext if keyed else ElementSideContext)(states)
        # A BroadcastProcessFunction's stream is not keyed: keyed state is refused to it, as in PyFlink.
        super().open(runtime_context if keyed else runtime_context.without_keyed_state())

    def process_element(self, value, ctx):
        if value[0] == 1:
            return self.function.process_broadcast_element(value[1], self._broadcast_context.bind(ctx))
        return self.function.process_element(value[1], self._element_context.bind(ctx))


class _BroadcastProcess(_BroadcastCalls, ProcessFunction):
    """A BroadcastProcessFunction, run as a process step."""


class _KeyedBroadcastProcess(_BroadcastCalls, KeyedProcessFunction):
    """A KeyedBroadcastProcessFunction, run as a keyed process step: its timers go to `on_timer`."""

    def on_timer(self, timestamp: int, ctx):
        return self.function.on_timer(timestamp, self._element_context.bind(ctx))


class BroadcastConnectedStream:
    """A stream (keyed or not) connected with a BroadcastStream (`ds.connect(broadcast_stream)`)."""

    def __init__(self, non_broadcast_stream, broadcast_stream: BroadcastStream,
                 broadcast_state_descriptors: List[MapStateDescriptor]):
        self.non_broadcast_stream = non_broadcast_stream
        self.broadcast_stream = broadcast_stream
        self.broadcast_state_descriptors = broadcast_state_descriptors

    def _is_keyed_stream(self) -> bool:
        from pyfn.datastream.data_stream import KeyedStream
        return isinstance(self.non_broadcast_stream, KeyedStream)

    def process(self, func, output_type=None):
        """`func.process_element` per record of the (keyed) stream, `func.process_broadcast_element` per record
        of the broadcast stream in every subtask."""
        from pyfn.datastream.data_stream import DataStream
        from pyfn.worker.datastream.broadcast_state import broadcast_key

        keyed = self._is_keyed_stream()
        if isinstance(func, BroadcastProcessFunction) and keyed:
            raise TypeError("BroadcastProcessFunction should be applied to non-keyed DataStream")
        if isinstance(func, KeyedBroadcastProcessFunction) and not keyed:
            raise TypeError("KeyedBroadcastProcessFunction should be applied to keyed DataStream")
        if not isinstance(func, (BroadcastProcessFunction, KeyedBroadcastProcessFunction)):
            raise TypeError("The input must be a BroadcastProcessFunction or KeyedBroadcastProcessFunction, got %r"
                            % (func,))
        kind = "Keyed-Co-Process-Broadcast" if keyed else "Co-Process-Broadcast"
        stream = self.non_broadcast_stream
        own_key = stream._transformation.function if keyed else broadcast_key
        key = _TaggedKey(own_key, broadcast_key)
        records = _unkeyed(stream).map(_tag_first).name("%s/input 1" % kind).key_by(
            key, stream._transformation.key_type if keyed else None)
        rules = self.broadcast_stream.input_stream.map(_tag_second).name("%s/broadcast input" % kind).key_by(key)
        # DataStream's own partitioning: a KeyedStream refuses to be repartitioned, these keyed inputs must be.
        inputs = [records._transformation if keyed else DataStream._partitioned(records, "forward")._transformation,
                  DataStream._partitioned(rules, "broadcast")._transformation]
        union = Transformation("union", "Union", inputs, None, caller_location())
        wrapper = _KeyedBroadcastProcess(func) if keyed else _BroadcastProcess(func)
        step = DataStream(stream._env, union)._python("keyed_process" if keyed else "process", wrapper, kind,
                                                      output_type, keyed_input=True)
        return DataStream(stream._env, step)
