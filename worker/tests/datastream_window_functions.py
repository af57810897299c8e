"""Window functions for the DataStream window tests (shipped by value to the workers)."""

from pyfn.datastream import AggregateFunction, ProcessAllWindowFunction, ProcessWindowFunction, WindowFunction


class MeanOfSecondField(AggregateFunction):
    """The mean of the records' second field (an accumulator (sum, count) that merges)."""

    def create_accumulator(self):
        return (0, 0)

    def add(self, value, accumulator):
        return (accumulator[0] + value[1], accumulator[1] + 1)

    def get_result(self, accumulator):
        return accumulator[0] / accumulator[1]

    def merge(self, acc_a, acc_b):
        return (acc_a[0] + acc_b[0], acc_a[1] + acc_b[1])


class WithWindowStart(ProcessWindowFunction):
    """(key, window start, window end, the window's values): one value after reduce or aggregate."""

    def process(self, key, context, elements):
        window = context.window()
        yield key, window.start, window.end, list(elements)


class SessionBounds(ProcessWindowFunction):
    """(key, first event time, last event time, count) of a session window's records."""

    def process(self, key, context, elements):
        times = [at for _, at in elements]
        yield key, min(times), max(times), len(times), context.window().end


class KeysInWindow(WindowFunction):
    """(key, the records' second fields in arrival order) of a count window."""

    def apply(self, key, window, inputs):
        return [(key, [at for _, at in inputs])]


class CountAll(ProcessAllWindowFunction):
    """(window start, number of records) of a window over the whole stream."""

    def process(self, context, elements):
        return [(context.window().start, len(list(elements)))]


class CountWithClock(ProcessWindowFunction):
    """(key, window start, window end, number of records, the clock when the window fired)."""

    def process(self, key, context, elements):
        return [(key, context.window().start, context.window().end, len(list(elements)),
                 context.current_processing_time())]
