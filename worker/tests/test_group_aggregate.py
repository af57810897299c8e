"""Aggregates over whole groups (`pyfn:transform:group_aggregate:v1`): general and Pandas UDAFs in a real
`python -m pyfn.worker`, each result checked against the same aggregate computed here in plain Python."""

import random

import pyarrow as pa
import pytest

import udfs_windows as w
from descriptors import call_message as call, functions
from fake_runner import ipc_bytes
from pyfn.metrics import MetricGroup
from pyfn.worker.errors import BundleError
from pyfn.worker.function_loader import FunctionLifecycle
from pyfn.worker.group_aggregate_operation import GroupAggregateOperation

URN = "pyfn:transform:group_aggregate:v1"


def grouped(groups, keys, values, weights=None):
    arrays = [pa.array(groups, pa.int64()), pa.array(keys, pa.string()), pa.array(values, pa.int64())]
    names = ["__group", "k", "v"]
    if weights is not None:
        arrays.append(pa.array(weights, pa.float64()))
        names.append("w")
    return pa.record_batch(arrays, names=names)


def test_general_and_pandas_udafs_give_one_row_per_group_as_plain_python_computes(runner):
    rng = random.Random(7)
    rows = []
    for group in range(50):
        for _ in range(rng.randint(1, 30)):
            rows.append((group, "k%d" % (group % 7), rng.randint(-100, 100), rng.uniform(0.5, 2.0)))
    expected = {}
    for group, _, value, weight in rows:
        expected.setdefault(group, []).append((value, weight))
    runner.register("group-agg", URN, functions(call(w.py_sum, 2), call(w.pd_mean, 2), call(w.pd_weighted, 2, 3),
                                                grouping=[1], arrow_batch_size=16))
    # The bundle's rows arrive in three batches; a group spans two of them.
    batches = [grouped(*map(list, zip(*part))) for part in (rows[:10], rows[10:200], rows[200:])]
    result = runner.result(runner.send_bundle("group-agg", ipc_bytes(batches)))
    assert result.error == ""
    table = result.table()
    assert table.schema.names == ["__group", "f0", "f1", "f2"]
    out = table.to_pydict()
    assert out["__group"] == sorted(expected)
    for group, s, mean, weighted in zip(out["__group"], out["f0"], out["f1"], out["f2"]):
        values = [v for v, _ in expected[group]]
        assert s == sum(values)
        assert mean == pytest.approx(sum(values) / len(values))
        assert weighted == pytest.approx(sum(v * x for v, x in expected[group]) / sum(x for _, x in expected[group]))


def test_a_raising_accumulate_names_the_function_the_group_and_the_row(runner):
    runner.register("group-agg-error", URN, functions(call(w.explode, 2), grouping=[1]))
    batch = grouped([0, 0, 1, 1], ["a", "a", "b", "b"], [1, 2, 3, 13])
    result = runner.result(runner.send_bundle("group-agg-error", ipc_bytes([batch])))
    assert "function 'explode' raised ValueError: unlucky in accumulate() for group ('b',) at row 3 of the bundle" \
        " with arguments (13)" in result.error


def test_group_numbers_that_come_back_are_refused():
    operation = GroupAggregateOperation(functions(call(w.py_sum, 2)), FunctionLifecycle({}, MetricGroup()))

    class Writer:
        def write_batch(self, batch):
            pass

    with pytest.raises(BundleError, match="not consecutive"):
        operation.process([grouped([0, 1, 0], ["a", "b", "a"], [1, 2, 3])], Writer())
