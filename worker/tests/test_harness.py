"""`python -m pyfn.worker` as a real subprocess against the in-test runner (tests/fake_runner.py)."""

import datetime
import decimal
import os
import signal
import subprocess
import sys
import time

import pyarrow as pa
import pytest

import udfs_pyflink_style as style
from descriptors import call_message as call, functions
from fake_runner import PANDAS_URN, SCALAR_URN, TABLE_URN, FakeRunner, ipc_bytes, stop_process
from pyfn import DataTypes, Row, udf, udtf
from pyfn.proto.beam import beam_fn_api_pb2
from pyfn.worker.metrics_reporting import decode_varints

HERE = os.path.dirname(os.path.abspath(__file__))



# ------------------------------------------------------------------------------------------ scalar

def test_scalar_nested_calls_constants_and_nulls(runner):
    nested = call(style.add, call(style.add_one, 0), (DataTypes.BIGINT(), "int_value", 100))
    runner.register("scalar-nested", SCALAR_URN, functions(
        nested,
        call(style.scale, 1),
        call(style.upper, 2),
        job_parameters={"factor": "3"}, metric_enabled=True,
    ))
    batch = pa.record_batch([pa.array([1, 2, 3]), pa.array([5, None, 7]), pa.array(["a", None, "c"])],
                            names=["x", "y", "s"])
    result = runner.run("scalar-nested", ipc_bytes([batch, batch]))
    assert result.error == ""
    table = result.table()
    assert table.column_names == ["f0", "f1", "f2"]
    assert table.column("f0").to_pylist() == [102, 103, 104] * 2
    assert table.column("f1").to_pylist() == [15, None, 21] * 2
    assert table.column("f2").to_pylist() == ["A", None, "C"] * 2


def test_every_type_round_trips(runner):
    columns = {
        "BOOLEAN": pa.array([True, None, False]),
        "TINYINT": pa.array([1, None, -128], pa.int8()),
        "SMALLINT": pa.array([1, None, 300], pa.int16()),
        "INT": pa.array([1, None, 70000], pa.int32()),
        "BIGINT": pa.array([1, None, 2 ** 62], pa.int64()),
        "FLOAT": pa.array([1.5, None, -2.0], pa.float32()),
        "DOUBLE": pa.array([0.1, None, 1e300], pa.float64()),
        "DECIMAL(10, 2)": pa.array([decimal.Decimal("1.25"), None, decimal.Decimal("-99999999.99")],
                                   pa.decimal128(10, 2)),
        "STRING": pa.array(["héllo", None, ""]),
        "BYTES": pa.array([b"\x00\x01", None, b""], pa.binary()),
        "DATE": pa.array([datetime.date(2024, 2, 29), None, datetime.date(1900, 1, 1)], pa.date32()),
        "TIME(3)": pa.array([datetime.time(23, 59, 59, 999000), None, datetime.time(0)], pa.time64("us")),
        "TIMESTAMP(6)": pa.array([datetime.datetime(2024, 2, 29, 12, 0, 0, 1), None, datetime.datetime(1970, 1, 1)],
                                 pa.timestamp("us")),
        "ARRAY<BIGINT>": pa.array([[1, None], None, []], pa.list_(pa.int64())),
        "MAP<STRING, BIGINT>": pa.array([[("a", 1), ("b", None)], None, []], pa.map_(pa.string(), pa.int64())),
        "ROW<a BIGINT, b STRING>": pa.array([{"a": 1, "b": "x"}, None, {"a": None, "b": None}],
                                            pa.struct([("a", pa.int64()), ("b", pa.string())])),
    }
    types_seen = []

    def identity_of(type_text):
        def check(value):
            return value
        return udf(check, result_type=type_text, name="identity_%s" % type_text.split("<")[0].split("(")[0])

    calls = [call(identity_of(t), i, by_value=True) for i, t in enumerate(columns)]
    # Python types as PyFlink passes them: MAP as dict, ROW as Row
    kinds = udf(lambda m, r: "%s,%s" % (type(m).__name__, type(r).__name__), result_type="STRING", name="kinds")
    calls.append(call(kinds, list(columns).index("MAP<STRING, BIGINT>"),
                      list(columns).index("ROW<a BIGINT, b STRING>"), by_value=True))
    runner.register("every-type", SCALAR_URN, functions(*calls))
    batch = pa.record_batch(list(columns.values()), names=["c%d" % i for i in range(len(columns))])
    result = runner.run("every-type", ipc_bytes([batch]))
    assert result.error == ""
    table = result.table()
    for index, (type_text, column) in enumerate(columns.items()):
        assert table.column(index).type == column.type, type_text
        assert table.column(index).to_pylist() == column.to_pylist(), type_text
    assert table.column(len(columns)).to_pylist() == ["dict,Row", "NoneType,NoneType", "dict,Row"]
    types_seen.append(True)


