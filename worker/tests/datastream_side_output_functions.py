"""Process functions with side outputs for the side-output tests (shipped by value to the workers)."""

from pyfn.common import Types
from pyfn.datastream import KeyedProcessFunction, OutputTag, ProcessFunction, RuntimeContext
from pyfn.datastream.state import ValueStateDescriptor

ODD = OutputTag("odd", Types.LONG())
BIG = OutputTag("big")


class RoutesNumbers(ProcessFunction):
    """Even numbers to the main output, odd ones to ODD (as n * 10), and numbers over 90 also to BIG as text."""

    def process_element(self, value, ctx):
        if value % 2 == 0:
            yield value
        else:
            yield ODD, value * 10
        if value > 90:
            yield BIG, "big %d" % value


class FlagsEveryThird(KeyedProcessFunction):
    """Counts each key's records; every third goes to the side output ODD as the count, and an event-time timer
    at the record's time emits the key's count to BIG when it fires; the record itself goes to the main output."""

    def open(self, runtime_context: RuntimeContext):
        self.count = runtime_context.get_state(ValueStateDescriptor("count", Types.LONG()))

    def process_element(self, value, ctx):
        count = (self.count.value() or 0) + 1
        self.count.update(count)
        yield value
        if count % 3 == 0:
            yield ODD, count
            ctx.timer_service().register_event_time_timer(ctx.timestamp())

    def on_timer(self, timestamp, ctx):
        yield BIG, (ctx.get_current_key(), timestamp)
