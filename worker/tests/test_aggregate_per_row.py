"""The per-row mode of aggregate functions (an input column `__pyfn_emit__`, for OVER windows with an UNBOUNDED
PRECEDING frame): a real `python -m pyfn.worker` against the in-test runner, its per-row values checked against
running sums computed here, across bundles (the accumulators in the runner's state)."""

import pyarrow as pa

import udfs_aggregates as aggs
from descriptors import call_message as call, functions
from fake_runner import AGGREGATE_URN, ipc_bytes
from pyfn.worker.aggregate_operation import EMIT_COLUMN


def rows(keys, values, emits):
    return pa.record_batch([pa.array(keys, pa.string()), pa.array(values, pa.int64()), pa.array(emits, pa.bool_())],
                           names=["k", "v", EMIT_COLUMN])


def test_each_flagged_row_gets_the_value_after_it_and_bundles_go_on_from_the_state(runner):
    runner.register("per-row", AGGREGATE_URN, functions(call(aggs.total, 1), call(aggs.count), grouping=[0]))
    # 'b''s two rows share one time (a RANGE frame): only the second asks for the value.
    first = runner.run("per-row", ipc_bytes([rows(["a", "b", "a", "b", "b"], [1, 10, 2, 20, 5], [True, False, True, True, True])]))
    assert first.error == ""
    assert list(zip(*first.table().to_pydict().values())) == [("a", 1, 1), ("a", 3, 2), ("b", 30, 2), ("b", 35, 3)]
    second = runner.run("per-row", ipc_bytes([rows(["b", "a"], [1, 4], [True, True])]))
    assert second.error == ""
    assert list(zip(*second.table().to_pydict().values())) == [("b", 36, 4), ("a", 7, 3)]


def test_a_raising_get_value_names_the_key_and_row(runner):
    runner.register("per-row-raise", AGGREGATE_URN, functions(call(aggs.positive_sum, 1), grouping=[0]))
    result = runner.run("per-row-raise", ipc_bytes([rows(["a", "a", "a"], [6, 7, 1], [True, True, True])]))
    assert "function 'positive_sum' raised RuntimeError: unlucky total in get_value() for key ('a',)" in result.error, \
        result.error
    assert "row 1" in result.error, result.error
