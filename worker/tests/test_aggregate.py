"""Aggregate functions: `python -m pyfn.worker` against the in-test runner, accumulators in the runner's state."""

import json
import os
import pickle
import subprocess
import sys

import pyarrow as pa
import pytest

import udfs_aggregates as aggs
import udfs_pyflink_style as style
from descriptors import call_message as call, functions
from fake_runner import (AGGREGATE_URN, FakeRunner, decode_items, encode_items, ipc_bytes, make_descriptor,
                         stop_process)
from pyfn import DataTypes
from pyfn.metrics import MetricGroup
from pyfn.proto.pyfn import udf_pb2
from pyfn.worker.aggregate_operation import AggregateOperation
from pyfn.worker.embedded import EmbeddedWorker
from pyfn.worker.errors import BundleError
from pyfn.worker.function_loader import FunctionLifecycle
from pyfn.worker.metrics_reporting import decode_varints

HERE = os.path.dirname(os.path.abspath(__file__))



def keyed(keys, values, key_type=pa.string(), value_type=pa.int64()):
    return pa.record_batch([pa.array(keys, key_type), pa.array(values, value_type)], names=["k", "v"])


def stored(runner, descriptor_id, key):
    """The accumulators the runner keeps for `key` (a tuple), unpickled; None when it keeps none."""
    data = runner.state_value(descriptor_id, repr(key).encode("utf-8"))
    return pickle.loads(data) if data else None


def requests_of(runner, instruction_id):
    return [r for r in list(runner.state_requests) if r.instruction_id == instruction_id]


# --------------------------------------------------------------------------------------- per key

def test_sum_and_count_per_key_carry_over_bundles_through_the_runner(runner):
    runner.register("sum-count", AGGREGATE_URN, functions(call(aggs.total, 1), call(aggs.count, 1), grouping=[0]))
    first = runner.send_bundle("sum-count", ipc_bytes([keyed(["a", "b"], [1, 2]), keyed(["a"], [3])]))
    result = runner.result(first)
    assert result.error == ""
    table = result.table()
    assert table.schema.names == ["k", "f0", "f1"]
    assert [f.type for f in table.schema] == [pa.string(), pa.int64(), pa.int64()]
    assert table.schema.field("k").nullable and not table.schema.field("f1").nullable  # count is NOT NULL
    assert table.to_pydict() == {"k": ["a", "b"], "f0": [4, 2], "f1": [2, 1]}
    assert stored(runner, "sum-count", ("a",)) == [[4], [2]]
    assert stored(runner, "sum-count", ("b",)) == [[2], [1]]

    # The second bundle starts from the first one's totals: 'b' as this worker wrote it (the runner's state of
    # the operator changes only through its worker), 'c' as only the runner keeps it (put there as if an earlier
    # worker had), read in pieces (continuation tokens); its input comes embedded in the request.
    with runner._lock:
        runner.state[("sum-count", "udf", "accumulators", b"", b"('c',)")] = pickle.dumps([[100], [7]])
    runner.state_piece_size = 5
    try:
        second = runner.send_bundle("sum-count", ipc_bytes([keyed(["b", "c", "b"], [10, 5, 1])]), embedded=True)
        result = runner.result(second, embedded=True)
    finally:
        runner.state_piece_size = 0
    assert result.error == ""
    assert result.table().to_pydict() == {"k": ["b", "c"], "f0": [13, 105], "f1": [3, 8]}  # first appearance
    assert stored(runner, "sum-count", ("a",)) == [[4], [2]]  # untouched
    assert stored(runner, "sum-count", ("b",)) == [[13], [3]]
    assert stored(runner, "sum-count", ("c",)) == [[105], [8]]

    # One batched get (of the keys the worker does not know) and one batched append per bundle.
    requests = requests_of(runner, second)
    assert all(r.state_key.bag_user_state.transform_id == "udf" for r in requests)
    assert all(r.state_key.bag_user_state.user_state_id == "pyfn:batch:accumulators" for r in requests)
    assert all(r.state_key.bag_user_state.window == b"" for r in requests)
    gets = [r for r in requests if r.WhichOneof("request") == "get"]
    assert {r.state_key.bag_user_state.key for r in gets} == {encode_items([b"('c',)"])}  # 'b' is known to this worker
    assert len(gets) > 1 and gets[-1].get.continuation_token  # a long answer was read in pieces
    writes = [r for r in requests if r.WhichOneof("request") != "get"]
    assert [r.WhichOneof("request") for r in writes] == ["append"]
    assert writes[0].state_key.bag_user_state.key == b""
    assert decode_items(writes[0].append.data) == [b"('b',)", pickle.dumps([[13], [3]], pickle.HIGHEST_PROTOCOL),
                                                   b"('c',)", pickle.dumps([[105], [8]], pickle.HIGHEST_PROTOCOL)]
    assert len({r.id for r in runner.state_requests}) == len(runner.state_requests)  # ids are unique
    assert not runner.state_misuse  # every request came while its bundle was in progress
    assert "State" not in runner.refused and runner.calls_by_method.get("State") == 1  # one stream


