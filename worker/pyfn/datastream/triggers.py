"""PyFlink's window triggers (`pyflink.datastream.window.Trigger` and the built-in ones): when a window fires.

A trigger is asked on every record added to a window (`on_element`) and on every timer it registered through its
TriggerContext (`on_event_time`, `on_processing_time`); it answers with a TriggerResult: FIRE evaluates the window
function over the window's contents, PURGE drops the contents, FIRE_AND_PURGE does both, CONTINUE nothing. A
trigger keeps no state in itself (one instance serves every key and window): what it must remember lives in the
window's partitioned state (`ctx.get_partitioned_state(descriptor)`), kept by the runner with the window's
contents. Session (merging) windows call `on_merge` when windows merge, and `clear` when a window goes away.
`WindowedStream.trigger(trigger)` replaces the assigner's default trigger (`triggered_window_operator.py` runs it).
"""

from __future__ import annotations

import abc
from enum import Enum

from pyfn.datastream.state import ReducingStateDescriptor, State, StateDescriptor

__all__ = ["TriggerResult", "Trigger", "EventTimeTrigger", "ProcessingTimeTrigger", "ContinuousEventTimeTrigger",
           "ContinuousProcessingTimeTrigger", "PurgingTrigger", "CountTrigger", "NeverTrigger"]


def _millis(span) -> int:
    """A `Time`, `Duration` or int of milliseconds as milliseconds."""
    return span if isinstance(span, int) else span.to_milliseconds()


class TriggerResult(Enum):
    """What happens to a window after a trigger call: (fire, purge). A window without contents does not fire."""

    CONTINUE = (False, False)
    FIRE_AND_PURGE = (True, True)
    FIRE = (True, False)
    PURGE = (False, True)

    def is_fire(self) -> bool:
        """Whether the window function runs over the window's contents."""
        return self.value[0]

    def is_purge(self) -> bool:
        """Whether the window's contents are dropped."""
        return self.value[1]


class Trigger(abc.ABC):
    """Decides when a window (of one key) is evaluated. Subclass it and implement `on_element`,
    `on_processing_time`, `on_event_time`, `on_merge` (for session windows, with `can_merge` true) and `clear`."""

    class TriggerContext(abc.ABC):
        """What a trigger call may use: the clocks, timers of the current window, and the window's state."""

        @abc.abstractmethod
        def get_current_processing_time(self) -> int:
            """The worker's clock in epoch milliseconds."""

        @abc.abstractmethod
        def get_metric_group(self):
            """The operator's metric group (as `RuntimeContext.get_metrics_group()`)."""

        @abc.abstractmethod
        def get_current_watermark(self) -> int:
            """The current event-time watermark."""

        @abc.abstractmethod
        def register_processing_time_timer(self, time: int) -> None:
            """Calls `on_processing_time(time, window, ctx)` once the clock passes `time`."""

        @abc.abstractmethod
        def register_event_time_timer(self, time: int) -> None:
            """Calls `on_event_time(time, window, ctx)` once the watermark passes `time`."""

        @abc.abstractmethod
        def delete_processing_time_timer(self, time: int) -> None:
            """Removes this window's processing-time timer at `time`."""

        @abc.abstractmethod
        def delete_event_time_timer(self, time: int) -> None:
            """Removes this window's event-time timer at `time`."""

        @abc.abstractmethod
        def get_partitioned_state(self, state_descriptor: StateDescriptor) -> State:
            """The state `state_descriptor` names, of the current key and window."""

    class OnMergeContext(TriggerContext):
        """The context of `on_merge`: it can also merge the merged windows' state into the new window's."""

        @abc.abstractmethod
        def merge_partitioned_state(self, state_descriptor: StateDescriptor) -> None:
            """Merges the state `state_descriptor` (reducing, aggregating or list) of the merged windows into the
            new window's."""

    @abc.abstractmethod
    def on_element(self, element, timestamp: int, window, ctx: "Trigger.TriggerContext") -> TriggerResult:
        """Called for each record added to `window` (`timestamp` is the record's)."""

    @abc.abstractmethod
    def on_processing_time(self, time: int, window, ctx: "Trigger.TriggerContext") -> TriggerResult:
        """Called when a processing-time timer of `window` fires."""

    @abc.abstractmethod
    def on_event_time(self, time: int, window, ctx: "Trigger.TriggerContext") -> TriggerResult:
        """Called when an event-time timer of `window` fires."""

    def can_merge(self) -> bool:
        """Whether the trigger implements `on_merge` and so may run on session (merging) windows."""
        return False

    @abc.abstractmethod
    def on_merge(self, window, ctx: "Trigger.OnMergeContext") -> None:
        """Called when windows merged into `window` (`ctx.merge_partitioned_state` merges their state)."""

    @abc.abstractmethod
    def clear(self, window, ctx: "Trigger.TriggerContext") -> None:
        """Drops the trigger's state and timers of `window` (it is being removed)."""

    def __repr__(self) -> str:
        return "%s()" % type(self).__name__


