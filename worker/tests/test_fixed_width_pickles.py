"""Untyped record columns of only ints, only floats (fixed_width_pickles) or only strings (string_pickles): every
record is still a pickle that `pickle.loads` reads, and every other column takes the general path unchanged."""

import math
import pickle

import pyarrow as pa
import pytest

from pyfn.worker.datastream.fixed_width_pickles import decode_fixed_width, encode_fixed_width
from pyfn.worker.datastream.records import pickle_column, unpickle_column
from pyfn.worker.datastream.string_pickles import decode_strings, encode_strings

CASES = [list(range(-5, 300)), [2 ** 63 - 1, -2 ** 63], [2 ** 64, 1], [True, 1], [False],
         [1.5, -0.0, float("inf"), 1e300], [1, 2.0], ["a", "b"], [None], [], [(1, 2)], [1],
         ["", "é", "word", "x" * 70000, "日本"], ["a", None], ["\ud800", "b"], ["a", b"b"], [b"x", b"y"]]


@pytest.mark.parametrize("values", CASES, ids=repr)
def test_records_round_trip_with_their_types_and_each_is_a_pickle(values):
    column = pickle_column(values)
    back = unpickle_column(column)
    assert back == values and [type(v) for v in back] == [type(v) for v in values]
    assert [pickle.loads(b) for b in column.to_pylist()] == values
    if len(values) > 2:
        assert unpickle_column(column.slice(1, len(values) - 2)) == values[1:-1]


def test_only_all_int_or_all_float_batches_take_the_fixed_width_form():
    assert encode_fixed_width([1, 2], int) is not None and encode_fixed_width([1.0], float) is not None
    assert encode_fixed_width([2 ** 64], int) is None and encode_fixed_width([True], bool) is None
    assert encode_strings(["a", "é"]) is not None and encode_strings(["\ud800"]) is None


def test_a_nan_float_survives():
    assert math.isnan(unpickle_column(pickle_column([float("nan")]))[0])


def test_columns_of_other_pickles_are_read_by_pickle_loads():
    # fixed-width ints followed by a general pickle; a 12-byte pickle that is not a float
    mixed = pa.concat_arrays([pickle_column([1, 2]), pickle_column(["x"])])
    assert decode_fixed_width(mixed) is None and unpickle_column(mixed) == [1, 2, "x"]
    twelve = pa.array([b"\x80\x05\x8c\x07abcdefg."], pa.binary())
    assert decode_fixed_width(twelve) is None and unpickle_column(twelve) == ["abcdefg"]


def test_columns_of_other_pickles_are_not_read_as_strings():
    general = pa.array([b"\x80\x05X\x01\x00\x00\x00a.", pickle.dumps("b", 5)], pa.binary())
    assert decode_strings(general) is None and unpickle_column(general) == ["a", "b"]
    wrong_length = pa.array([b"\x80\x05X\x02\x00\x00\x00a."], pa.binary())
    assert decode_strings(wrong_length) is None
