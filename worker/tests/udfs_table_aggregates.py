"""Table aggregate functions for the udtaf tests, written as a PyFlink user writes them (only the imports differ)."""

from pyfn import DataTypes
from pyfn.table.udf import TableAggregateFunction, udtaf


class Top2(TableAggregateFunction):
    """The two largest non-NULL values of a group, largest first, each with its rank."""

    def create_accumulator(self):
        return []

    def accumulate(self, accumulator, value):
        if value is not None:
            accumulator.append(value)
            accumulator.sort(reverse=True)
            del accumulator[2:]

    def retract(self, accumulator, value):
        if value in accumulator:
            accumulator.remove(value)

    def emit_value(self, accumulator):
        for rank, value in enumerate(accumulator, 1):
            yield value, rank


top2 = udtaf(Top2(), name="top2", result_type=DataTypes.ROW([DataTypes.FIELD("v", DataTypes.BIGINT()),
                                                              DataTypes.FIELD("rank", DataTypes.INT())]))


class EmitFails(Top2):
    """Top2 whose emit_value raises for a group holding 13."""

    def emit_value(self, accumulator):
        if 13 in accumulator:
            raise ValueError("unlucky")
        return super().emit_value(accumulator)


emit_fails = udtaf(EmitFails(), name="emit_fails",
                   result_type=DataTypes.ROW([DataTypes.FIELD("v", DataTypes.BIGINT()),
                                              DataTypes.FIELD("rank", DataTypes.INT())]))