def test_a_failed_bundle_makes_the_worker_forget_what_it_knew(runner):
    runner.register("forget", AGGREGATE_URN, functions(call(aggs.positive_sum, 1), grouping=[0]))
    assert runner.run("forget", ipc_bytes([keyed(["a"], [5])])).error == ""
    # 'a' gets 7 added in memory, then a row fails: the runner drops the bundle's writes, so must the worker.
    failed = runner.run("forget", ipc_bytes([keyed(["a", "b"], [7, -1])]))
    assert "negative value -1" in failed.error
    again = runner.send_bundle("forget", ipc_bytes([keyed(["a"], [1])]))
    result = runner.result(again)
    assert result.table().to_pydict() == {"k": ["a"], "f0": [6]}
    assert [r.WhichOneof("request") for r in requests_of(runner, again)] == ["get", "append"]


def test_null_keys_and_int_keys(runner):
    runner.register("null-keys", AGGREGATE_URN, functions(call(aggs.total, 1), grouping=[0]))
    batch = keyed([None, 7, None, 7, 8], [1, 2, 3, None, 5], key_type=pa.int32())
    result = runner.run("null-keys", ipc_bytes([batch]))
    assert result.error == ""
    table = result.table()
    assert table.schema.field("k").type == pa.int32() and table.schema.field("k").nullable
    assert table.to_pydict() == {"k": [None, 7, 8], "f0": [4, 2, 5]}
    assert stored(runner, "null-keys", (None,)) == [[4]]
    again = runner.run("null-keys", ipc_bytes([keyed([None], [10], key_type=pa.int32())]))
    assert again.table().to_pydict() == {"k": [None], "f0": [14]}


def test_several_calls_and_grouping_columns_in_one_operator(runner):
    runner.register("several", AGGREGATE_URN, functions(
        call(aggs.maximum, 2),
        call(aggs.weighted_avg, 2, (DataTypes.BIGINT(), "int_value", 2)),
        call(aggs.count),
        call(aggs.total, 2),
        grouping=[1, 0]))
    batch = pa.record_batch([pa.array(["x", "x", "y", "x"]), pa.array([1, 1, 1, 2], pa.int16()),
                             pa.array([5, 9, None, 1])], names=["s", "n", "v"])
    schema = pa.schema([("s", pa.string()), ("n", pa.int16()), ("v", pa.int64())])
    result = runner.run("several", ipc_bytes([batch.slice(0, 0), batch], schema=schema))
    assert result.error, "weighted_avg gets a NULL value"  # PyFlink's example does not skip NULLs
    assert "'weighted_avg'" in result.error and "row 2 of the bundle" in result.error and "(None, 2)" in result.error
    ok = pa.record_batch([pa.array(["x", "x", "y", "x"]), pa.array([1, 1, 1, 2], pa.int16()),
                          pa.array([5, 9, 4, 1])], names=["s", "n", "v"])
    result = runner.run("several", ipc_bytes([ok]))
    assert result.error == ""
    table = result.table()
    assert table.schema.names == ["n", "s", "f0", "f1", "f2", "f3"]
    assert table.schema.field("n").type == pa.int16() and table.schema.field("f1").type == pa.float64()
    assert table.to_pydict() == {"n": [1, 1, 2], "s": ["x", "y", "x"], "f0": [9, 4, 1], "f1": [7.0, 4.0, 1.0],
                                 "f2": [2, 1, 1], "f3": [14, 4, 1]}
    # the failed bundle left nothing behind: the runner dropped its writes
    assert stored(runner, "several", (1, "x")) is not None
    assert [len(stored(runner, "several", key)) for key in [(1, "x"), (1, "y"), (2, "x")]] == [4, 4, 4]
    assert stored(runner, "several", (1, "x"))[2] == [2]


