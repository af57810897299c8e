"""An aggregate function for the job tests, as a PyFlink user writes it (the sums come from the harness tests'
worker/tests/udfs_aggregates.py)."""
from pyfn import AggregateFunction, DataTypes, udaf


class LongestWord(AggregateFunction):
    def create_accumulator(self):
        return [""]

    def accumulate(self, accumulator, word):
        if word is not None and len(word) > len(accumulator[0]):
            accumulator[0] = word

    def get_value(self, accumulator):
        return accumulator[0]


longest = udaf(LongestWord(), result_type=DataTypes.STRING())
