"""Functions made with functools.partial, ScalarFunction instances and callable objects ship and run as in
PyFlink 2.3 (test_udf.py's test_scalar_function), by reference and pickled by value, in process and embedded
mode."""

import pyarrow as pa
import pytest

import udfs_loading as u
from descriptors import call_message as call, functions
from pyfn.describe import main as describe_main

BATCH = pa.record_batch([pa.array([1, 2, 3])], names=["a"])


@pytest.mark.parametrize("by_value", [False, True])
def test_partials_and_class_based_functions_run(run_bundle, by_value):
    message = functions(*(call(w, 0, by_value=by_value) for w in (
        u.add_one_partial, u.subtract_one, u.add_one_callable, u.partial_of_method, u.local_partial())))
    error, columns = run_bundle("loading-%s" % by_value, message, BATCH)
    assert error == ""
    assert columns == [[2, 3, 4], [0, 1, 2], [2, 3, 4], [0, 1, 2], [2, 3, 4]]


def test_describe_lists_partials(capsys):
    assert describe_main([u.__file__, "add_one_partial", "add_one_callable"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert ['"name": "add_one_partial", "function_name": "partial"' in lines[0],
            '"name": "add_one_callable", "function_name": "CallablePlus"' in lines[1]] == [True, True]