class EventTimeTrigger(Trigger):
    """Fires a time window once the watermark passes its end (the default trigger of event-time windows); a record
    added after that fires it again at once."""

    @staticmethod
    def create() -> "EventTimeTrigger":
        """The trigger."""
        return EventTimeTrigger()

    def on_element(self, element, timestamp, window, ctx) -> TriggerResult:
        if window.max_timestamp() <= ctx.get_current_watermark():
            return TriggerResult.FIRE
        ctx.register_event_time_timer(window.max_timestamp())
        return TriggerResult.CONTINUE

    def on_processing_time(self, time, window, ctx) -> TriggerResult:
        return TriggerResult.CONTINUE

    def on_event_time(self, time, window, ctx) -> TriggerResult:
        return TriggerResult.FIRE if time == window.max_timestamp() else TriggerResult.CONTINUE

    def can_merge(self) -> bool:
        return True

    def on_merge(self, window, ctx) -> None:
        if window.max_timestamp() > ctx.get_current_watermark():
            ctx.register_event_time_timer(window.max_timestamp())

    def clear(self, window, ctx) -> None:
        ctx.delete_event_time_timer(window.max_timestamp())


class ProcessingTimeTrigger(Trigger):
    """Fires a time window once the clock passes its end (the default trigger of processing-time windows)."""

    @staticmethod
    def create() -> "ProcessingTimeTrigger":
        """The trigger."""
        return ProcessingTimeTrigger()

    def on_element(self, element, timestamp, window, ctx) -> TriggerResult:
        ctx.register_processing_time_timer(window.max_timestamp())
        return TriggerResult.CONTINUE

    def on_processing_time(self, time, window, ctx) -> TriggerResult:
        return TriggerResult.FIRE

    def on_event_time(self, time, window, ctx) -> TriggerResult:
        return TriggerResult.CONTINUE

    def can_merge(self) -> bool:
        return True

    def on_merge(self, window, ctx) -> None:
        if window.max_timestamp() > ctx.get_current_processing_time():
            ctx.register_processing_time_timer(window.max_timestamp())

    def clear(self, window, ctx) -> None:
        ctx.delete_processing_time_timer(window.max_timestamp())


