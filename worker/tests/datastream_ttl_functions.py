"""DataStream functions of the state time-to-live tests (the worker imports this module): a probe that acts on one
state with a TTL at a processing time each record gives, through ttl_state's test clock."""

from pyfn.common import Time
from pyfn.datastream import AggregateFunction, KeyedProcessFunction, RuntimeContext
from pyfn.datastream.state import (AggregatingStateDescriptor, ListStateDescriptor, MapStateDescriptor,
                                   ReducingStateDescriptor, StateTtlConfig, ValueStateDescriptor)
from pyfn.worker.datastream import ttl_state

#: The processing time (ms) the probe's clock shows; each record sets it.
_now = [0]


class SumAndCount(AggregateFunction):
    """(sum, count) of the added numbers; the result is "sum/count"."""

    def create_accumulator(self):
        return (0, 0)

    def add(self, value, accumulator):
        return (accumulator[0] + value, accumulator[1] + 1)

    def get_result(self, accumulator):
        return "%d/%d" % accumulator

    def merge(self, acc_a, acc_b):
        return (acc_a[0] + acc_b[0], acc_a[1] + acc_b[1])


def probe_descriptor(kind: str):
    """The descriptor "probe" of a `kind` state."""
    if kind == "value":
        return ValueStateDescriptor("probe", None)
    if kind == "list":
        return ListStateDescriptor("probe", None)
    if kind == "map":
        return MapStateDescriptor("probe", None, None)
    if kind == "reducing":
        return ReducingStateDescriptor("probe", lambda a, b: a + b, None)
    return AggregatingStateDescriptor("probe", SumAndCount(), None)


class TtlProbe(KeyedProcessFunction):
    """Uses a `kind` state "probe" with a `ttl_ms` time-to-live: a record (now_ms, method, *args) sets the clock to
    now_ms, calls `state.method(*args)` and emits (key, method, result) (a list for iterables)."""

    def __init__(self, kind: str, ttl_ms: int, read_and_write: bool = False, return_expired: bool = False):
        self.kind, self.ttl_ms = kind, ttl_ms
        self.read_and_write, self.return_expired = read_and_write, return_expired

    def open(self, runtime_context: RuntimeContext):
        ttl_state.use_clock(lambda: _now[0])
        builder = StateTtlConfig.new_builder(Time.milliseconds(self.ttl_ms)).cleanup_incrementally(10, False)
        if self.read_and_write:
            builder.update_ttl_on_read_and_write()
        if self.return_expired:
            builder.return_expired_if_not_cleaned_up()
        descriptor = probe_descriptor(self.kind)
        descriptor.enable_time_to_live(builder.build())
        self.state = runtime_context.get_state(descriptor) if self.kind == "value" else \
            getattr(runtime_context, "get_%s_state" % self.kind)(descriptor)

    def process_element(self, value, ctx):
        now, method, *args = value
        _now[0] = now
        result = getattr(self.state, method)(*args)
        if method in ("get", "items", "keys", "values") and self.kind in ("list", "map") and not args:
            result = sorted(result)
        yield ctx.get_current_key(), method, result


class LastWithTtl(KeyedProcessFunction):
    """Keeps each key's last number in a ValueState with a `ttl_ms` time-to-live on the wall clock: a record
    (key, n, pause_ms) waits pause_ms, then emits (key, n, the key's previous n, None once it expired)."""

    def __init__(self, ttl_ms: int):
        self.ttl_ms = ttl_ms

    def open(self, runtime_context: RuntimeContext):
        descriptor = ValueStateDescriptor("last", None)
        descriptor.enable_time_to_live(StateTtlConfig.new_builder(Time.milliseconds(self.ttl_ms)).build())
        self.last = runtime_context.get_state(descriptor)

    def process_element(self, value, ctx):
        import time

        key, n, pause_ms = value
        time.sleep(pause_ms / 1000)
        previous = self.last.value()
        self.last.update(n)
        yield key, n, previous