def test_global_aggregate_without_grouping(runner):
    runner.register("global", AGGREGATE_URN, functions(call(aggs.total, 0), call(aggs.count)))
    first = runner.run("global", ipc_bytes([pa.record_batch([pa.array([1, 2, 3])], names=["v"])]))
    assert first.error == ""
    assert first.table().schema.names == ["f0", "f1"]
    assert first.table().to_pydict() == {"f0": [6], "f1": [3]}
    second = runner.run("global", ipc_bytes([pa.record_batch([pa.array([4])], names=["v"])]), embedded=True)
    assert second.table().to_pydict() == {"f0": [10], "f1": [4]}
    assert runner.state_keys("global") == [b"()"]


def test_empty_bundle_outputs_nothing_and_touches_no_state(runner):
    declared = functions(call(aggs.total, 1), grouping=[0])
    for name, data_type in (("k", DataTypes.STRING()), ("v", DataTypes.BIGINT())):
        declared.input_schema.fields.add(name=name).type.CopyFrom(data_type.to_proto())
    runner.register("agg-empty", AGGREGATE_URN, declared)
    schema = pa.schema([("k", pa.string()), ("v", pa.int64())])
    for data in (ipc_bytes([], schema=schema), b""):
        instruction_id = runner.send_bundle("agg-empty", data)
        result = runner.result(instruction_id)
        assert result.error == "" and result.table().num_rows == 0
        assert requests_of(runner, instruction_id) == []
    assert result.table().schema.names == ["k", "f0"]  # from the operator's declared input schema


def test_state_endpoint_named_in_the_descriptor(runner):
    runner.register("agg-state-url", AGGREGATE_URN, functions(call(aggs.count), grouping=[0]),
                    state_url="http://%s" % runner.url)
    result = runner.run("agg-state-url", ipc_bytes([keyed(["a", "a"], [1, 2])]))
    assert result.error == "" and result.table().to_pydict() == {"k": ["a"], "f0": [2]}
    assert runner.calls_by_method["State"] == 1  # the same endpoint: the same stream


# ---------------------------------------------------------------------------------------- errors

def test_raising_accumulate_names_function_row_arguments_and_traceback(runner):
    runner.register("fragile", AGGREGATE_URN, functions(call(aggs.positive_sum, 1), grouping=[0]))
    result = runner.run("fragile", ipc_bytes([keyed(["a", "b"], [1, 2]), keyed(["a", "b"], [3, -4])]))
    assert "function 'positive_sum' raised ValueError: negative value -4 in accumulate()" in result.error
    assert "for key ('b',)" in result.error
    assert "at row 3 of the bundle with arguments (-4)" in result.error
    assert "Traceback" in result.error and "udfs_aggregates.py" in result.error
    assert stored(runner, "fragile", ("a",)) is None  # nothing committed
    assert not runner.state_misuse  # the harness waited for its state answers before failing the bundle
    good = runner.run("fragile", ipc_bytes([keyed(["a"], [1])]))
    assert good.error == "" and good.table().to_pydict() == {"k": ["a"], "f0": [1]}


def test_raising_get_value_and_wrong_result_type_name_the_key(runner):
    runner.register("unlucky", AGGREGATE_URN, functions(call(aggs.positive_sum, 1), grouping=[0]))
    result = runner.run("unlucky", ipc_bytes([keyed(["a", "b"], [1, 13])]))
    assert "function 'positive_sum' raised RuntimeError: unlucky total in get_value() for key ('b',)" in result.error
    assert "Traceback" in result.error
    result = runner.run("unlucky", ipc_bytes([keyed(["c"], [101])]))
    assert "function 'positive_sum' returned 'a lot' from get_value() for key ('c',)" in result.error
    assert "not a valid BIGINT" in result.error
    assert runner.state_keys("unlucky") == []


def test_state_error_answer_fails_the_bundle_naming_it(runner):
    runner.register("state-fails", AGGREGATE_URN, functions(call(aggs.total, 1), grouping=[0]))
    runner.fail_state("disk full")
    try:
        instruction_id = runner.send_bundle("state-fails", ipc_bytes([keyed(["a"], [1])]))
        result = runner.result(instruction_id)
    finally:
        runner.fail_state(None)
    assert result.error.startswith("bundle %s: the runner's State service failed a get: disk full" % instruction_id)
    assert ("(request state-%s, a batched get of bag user state 'accumulators' of transform 'udf', 1 key b\"('a',)\")"
            % result.error.split("(request state-")[1].split(",")[0]) in result.error

    runner.fail_state("read-only", kinds=("append",))
    try:
        instruction_id = runner.send_bundle("state-fails", ipc_bytes([keyed(["a"], [1])]))
        result = runner.result(instruction_id)
    finally:
        runner.fail_state(None)
    assert "bundle %s: the runner's State service failed an append: read-only" % instruction_id in result.error
    assert "batched writes of bag user state 'accumulators' of transform 'udf'" in result.error
    assert runner.state_keys("state-fails") == []
    assert not runner.state_misuse
    # the harness goes on, and the state stream too
    result = runner.run("state-fails", ipc_bytes([keyed(["a"], [1])]))
    assert result.error == "" and result.table().to_pydict() == {"k": ["a"], "f0": [1]}
    assert stored(runner, "state-fails", ("a",)) == [[1]]


