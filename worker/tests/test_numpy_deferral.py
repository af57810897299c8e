"""A worker imports pyarrow without numpy (numpy_deferral) and hands numpy to pyarrow when something imports it:
checked in a fresh interpreter (pyarrow converts numpy values and arrays once numpy is imported, numpy keeps its
own loader), and end to end with the real `pyfn run` and a real worker in both modes, where functions return numpy
values from a module that imports numpy, or from a function that imports it in its body during the first bundle."""

import subprocess
import sys

import pytest

from sql_udf_jobs import run_udf_job

FRESH_INTERPRETER = '''
import sys
from pyfn.worker.numpy_deferral import defer_numpy, numpy_deferred
assert defer_numpy() and numpy_deferred()
import pyarrow as pa
assert "numpy" not in sys.modules and pa.array([1, None]).to_pylist() == [1, None]
import numpy
assert not numpy_deferred()
assert type(numpy.__spec__.loader).__name__ == "SourceFileLoader", numpy.__spec__.loader
print(pa.array([numpy.float32(1.5), numpy.int8(3)], pa.float64()).to_pylist(), pa.array(numpy.arange(3)).to_pylist(),
      pa.array([1, None]).to_numpy(zero_copy_only=False).tolist())
'''

NUMPY_VALUES = '''import numpy as np

from pyfn import DataTypes, udf


@udf(result_type=DataTypes.DOUBLE())
def half(a):
    return np.float32(a) / np.float32(2)


@udf(result_type=DataTypes.BIGINT())
def same(a):
    return np.int64(a)


@udf(result_type=DataTypes.BOOLEAN())
def even(a):
    return np.bool_(a % 2 == 0)
'''

NUMPY_IN_THE_BODY = '''from pyfn import DataTypes, udf


@udf(result_type=DataTypes.DOUBLE())
def half(a):
    import numpy
    return numpy.float32(a) / numpy.float32(2)
'''


def test_pyarrow_takes_numpy_values_once_numpy_is_imported():
    finished = subprocess.run([sys.executable, "-c", FRESH_INTERPRETER], capture_output=True, text=True, timeout=60)
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.split("\n")[0] == "[1.5, 3.0] [0, 1, 2] [1.0, nan]"


@pytest.mark.parametrize("mode", ["process", "thread"])
def test_functions_of_a_module_that_imports_numpy_return_numpy_values(tmp_path, mode):
    rows = run_udf_job(str(tmp_path), mode, "numpy_values", NUMPY_VALUES, ["half", "same", "even"],
                       "h DOUBLE, s BIGINT, e BOOLEAN", "half(a), same(b), even(a)", rows=100)
    assert rows == [[repr(i / 2), str(2 * i), str(i % 2 == 0).lower()] for i in range(100)]


@pytest.mark.parametrize("mode", ["process", "thread"])
def test_a_function_that_imports_numpy_in_its_body_returns_numpy_values(tmp_path, mode):
    rows = run_udf_job(str(tmp_path), mode, "numpy_in_the_body", NUMPY_IN_THE_BODY, ["half"], "h DOUBLE", "half(a)",
                       rows=100)
    assert rows == [[repr(i / 2)] for i in range(100)]
