"""A worker running plain functions never imports pandas (pyfn.worker.pandas_deferral); one whose functions
import pandas or are Pandas functions gets it. Each test starts its own `python -m pyfn.worker` (conftest's
`fresh_runner`)."""

import pyarrow as pa

import udfs_modules as modules
from descriptors import call_message as call, functions
from fake_runner import PANDAS_URN, SCALAR_URN, ipc_bytes


def column(runner, descriptor_id, batch):
    result = runner.run(descriptor_id, ipc_bytes([batch]))
    assert result.error == ""
    return result.table().column("f0").to_pylist()


def test_plain_functions_leave_pandas_unimported(fresh_runner):
    fresh_runner.register("upper", SCALAR_URN, functions(call(modules.upper, 0)))
    fresh_runner.register("probe", SCALAR_URN, functions(call(modules.pandas_imported, 0)))
    strings = pa.record_batch([pa.array(["ab", None, "c"] * 1000)], names=["s"])
    assert column(fresh_runner, "upper", strings) == ["AB", None, "C"] * 1000
    assert column(fresh_runner, "probe", pa.record_batch([pa.array([1])], names=["x"])) == [False]


def test_a_function_may_import_pandas_itself(fresh_runner):
    fresh_runner.register("upper", SCALAR_URN, functions(call(modules.upper, 0)))
    fresh_runner.register("length", SCALAR_URN, functions(call(modules.series_length, 0)))
    assert column(fresh_runner, "upper", pa.record_batch([pa.array(["x"])], names=["s"])) == ["X"]
    assert column(fresh_runner, "length", pa.record_batch([pa.array([3, 0])], names=["n"])) == [3, 0]


def test_pandas_functions_after_plain_ones(fresh_runner):
    fresh_runner.register("upper", SCALAR_URN, functions(call(modules.upper, 0)))
    fresh_runner.register("double", PANDAS_URN, functions(call(modules.pandas_double, 0)))
    assert column(fresh_runner, "upper", pa.record_batch([pa.array(["x", "y"])], names=["s"])) == ["X", "Y"]
    batch = pa.record_batch([pa.array([1, None, 3])], names=["a"])
    assert column(fresh_runner, "double", batch) == [2, None, 6]