# -------------------------------------------------------------------------------- worker lifetime

def test_class_function_open_close_metrics_and_a_fresh_worker_continuing(tmp_path):
    marker = tmp_path / "closed.txt"
    fake = FakeRunner(pipeline_options={"python.files": HERE})
    process = fake.start_worker()
    try:
        fake.wait_connected()
        fake.register("tagged", AGGREGATE_URN, functions(
            call(aggs.tagged, 1), grouping=[0], metric_enabled=True,
            job_parameters={"tag": "t", "close_marker": str(marker)}))
        first = fake.run("tagged", ipc_bytes([keyed(["a", "b", "a"], [1, 2, 3])]))
        assert first.error == ""
        assert first.table().to_pydict() == {"k": ["a", "b"], "f0": ["t:2/1", "t:1/1"]}
        infos = {(i.labels["NAMESPACE"], i.labels["NAME"]): i for i in first.response.process_bundle.monitoring_infos}
        rows = infos[("tagged", "rows")]
        assert rows.labels["PTRANSFORM"] == "udf" and rows.labels["PYFN_FUNCTION"] == "tagged"
        assert decode_varints(rows.payload) == [3]
        second = fake.run("tagged", ipc_bytes([keyed(["b"], [4])]))
        assert second.table().to_pydict() == {"k": ["b"], "f0": ["t:2/1"]}  # opened once
        assert not marker.exists()
        fake.end_control()
        assert process.wait(timeout=20) == 0
        assert marker.read_text() == "closed after 1 open"
        stop_process(process)

        # A new worker process knows nothing; the runner's state carries the counts on.
        process = fake.start_worker()
        fake.wait_connected()
        third = fake.run("tagged", ipc_bytes([keyed(["a", "c"], [5, 6])]))
        assert third.error == ""
        assert third.table().to_pydict() == {"k": ["a", "c"], "f0": ["t:3/1", "t:1/1"]}
        assert fake.calls_by_method["State"] == 2  # each worker opened its own stream
        assert not fake.refused and not fake.state_misuse
    finally:
        fake.stop()
        stop_process(process)


# ------------------------------------------------------------------------ refusals, in-process

def _operation(*calls, **kwargs):
    return AggregateOperation(functions(*calls, **kwargs), FunctionLifecycle({}, MetricGroup()), transform_id="udf")


def test_refused_calls():
    pandas_max = call(aggs.total, 0)
    pandas_max.kind = udf_pb2.UserDefinedFunction.Kind.PANDAS_AGGREGATE
    with pytest.raises(BundleError, match="pandas aggregate functions .*are not supported yet"):
        _operation(pandas_max)
    nested = call(aggs.total, call(style.add_one, 0))
    with pytest.raises(BundleError, match="'total': argument 0 is a nested call"):
        _operation(nested)
    with pytest.raises(BundleError, match="runs AGGREGATE calls, not SCALAR"):
        _operation(call(style.add_one, 0))
    with pytest.raises(BundleError, match="at least one function"):
        _operation()


def test_describe_reports_aggregates():
    output = subprocess.run([sys.executable, "-m", "pyfn.describe", os.path.join(HERE, "udfs_aggregates.py"),
                             "total", "count", "weighted_avg"], capture_output=True, text=True, check=True)
    described = {d["name"]: d for d in map(json.loads, output.stdout.splitlines())}
    assert described["total"]["kind"] == "AGGREGATE" and described["total"]["result_type"] == "BIGINT"
    assert described["total"]["accumulator_type"] == "ARRAY<BIGINT>"
    assert described["count"]["result_type"] == "BIGINT NOT NULL"  # from get_result_type()
    assert described["weighted_avg"]["accumulator_type"] == "ROW<f0 BIGINT, f1 BIGINT>"
