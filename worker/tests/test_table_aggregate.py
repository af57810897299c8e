"""Table aggregate functions over whole groups (`pyfn:transform:table_aggregate:v1`) in a real
`python -m pyfn.worker`: a top-2-per-key udtaf checked against the same result computed here in plain Python."""

import random

import pyarrow as pa
import pytest

import udfs_table_aggregates as t
from descriptors import call_message as call, functions
from fake_runner import ipc_bytes
from pyfn import DataTypes, udtaf
from pyfn.metrics import MetricGroup
from pyfn.worker.errors import BundleError, FunctionError
from pyfn.worker.function_loader import FunctionLifecycle
from pyfn.worker.table_aggregate_operation import TableAggregateOperation

URN = "pyfn:transform:table_aggregate:v1"


def grouped(groups, keys, values):
    return pa.record_batch([pa.array(groups, pa.int64()), pa.array(keys, pa.string()), pa.array(values, pa.int64())],
                           names=["__group", "k", "v"])


def reference_top2(rows):
    """(group, value, rank) rows: the two largest non-NULL values per group, in plain Python."""
    by_group = {}
    for group, _, value in rows:
        by_group.setdefault(group, [])
        if value is not None:
            by_group[group].append(value)
    out = []
    for group in sorted(by_group):
        for rank, value in enumerate(sorted(by_group[group], reverse=True)[:2], 1):
            out.append((group, value, rank))
    return out


def test_top2_per_group_matches_plain_python(runner):
    rng = random.Random(11)
    rows = []
    for group in range(60):
        for _ in range(rng.randint(1, 12)):
            rows.append((group, "k%d" % group, rng.choice([None] + list(range(-50, 50)))))
    runner.register("top2", URN, functions(call(t.top2, 2), grouping=[1], arrow_batch_size=7))
    # Three batches; groups span batch boundaries.
    batches = [grouped(*map(list, zip(*part))) for part in (rows[:5], rows[5:150], rows[150:])]
    result = runner.result(runner.send_bundle("top2", ipc_bytes(batches)))
    assert result.error == ""
    table = result.table()
    assert table.schema.names == ["__group", "v", "rank"]
    out = table.to_pydict()
    assert list(zip(out["__group"], out["v"], out["rank"])) == reference_top2(rows)


def test_an_emit_value_that_raises_names_the_function_and_the_group(runner):
    runner.register("top2-error", URN, functions(call(t.emit_fails, 2), grouping=[1]))
    batch = grouped([0, 0, 1, 1], ["a", "a", "b", "b"], [1, 2, 3, 13])
    result = runner.result(runner.send_bundle("top2-error", ipc_bytes([batch])))
    assert "function 'emit_fails' raised ValueError: unlucky in emit_value() for group ('b',)" in result.error


def test_a_row_of_the_wrong_width_names_the_function_and_the_group():
    class Bad(t.Top2):
        def emit_value(self, accumulator):
            yield (1, 2, 3)

    bad = udtaf(Bad(), name="bad", result_type=t.top2.result_type)
    operation = TableAggregateOperation(functions(call(bad, 2, by_value=True), grouping=[1]),
                                        FunctionLifecycle({}, MetricGroup()))
    with pytest.raises(FunctionError, match=r"function 'bad' emit_value\(\) yielded \(1, 2, 3\) for group \('a',\); "
                                        r"expected a tuple or Row of 2 values"):
        operation.process([grouped([0], ["a"], [5])], None)


def test_a_function_that_is_not_a_table_aggregate_is_refused():
    from udfs_windows import py_sum
    with pytest.raises(BundleError, match="is not a TableAggregateFunction"):
        TableAggregateOperation(functions(call(py_sum, 2)), FunctionLifecycle({}, MetricGroup()))


def test_udtaf_refuses_a_plain_object_and_a_missing_result_type():
    with pytest.raises(TypeError, match="must be a TableAggregateFunction instance"):
        udtaf(lambda acc: acc, result_type=DataTypes.ROW([DataTypes.FIELD("a", DataTypes.INT())]))
    with pytest.raises(TypeError, match="has no result_type"):
        udtaf(t.Top2())
