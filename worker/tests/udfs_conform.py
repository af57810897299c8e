"""Aggregate functions of the PyFlink conformance cases (written from test_udaf.py's ListView / MapView / DISTINCT
cases): data views in accumulators, imported from where PyFlink has them."""
from pyfn import AggregateFunction, DataTypes, Row, udaf
from pyfn.table import ListView, MapView


class ListViewConcat(AggregateFunction):
    """Joins a key's values with a delimiter, in arrival order, through a ListView."""

    def create_accumulator(self):
        return Row(ListView(), "")

    def accumulate(self, accumulator, value, delimiter):
        accumulator[1] = delimiter
        accumulator[0].add(value)

    def get_value(self, accumulator):
        return accumulator[1].join(accumulator[0].get())

    def get_accumulator_type(self):
        return DataTypes.ROW([DataTypes.FIELD("f0", DataTypes.LIST_VIEW(DataTypes.STRING())),
                              DataTypes.FIELD("f1", DataTypes.STRING())])

    def get_result_type(self):
        return DataTypes.STRING()


class CountDistinct(AggregateFunction):
    """Counts a key's distinct values through a MapView of value → occurrences."""

    def create_accumulator(self):
        return Row(MapView(), 0)

    def accumulate(self, accumulator, value):
        if value is None:
            return
        if not accumulator[0].contains(value):
            accumulator[0].put(value, 1)
            accumulator[1] += 1
        else:
            accumulator[0][value] = accumulator[0][value] + 1

    def get_value(self, accumulator):
        return accumulator[1]

    def get_accumulator_type(self):
        return DataTypes.ROW([DataTypes.FIELD("f0", DataTypes.MAP_VIEW(DataTypes.STRING(), DataTypes.BIGINT())),
                              DataTypes.FIELD("f1", DataTypes.BIGINT())])

    def get_result_type(self):
        return DataTypes.BIGINT()


class Total(AggregateFunction):
    """The sum of a key's values (None counts as 0)."""

    def create_accumulator(self):
        return [0]

    def accumulate(self, accumulator, value):
        accumulator[0] += value or 0

    def get_value(self, accumulator):
        return accumulator[0]


list_view_concat = udaf(ListViewConcat())
count_distinct = udaf(CountDistinct())
total = udaf(Total(), result_type=DataTypes.BIGINT())