def test_udf_error_fails_only_its_bundle(runner):
    runner.register("divide", SCALAR_URN, functions(call(style.divide, 0, 1)))
    bad = pa.record_batch([pa.array([1.0, 2.0, 3.0]), pa.array([1.0, 0.0, 2.0])], names=["a", "b"])
    result = runner.run("divide", ipc_bytes([bad]))
    assert "'divide'" in result.error
    assert "row 1" in result.error and "(2.0, 0.0)" in result.error
    assert "Traceback" in result.error and "ZeroDivisionError" in result.error
    assert "udfs_pyflink_style.py" in result.error  # the user's frame is in the traceback
    good = pa.record_batch([pa.array([1.0]), pa.array([4.0])], names=["a", "b"])
    again = runner.run("divide", ipc_bytes([good]))
    assert again.error == "" and again.table().column(0).to_pylist() == [0.25]


def test_not_null_result_error(runner):
    runner.register("not-null", SCALAR_URN, functions(call(style.add_not_null, 0, 1)))
    batch = pa.record_batch([pa.array([1, None]), pa.array([1, 1])], names=["a", "b"])
    result = runner.run("not-null", ipc_bytes([batch]))
    assert "'add_not_null' returned None" in result.error and "NOT NULL" in result.error
    assert "row 1" in result.error and "(None, 1)" in result.error


def test_embedded_elements(runner):
    runner.register("embedded", SCALAR_URN, functions(call(style.add, 0, 1)))
    batch = pa.record_batch([pa.array([1, 2]), pa.array([3, 4])], names=["a", "b"])
    result = runner.run("embedded", ipc_bytes([batch]), embedded=True)
    assert result.error == ""
    assert result.response.process_bundle.elements.data[-1].is_last
    assert all(d.transform_id == "sink" for d in result.response.process_bundle.elements.data)
    assert result.table().column("f0").to_pylist() == [4, 6]


def test_input_in_small_pieces_and_big_output(runner):
    make_big = udf(lambda n: "x" * n, result_type="STRING", name="make_big")
    runner.register("big", SCALAR_URN, functions(call(make_big, 0, by_value=True)))
    rows = 60
    batch = pa.record_batch([pa.array([200_000] * rows)], names=["n"])
    result = runner.run("big", ipc_bytes([batch]), piece_size=7)
    assert result.error == ""
    table = result.table()
    assert table.num_rows == rows and len(table.column(0)[0].as_py()) == 200_000
    assert result.pieces >= 3  # 12 MB out in pieces of at most 4 MiB (the runner asserts the size)


def test_empty_input(runner):
    runner.register("empty", SCALAR_URN, functions(call(style.add, 0, 1)))
    schema = pa.schema([("a", pa.int64()), ("b", pa.int64())])
    result = runner.run("empty", ipc_bytes([], schema=schema))
    assert result.error == "" and result.table().num_rows == 0
    no_bytes = runner.run("empty", b"")
    assert no_bytes.error == "" and no_bytes.table().schema.names == ["f0"]


def test_bundles_in_flight_are_answered_in_order_and_descriptor_is_cached(runner):
    runner.register("order", SCALAR_URN, functions(call(style.add, 0, 1)))
    ids = []
    for i in range(5):
        batch = pa.record_batch([pa.array([i]), pa.array([i])], names=["a", "b"])
        ids.append(runner.send_bundle("order", ipc_bytes([batch])))
    for i, instruction_id in enumerate(ids):
        result = runner.result(instruction_id)
        assert result.error == "" and result.table().column(0).to_pylist() == [2 * i]
    assert runner.descriptor_fetches["order"] == 1


def test_unknown_descriptor_and_other_instructions(runner):
    result = runner.run("no-such-descriptor", b"")
    assert result.error and "no-such-descriptor" in result.error
    request = beam_fn_api_pb2.InstructionRequest(instruction_id="progress-1")
    request.process_bundle_progress.instruction_id = "x"
    assert runner.send_instruction(request).HasField("process_bundle_progress")
    request = beam_fn_api_pb2.InstructionRequest(instruction_id="finalize-1")
    request.finalize_bundle.instruction_id = "x"
    assert runner.send_instruction(request).HasField("finalize_bundle")
    # the harness still serves bundles
    runner.register("after", SCALAR_URN, functions(call(style.add, 0, 1)))
    batch = pa.record_batch([pa.array([1]), pa.array([1])], names=["a", "b"])
    assert runner.run("after", ipc_bytes([batch])).error == ""


