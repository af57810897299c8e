"""SQL DISTINCT on a Python aggregate (`f(DISTINCT x)`): the function's accumulator sees each distinct argument
tuple of a key once, as Flink's distinct aggregates do.

The wrapper's accumulator is `[counts, inner]`: `counts` maps each argument tuple to how many rows carried it
(kept, so a retraction of one of several equal rows changes nothing), `inner` is the function's own accumulator.
The function's `accumulate` runs on a tuple's first occurrence, its `retract` when the last one is retracted.
"""

from typing import Dict

from pyfn.functions import AggregateFunction


def _hashable(value):
    """`value` as a dictionary key: lists, dicts and sets (ARRAY, MAP arguments) become tuples."""
    if isinstance(value, (list, tuple)):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted(((_hashable(k), _hashable(v)) for k, v in value.items()), key=repr))
    if isinstance(value, (set, frozenset)):
        return frozenset(_hashable(v) for v in value)
    return value


class DistinctAggregate(AggregateFunction):
    """Runs `inner` on the distinct argument tuples of each key only (the operator opens and closes `inner`)."""

    def __init__(self, inner: AggregateFunction):
        self.inner = inner

    def create_accumulator(self):
        """`[counts of argument tuples, the inner function's accumulator]`."""
        return [{}, self.inner.create_accumulator()]

    def accumulate(self, accumulator, *args) -> None:
        """Counts `args`; the inner function accumulates them on their first occurrence."""
        counts: Dict = accumulator[0]
        key = _hashable(args)
        seen = counts.get(key, 0)
        counts[key] = seen + 1
        if seen == 0:
            self.inner.accumulate(accumulator[1], *args)

    def retract(self, accumulator, *args) -> None:
        """Uncounts `args`; the inner function retracts them when their last occurrence goes."""
        counts: Dict = accumulator[0]
        key = _hashable(args)
        seen = counts.get(key, 0)
        if seen <= 1:
            counts.pop(key, None)
            if seen == 1:
                self.inner.retract(accumulator[1], *args)
        else:
            counts[key] = seen - 1

    def merge(self, accumulator, accumulators) -> None:
        """Adds the counts of `accumulators`; tuples new to this one are accumulated by the inner function."""
        for other in accumulators:
            for key, count in other[0].items():
                if key not in accumulator[0]:
                    self.inner.accumulate(accumulator[1], *key)
                accumulator[0][key] = accumulator[0].get(key, 0) + count

    def get_value(self, accumulator):
        """The inner function's value."""
        return self.inner.get_value(accumulator[1])
