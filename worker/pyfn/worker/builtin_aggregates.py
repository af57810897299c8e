"""SQL's built-in aggregates (COUNT, SUM, AVG, MIN, MAX) as AggregateFunctions, for a GROUP BY that also has a
Python aggregate: the runner then runs every aggregate of the GROUP BY in one aggregate operator, the built-ins
referenced by name (`pyfn.worker.builtin_aggregates.<name>`), their accumulators in the runner's state beside the
Python ones. Flink SQL's semantics: NULL arguments are skipped; SUM, AVG, MIN and MAX of no value are NULL; COUNT
is never NULL. Every one has `retract` (its input may be an updating one, e.g. the rows of another GROUP BY);
MIN and MAX then keep how often each value was seen (`min_with_retract`, `max_with_retract`), as Flink's
MinWithRetractAggFunction does, since the current extreme may be retracted.
"""

from __future__ import annotations

from pyfn.functions import AggregateFunction


class _Count(AggregateFunction):
    """COUNT(x): the rows where x is not NULL (accumulator: [count])."""

    def create_accumulator(self):
        return [0]

    def accumulate(self, accumulator, value):
        if value is not None:
            accumulator[0] += 1

    def retract(self, accumulator, value):
        if value is not None:
            accumulator[0] -= 1

    def get_value(self, accumulator):
        return accumulator[0]


class _CountStar(_Count):
    """COUNT(*): the rows (accumulator: [count])."""

    def accumulate(self, accumulator):
        accumulator[0] += 1

    def retract(self, accumulator):
        accumulator[0] -= 1


class _Sum(AggregateFunction):
    """SUM(x) (accumulator: [sum, how many values]; NULL when none)."""

    def create_accumulator(self):
        return [0, 0]

    def accumulate(self, accumulator, value):
        if value is not None:
            accumulator[0] += value
            accumulator[1] += 1

    def retract(self, accumulator, value):
        if value is not None:
            accumulator[0] -= value
            accumulator[1] -= 1

    def get_value(self, accumulator):
        return accumulator[0] if accumulator[1] else None


class _SumDouble(_Sum):
    """SUM(x) of a non-integer x, as DOUBLE."""

    def get_value(self, accumulator):
        return float(accumulator[0]) if accumulator[1] else None


class _Avg(_Sum):
    """AVG(x) as DOUBLE (NULL when no value)."""

    def get_value(self, accumulator):
        return float(accumulator[0]) / accumulator[1] if accumulator[1] else None


class _Extreme(AggregateFunction):
    """MIN(x) or MAX(x) of an insert-only input (accumulator: [extreme or None])."""

    def __init__(self, smaller: bool):
        self.smaller = smaller

    def create_accumulator(self):
        return [None]

    def accumulate(self, accumulator, value):
        if value is None:
            return
        current = accumulator[0]
        if current is None or (value < current if self.smaller else value > current):
            accumulator[0] = value

    def retract(self, accumulator, value):
        raise ValueError("%s cannot take back a row; plan %s_with_retract for an updating input"
                         % ("MIN" if self.smaller else "MAX", "min" if self.smaller else "max"))

    def get_value(self, accumulator):
        return accumulator[0]


class _ExtremeWithRetract(AggregateFunction):
    """MIN(x) or MAX(x) of an updating input (accumulator: {value: how many times it is in the group})."""

    def __init__(self, smaller: bool):
        self.smaller = smaller

    def create_accumulator(self):
        return {}

    def accumulate(self, accumulator, value):
        if value is not None:
            accumulator[value] = accumulator.get(value, 0) + 1

    def retract(self, accumulator, value):
        if value is None:
            return
        left = accumulator.get(value, 0) - 1
        if left > 0:
            accumulator[value] = left
        else:
            accumulator.pop(value, None)

    def get_value(self, accumulator):
        if not accumulator:
            return None
        return min(accumulator) if self.smaller else max(accumulator)


#: The built-ins by the names the runner references them by.
count = _Count()
count_star = _CountStar()
sum_exact = _Sum()
sum_double = _SumDouble()
avg = _Avg()
min_value = _Extreme(smaller=True)
max_value = _Extreme(smaller=False)
min_with_retract = _ExtremeWithRetract(smaller=True)
max_with_retract = _ExtremeWithRetract(smaller=False)