def test_metrics_are_reported(runner):
    runner.register("metrics", SCALAR_URN, functions(call(style.scale, 0), job_parameters={"factor": "2"},
                                                     metric_enabled=True))
    batch = pa.record_batch([pa.array([1, 5, 3])], names=["x"])
    result = runner.run("metrics", ipc_bytes([batch]))
    assert result.error == ""
    infos = {(i.urn, i.labels["NAMESPACE"], i.labels["NAME"]): i for i in result.response.process_bundle.monitoring_infos}
    counter = infos[("beam:metric:user:sum_int64:v1", "scale", "calls")]
    assert counter.labels["PTRANSFORM"] == "udf" and decode_varints(counter.payload) == [3]
    distribution = infos[("beam:metric:user:distribution_int64:v1", "", "values")]
    assert decode_varints(distribution.payload) == [3, 9, 1, 5]
    second = runner.run("metrics", ipc_bytes([batch]))
    infos = {(i.urn, i.labels["NAME"]): i for i in second.response.process_bundle.monitoring_infos}
    assert decode_varints(infos[("beam:metric:user:sum_int64:v1", "calls")].payload) == [3]  # per bundle


def test_logs_arrive(runner):
    runner.register("logs", SCALAR_URN, functions(call(style.logs_something, 0)))
    instruction_id = runner.send_bundle("logs", ipc_bytes([pa.record_batch([pa.array(["hello"])], names=["s"])]))
    assert runner.result(instruction_id).error == ""
    entry = runner.wait_for_log(lambda e: "logging from a udf: hello" in e.message)
    assert entry is not None
    assert entry.severity == beam_fn_api_pb2.LogEntry.Severity.WARN
    assert entry.log_location == "logs_something"
    assert entry.instruction_id == instruction_id
    assert entry.thread and entry.timestamp.seconds > 0
    runner.register("logs-exc", SCALAR_URN, functions(call(style.logs_exception, 0)))
    assert runner.run("logs-exc", ipc_bytes([pa.record_batch([pa.array(["k"])], names=["s"])])).error == ""
    caught = runner.wait_for_log(lambda e: e.message == "caught in a udf")
    assert caught is not None and caught.severity == beam_fn_api_pb2.LogEntry.Severity.ERROR
    assert "Traceback" in caught.trace and "KeyError: 'k'" in caught.trace
    assert caught.log_location == "logs_exception"
    started = runner.wait_for_log(lambda e: "started" in e.message)
    assert started is not None and started.log_location == "boot.main"
    assert not runner.refused
    for method in ("GetProvisionInfo", "Control", "Data", "Logging", "GetProcessBundleDescriptor"):
        assert runner.calls_by_method.get(method), method


# ------------------------------------------------------------------------------------------- table

def test_table_function_rows(runner):
    runner.register("split", TABLE_URN, functions(call(style.split, 0), arrow_batch_size=2))
    batch = pa.record_batch([pa.array(["", "one", "a bb ccc"])], names=["line"])
    result = runner.run("split", ipc_bytes([batch]))
    assert result.error == ""
    table = result.table()
    assert table.schema.names == ["__row", "f0", "f1"] and table.schema.field("__row").type == pa.int32()
    assert table.column("__row").to_pylist() == [1, 2, 2, 2]  # row 0 made none, row 1 one, row 2 three
    assert table.column("f0").to_pylist() == ["one", "a", "bb", "ccc"]
    assert table.column("f1").to_pylist() == [3, 1, 2, 3]
    assert all(b.num_rows <= 2 for b in table.to_batches())


def test_table_function_class_and_errors(runner):
    runner.register("explode", TABLE_URN, functions(call(style.explode, 0)))
    result = runner.run("explode", ipc_bytes([pa.record_batch([pa.array([2, 0, 1])], names=["n"])]))
    assert result.error == ""
    assert result.table().to_pydict() == {"__row": [0, 0, 2], "f0": [0, 1, 0], "f1": ["0", "1", "0"]}
    runner.register("repeat-bad", TABLE_URN, functions(call(style.repeat_n, 0)))
    bad = runner.run("repeat-bad", ipc_bytes([pa.record_batch([pa.array([1, -1, None])], names=["n"])]))
    assert "'repeat_n'" in bad.error and "row 2" in bad.error and "(None)" in bad.error
    assert "TypeError" in bad.error


