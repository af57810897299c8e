"""Embedded mode (`pyfn.worker.embedded`) called in-process the way the Swift runner calls it.

Batches cross as Arrow C Data Interface structs allocated here with ctypes (as Swift allocates them), exported
with pyarrow's `_export_to_c` and read back with `_import_from_c`; responses are parsed as InstructionResponse.
"""

import ctypes
import json
import logging
import os
import subprocess
import sys
import textwrap
import uuid

import pyarrow as pa
import pytest

import udfs_pyflink_style as style
from descriptors import call_message as call, functions
from fake_runner import PANDAS_URN, SCALAR_URN, TABLE_URN, FakeRunner, ipc_bytes, make_descriptor
from pyfn import DataTypes, ScalarFunction, udf, udtf
from pyfn.proto.beam import beam_fn_api_pb2
from pyfn.proto.pyfn import udf_pb2
from pyfn.worker import embedded
from pyfn.worker.errors import BundleError
from pyfn.worker.metrics_reporting import decode_varints
from pyfn.worker.scalar_operation import SLICE_ROWS

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMA_BYTES, ARRAY_BYTES = 72, 80  # sizeof(struct ArrowSchema), sizeof(struct ArrowArray)
ARRAY_RELEASE_OFFSET = 64  # struct ArrowArray's release callback


class CStructs:
    """A struct ArrowSchema and a struct ArrowArray in zeroed memory, as the Swift side allocates them."""

    def __init__(self):
        self._schema = ctypes.create_string_buffer(SCHEMA_BYTES)
        self._array = ctypes.create_string_buffer(ARRAY_BYTES)
        self.schema = ctypes.addressof(self._schema)
        self.array = ctypes.addressof(self._array)

    def untouched(self) -> bool:
        return self._schema.raw == bytes(SCHEMA_BYTES) and self._array.raw == bytes(ARRAY_BYTES)

    def array_released(self) -> bool:
        return ctypes.c_void_p.from_address(self.array + ARRAY_RELEASE_OFFSET).value is None


class Result:
    def __init__(self, response, batch, inputs, outputs):
        self.response = response
        self.batch = batch
        self.inputs = inputs
        self.outputs = outputs

    @property
    def error(self) -> str:
        return self.response.error

    def column(self, name):
        return self.batch.column(name).to_pylist()


def run(worker, descriptor_id, batch, instruction_id="bundle-1") -> Result:
    """One bundle through `process`, as Swift does it: export the input, call, import the output."""
    inputs, outputs = CStructs(), CStructs()
    batch._export_to_c(inputs.array, inputs.schema)
    data = worker.process(instruction_id, descriptor_id, inputs.schema, inputs.array, outputs.schema, outputs.array)
    assert isinstance(data, bytes)
    response = beam_fn_api_pb2.InstructionResponse.FromString(data)
    assert response.instruction_id == instruction_id
    out = None
    if not response.error:
        assert response.HasField("process_bundle")
        out = pa.RecordBatch._import_from_c(outputs.array, outputs.schema)
    return Result(response, out, inputs, outputs)


def descriptor(descriptor_id, urn, functions_message) -> bytes:
    return make_descriptor(descriptor_id, urn, functions_message, "").SerializeToString()


def worker_with(descriptor_id, urn, functions_message, worker_id="embedded-1") -> embedded.EmbeddedWorker:
    worker = embedded.EmbeddedWorker(worker_id)
    worker.register(descriptor(descriptor_id, urn, functions_message))
    return worker


def drained():
    return list(beam_fn_api_pb2.LogEntry.List.FromString(embedded.drain_logs()).log_entries)


@pytest.fixture(autouse=True)
def isolated():
    """Starts embedded mode (as Swift does before creating a worker) and undoes its effects on this pytest
    process afterwards: sys.path, the root logger's level, and queued log records."""
    saved_path = list(sys.path)
    root = logging.getLogger()
    saved_level = root.level
    embedded.start(json.dumps({"python.files": HERE}))
    drained()
    try:
        yield
    finally:
        sys.path[:] = saved_path
        root.setLevel(saved_level)
        drained()


# ------------------------------------------------------------------------------------------ scalar

