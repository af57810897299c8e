"""The per-group Series of Pandas UDAFs (`group_series.group_slicer`): each one equal to what `pd.Series` makes of
the group's rows (values, dtype, name, a fresh 0..n-1 index), writable, and changes to it stay inside its group."""

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from pyfn.worker.group_series import group_slicer
from pyfn.worker.pandas_operation import column_to_pandas

COLUMNS = {
    "float64 with NaN": pa.array([1.5, None, 2.25, float("nan"), -4.0, 8.0, None, 0.5], pa.float64()),
    "float32": pa.array([1, 2, 3, 4, 5, 6, 7, 8], pa.float32()),
    "int64": pa.array([3, -1, 4, 1, -5, 9, 2, 6], pa.int64()),
    "int8": pa.array([3, -1, 4, 1, -5, 9, 2, 6], pa.int8()),
    "bool": pa.array([True, False, True, True, False, False, True, False]),
    "int64 with null": pa.array([3, None, 4, 1, None, 9, 2, 6], pa.int64()),
    "timestamp": pa.array(np.arange(8, dtype="int64") * 1_000_000, pa.timestamp("us")),
    "string": pa.array(["a", "b", None, "d", "e", "f", "g", "h"]),
    "decimal": pa.array([1, 2, 3, 4, 5, 6, 7, 8], pa.decimal128(5, 2)),
}
BOUNDS = [(0, 3), (3, 4), (4, 8)]


@pytest.mark.parametrize("name", sorted(COLUMNS))
def test_each_group_is_the_series_pandas_makes_of_its_rows(name):
    whole = column_to_pandas(COLUMNS[name]).rename("v")
    slicer = group_slicer(whole)
    for start, end in BOUNDS:
        group = slicer(start, end)
        expected = pd.Series(whole.to_numpy()[start:end], name="v") if isinstance(whole.dtype, np.dtype) \
            else whole.iloc[start:end].reset_index(drop=True)
        assert type(group) is pd.Series
        pd.testing.assert_series_equal(group, expected, check_index_type=True)
        assert list(group.index) == list(range(end - start))


def test_reductions_on_random_groups_with_nans_equal_a_series_built_by_pandas():
    rng = np.random.default_rng(14)
    values = rng.normal(size=5_000) * 1e6
    values[rng.random(5_000) < 0.1] = np.nan
    starts = np.sort(rng.choice(np.arange(1, 5_000), 300, replace=False))
    bounds = list(zip([0] + starts.tolist(), starts.tolist() + [5_000]))
    slicer = group_slicer(column_to_pandas(pa.array(values)))
    for start, end in bounds:
        group, expected = slicer(start, end), pd.Series(values[start:end].copy())
        for method in ("mean", "sum", "std", "min", "max", "median", "count"):
            assert np.array_equal([getattr(group, method)()], [getattr(expected, method)()], equal_nan=True), method


def test_a_group_series_is_writable_and_changing_it_leaves_the_column_and_other_groups_alone():
    column = pa.array([1.0, np.nan, 3.0, np.nan, 5.0])  # NaNs, no nulls: Arrow hands pandas a read-only view
    whole = column_to_pandas(column)
    slicer = group_slicer(whole)
    first = slicer(0, 2)
    first.fillna(0.0, inplace=True)
    first.iloc[0] = 7.0
    assert list(first) == [7.0, 0.0]
    second = slicer(2, 5)
    assert second.isna().tolist() == [False, True, False]
    assert np.array_equal(column.to_numpy(), [1.0, np.nan, 3.0, np.nan, 5.0], equal_nan=True)
    assert whole.isna().tolist() == [False, True, False, True, False]


def test_a_row_argument_is_a_dataframe_per_group():
    column = pa.array([{"x": 1, "y": "a"}, {"x": 2, "y": "b"}, {"x": 3, "y": "c"}])
    slicer = group_slicer(column_to_pandas(column))
    group = slicer(1, 3)
    assert isinstance(group, pd.DataFrame)
    assert group.to_dict("list") == {"x": [2, 3], "y": ["b", "c"]}
    assert list(group.index) == [0, 1]
