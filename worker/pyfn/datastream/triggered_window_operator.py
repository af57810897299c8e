"""The window operator of a WindowedStream with a trigger (`.trigger(...)`, and GlobalWindows), as PyFlink's worker
runs windows: the trigger decides when each window fires and purges.

Per record, each window it falls into (session windows first merged, the trigger's `on_merge` told) gets the
record, then the trigger's `on_element` answers FIRE (the window function runs over the contents), PURGE (the
contents go), both or neither. The trigger registers timers through its context; when one fires, the trigger of
each window waiting for it is asked again (`on_event_time`, `on_processing_time`). A time window is cleaned up at
its cleanup time (its end, plus the allowed lateness for event time): contents, trigger state and timers go, as
in Flink. Contents, trigger state and the per-window timer registry are keyed MapStates kept by the runner, so
a bundle's changes (and its timer requests) count only when it succeeds. Without `.trigger(...)` the windows of
the other assigners run on `window_operator.WindowOperator`, whose built-in firing rules are those of their
default triggers.
"""

from __future__ import annotations

from pyfn.datastream.functions import KeyedProcessFunction, ProcessAllWindowFunction, ProcessWindowFunction
from pyfn.datastream.state import MapStateDescriptor
from pyfn.datastream.time_domain import TimeDomain
from pyfn.datastream.trigger_context import EVENT_TIME, PROCESSING_TIME, WindowTriggerContext
from pyfn.datastream.triggers import Trigger, TriggerResult
from pyfn.datastream.window import MAX_LONG_VALUE, MIN_LONG_VALUE, TimeWindow
from pyfn.datastream.window_function_context import WindowContext
from pyfn.datastream.window_operator import WindowOperator, record_event_time

_TRIGGER_STATE = "__pyfn_trigger_state"
_TIMERS = "__pyfn_trigger_timers"


class TriggerFailed(RuntimeError):
    """A trigger method raised, or answered something other than a TriggerResult."""


