"""KeyedProcessFunctions with timers for the DataStream timer tests (shipped by value to the workers)."""

import os
import time

from pyfn.common import Types
from pyfn.common.watermark_strategy import TimestampAssigner
from pyfn.datastream import KeyedProcessFunction, RuntimeContext, TimeDomain
from pyfn.datastream.state import MapStateDescriptor

WINDOW_MS = 10_000


class EventTime(TimestampAssigner):
    """The record's second field is its event time in ms."""

    def extract_timestamp(self, value, record_timestamp):
        return value[1]


class TumblingCountByTimer(KeyedProcessFunction):
    """Counts each key's records per 10 s window of event time (MapState: window end -> count) and emits
    (key, window start, count, domain) when the event-time timer at the window's last millisecond fires.
    With `die_marker`, the worker dies once (os._exit), the first time, at the `die_at`-th timer it fires (or, with
    `die_in_records`, at the `die_at`-th record it processes: its timer requests must not count twice)."""

    def __init__(self, die_marker=None, die_at=0, die_in_records=False):
        self.die_marker = die_marker
        self.die_at = die_at
        self.die_in_records = die_in_records
        self.fired = 0
        self.seen = 0

    def _maybe_die(self, count):
        if self.die_marker and count == self.die_at and not os.path.exists(self.die_marker):
            open(self.die_marker, "w").close()
            os._exit(3)

    def open(self, runtime_context: RuntimeContext):
        self.counts = runtime_context.get_map_state(MapStateDescriptor("counts", Types.LONG(), Types.LONG()))

    def process_element(self, value, ctx):
        self.seen += 1
        if self.die_in_records:
            self._maybe_die(self.seen)
        end = ctx.timestamp() // WINDOW_MS * WINDOW_MS + WINDOW_MS
        self.counts.put(end, (self.counts.get(end) or 0) + 1)
        ctx.timer_service().register_event_time_timer(end - 1)

    def on_timer(self, timestamp, ctx):
        self.fired += 1
        if not self.die_in_records:
            self._maybe_die(self.fired)
        end = timestamp + 1
        count = self.counts.get(end)
        self.counts.remove(end)
        yield (ctx.get_current_key(), end - WINDOW_MS, count, ctx.time_domain().name,
               ctx.timer_service().current_watermark() >= timestamp)


class WatermarkReporter(TumblingCountByTimer):
    """Emits the watermark a timer fired at instead of the domain."""

    def on_timer(self, timestamp, ctx):
        for key, start, count, _, _ in super().on_timer(timestamp, ctx):
            yield key, start, count, ctx.timer_service().current_watermark()


class RaisesInOnTimer(KeyedProcessFunction):
    """Sets an event-time timer 9 ms after each record; its on_timer raises."""

    def process_element(self, value, ctx):
        ctx.timer_service().register_event_time_timer(value[1] + 9)

    def on_timer(self, timestamp, ctx):
        yield 1 // 0


class FiresAfterADelay(KeyedProcessFunction):
    """Registers a processing-time timer 30 ms after each record and emits (key, record, due, fired at) when it
    fires; a second timer registered and deleted again never fires."""

    def process_element(self, value, ctx):
        now = ctx.timer_service().current_processing_time()
        ctx.timer_service().register_processing_time_timer(now + 30)
        ctx.timer_service().register_processing_time_timer(now + 31)
        ctx.timer_service().delete_processing_time_timer(now + 31)
        yield ("record", value, now + 30, 0)

    def on_timer(self, timestamp, ctx):
        assert ctx.time_domain() == TimeDomain.PROCESSING_TIME
        yield ("timer", ctx.get_current_key(), timestamp, ctx.timer_service().current_processing_time())


def slowly(value):
    """The record itself, 20 ms later (a source that trickles)."""
    time.sleep(0.02)
    return value


def very_slowly(value):
    """The record itself, 300 ms later (an input that goes quiet between records)."""
    time.sleep(0.3)
    return value
