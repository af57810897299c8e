"""`arrow_conversion.column_values`: what scalar, table and aggregate functions are called with, per column."""

import pyarrow as pa
import pytest

from pyfn.worker.arrow_conversion import column_to_list, column_values


@pytest.mark.parametrize("arrow_type, values", [
    (pa.int8(), [-128, 0, 127]), (pa.int16(), [-2, 3]), (pa.int32(), [2**31 - 1, -2**31]),
    (pa.int64(), [2**63 - 1, -5]), (pa.uint8(), [255, 0]), (pa.uint16(), [65535]), (pa.uint32(), [2**32 - 1]),
    (pa.uint64(), [2**64 - 1, 1]), (pa.float32(), [1.5, -0.25]), (pa.float64(), [0.1, 1e300]),
])
def test_numbers_without_nulls_are_the_same_values_as_lists(arrow_type, values):
    column = pa.array(values, arrow_type)
    got = column_values(column)
    assert list(got) == column_to_list(column) == values
    assert [type(v) for v in got] == [type(v) for v in values]
    assert len(got) == len(values) and got[len(values) - 1] == values[-1]


def test_a_slice_starts_at_its_offset():
    column = pa.array(range(100), pa.int64()).slice(37, 5)
    assert list(column_values(column)) == [37, 38, 39, 40, 41]
    chunked = pa.chunked_array([pa.array([1, 2], pa.int32()), pa.array([3], pa.int32())])
    assert list(column_values(chunked)) == [1, 2, 3]


def test_nulls_strings_and_empty_columns_come_as_lists():
    assert column_values(pa.array([1, None, 3], pa.int64())) == [1, None, 3]
    assert column_values(pa.array(["a", None])) == ["a", None]
    assert column_values(pa.array([], pa.int64())) == []
    assert column_values(pa.array([True, False])) == [True, False]