def test_table_function_streams_large_fan_out(runner):
    fan = udtf(lambda n: ((i, "v") for i in range(n)), result_types=["BIGINT", "STRING"], name="fan")
    runner.register("fan", TABLE_URN, functions(call(fan, 0, by_value=True), arrow_batch_size=50_000))
    result = runner.run("fan", ipc_bytes([pa.record_batch([pa.array([1_000_000])], names=["n"])]))
    assert result.error == ""
    table = result.table()
    assert table.num_rows == 1_000_000 and max(b.num_rows for b in table.to_batches()) == 50_000
    assert result.pieces >= 20  # sent batch by batch, not at the end


# ------------------------------------------------------------------------------------------ pandas

def test_pandas_function(runner):
    runner.register("pandas", PANDAS_URN, functions(call(style.pandas_mean, 0, 1)))
    batch = pa.record_batch([pa.array([1.0, 2.0, None]), pa.array([3.0, 4.0, 5.0])], names=["a", "b"])
    result = runner.run("pandas", ipc_bytes([batch]))
    assert result.error == ""
    assert result.table().column("f0").to_pylist() == [2.0, 3.0, None]
    runner.register("pandas-short", PANDAS_URN, functions(call(style.pandas_wrong_length, 0)))
    short = runner.run("pandas-short", ipc_bytes([pa.record_batch([pa.array([1, 2, 3])], names=["a"])]))
    assert "'pandas_wrong_length' returned 1 values for a batch of 3 rows" in short.error


# --------------------------------------------------------------------------------------- lifetime

def test_worker_exits_when_control_ends():
    fake = FakeRunner(pipeline_options={"python.files": HERE})
    process = fake.start_worker()
    try:
        fake.wait_connected()
        fake.end_control()
        assert process.wait(timeout=20) == 0
    finally:
        fake.stop()
        stop_process(process)


def test_functions_are_opened_once_and_closed_at_shutdown(tmp_path):
    marker = tmp_path / "closed.txt"
    fake = FakeRunner(pipeline_options={"python.files": HERE})
    process = fake.start_worker()
    try:
        fake.wait_connected()
        fake.register("closer", SCALAR_URN, functions(call(style.closer, 0),
                                                      job_parameters={"close_marker": str(marker)}))
        batch = pa.record_batch([pa.array([1, 2])], names=["x"])
        for _ in range(2):
            result = fake.run("closer", ipc_bytes([batch]))
            assert result.error == "" and result.table().column(0).to_pylist() == [1, 1]
        assert not marker.exists()
        fake.end_control()
        assert process.wait(timeout=20) == 0
        assert marker.read_text() == "closed after 1 open"
    finally:
        fake.stop()
        stop_process(process)


def test_wrong_worker_id_is_refused_and_worker_exits():
    fake = FakeRunner()
    process = fake.start_worker(worker_id="intruder")
    try:
        code = process.wait(timeout=30)
        assert code != 0
        assert fake.refused == ["GetProvisionInfo"]
    finally:
        fake.stop()
        stop_process(process)


def _is_running(pid: int) -> bool:
    try:
        with open("/proc/%d/status" % pid) as status:
            for line in status:
                if line.startswith("State:"):
                    return "Z" not in line.split()[1]
    except FileNotFoundError:
        return False
    return False


def test_no_orphan_when_the_parent_dies():
    fake = FakeRunner(pipeline_options={"python.files": HERE})
    parent_code = (
        "import subprocess, sys, time\n"
        "p = subprocess.Popen([sys.executable, '-m', 'pyfn.worker', '--id=%s', '--provision_endpoint=%s'])\n"
        "print(p.pid, flush=True)\n"
        "time.sleep(600)\n" % (fake.worker_id, fake.url))
    parent = subprocess.Popen([sys.executable, "-c", parent_code], stdout=subprocess.PIPE,
                              env=dict(os.environ, PYFN_WORKER_SECRET=fake.secret))
    worker_pid = None
    try:
        worker_pid = int(parent.stdout.readline())
        fake.wait_connected()
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=10)
        deadline = time.monotonic() + 15
        while _is_running(worker_pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _is_running(worker_pid), "the worker outlived its parent"
    finally:
        if worker_pid and _is_running(worker_pid):
            os.kill(worker_pid, signal.SIGKILL)
        stop_process(parent)
        fake.stop()
