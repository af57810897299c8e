"""PyFlink's broadcast process functions (`BroadcastProcessFunction`, `KeyedBroadcastProcessFunction`) and their
contexts: what a user implements for `ds.connect(rules.broadcast(descriptor)).process(...)`.

`process_broadcast_element` sees every record of the broadcast stream in every subtask and may change the
broadcast state (`ctx.get_broadcast_state(descriptor)`); `process_element` sees the other stream's records and
reads that state only. They are re-exported by `pyfn.datastream.functions`.
"""

from __future__ import annotations

import abc
from typing import Optional

from pyfn.datastream.functions import Function, TimerService

__all__ = ["BaseBroadcastProcessFunction", "BroadcastProcessFunction", "KeyedBroadcastProcessFunction"]


class BaseBroadcastProcessFunction(Function):
    """What both broadcast process functions share: the contexts of their two methods."""

    class BaseContext(abc.ABC):
        """What every method's context offers: the record's timestamp and the time."""

        @abc.abstractmethod
        def timestamp(self) -> Optional[int]:
            """The record's (or firing timer's) event-time timestamp; None without one."""

        @abc.abstractmethod
        def current_processing_time(self) -> int:
            """The processing time in ms."""

        @abc.abstractmethod
        def current_watermark(self) -> int:
            """The current event-time watermark."""

    class Context(BaseContext):
        """The context of `process_broadcast_element`: read/write access to the broadcast state."""

        @abc.abstractmethod
        def get_broadcast_state(self, state_descriptor):
            """The BroadcastState of `state_descriptor` (a MapStateDescriptor)."""

    class ReadOnlyContext(BaseContext):
        """The context of `process_element`: read-only access to the broadcast state."""

        @abc.abstractmethod
        def get_broadcast_state(self, state_descriptor):
            """The ReadOnlyBroadcastState of `state_descriptor` (a MapStateDescriptor)."""


class BroadcastProcessFunction(BaseBroadcastProcessFunction):
    """A function over a non-keyed stream connected with a broadcast stream."""

    class Context(BaseBroadcastProcessFunction.Context, abc.ABC):
        """The context of `process_broadcast_element`."""

    class ReadOnlyContext(BaseBroadcastProcessFunction.ReadOnlyContext, abc.ABC):
        """The context of `process_element`."""

    @abc.abstractmethod
    def process_element(self, value, ctx: "BroadcastProcessFunction.ReadOnlyContext"):
        """The output records for a record of the non-broadcast stream (broadcast state read-only)."""

    @abc.abstractmethod
    def process_broadcast_element(self, value, ctx: "BroadcastProcessFunction.Context"):
        """The output records for a record of the broadcast stream (broadcast state read/write)."""


class KeyedBroadcastProcessFunction(BaseBroadcastProcessFunction):
    """A function over a keyed stream connected with a broadcast stream: `process_element` also has the record's
    key, keyed state and timers."""

    class Context(BaseBroadcastProcessFunction.Context, abc.ABC):
        """The context of `process_broadcast_element` (PyFlink has no `apply_to_keyed_state`, nor does PyFn)."""

    class ReadOnlyContext(BaseBroadcastProcessFunction.ReadOnlyContext, abc.ABC):
        """The context of `process_element`: also the current key and a TimerService."""

        @abc.abstractmethod
        def timer_service(self) -> TimerService:
            """The TimerService for the current key."""

        @abc.abstractmethod
        def get_current_key(self):
            """The record's key."""

    class OnTimerContext(ReadOnlyContext, abc.ABC):
        """The context of `on_timer`."""

        @abc.abstractmethod
        def time_domain(self):
            """The firing timer's TimeDomain."""

    @abc.abstractmethod
    def process_element(self, value, ctx: "KeyedBroadcastProcessFunction.ReadOnlyContext"):
        """The output records for a record of the keyed stream (broadcast state read-only)."""

    @abc.abstractmethod
    def process_broadcast_element(self, value, ctx: "KeyedBroadcastProcessFunction.Context"):
        """The output records for a record of the broadcast stream (broadcast state read/write)."""

    def on_timer(self, timestamp: int, ctx: "KeyedBroadcastProcessFunction.OnTimerContext"):
        """Called when a timer of the current key fires."""