def test_scalar_udf_adds_bigints_and_consumes_the_input():
    worker = worker_with("add", SCALAR_URN, functions(call(style.add, 0, 1)))
    batch = pa.record_batch([pa.array([1, 2, 3]), pa.array([10, 20, 30])], names=["a", "b"])
    result = run(worker, "add", batch)
    assert result.error == ""
    assert result.batch.schema.names == ["f0"] and result.batch.schema.field("f0").type == pa.int64()
    assert result.column("f0") == [11, 22, 33]
    assert result.inputs.array_released()  # moved into pyarrow: Swift must not release it again
    again = run(worker, "add", pa.record_batch([pa.array([5]), pa.array([-5])], names=["a", "b"]), "bundle-2")
    assert again.error == "" and again.column("f0") == [0]
    assert worker.close() == ""


def test_nested_calls_constants_and_several_outputs():
    nested = call(style.add, call(style.add_one, 0), (DataTypes.BIGINT(), "int_value", 100))
    worker = worker_with("nested", SCALAR_URN, functions(nested, call(style.upper, 1)))
    batch = pa.record_batch([pa.array([1, 2, 3]), pa.array(["a", None, "c"])], names=["x", "s"])
    result = run(worker, "nested", batch)
    assert result.error == ""
    assert result.batch.num_rows == 3
    assert result.column("f0") == [102, 103, 104]
    assert result.column("f1") == ["A", None, "C"]


def test_a_large_batch_comes_back_as_one_batch():
    worker = worker_with("big", SCALAR_URN, functions(call(style.add_one, 0)))
    rows = 2 * SLICE_ROWS + 5  # evaluated in slices, as in process mode
    result = run(worker, "big", pa.record_batch([pa.array(range(rows))], names=["x"]))
    assert result.error == ""
    assert result.batch.num_rows == rows
    assert result.column("f0") == list(range(1, rows + 1))


def test_empty_input_gives_an_empty_batch_of_the_output_schema():
    worker = worker_with("empty", SCALAR_URN, functions(call(style.add, 0, 1), call(style.upper, 2)))
    empty = pa.record_batch([pa.array([], pa.int64()), pa.array([], pa.int64()), pa.array([], pa.string())],
                            names=["a", "b", "s"])
    result = run(worker, "empty", empty)
    assert result.error == ""
    assert result.batch.num_rows == 0
    assert result.batch.schema == pa.schema([("f0", pa.int64()), ("f1", pa.string())])
    table_worker = worker_with("empty-table", TABLE_URN, functions(call(style.split, 0)))
    table = run(table_worker, "empty-table", pa.record_batch([pa.array([], pa.string())], names=["line"]))
    assert table.error == "" and table.batch.num_rows == 0
    assert table.batch.schema.names == ["__row", "f0", "f1"]
    # A table function that makes no rows from a non-empty input: also an empty batch.
    nothing = run(table_worker, "empty-table", pa.record_batch([pa.array(["", " "])], names=["line"]), "bundle-2")
    assert nothing.error == "" and nothing.batch.num_rows == 0 and nothing.batch.schema.names == ["__row", "f0", "f1"]


# ------------------------------------------------------------------------------------------- table

def test_table_function_fans_out_with_the_input_row_index():
    worker = worker_with("split", TABLE_URN, functions(call(style.split, 0), arrow_batch_size=2))
    batch = pa.record_batch([pa.array(["", "one", "a bb ccc"])], names=["line"])
    result = run(worker, "split", batch)
    assert result.error == ""
    assert result.batch.schema.names == ["__row", "f0", "f1"]
    assert result.batch.schema.field("__row").type == pa.int32()
    # row 0 made no row, row 1 one, row 2 three; batches of 2 rows come back as one batch
    assert result.column("__row") == [1, 2, 2, 2]
    assert result.column("f0") == ["one", "a", "bb", "ccc"]
    assert result.column("f1") == [3, 1, 2, 3]