class _Continuous(Trigger):
    """Fires a time window every `interval` milliseconds of one clock while it is open (the next firing time kept
    in the window's "fire-time" state, the smallest one when windows merge), and at its end."""

    def __init__(self, interval: int):
        if interval <= 0:
            raise ValueError("%s needs a positive interval, got %d ms" % (type(self).__name__, interval))
        self.interval = interval
        self.state_desc = ReducingStateDescriptor("fire-time", min)

    def _register(self, ctx, time: int) -> None:
        raise NotImplementedError

    def _delete(self, ctx, time: int) -> None:
        raise NotImplementedError

    def _schedule_after(self, time: int, window, ctx) -> None:
        """Keeps and registers the next firing: `interval` after `time`, at the latest at the window's end."""
        next_time = min(time + self.interval, window.max_timestamp())
        ctx.get_partitioned_state(self.state_desc).add(next_time)
        self._register(ctx, next_time)

    def _schedule_first(self, now: int, window, ctx) -> None:
        """Schedules the first firing, on the interval's grid, unless one is already scheduled."""
        if ctx.get_partitioned_state(self.state_desc).get() is None:
            self._schedule_after(now - now % self.interval, window, ctx)

    def _fires_at(self, time: int, window, ctx) -> TriggerResult:
        """FIRE (and schedule the next firing) when `time` is the scheduled firing time."""
        fire_time = ctx.get_partitioned_state(self.state_desc)
        if fire_time.get() == time:
            fire_time.clear()
            self._schedule_after(time, window, ctx)
            return TriggerResult.FIRE
        return TriggerResult.CONTINUE

    def can_merge(self) -> bool:
        return True

    def on_merge(self, window, ctx) -> None:
        ctx.merge_partitioned_state(self.state_desc)
        next_time = ctx.get_partitioned_state(self.state_desc).get()
        if next_time is not None:
            self._register(ctx, next_time)

    def clear(self, window, ctx) -> None:
        fire_time = ctx.get_partitioned_state(self.state_desc)
        scheduled = fire_time.get()
        if scheduled is not None:
            self._delete(ctx, scheduled)
            fire_time.clear()

    def __repr__(self) -> str:
        return "%s(%d)" % (type(self).__name__, self.interval)


class ContinuousEventTimeTrigger(_Continuous):
    """Fires a time window every `interval` of event time (early results as the watermark advances) and once the
    watermark passes its end."""

    @staticmethod
    def of(interval) -> "ContinuousEventTimeTrigger":
        """A trigger firing every `interval` (a Time, Duration or milliseconds) of event time."""
        return ContinuousEventTimeTrigger(_millis(interval))

    def _register(self, ctx, time: int) -> None:
        ctx.register_event_time_timer(time)

    def _delete(self, ctx, time: int) -> None:
        ctx.delete_event_time_timer(time)

    def on_element(self, element, timestamp, window, ctx) -> TriggerResult:
        if window.max_timestamp() <= ctx.get_current_watermark():
            return TriggerResult.FIRE
        ctx.register_event_time_timer(window.max_timestamp())
        self._schedule_first(timestamp, window, ctx)
        return TriggerResult.CONTINUE

    def on_processing_time(self, time, window, ctx) -> TriggerResult:
        return TriggerResult.CONTINUE

    def on_event_time(self, time, window, ctx) -> TriggerResult:
        if time == window.max_timestamp():
            return TriggerResult.FIRE
        return self._fires_at(time, window, ctx)


class ContinuousProcessingTimeTrigger(_Continuous):
    """Fires a time window every `interval` of the worker's clock while it holds records."""

    @staticmethod
    def of(interval) -> "ContinuousProcessingTimeTrigger":
        """A trigger firing every `interval` (a Time, Duration or milliseconds) of processing time."""
        return ContinuousProcessingTimeTrigger(_millis(interval))

    def _register(self, ctx, time: int) -> None:
        ctx.register_processing_time_timer(time)

    def _delete(self, ctx, time: int) -> None:
        ctx.delete_processing_time_timer(time)

    def on_element(self, element, timestamp, window, ctx) -> TriggerResult:
        self._schedule_first(ctx.get_current_processing_time(), window, ctx)
        return TriggerResult.CONTINUE

    def on_processing_time(self, time, window, ctx) -> TriggerResult:
        return self._fires_at(time, window, ctx)

    def on_event_time(self, time, window, ctx) -> TriggerResult:
        return TriggerResult.CONTINUE


