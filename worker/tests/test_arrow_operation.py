"""Arrow-native scalar functions in-process: Arrays in and out, no copies, no pandas, errors naming the function."""

import subprocess
import sys

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from pyfn import DataTypes, udf
from pyfn.metrics import MetricGroup
from pyfn.worker.arrow_operation import ArrowOperation
from pyfn.worker.errors import FunctionError
from pyfn.worker.function_loader import FunctionLifecycle

import descriptors
from descriptors import functions

SEEN = {}


@udf(result_type=DataTypes.BIGINT(), func_type="arrow")
def add(a, b):
    """pc.add, remembering the arrays it got."""
    SEEN["args"] = (a, b)
    return pc.add(a, b)


def operation(*calls):
    return ArrowOperation(functions(*[descriptors.call_message(c[0], *c[1:]) for c in calls]),
                          FunctionLifecycle({}, MetricGroup()))


def test_arrays_in_are_the_batch_columns_and_the_result_is_typed():
    assert add.kind == "arrow_scalar"
    batch = pa.record_batch([pa.array([1, None, 3]), pa.array([10, 20, 30])], names=["a", "b"])
    out = operation((add, 0, 1), (add, 1, (DataTypes.BIGINT(), "int_value", 2))).process_batch(batch)
    assert out.column(0).to_pylist() == [11, None, 33]
    assert out.column(1).to_pylist() == [12, 22, 32]
    first = SEEN["args"][0]
    assert first.buffers()[1].address == batch.column(1).buffers()[1].address  # the batch's own buffer: no copy


def test_results_are_cast_safely_or_refused_naming_the_function():
    batch = pa.record_batch([pa.array([1, 2], pa.int64())], names=["a"])
    narrow = udf(lambda a: pc.cast(a, pa.int32()), result_type="BIGINT", func_type="arrow", name="narrow")
    assert operation((narrow, 0)).process_batch(batch).column(0).type == pa.int64()
    words = udf(lambda a: pa.array(["x", "y"]), result_type="BIGINT", func_type="arrow", name="words")
    with pytest.raises(FunctionError, match="function 'words' returned an Array of string, which is not valid BIGINT"):
        operation((words, 0)).process_batch(batch)
    short = udf(lambda a: a[:1], result_type="BIGINT", func_type="arrow", name="short")
    with pytest.raises(FunctionError, match="function 'short' returned 1 values for the batch of rows 0 to 1"):
        operation((short, 0)).process_batch(batch)
    nulls = udf(lambda a: pa.nulls(2, pa.int64()), result_type="BIGINT NOT NULL", func_type="arrow", name="nulls")
    with pytest.raises(FunctionError, match="function 'nulls' returned a null, but its result type is BIGINT NOT NULL"
                                            " at row 0"):
        operation((nulls, 0)).process_batch(batch)
    boom = udf(lambda a: 1 / 0, result_type="BIGINT", func_type="arrow", name="boom")
    with pytest.raises(FunctionError, match="function 'boom' raised ZeroDivisionError: division by zero on the batch"):
        operation((boom, 0)).process_batch(batch)


def test_the_arrow_path_does_not_import_pandas(tmp_path):
    # The input arrives as Arrow IPC, as in a worker: pyarrow imports pandas when it converts Python objects
    # (pa.array of a list, even of numpy), not on this path.
    batch = pa.record_batch([pa.array([1, 2])], names=["a"])
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, batch.schema) as writer:
        writer.write_batch(batch)
    (tmp_path / "input.arrow").write_bytes(sink.getvalue().to_pybytes())
    script = ("import sys, pyarrow as pa, pyarrow.compute as pc\n"
              "from pyfn import udf\n"
              "from pyfn.metrics import MetricGroup\n"
              "from pyfn.worker.operations import operation_class\n"
              "from pyfn.worker.function_loader import FunctionLifecycle\n"
              "sys.path.insert(0, %r)\n"
              "import descriptors\n"
              "f = udf(lambda a: pc.multiply(a, a), result_type='BIGINT', func_type='arrow', name='square')\n"
              "op = operation_class('pyfn:transform:arrow_scalar_function:v1')(\n"
              "    descriptors.functions(descriptors.call_message(f, 0)), FunctionLifecycle({}, MetricGroup()))\n"
              "batch = pa.ipc.open_stream(open(%r, 'rb').read()).read_next_batch()\n"
              "print(op.process_batch(batch).column(0).to_pylist(), 'pandas' in sys.modules)\n"
              ) % (descriptors.__file__.rsplit("/", 1)[0], str(tmp_path / "input.arrow"))
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert out.stdout.strip() == "[1, 4] False", out.stderr