def test_table_function_large_fan_out():
    fan = udtf(lambda n: ((i, "v") for i in range(n)), result_types=["BIGINT", "STRING"], name="fan")
    worker = worker_with("fan", TABLE_URN, functions(call(fan, 0, by_value=True), arrow_batch_size=50_000))
    result = run(worker, "fan", pa.record_batch([pa.array([200_000, 1])], names=["n"]))
    assert result.error == ""
    assert result.batch.num_rows == 200_001
    rows = result.column("__row")
    assert rows[0] == 0 and rows[-2] == 0 and rows[-1] == 1
    assert result.column("f0")[-2:] == [199_999, 0]


# ------------------------------------------------------------------------------------------ pandas

def test_pandas_udf():
    worker = worker_with("pandas", PANDAS_URN, functions(call(style.pandas_mean, 0, 1)))
    batch = pa.record_batch([pa.array([1.0, 2.0, None]), pa.array([3.0, 4.0, 5.0])], names=["a", "b"])
    result = run(worker, "pandas", batch)
    assert result.error == ""
    assert result.column("f0") == [2.0, 3.0, None]
    short = worker_with("short", PANDAS_URN, functions(call(style.pandas_wrong_length, 0)))
    failed = run(short, "short", pa.record_batch([pa.array([1, 2, 3])], names=["a"]))
    assert "'pandas_wrong_length' returned 1 values for a batch of 3 rows" in failed.error
    assert failed.outputs.untouched()


# ------------------------------------------------------------------------------------------ errors

def test_a_failing_udf_gets_an_error_response_and_the_worker_goes_on():
    worker = worker_with("divide", SCALAR_URN, functions(call(style.divide, 0, 1)))
    bad = pa.record_batch([pa.array([1.0, 2.0, 3.0]), pa.array([1.0, 0.0, 2.0])], names=["a", "b"])
    result = run(worker, "divide", bad)
    assert "'divide'" in result.error
    assert "row 1" in result.error and "(2.0, 0.0)" in result.error
    assert "Traceback" in result.error and "ZeroDivisionError" in result.error
    assert "udfs_pyflink_style.py" in result.error  # the user's frame
    assert not result.response.HasField("process_bundle")
    assert result.outputs.untouched()
    assert result.inputs.array_released()
    good = run(worker, "divide", pa.record_batch([pa.array([1.0]), pa.array([4.0])], names=["a", "b"]), "bundle-2")
    assert good.error == "" and good.column("f0") == [0.25]


def test_a_result_of_the_wrong_type_names_the_row():
    worker = worker_with("not-null", SCALAR_URN, functions(call(style.add_not_null, 0, 1)))
    result = run(worker, "not-null", pa.record_batch([pa.array([1, None]), pa.array([1, 1])], names=["a", "b"]))
    assert "'add_not_null' returned None" in result.error and "NOT NULL" in result.error
    assert "row 1" in result.error and "(None, 1)" in result.error
    assert result.outputs.untouched()


def test_errors_are_the_same_as_in_process_mode():
    """The same descriptors and input give the same error text in both modes (and the same rows on success)."""
    cases = {
        "divide": (SCALAR_URN, functions(call(style.divide, 0, 1)),
                   pa.record_batch([pa.array([1.0, 2.0]), pa.array([1.0, 0.0])], names=["a", "b"])),
        "not-null": (SCALAR_URN, functions(call(style.add_not_null, 0, 1)),
                     pa.record_batch([pa.array([1, None]), pa.array([1, 1])], names=["a", "b"])),
        "repeat-bad": (TABLE_URN, functions(call(style.repeat_n, 0)),
                       pa.record_batch([pa.array([1, -1, None])], names=["n"])),
        "pandas-short": (PANDAS_URN, functions(call(style.pandas_wrong_length, 0)),
                         pa.record_batch([pa.array([1, 2, 3])], names=["a"])),
        "missing-column": (SCALAR_URN, functions(call(style.add, 0, 3)),
                           pa.record_batch([pa.array([1]), pa.array([2])], names=["a", "b"])),
        "split": (TABLE_URN, functions(call(style.split, 0)),
                  pa.record_batch([pa.array(["x yy", "", "zzz"])], names=["line"])),
    }
    worker = embedded.EmbeddedWorker("embedded-compare")
    fake = FakeRunner(pipeline_options={"python.files": HERE})
    process = fake.start_worker()
    try:
        fake.wait_connected()
        for name, (urn, message, batch) in cases.items():
            fake.register(name, urn, message)
            worker.register(descriptor(name, urn, message))
            instruction_id = "bundle-" + name
            in_process = fake.run(name, ipc_bytes([batch]), instruction_id=instruction_id)
            in_embedded = run(worker, name, batch, instruction_id)
            assert in_embedded.error == in_process.error, name
            if not in_process.error:
                assert pa.Table.from_batches([in_embedded.batch]).equals(in_process.table()), name
    finally:
        fake.stop()
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)
        for stream in (process.stdout, process.stderr):
            stream.close()
    assert in_embedded.error == ""  # the last case succeeds
    assert worker.close() == ""


