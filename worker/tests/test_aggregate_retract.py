"""Aggregate functions over many keys, rows taken back (`retract`), and SQL's built-ins as aggregate functions:
a real `python -m pyfn.worker` against the in-test runner, checked against sums computed here in plain Python."""

import math
import pickle
import random

import pyarrow as pa
import pytest

import udfs_aggregates as aggs
from descriptors import call_message as call, functions
from fake_runner import AGGREGATE_URN, ipc_bytes
from pyfn import DataTypes
from pyfn.proto.pyfn import udf_pb2
from pyfn.worker.aggregate_operation import RETRACT_COLUMN


def builtin(name, result_type, *columns):
    """A call of one of pyfn.worker.builtin_aggregates, by reference, as the runner makes it."""
    message = udf_pb2.UserDefinedFunction(name=name, kind=udf_pb2.UserDefinedFunction.Kind.AGGREGATE)
    message.reference.module = "pyfn.worker.builtin_aggregates"
    message.reference.qualified_name = name
    message.result_type.CopyFrom(result_type.to_proto())
    for column in columns:
        message.inputs.add().column = column
    return message


def changes(keys, values, retracts, key_type=pa.int64(), value_type=pa.int64()):
    return pa.record_batch([pa.array(keys, key_type), pa.array(values, value_type), pa.array(retracts, pa.bool_())],
                           names=["k", "v", RETRACT_COLUMN])


def latest(results):
    """The latest row per key over bundle results (each a table), as {key: row tuple}."""
    rows = {}
    for table in results:
        columns = table.to_pydict()
        names = list(columns)
        for index in range(table.num_rows):
            rows[columns[names[0]][index]] = tuple(columns[n][index] for n in names[1:])
    return rows


