"""The contexts a broadcast process function's methods get: each wraps the process step's own context (bound per
call) and adds `get_broadcast_state` — read/write for `process_broadcast_element`, read-only for
`process_element` and `on_timer`."""

from __future__ import annotations

import time

from pyfn.datastream.broadcast_functions import BroadcastProcessFunction, KeyedBroadcastProcessFunction
from pyfn.worker.datastream.broadcast_state import BroadcastStates


class _BoundContext:
    """The step's context of the current call, and the operator's broadcast states."""

    def __init__(self, states: BroadcastStates):
        self._states = states
        self._inner = None

    def bind(self, inner) -> "_BoundContext":
        """This context for a call whose step context is `inner`."""
        self._inner = inner
        return self

    def timestamp(self):
        return self._inner.timestamp()

    def current_processing_time(self) -> int:
        return int(time.time() * 1000)

    def current_watermark(self) -> int:
        return self._inner.timer_service().current_watermark()


class BroadcastSideContext(_BoundContext, BroadcastProcessFunction.Context, KeyedBroadcastProcessFunction.Context):
    """The context of `process_broadcast_element`: the broadcast states to read and change."""

    def get_broadcast_state(self, state_descriptor):
        return self._states.state(state_descriptor, writable=True)


class ElementSideContext(_BoundContext, BroadcastProcessFunction.ReadOnlyContext):
    """The context of a BroadcastProcessFunction's `process_element`: the broadcast states to read."""

    def get_broadcast_state(self, state_descriptor):
        return self._states.state(state_descriptor, writable=False)


class KeyedElementSideContext(ElementSideContext, KeyedBroadcastProcessFunction.OnTimerContext):
    """The context of a KeyedBroadcastProcessFunction's `process_element` and `on_timer`: also the key, the
    TimerService and (in `on_timer`) the timer's time domain."""

    def timer_service(self):
        return self._inner.timer_service()

    def get_current_key(self):
        return self._inner.get_current_key()

    def time_domain(self):
        return self._inner.time_domain()
