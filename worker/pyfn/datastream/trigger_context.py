"""The TriggerContext the window operator hands a trigger: clocks, per-window timers and per-window state.

The runner's timers are per key, domain and time; a trigger's are per window too (two windows of a key may want
the same time, and deleting one window's timer must keep the other's). So the operator keeps, in a keyed MapState
beside the windows' contents, which windows wait for each (domain, time): a runner timer is registered with the
first window and deleted with the last, and when it fires `windows_due` says which windows to ask (after those of
any earlier time, `earlier_timer`). Like all keyed state and timer requests, the registry commits only with a
successful bundle.
"""

from __future__ import annotations

from typing import List

from pyfn.datastream.state import MapState
from pyfn.datastream.trigger_state import merge_window_state, window_state
from pyfn.datastream.triggers import Trigger

#: The domain part of a timer registry key.
EVENT_TIME, PROCESSING_TIME = 0, 1


class WindowTriggerContext(Trigger.OnMergeContext):
    """The context of one operator: `window` is the window the current trigger call is about, `timers` the
    current key's TimerService, `merged_windows` (in `on_merge`) the windows merged into `window`."""

    def __init__(self, state: MapState, registry: MapState, metric_group):
        self._state = state
        self._registry = registry
        self._metric_group = metric_group
        self.timers = None
        self.window = None
        self.merged_windows: List = []

    def get_current_processing_time(self) -> int:
        return self.timers.current_processing_time()

    def get_metric_group(self):
        return self._metric_group

    def get_current_watermark(self) -> int:
        return self.timers.current_watermark()

    def register_timer(self, domain: int, time: int) -> None:
        """Makes the current window wait for the timer at (domain, time)."""
        waiting = self._registry.get((domain, time)) or []
        if self.window in waiting:
            return  # registered before (the runner's timer commits with the registry): no request per record
        self._registry.put((domain, time), waiting + [self.window])
        if domain == EVENT_TIME:
            self.timers.register_event_time_timer(time)
        else:
            self.timers.register_processing_time_timer(time)

    def delete_timer(self, domain: int, time: int) -> None:
        """The current window no longer waits for the timer at (domain, time)."""
        waiting = self._registry.get((domain, time))
        if not waiting or self.window not in waiting:
            return
        rest = [window for window in waiting if window != self.window]
        if rest:
            self._registry.put((domain, time), rest)
            return
        self._registry.remove((domain, time))
        if domain == EVENT_TIME:
            self.timers.delete_event_time_timer(time)
        else:
            self.timers.delete_processing_time_timer(time)

    def register_processing_time_timer(self, time: int) -> None:
        self.register_timer(PROCESSING_TIME, time)

    def register_event_time_timer(self, time: int) -> None:
        self.register_timer(EVENT_TIME, time)

    def delete_processing_time_timer(self, time: int) -> None:
        self.delete_timer(PROCESSING_TIME, time)

    def delete_event_time_timer(self, time: int) -> None:
        self.delete_timer(EVENT_TIME, time)

    def get_partitioned_state(self, state_descriptor):
        return window_state(self._state, state_descriptor, self.window)

    def merge_partitioned_state(self, state_descriptor) -> None:
        merge_window_state(self._state, state_descriptor, self.window, self.merged_windows)

    def earlier_timer(self, domain: int, time: int):
        """The earliest time before `time` that windows wait for in `domain` (None: none). The runner fires every
        timer due at once in one batch, so a timer a trigger registers while its batch fires (the next firing of
        a ContinuousEventTimeTrigger) may be due before others of that batch; Flink fires timers in time order."""
        times = [at for kind, at in self._registry.keys() if kind == domain and at < time]
        return min(times) if times else None

    def windows_due(self, domain: int, time: int) -> list:
        """The windows whose timer at (domain, time) fired, in window order; they no longer wait for it."""
        waiting = self._registry.get((domain, time)) or []
        if waiting:
            self._registry.remove((domain, time))
        return sorted(waiting)
