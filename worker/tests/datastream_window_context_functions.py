"""Process window functions for the window-context tests (shipped by value to the workers)."""

from pyfn.common import Types
from pyfn.datastream import ProcessWindowFunction
from pyfn.datastream.state import ValueStateDescriptor

FIRINGS = ValueStateDescriptor("firings", Types.INT())
ALL_FIRINGS = ValueStateDescriptor("all_firings", Types.INT())


class CountsFirings(ProcessWindowFunction):
    """(key, window start, how often this window fired, how often any window of the key fired, records in it):
    the first count in window_state(), the second in global_state(); clear() drops the window's."""

    def process(self, key, context, elements):
        mine = context.window_state().get_state(FIRINGS)
        mine.update((mine.value() or 0) + 1)
        total = context.global_state().get_state(ALL_FIRINGS)
        total.update((total.value() or 0) + 1)
        yield key, context.window().start, mine.value(), total.value(), len(list(elements))

    def clear(self, context):
        context.window_state().get_state(FIRINGS).clear()


class VirtualClock(ProcessWindowFunction):
    """(key, window start, window end, the records' numbers): with a processing-time clock installed in the worker
    when it opens that answers `times[n - 1]` on its n-th reading (the window operator reads it once per record),
    so which window a record falls in does not depend on the machine's speed."""

    def __init__(self, times):
        self.times = list(times)

    def open(self, runtime_context):
        from pyfn.worker.datastream.timers import use_clock
        readings = iter(self.times)
        use_clock(lambda: next(readings))

    def close(self):
        from pyfn.worker.datastream.timers import use_clock
        use_clock(None)

    def process(self, key, context, elements):
        yield key, context.window().start, context.window().end, sorted(n for _, n in elements)


class WindowStateWithTtl(ProcessWindowFunction):
    """Asks window_state() for a state with a time-to-live, which PyFn refuses."""

    def process(self, key, context, elements):
        from pyfn.common import Time
        from pyfn.datastream.state import StateTtlConfig
        descriptor = ValueStateDescriptor("expiring", Types.INT())
        descriptor.enable_time_to_live(StateTtlConfig.new_builder(Time.seconds(1)).build())
        context.window_state().get_state(descriptor)
        return []