class PurgingTrigger(Trigger):
    """Another trigger whose every firing also purges the window (FIRE becomes FIRE_AND_PURGE)."""

    def __init__(self, nested_trigger: Trigger):
        if not isinstance(nested_trigger, Trigger):
            raise TypeError("PurgingTrigger.of() takes a Trigger, got %r" % (nested_trigger,))
        self.nested_trigger = nested_trigger

    @staticmethod
    def of(nested_trigger: Trigger) -> "PurgingTrigger":
        """`nested_trigger`, purging the window whenever it fires."""
        return PurgingTrigger(nested_trigger)

    @staticmethod
    def _purging(result: TriggerResult) -> TriggerResult:
        return TriggerResult.FIRE_AND_PURGE if isinstance(result, TriggerResult) and result.is_fire() else result

    def on_element(self, element, timestamp, window, ctx) -> TriggerResult:
        return self._purging(self.nested_trigger.on_element(element, timestamp, window, ctx))

    def on_event_time(self, time, window, ctx) -> TriggerResult:
        return self._purging(self.nested_trigger.on_event_time(time, window, ctx))

    def on_processing_time(self, time, window, ctx) -> TriggerResult:
        return self._purging(self.nested_trigger.on_processing_time(time, window, ctx))

    def can_merge(self) -> bool:
        return self.nested_trigger.can_merge()

    def on_merge(self, window, ctx) -> None:
        self.nested_trigger.on_merge(window, ctx)

    def clear(self, window, ctx) -> None:
        self.nested_trigger.clear(window, ctx)

    def carried_functions(self) -> list:
        """The nested trigger (a user's trigger's module travels by value)."""
        return [self.nested_trigger]

    def __repr__(self) -> str:
        return "PurgingTrigger(%r)" % (self.nested_trigger,)


def _add(a: int, b: int) -> int:
    return a + b


class CountTrigger(Trigger):
    """Fires a window each time `window_size` more records were added to it (the count kept in the window's "count"
    state); the records stay in the window unless purged (`PurgingTrigger.of(CountTrigger.of(n))`)."""

    def __init__(self, window_size: int):
        if window_size <= 0:
            raise ValueError("CountTrigger needs a positive count, got %d" % window_size)
        self._window_size = window_size
        self._count_state_descriptor = ReducingStateDescriptor("count", _add)

    @staticmethod
    def of(window_size: int) -> "CountTrigger":
        """A trigger firing every `window_size` records."""
        return CountTrigger(window_size)

    def on_element(self, element, timestamp, window, ctx) -> TriggerResult:
        count = ctx.get_partitioned_state(self._count_state_descriptor)
        count.add(1)
        if count.get() >= self._window_size:
            count.clear()
            return TriggerResult.FIRE
        return TriggerResult.CONTINUE

    def on_processing_time(self, time, window, ctx) -> TriggerResult:
        return TriggerResult.CONTINUE

    def on_event_time(self, time, window, ctx) -> TriggerResult:
        return TriggerResult.CONTINUE

    def can_merge(self) -> bool:
        return True

    def on_merge(self, window, ctx) -> None:
        ctx.merge_partitioned_state(self._count_state_descriptor)

    def clear(self, window, ctx) -> None:
        ctx.get_partitioned_state(self._count_state_descriptor).clear()

    def __repr__(self) -> str:
        return "CountTrigger(%d)" % self._window_size


class NeverTrigger(Trigger):
    """Never fires (the default trigger of GlobalWindows)."""

    def on_element(self, element, timestamp, window, ctx) -> TriggerResult:
        return TriggerResult.CONTINUE

    def on_processing_time(self, time, window, ctx) -> TriggerResult:
        return TriggerResult.CONTINUE

    def on_event_time(self, time, window, ctx) -> TriggerResult:
        return TriggerResult.CONTINUE

    def on_merge(self, window, ctx) -> None:
        pass

    def clear(self, window, ctx) -> None:
        pass