def test_unknown_descriptor_bad_input_and_bad_descriptors():
    worker = worker_with("add", SCALAR_URN, functions(call(style.add, 0, 1)))
    batch = pa.record_batch([pa.array([1]), pa.array([2])], names=["a", "b"])
    unknown = run(worker, "no-such-descriptor", batch)
    assert "no-such-descriptor" in unknown.error and "not registered" in unknown.error
    assert unknown.outputs.untouched() and unknown.inputs.array_released()
    # A plain array, not a record batch's struct array, cannot be imported as a batch.
    inputs, outputs = CStructs(), CStructs()
    pa.array([1, 2])._export_to_c(inputs.array, inputs.schema)
    data = worker.process("bundle-bad", "add", inputs.schema, inputs.array, outputs.schema, outputs.array)
    bad = beam_fn_api_pb2.InstructionResponse.FromString(data)
    assert bad.error.startswith("bundle bundle-bad: the input is not a valid Arrow record batch")
    assert outputs.untouched() and inputs.array_released()  # pyarrow released what it could not import
    with pytest.raises(ValueError, match="null"):
        worker.process("bundle-null", "add", 0, 0, outputs.schema, outputs.array)
    with pytest.raises(BundleError, match="not a serialized ProcessBundleDescriptor"):
        worker.register(b"\xff\xff\xff")
    no_sink = beam_fn_api_pb2.ProcessBundleDescriptor.FromString(
        descriptor("no-sink", SCALAR_URN, functions(call(style.add, 0, 1))))
    del no_sink.transforms["sink"]
    with pytest.raises(BundleError, match="descriptor 'no-sink' has no sink transform"):
        worker.register(no_sink.SerializeToString())
    odd = beam_fn_api_pb2.ProcessBundleDescriptor.FromString(
        descriptor("odd", SCALAR_URN, functions(call(style.add, 0, 1))))
    odd.transforms["udf"].spec.urn = "pyfn:transform:no_such_kind:v1"
    with pytest.raises(BundleError, match="unsupported function transform 'pyfn:transform:no_such_kind:v1'"):
        worker.register(odd.SerializeToString())
    # The worker still runs the descriptor it has.
    assert run(worker, "add", batch, "bundle-2").column("f0") == [3]


def test_a_function_that_cannot_be_loaded_fails_its_bundles():
    message = udf_pb2.UserDefinedFunction(name="ghost", reference=udf_pb2.FunctionReference(
        module="no_such_module_%s" % uuid.uuid4().hex, qualified_name="ghost"))
    message.result_type.CopyFrom(DataTypes.BIGINT().to_proto())
    message.inputs.add().column = 0
    worker = embedded.EmbeddedWorker("embedded-ghost")
    worker.register(descriptor("ghost", SCALAR_URN, functions(message)))  # its failure is the first bundle's
    for instruction in ("bundle-1", "bundle-2"):  # the second bundle tries again, and fails again
        result = run(worker, "ghost", pa.record_batch([pa.array([1])], names=["x"]), instruction)
        assert "function 'ghost' could not be loaded (ModuleNotFoundError" in result.error
        assert result.outputs.untouched()


# --------------------------------------------------------------------------------- open and close

class FailsToClose(ScalarFunction):
    def open(self, function_context):
        self.offset = int(function_context.get_job_parameter("offset", "0"))

    def eval(self, x):
        return x + self.offset

    def close(self):
        raise RuntimeError("the connection is gone")