class TriggeredWindowOperator(WindowOperator):
    """A WindowOperator whose windows fire when `trigger` says so."""

    def __init__(self, assigner, contents, window_function, keyed: bool, trigger: Trigger, allowed_lateness: int = 0,
                 late_data_tag=None):
        super().__init__(assigner, contents, window_function, keyed, allowed_lateness, late_data_tag)
        self.trigger = trigger
        self.domain = EVENT_TIME if assigner.is_event_time() else PROCESSING_TIME

    def carried_functions(self) -> list:
        return super().carried_functions() + [self.trigger]

    def open(self, runtime_context) -> None:
        super().open(runtime_context)  # self.windows: {window: contents}, None for a purged session
        self.context = WindowTriggerContext(runtime_context.get_map_state(MapStateDescriptor(_TRIGGER_STATE)),
                                            runtime_context.get_map_state(MapStateDescriptor(_TIMERS)),
                                            runtime_context.get_metrics_group())

    # Calling the trigger

    def _ask(self, method: str, window, *args):
        """The trigger's `method(*args, window, ctx)` about `window`; its failure names the trigger and window."""
        self.context.window = window
        try:
            result = getattr(self.trigger, method)(*args, window, self.context)
        except Exception as error:
            raise TriggerFailed("trigger %r failed in %s for %r: %s: %s"
                                % (self.trigger, method, window, type(error).__name__, error)) from error
        if method not in ("on_merge", "clear") and not isinstance(result, TriggerResult):
            raise TriggerFailed("trigger %r returned %r from %s for %r; it must return a TriggerResult (CONTINUE, "
                                "FIRE, PURGE or FIRE_AND_PURGE)" % (self.trigger, result, method, window))
        return result

    # Records

    def process_element(self, value, ctx: KeyedProcessFunction.Context):
        self.context.timers = timers = ctx.timer_service()
        stamp = ctx.timestamp()
        if self.assigner.is_event_time():
            at = record_event_time(ctx)
        elif self.count is not None:
            at = self.count.value() or 0
            self.count.update(at + 1)
        else:
            at = timers.current_processing_time()
        stamp = MIN_LONG_VALUE if stamp is None else stamp
        key = ctx.get_current_key()
        outputs = []
        skipped = True
        for window in self.assigner.assign_windows(value, at):
            if self.merging:
                window = self._merge_session(window)
            if self._window_is_late(window):
                continue
            skipped = False
            self.windows.put(window, self.contents.add(self.windows.get(window), value))
            result = self._ask("on_element", window, value, stamp)
            outputs.extend(self._apply(result, key, window))
            self._register_cleanup(window)
        if skipped and self.assigner.is_event_time() and stamp + self.allowed_lateness <= timers.current_watermark():
            if self.late_data_tag is None:
                self.late.inc()
            else:
                outputs.append((self.late_data_tag, value))
        return outputs

    def _apply(self, result: TriggerResult, key, window) -> list:
        """Fires and/or purges `window` as `result` says; the records it emits."""
        outputs = []
        if result.is_fire():
            contents = self.windows.get(window)
            if contents is not None:
                outputs = self._outputs(key, window, contents, self.context.timers.current_watermark())
        if result.is_purge() and self.windows.contains(window):
            # A purged session stays (empty) so later records still merge into it, as in Flink.
            if self.merging:
                self.windows.put(window, None)
            else:
                self.windows.remove(window)
        return outputs

    def _merge_session(self, window: TimeWindow) -> TimeWindow:
        """The session `window` joins: it merged with the sessions it overlaps or touches (their contents combined,
        the trigger's `on_merge` called for the new session and `clear` for the merged ones)."""
        merged, absorbed = window, []
        for existing in sorted(self.windows.keys()):
            if existing.intersects(merged):
                merged = merged.cover(existing)
                absorbed.append(existing)
        if not absorbed or absorbed == [merged]:
            return merged
        parts = [part for part in (self.windows.get(existing) for existing in absorbed) if part is not None]
        contents = parts[0] if parts else None
        for part in parts[1:]:
            contents = self.contents.merge(contents, part)
        for existing in absorbed:
            self.windows.remove(existing)
        self.windows.put(merged, contents)
        self.context.merged_windows = absorbed
        try:
            self._ask("on_merge", merged)
        finally:
            self.context.merged_windows = []
        for existing in absorbed:
            self._ask("clear", existing)
            self._delete_cleanup(existing)
        return merged

    # Cleanup

    def _cleanup_time(self, window) -> int:
        """When `window` goes: its end (plus the allowed lateness for event time); MAX_LONG_VALUE: never."""
        end = window.max_timestamp()
        if end == MAX_LONG_VALUE:
            return MAX_LONG_VALUE
        return min(end + self.allowed_lateness, MAX_LONG_VALUE) if self.assigner.is_event_time() else end

    def _window_is_late(self, window) -> bool:
        return self.assigner.is_event_time() and \
            self._cleanup_time(window) <= self.context.timers.current_watermark()

    def _register_cleanup(self, window) -> None:
        time = self._cleanup_time(window)
        if time != MAX_LONG_VALUE:
            self.context.window = window
            self.context.register_timer(self.domain, time)

    def _delete_cleanup(self, window) -> None:
        time = self._cleanup_time(window)
        if time != MAX_LONG_VALUE:
            self.context.window = window
            self.context.delete_timer(self.domain, time)

    # Timers

    def on_timer(self, timestamp: int, ctx: KeyedProcessFunction.OnTimerContext):
        self.context.timers = ctx.timer_service()
        domain = EVENT_TIME if ctx.time_domain() == TimeDomain.EVENT_TIME else PROCESSING_TIME
        method = "on_event_time" if domain == EVENT_TIME else "on_processing_time"
        key = ctx.get_current_key()
        outputs = []
        # Timers registered for earlier times while this batch of timers fires come first, as in Flink (their own
        # runner timers are deleted: they have fired here).
        earlier = self.context.earlier_timer(domain, timestamp)
        while earlier is not None:
            outputs.extend(self._fire_timer(domain, earlier, method, key))
            if domain == EVENT_TIME:
                self.context.timers.delete_event_time_timer(earlier)
            else:
                self.context.timers.delete_processing_time_timer(earlier)
            earlier = self.context.earlier_timer(domain, timestamp)
        return outputs + self._fire_timer(domain, timestamp, method, key)

    def _fire_timer(self, domain: int, timestamp: int, method: str, key) -> list:
        """Asks the trigger of each window waiting for (domain, timestamp); cleans the windows whose time it is."""
        outputs = []
        for window in self.context.windows_due(domain, timestamp):
            if self.merging and not self.windows.contains(window):
                continue  # a merged-away session whose trigger left a timer behind
            outputs.extend(self._apply(self._ask(method, window, timestamp), key, window))
            if domain == self.domain and timestamp == self._cleanup_time(window):
                self._clear_window(window, timestamp)
        return outputs

    def _clear_window(self, window, timestamp: int) -> None:
        """Removes `window`: its contents, its trigger's state and timers, and the window function's per-window
        state."""
        self.windows.remove(window)
        self._ask("clear", window)
        if isinstance(self.window_function, (ProcessWindowFunction, ProcessAllWindowFunction)):
            self.window_function.clear(WindowContext(window, timestamp, self.stores))