def test_many_keys_in_batches_match_plain_python(runner):
    # 40 batches over 3 bundles, 2,000 int keys in random order: each key's sum and count as a dict computes them.
    random.seed(7)
    runner.register("many", AGGREGATE_URN, functions(call(aggs.total, 1), call(aggs.count, 1), grouping=[0],
                                                     arrow_batch_size=700))
    expected_sum, expected_count, results = {}, {}, []
    for _bundle in range(3):
        batches = []
        for _batch in range(40 // 3 + 1):
            keys = [random.randrange(2000) for _ in range(500)]
            values = [random.randrange(-1000, 1000) for _ in keys]
            for key, value in zip(keys, values):
                expected_sum[key] = expected_sum.get(key, 0) + value
                expected_count[key] = expected_count.get(key, 0) + 1
            batches.append(pa.record_batch([pa.array(keys, pa.int64()), pa.array(values, pa.int64())], names=["k", "v"]))
        result = runner.run("many", ipc_bytes(batches))
        assert result.error == ""
        results.append(result.table())
    assert latest(results) == {k: (expected_sum[k], expected_count[k]) for k in expected_sum}
    # One batched get per batch with new keys and one batched write per bundle.
    kinds = [r.WhichOneof("request") for r in runner.state_requests
             if r.state_key.bag_user_state.transform_id == "udf" and r.instruction_id.startswith("bundle")]
    assert kinds.count("append") >= 3


def test_float_and_null_keys_are_told_apart_as_python_prints_them(runner):
    # 0.0 and -0.0 print differently, so they are two keys (Arrow would equate them); NaNs print alike: one key.
    keys = [0.0, -0.0, float("nan"), None, 0.0, float("nan"), None, -0.0, 1.5]
    runner.register("floats", AGGREGATE_URN, functions(call(aggs.total, 1), grouping=[0]))
    result = runner.run("floats", ipc_bytes([pa.record_batch([pa.array(keys, pa.float64()), pa.array(range(9), pa.int64())],
                                                             names=["k", "v"])]))
    assert result.error == ""
    out = result.table().to_pydict()
    rows = [(repr(k), v) for k, v in zip(out["k"], out["f0"])]
    assert rows == [("0.0", 0 + 4), ("-0.0", 1 + 7), ("nan", 2 + 5), ("None", 3 + 6), ("1.5", 8)]


def test_retracted_rows_are_taken_back_by_builtins_and_python_functions(runner):
    calls = [builtin("count_star", DataTypes.BIGINT(False)), builtin("sum_exact", DataTypes.BIGINT(), 1),
             builtin("min_with_retract", DataTypes.BIGINT(), 1), builtin("max_with_retract", DataTypes.BIGINT(), 1),
             builtin("avg", DataTypes.DOUBLE(), 1), call(aggs.retractable_sum, 1)]
    runner.register("retract", AGGREGATE_URN, functions(*calls, grouping=[0]))
    first = runner.run("retract", ipc_bytes([changes([1, 1, 2, 1], [5, 9, 4, 7], [False] * 4)]))
    assert first.error == ""
    assert latest([first.table()]) == {1: (3, 21, 5, 9, 7.0, 21), 2: (1, 4, 4, 4, 4.0, 4)}
    # 9 (the max) and 5 (the min) are taken back from key 1, 3 arrives; key 2 loses its only row.
    second = runner.run("retract", ipc_bytes([changes([1, 1, 1, 2], [9, 3, 5, 4], [True, False, True, True])]))
    assert second.error == ""
    assert latest([second.table()]) == {1: (2, 10, 3, 7, 5.0, 10), 2: (0, None, None, None, None, 0)}
    assert pickle.loads(runner.state_value("retract", b"(1,)"))[2] == {7: 1, 3: 1}


def test_a_function_without_retract_names_itself_when_rows_are_taken_back(runner):
    runner.register("no-retract", AGGREGATE_URN, functions(call(aggs.total, 1), grouping=[0]))
    assert runner.run("no-retract", ipc_bytes([changes([1], [5], [False])])).error == ""
    result = runner.run("no-retract", ipc_bytes([changes([1], [5], [True])]))
    assert "function 'total' has no retract() but its input takes rows back" in result.error
    assert "for key (1,)" in result.error


def test_raising_retract_names_the_row(runner):
    runner.register("min-plain", AGGREGATE_URN, functions(builtin("min_value", DataTypes.BIGINT(), 1), grouping=[0]))
    result = runner.run("min-plain", ipc_bytes([changes([1, 1], [5, 6], [False, True])]))
    assert "function 'min_value' raised ValueError: MIN cannot take back a row" in result.error
    assert "in retract() for key (1,)" in result.error


@pytest.mark.parametrize("rows", [1, 997])
def test_global_aggregate_in_one_loop(runner, rows):
    runner.register("global-%d" % rows, AGGREGATE_URN, functions(call(aggs.total, 0), builtin("avg", DataTypes.DOUBLE(), 0)))
    values = list(range(rows))
    result = runner.run("global-%d" % rows, ipc_bytes([pa.record_batch([pa.array(values, pa.int64())], names=["v"])]))
    assert result.error == ""
    out = result.table().to_pydict()
    assert out["f0"] == [sum(values)] and math.isclose(out["f1"][0], sum(values) / rows)


def test_keys_of_several_columns_and_types_match_plain_python(runner):
    import datetime
    import decimal

    random.seed(3)
    rows = 3000
    names = [random.choice(["a", "b", None, "é"]) for _ in range(rows)]
    numbers = [random.choice([1, 2, None]) for _ in range(rows)]
    days = [random.choice([datetime.date(2026, 1, 1), datetime.date(2026, 12, 1), None]) for _ in range(rows)]
    amounts = [random.choice([decimal.Decimal("1.50"), decimal.Decimal("-2.00"), None]) for _ in range(rows)]
    values = [random.randrange(100) for _ in range(rows)]
    batch = pa.record_batch([pa.array(names, pa.string()), pa.array(numbers, pa.int32()), pa.array(days, pa.date32()),
                             pa.array(amounts, pa.decimal128(5, 2)), pa.array(values, pa.int64())],
                            names=["s", "i", "d", "m", "v"])
    runner.register("multi", AGGREGATE_URN, functions(call(aggs.total, 4), grouping=[0, 1, 2, 3], arrow_batch_size=512))
    result = runner.run("multi", ipc_bytes([batch.slice(0, 1700), batch.slice(1700)]))
    assert result.error == ""
    expected, order = {}, []
    for key, value in zip(zip(names, numbers, days, amounts), values):
        if key not in expected:
            order.append(key)
        expected[key] = expected.get(key, 0) + value
    out = result.table().to_pydict()
    assert list(zip(out["s"], out["i"], out["d"], out["m"])) == order  # first appearance
    assert out["f0"] == [expected[k] for k in order]
