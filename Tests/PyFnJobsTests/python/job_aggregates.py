"""Functions for the job tests, as a PyFlink user writes them (the sums come from the harness tests'
worker/tests/udfs_aggregates.py)."""
from pyfn import AggregateFunction, DataTypes, udaf, udf


class LongestWord(AggregateFunction):
    def create_accumulator(self):
        return [""]

    def accumulate(self, accumulator, word):
        if word is not None and len(word) > len(accumulator[0]):
            accumulator[0] = word

    def get_value(self, accumulator):
        return accumulator[0]


longest = udaf(LongestWord(), result_type=DataTypes.STRING())


class FailsAt(AggregateFunction):
    """A sum that raises at the row whose value is 5000."""

    def create_accumulator(self):
        return [0]

    def accumulate(self, accumulator, value):
        if value == 5000:
            raise ValueError("5000 is too many")
        accumulator[0] += value or 0

    def get_value(self, accumulator):
        return accumulator[0]


@udf(result_type=DataTypes.BIGINT())
def fails_at_5000(value):
    if value == 5000:
        raise ValueError("5000 is too many")
    return value


fails_at = udaf(FailsAt(), result_type=DataTypes.BIGINT())