fails_to_close = udf(FailsToClose(), result_type=DataTypes.BIGINT(), name="fails_to_close")


def test_class_based_udf_is_opened_once_and_closed_by_close(tmp_path):
    marker = tmp_path / "closed.txt"
    worker = worker_with("closer", SCALAR_URN, functions(call(style.closer, 0),
                                                         job_parameters={"close_marker": str(marker)}))
    batch = pa.record_batch([pa.array([1, 2])], names=["x"])
    for index in range(2):
        result = run(worker, "closer", batch, "bundle-%d" % index)
        assert result.error == "" and result.column("f0") == [1, 1]  # opened once
    assert not marker.exists()
    assert worker.close() == ""
    assert marker.read_text() == "closed after 1 open"
    after = run(worker, "closer", batch, "bundle-after")
    assert "is closed" in after.error and after.outputs.untouched()


class OpensOnceReady(ScalarFunction):
    """Opens once the file named by the job parameter `ready` exists, and appends "opened" to it."""

    def open(self, function_context):
        ready = function_context.get_job_parameter("ready")
        if not os.path.exists(ready):
            raise RuntimeError("the lookup table is not there yet")
        with open(ready, "a") as marker:
            marker.write("opened\n")

    def eval(self, x):
        return x * 2


opens_once_ready = udf(OpensOnceReady(), result_type=DataTypes.BIGINT(), name="opens_once_ready")


def test_functions_are_opened_when_registered_before_any_bundle(tmp_path):
    ready = tmp_path / "ready"
    ready.write_text("")
    worker = worker_with("early", SCALAR_URN, functions(call(opens_once_ready, 0, by_value=True),
                                                        job_parameters={"ready": str(ready)}))
    assert ready.read_text() == "opened\n"  # by register, before any bundle
    assert run(worker, "early", pa.record_batch([pa.array([1, 2])], names=["x"])).column("f0") == [2, 4]
    assert ready.read_text() == "opened\n"  # once


def test_an_open_that_fails_at_register_fails_the_first_bundle_and_the_next_tries_again(tmp_path):
    ready = tmp_path / "ready"
    worker = worker_with("ready", SCALAR_URN, functions(call(opens_once_ready, 0, by_value=True),
                                                        job_parameters={"ready": str(ready)}))
    batch = pa.record_batch([pa.array([1, 2])], names=["x"])
    first = run(worker, "ready", batch)
    assert "function 'opens_once_ready' failed in open()" in first.error
    assert "RuntimeError: the lookup table is not there yet" in first.error
    assert first.outputs.untouched()
    ready.write_text("")
    second = run(worker, "ready", batch, "bundle-2")
    assert second.error == "" and second.column("f0") == [2, 4]
    assert ready.read_text() == "opened\n"


def test_close_reports_the_failures_of_close():
    worker = embedded.EmbeddedWorker("embedded-close")
    worker.register(descriptor("offset", SCALAR_URN, functions(call(fails_to_close, 0, by_value=True),
                                                             job_parameters={"offset": "10"})))
    assert run(worker, "offset", pa.record_batch([pa.array([1, 2])], names=["x"])).column("f0") == [11, 12]
    failures = worker.close()
    assert "function 'fails_to_close' failed in close()" in failures
    assert "RuntimeError: the connection is gone" in failures


def test_register_twice():
    message = functions(call(style.add, 0, 1))
    worker = worker_with("twice", SCALAR_URN, message)
    worker.register(descriptor("twice", SCALAR_URN, message))  # the same bytes: nothing changes
    batch = pa.record_batch([pa.array([1]), pa.array([2])], names=["a", "b"])
    assert run(worker, "twice", batch).column("f0") == [3]
    worker.register(descriptor("twice", SCALAR_URN, functions(call(style.upper, 0))))
    replaced = run(worker, "twice", pa.record_batch([pa.array(["x"])], names=["s"]), "bundle-2")
    assert replaced.error == "" and replaced.column("f0") == ["X"]


# ----------------------------------------------------------------------------------------- metrics

