"""Co-functions for the connected-streams tests (shipped by value to the workers)."""

from pyfn.common import Types
from pyfn.datastream import CoFlatMapFunction, CoMapFunction, KeyedCoProcessFunction, RuntimeContext
from pyfn.datastream.state import ValueStateDescriptor


class Describe(CoMapFunction):
    """A number from the first stream as ('n', n * 10), a word from the second as ('w', len(word))."""

    def map1(self, value):
        return ("n", value * 10)

    def map2(self, value):
        return ("w", len(value))


class Split(CoFlatMapFunction):
    """The first stream's sentences split into words, the second's numbers repeated twice as strings."""

    def flat_map1(self, value):
        yield from value.split()

    def flat_map2(self, value):
        return [str(value), str(value)]


class CountsBothInputs(KeyedCoProcessFunction):
    """Per key, one count of the records of both inputs in one ValueState: (key, input, count so far); the first
    input's records count 1, the second's 100. With an event-time timer at the record's time, on_timer emits
    (key, 'timer', count)."""

    def open(self, runtime_context: RuntimeContext):
        self.count = runtime_context.get_state(ValueStateDescriptor("count", Types.LONG()))

    def _add(self, ctx, weight, which):
        total = (self.count.value() or 0) + weight
        self.count.update(total)
        return [(ctx.get_current_key(), which, total)]

    def process_element1(self, value, ctx):
        return self._add(ctx, 1, "first")

    def process_element2(self, value, ctx):
        return self._add(ctx, 100, "second")
