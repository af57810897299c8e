"""Functions for the tests of event time through the steps after the assigner (shipped by value to the workers)."""

from pyfn.datastream import KeyedProcessFunction, ProcessFunction

from datastream_timer_functions import WINDOW_MS


class StampsWithTimestamp(ProcessFunction):
    """Emits (key, event time, ctx.timestamp()): the record's own timestamp as the Context gives it."""

    def process_element(self, value, ctx):
        yield value[0], value[1], ctx.timestamp()


class PassesOn(KeyedProcessFunction):
    """Emits each record as (key, event time) from process_element, after checking ctx.timestamp() is its own."""

    def process_element(self, value, ctx):
        if ctx.timestamp() != value[1]:
            raise ValueError("ctx.timestamp() is %r for a record of event time %r" % (ctx.timestamp(), value[1]))
        yield value[0], value[1]


class SumsWindowCounts(KeyedProcessFunction):
    """Adds up the (key, window start, count, …) outputs of TumblingCountByTimer per 30 s window of their own
    timestamps (a timer's output carries the timer's time: the window's last millisecond), by an event-time
    timer; emits (key, 30 s window start, total)."""

    def open(self, runtime_context):
        from pyfn.common import Types
        from pyfn.datastream.state import MapStateDescriptor

        self.totals = runtime_context.get_map_state(MapStateDescriptor("totals", Types.LONG(), Types.LONG()))

    def process_element(self, value, ctx):
        if ctx.timestamp() != value[1] + WINDOW_MS - 1:
            raise ValueError("a window count arrived with timestamp %r, not its timer's %r"
                             % (ctx.timestamp(), value[1] + WINDOW_MS - 1))
        end = ctx.timestamp() // (3 * WINDOW_MS) * (3 * WINDOW_MS) + 3 * WINDOW_MS
        self.totals.put(end, (self.totals.get(end) or 0) + value[2])
        ctx.timer_service().register_event_time_timer(end - 1)

    def on_timer(self, timestamp, ctx):
        end = timestamp + 1
        yield ctx.get_current_key(), end - 3 * WINDOW_MS, self.totals.get(end)
        self.totals.remove(end)
