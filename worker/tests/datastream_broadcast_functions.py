"""Broadcast process functions for the broadcast state tests (shipped by value to the workers)."""

import os

from pyfn.common import Types
from pyfn.datastream import BroadcastProcessFunction, KeyedBroadcastProcessFunction, RuntimeContext
from pyfn.datastream.state import MapStateDescriptor, ValueStateDescriptor

RULES = MapStateDescriptor("rules", Types.INT(), Types.INT())
TOTALS = MapStateDescriptor("totals", Types.STRING(), Types.LONG())


class AppliesRules(BroadcastProcessFunction):
    """Rules (remainder, factor) in broadcast state; a number n becomes (n, n * factor of n % 3), held back in the
    function until its rule came (as PyFlink's own test does). Each rule is reported as ('rule', subtask,
    remainder) by every subtask that receives it."""

    def open(self, runtime_context: RuntimeContext):
        self.subtask = runtime_context.get_index_of_this_subtask()
        self.waiting = {}

    def process_element(self, value, ctx):
        rules = ctx.get_broadcast_state(RULES)
        remainder = value % 3
        if rules.contains(remainder):
            yield ("applied", value, value * rules.get(remainder))
        else:
            self.waiting.setdefault(remainder, []).append(value)

    def process_broadcast_element(self, value, ctx):
        remainder, factor = value
        ctx.get_broadcast_state(RULES).put(remainder, factor)
        yield ("rule", self.subtask, remainder)
        for waiting in self.waiting.pop(remainder, []):
            yield ("applied", waiting, waiting * factor)


class WritesInProcessElement(BroadcastProcessFunction):
    """Tries to change the broadcast state from the non-broadcast side (after checking that keyed state is
    refused to it and that the broadcast state reads)."""

    def open(self, runtime_context: RuntimeContext):
        try:
            runtime_context.get_state(ValueStateDescriptor("count", Types.LONG()))
        except RuntimeError as error:
            self.keyed_state_error = str(error)

    def process_element(self, value, ctx):
        assert self.keyed_state_error == "get_state: keyed state is only available on a keyed stream (after key_by)"
        assert ctx.get_broadcast_state(RULES).is_empty() or ctx.get_broadcast_state(RULES).get(0) == 1
        ctx.get_broadcast_state(RULES).put(value, value)
        return []

    def process_broadcast_element(self, value, ctx):
        return []


def die_once(marker: str) -> None:
    """Ends the worker process (as a crash would) unless `marker` says a worker already died so."""
    if not os.path.exists(marker):
        open(marker, "w").close()
        os._exit(3)


class _RunningTotal:
    """Adds each broadcast number to a total kept in broadcast state (a read-modify-write: an update lost or
    applied twice shows in every later total) and emits ('total', subtask, total). With `marker`, a worker dies
    once, at its `die_at`-th broadcast record."""

    def __init__(self, marker: str = "", die_at: int = 0):
        self.marker, self.die_at = marker, die_at

    def open(self, runtime_context: RuntimeContext):
        self.subtask = runtime_context.get_index_of_this_subtask()
        self.calls = 0

    def process_broadcast_element(self, value, ctx):
        self.calls += 1
        if self.marker and self.calls == self.die_at:
            die_once(self.marker)
        totals = ctx.get_broadcast_state(TOTALS)
        total = (totals.get("sum") or 0) + value
        totals.put("sum", total)
        yield ("total", self.subtask, total)


class SumsBroadcast(_RunningTotal, BroadcastProcessFunction):
    """The running total of the broadcast numbers; a number of the other stream emits ('seen', n, total now)."""

    def process_element(self, value, ctx):
        yield ("seen", value, ctx.get_broadcast_state(TOTALS).get("sum") or 0)


class SumsBroadcastAndCountsKeys(_RunningTotal, KeyedBroadcastProcessFunction):
    """The running total of the broadcast numbers beside a count per key in keyed state: a record emits
    ('seen', key, count of its key so far, total now)."""

    def open(self, runtime_context: RuntimeContext):
        super().open(runtime_context)
        self.count = runtime_context.get_state(ValueStateDescriptor("count", Types.LONG()))

    def process_element(self, value, ctx):
        count = (self.count.value() or 0) + 1
        self.count.update(count)
        yield ("seen", ctx.get_current_key(), count, ctx.get_broadcast_state(TOTALS).get("sum") or 0)