def test_metrics_are_in_the_response_when_enabled():
    worker = worker_with("metrics", SCALAR_URN, functions(call(style.scale, 0), job_parameters={"factor": "2"},
                                                         metric_enabled=True))
    batch = pa.record_batch([pa.array([1, 5, 3])], names=["x"])
    result = run(worker, "metrics", batch)
    assert result.error == "" and result.column("f0") == [2, 10, 6]
    infos = {(i.urn, i.labels["NAMESPACE"], i.labels["NAME"]): i
             for i in result.response.process_bundle.monitoring_infos}
    counter = infos[("beam:metric:user:sum_int64:v1", "scale", "calls")]
    assert counter.labels["PTRANSFORM"] == "udf" and decode_varints(counter.payload) == [3]
    distribution = infos[("beam:metric:user:distribution_int64:v1", "", "values")]
    assert decode_varints(distribution.payload) == [3, 9, 1, 5]
    second = run(worker, "metrics", batch, "bundle-2")
    infos = {(i.urn, i.labels["NAME"]): i for i in second.response.process_bundle.monitoring_infos}
    assert decode_varints(infos[("beam:metric:user:sum_int64:v1", "calls")].payload) == [3]  # per bundle
    quiet = worker_with("no-metrics", SCALAR_URN, functions(call(style.add_one, 0)))
    plain = run(quiet, "no-metrics", batch)
    assert plain.error == "" and len(plain.response.process_bundle.monitoring_infos) == 0


def test_profiles_when_enabled():
    worker = worker_with("profiled", SCALAR_URN, functions(call(style.add, 0, 1), profile_enabled=True))
    assert worker.profiles() == {}
    assert run(worker, "profiled", pa.record_batch([pa.array([1]), pa.array([2])], names=["a", "b"])).error == ""
    profile = json.loads(worker.profiles()["pyfn:profile:profiled"])
    assert profile["bundles"] == 1 and profile["functions"]


# -------------------------------------------------------------------------------------------- logs

def shout_eval(s):
    print("shouting", s)
    print("to stderr:", s, file=sys.stderr)
    logging.getLogger("user.udf").info("info from %s", s)
    logging.getLogger("user.udf").debug("debug from %s", s)
    return s.upper()


shout = udf(shout_eval, result_type=DataTypes.STRING(), name="shout")


def test_logs_and_prints_of_a_udf_are_drained():
    # pytest puts its own sys.stdout back between test phases; start() routes it again (as Swift never would).
    embedded.start(json.dumps({"python.log.level": "INFO"}))
    worker = worker_with("logs", SCALAR_URN, functions(call(style.logs_something, 0), call(shout, 0, by_value=True)))
    assert drained() == []
    result = run(worker, "logs", pa.record_batch([pa.array(["hello"])], names=["s"]), "bundle-logs")
    assert result.error == "" and result.column("f1") == ["HELLO"]
    print("outside a udf")  # not a UDF's: goes to the process's output, not to the log
    entries = drained()
    by_message = {entry.message: entry for entry in entries}
    Severity = beam_fn_api_pb2.LogEntry.Severity
    logged = by_message["logging from a udf: hello"]
    assert logged.severity == Severity.WARN and logged.log_location == "logs_something"
    assert logged.instruction_id == "bundle-logs" and logged.timestamp.seconds > 0 and logged.thread
    printed = by_message["shouting hello"]
    assert printed.severity == Severity.INFO and printed.log_location == "shout"
    assert printed.instruction_id == "bundle-logs"
    assert by_message["to stderr: hello"].severity == Severity.WARN
    info = by_message["info from hello"]
    assert info.severity == Severity.INFO and info.log_location == "shout"
    assert "debug from hello" not in by_message  # python.log.level INFO
    assert "outside a udf" not in by_message
    assert drained() == []  # drained once
    embedded.start(json.dumps({"python.log.level": "DEBUG"}))
    run(worker, "logs", pa.record_batch([pa.array(["again"])], names=["s"]), "bundle-debug")
    assert "debug from again" in {entry.message for entry in drained()}


