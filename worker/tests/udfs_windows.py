"""Aggregate functions for the window tests: general UDAFs (with and without `merge`) and Pandas UDAFs, written
as a PyFlink user writes them (only the imports differ)."""

from pyfn import DataTypes, udaf
from udfs_aggregates import Count, Sum


class SumWithMerge(Sum):
    """The sum of the non-NULL values; `merge` lets it run in session windows."""

    def merge(self, accumulator, accumulators):
        for other in accumulators:
            accumulator[0] += other[0]


class CountNoMerge(Count):
    """The number of rows; no `merge`, so session windows refuse it."""


class Explode(SumWithMerge):
    """Raises on a value of 13 (for the error tests)."""

    def accumulate(self, accumulator, value):
        if value == 13:
            raise ValueError("unlucky")
        super().accumulate(accumulator, value)


py_sum = udaf(SumWithMerge(), result_type=DataTypes.BIGINT(), accumulator_type=DataTypes.ARRAY(DataTypes.BIGINT()))
py_count = udaf(CountNoMerge(), result_type=DataTypes.BIGINT(), accumulator_type=DataTypes.ARRAY(DataTypes.BIGINT()))
explode = udaf(Explode(), name="explode", result_type=DataTypes.BIGINT(), accumulator_type=DataTypes.ARRAY(DataTypes.BIGINT()))


@udaf(result_type=DataTypes.DOUBLE(), func_type="pandas")
def pd_mean(values):
    """The mean of a pandas.Series."""
    return values.mean()


@udaf(result_type=DataTypes.BIGINT(), func_type="pandas")
def pd_sum(values):
    """The sum of a pandas.Series, as an integer."""
    return int(values.sum())


@udaf(result_type=DataTypes.DOUBLE(), func_type="pandas")
def pd_weighted(values, weights):
    """sum(v * w) / sum(w) over two Series."""
    return float((values * weights).sum() / weights.sum())


@udaf(result_type=DataTypes.BIGINT(), func_type="pandas")
def pd_sum_dies_once(values):
    """The sum of a Series; the first call in a run (no marker file yet at $PYFN_TEST_DIE_ONCE) kills its worker."""
    import os

    marker = os.environ.get("PYFN_TEST_DIE_ONCE")
    if marker and not os.path.exists(marker):
        open(marker, "w").close()
        os._exit(17)
    return int(values.sum())
