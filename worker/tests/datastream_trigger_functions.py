"""Triggers and window functions for the window trigger tests (shipped by value to the workers). They use PyFlink's
API only, so the same classes run on PyFlink 2.3 too (imported from pyflink when pyfn is not there)."""

import os

try:
    from pyfn.common.typeinfo import Types
    from pyfn.datastream.functions import ProcessAllWindowFunction, ProcessWindowFunction
    from pyfn.datastream.state import ValueStateDescriptor
    from pyfn.datastream.window import (ContinuousEventTimeTrigger, CountTrigger, EventTimeTrigger, Trigger,
                                        TriggerResult)
except ImportError:  # on PyFlink
    from pyflink.common.typeinfo import Types
    from pyflink.datastream.functions import ProcessAllWindowFunction, ProcessWindowFunction
    from pyflink.datastream.state import ValueStateDescriptor
    from pyflink.datastream.window import (ContinuousEventTimeTrigger, CountTrigger, EventTimeTrigger, Trigger,
                                           TriggerResult)

MARKER = "!"


class FireOnMarker(Trigger):
    """Fires and purges a window on a record whose second field is the marker, once the window got at least
    `at_least` records since its last firing (counted in the trigger's own ValueState); else the marker is kept
    like any record."""

    def __init__(self, at_least: int):
        self.at_least = at_least
        self.seen = ValueStateDescriptor("seen", Types.INT())

    def on_element(self, element, timestamp, window, ctx):
        seen = ctx.get_partitioned_state(self.seen)
        count = (seen.value() or 0) + 1
        if element[1] == MARKER and count >= self.at_least:
            seen.clear()
            return TriggerResult.FIRE_AND_PURGE
        seen.update(count)
        return TriggerResult.CONTINUE

    def on_processing_time(self, time, window, ctx):
        return TriggerResult.CONTINUE

    def on_event_time(self, time, window, ctx):
        return TriggerResult.CONTINUE

    def on_merge(self, window, ctx):
        pass

    def clear(self, window, ctx):
        ctx.get_partitioned_state(self.seen).clear()


class FailsOnElement(EventTimeTrigger):
    """EventTimeTrigger, raising on a record whose second field is "boom"."""

    def on_element(self, element, timestamp, window, ctx):
        if element[1] == "boom":
            raise ValueError("cannot judge %r" % (element[1],))
        return super().on_element(element, timestamp, window, ctx)


class AnswersNothing(EventTimeTrigger):
    """EventTimeTrigger, forgetting to return its TriggerResult from on_element."""

    def on_element(self, element, timestamp, window, ctx):
        super().on_element(element, timestamp, window, ctx)


def die_once(marker: str) -> None:
    """Ends the worker process (as a crash would) unless `marker` says a worker already died so."""
    if not os.path.exists(marker):
        open(marker, "w").close()
        os._exit(3)


class CountTriggerDyingOnce(CountTrigger):
    """CountTrigger, whose worker dies once at its `die_at`-th on_element call (the replayed bundle must not count
    a record twice)."""

    def __init__(self, window_size: int, marker: str, die_at: int):
        super().__init__(window_size)
        self.marker, self.die_at, self.calls = marker, die_at, 0

    def on_element(self, element, timestamp, window, ctx):
        self.calls += 1
        if self.calls == self.die_at:
            die_once(self.marker)
        return super().on_element(element, timestamp, window, ctx)


class ContinuousTriggerDyingOnce(ContinuousEventTimeTrigger):
    """ContinuousEventTimeTrigger, whose worker dies once at its `die_at`-th on_event_time call (the replayed
    timers must neither fire twice nor get lost)."""

    def __init__(self, interval: int, marker: str, die_at: int):
        super().__init__(interval)
        self.marker, self.die_at, self.calls = marker, die_at, 0

    def on_event_time(self, time, window, ctx):
        self.calls += 1
        if self.calls == self.die_at:
            die_once(self.marker)
        return super().on_event_time(time, window, ctx)


class ValuesOfWindow(ProcessWindowFunction):
    """(key, the window's second fields in arrival order) of each firing."""

    def process(self, key, context, elements):
        return [(key, [value for _, value in elements])]


class CountOfTimeWindow(ProcessWindowFunction):
    """(key, window start, number of records) of each firing of a time window."""

    def process(self, key, context, elements):
        return [(key, context.window().start, len(list(elements)))]


class SortedTimesOfSession(ProcessWindowFunction):
    """(key, window start, window end, the records' times sorted) of each firing of a session window."""

    def process(self, key, context, elements):
        return [(key, context.window().start, context.window().end, sorted(at for _, at in elements))]


class SumOfAllWindow(ProcessAllWindowFunction):
    """(number of records, sum of their second fields) of each firing of a window over the whole stream."""

    def process(self, context, elements):
        values = [value for _, value in elements]
        return [(len(values), sum(values))]