def test_a_logged_exception_carries_its_traceback():
    worker = worker_with("logs-exc", SCALAR_URN, functions(call(style.logs_exception, 0)))
    assert run(worker, "logs-exc", pa.record_batch([pa.array(["k"])], names=["s"])).error == ""
    caught = [entry for entry in drained() if entry.message == "caught in a udf"]
    assert len(caught) == 1
    assert caught[0].severity == beam_fn_api_pb2.LogEntry.Severity.ERROR
    assert "Traceback" in caught[0].trace and "KeyError: 'k'" in caught[0].trace
    assert caught[0].log_location == "logs_exception"


# ------------------------------------------------------------------------------------------- start

def test_start_applies_python_files(tmp_path):
    module = "embedded_files_udf_%s" % uuid.uuid4().hex
    (tmp_path / (module + ".py")).write_text(textwrap.dedent("""
        from pyfn import DataTypes, udf

        @udf(result_type=DataTypes.BIGINT())
        def triple(x):
            return x * 3
    """))
    other = tmp_path / "other"
    other.mkdir()
    embedded.start(json.dumps({"python.files": "%s,%s" % (tmp_path, other)}))
    assert sys.path[:2] == [str(tmp_path), str(other)]
    message = udf_pb2.UserDefinedFunction(name="triple", reference=udf_pb2.FunctionReference(
        module=module, qualified_name="triple"))
    message.inputs.add().column = 0
    worker = worker_with("files", SCALAR_URN, functions(message))
    result = run(worker, "files", pa.record_batch([pa.array([1, 2])], names=["x"]))
    assert result.error == "" and result.column("f0") == [3, 6]


def test_start_rejects_options_that_are_not_an_object():
    with pytest.raises(ValueError, match="JSON object"):
        embedded.start("[1, 2]")
    with pytest.raises(ValueError, match="not valid JSON"):
        embedded.start("{python.files")
    embedded.start("")  # no options


def test_a_fresh_interpreter_gets_one_handler_and_no_grpc():
    """What Swift's hosted interpreter sees: start() twice installs one handler (root level INFO unless
    python.log.level says otherwise), and a bundle runs without gRPC ever being imported."""
    script = textwrap.dedent("""
        import ctypes, json, logging, sys
        import pyarrow as pa
        from pyfn.proto.beam import beam_fn_api_pb2
        from pyfn.worker import embedded
        from pyfn.worker.log_forwarding import FunctionOutputStream, LogForwardingHandler

        root = logging.getLogger()
        embedded.start("{}")
        assert root.level == logging.INFO, root.level
        embedded.start(json.dumps({"python.log.level": "error"}))
        embedded.start("{}")
        handlers = [h for h in root.handlers if isinstance(h, LogForwardingHandler)]
        assert len(handlers) == 1, root.handlers
        assert root.level == logging.ERROR, root.level
        assert isinstance(sys.stdout, FunctionOutputStream) and isinstance(sys.stderr, FunctionOutputStream)
        worker = embedded.EmbeddedWorker("fresh")
        worker.register(bytes.fromhex(sys.argv[1]))
        buffers = [ctypes.create_string_buffer(size) for size in (72, 80, 72, 80)]
        schema, array, out_schema, out_array = (ctypes.addressof(b) for b in buffers)
        pa.record_batch([pa.array([1]), pa.array([2])], names=["a", "b"])._export_to_c(array, schema)
        response = beam_fn_api_pb2.InstructionResponse.FromString(
            worker.process("b1", "add", schema, array, out_schema, out_array))
        assert response.error == "", response.error
        assert pa.RecordBatch._import_from_c(out_array, out_schema).column(0).to_pylist() == [3]
        assert worker.close() == ""
        assert beam_fn_api_pb2.LogEntry.List.FromString(embedded.drain_logs()).log_entries is not None
        loaded = sorted(name for name in sys.modules if name == "grpc" or name.startswith("grpc."))
        print("ok", loaded, file=sys.stderr.original)
    """)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([HERE] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    serialized = descriptor("add", SCALAR_URN, functions(call(style.add, 0, 1))).hex()
    done = subprocess.run([sys.executable, "-c", script, serialized], capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().splitlines()[-1] == "ok []"
