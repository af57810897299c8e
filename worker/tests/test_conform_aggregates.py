"""Aggregates as PyFlink's test_udaf.py uses them — ListView / MapView accumulators, DISTINCT — through the real
worker against the in-test runner (process mode) and through EmbeddedWorker (thread mode), whose State path keeps
the accumulators in the interpreter with the runner's commit rule."""

import json
import os
import pickle
import sys

import pyarrow as pa
import pytest

import udfs_aggregates as aggs
import udfs_conform as conform
from descriptors import call_message as call, functions
from fake_runner import AGGREGATE_URN, ipc_bytes, make_descriptor
from pyfn import DataTypes
from pyfn.table import ListView, MapView
from pyfn.table.data_view import ListView as ListViewByModule
from pyfn.worker import embedded, embedded_state
from pyfn.worker.distinct_aggregate import DistinctAggregate
from test_embedded import run

HERE = os.path.dirname(os.path.abspath(__file__))


def keyed(keys, values, value_type=pa.string()):
    return pa.record_batch([pa.array(keys, pa.string()), pa.array(values, value_type)], names=["k", "v"])


def distinct(message):
    message.distinct = True
    return message


@pytest.fixture()
def started():
    saved = list(sys.path)
    embedded.start(json.dumps({"python.files": HERE}))
    yield
    sys.path[:] = saved
    embedded.drain_logs()


# ------------------------------------------------------------------------------------ data views

def test_list_view_and_map_view_behave_as_pyflinks():
    assert ListView is ListViewByModule
    view = ListView()
    view.add("a")
    view.add_all(["b", "c"])
    assert list(view.get()) == ["a", "b", "c"] and list(view) == ["a", "b", "c"]
    other = ListView()
    other.add_all(["a", "b", "c"])
    assert view == other and hash(view) == hash(other)
    view.clear()
    assert list(view) == [] and view != other
    mapping = MapView()
    mapping.put("x", 1)
    mapping.put_all({"y": 2, "z": 3})
    mapping["w"] = 4
    del mapping["z"]
    mapping.remove("absent")
    assert mapping.get("x") == 1 and mapping.get("absent") is None and mapping["y"] == 2
    assert mapping.contains("w") and "w" in mapping and not mapping.contains("z")
    assert sorted(mapping.keys()) == ["w", "x", "y"] and sorted(mapping.values()) == [1, 2, 4]
    assert sorted(mapping.items()) == [("w", 4), ("x", 1), ("y", 2)] and sorted(mapping) == ["w", "x", "y"]
    assert not mapping.is_empty()
    mapping.clear()
    assert mapping.is_empty()
    assert DataTypes.LIST_VIEW(DataTypes.STRING()).sql() == "ARRAY<STRING>"
    assert DataTypes.MAP_VIEW(DataTypes.STRING(), DataTypes.BIGINT()).sql() == "MAP<STRING, BIGINT>"


def test_views_in_accumulators_carry_over_bundles_through_the_runners_state(runner):
    runner.register("views", AGGREGATE_URN, functions(
        call(conform.list_view_concat, 1, (DataTypes.STRING(), "string_value", "|")),
        call(conform.count_distinct, 1), grouping=[0]))
    first = runner.run("views", ipc_bytes([keyed(["a", "a", "b"], ["x", "y", "z"])]))
    assert first.error == ""
    assert first.table().to_pydict() == {"k": ["a", "b"], "f0": ["x|y", "z"], "f1": [2, 1]}
    second = runner.run("views", ipc_bytes([keyed(["a", "b"], ["x", "q"])]))
    assert second.table().to_pydict() == {"k": ["a", "b"], "f0": ["x|y|x", "z|q"], "f1": [2, 2]}
    stored = pickle.loads(runner.state_value("views", b"('a',)"))
    assert isinstance(stored[0][0], ListView) and list(stored[0][0]) == ["x", "y", "x"]
    assert isinstance(stored[1][0], MapView) and dict(stored[1][0].items()) == {"x": 2, "y": 1}


# --------------------------------------------------------------------------------------- DISTINCT

def test_distinct_accumulates_each_value_once_per_key(runner):
    runner.register("distinct", AGGREGATE_URN, functions(distinct(call(aggs.total, 1)), call(aggs.total, 1),
                                                          grouping=[0]))
    batch = pa.record_batch([pa.array(["a", "a", "b", "a", "b"]), pa.array([1, 2, 3, 1, 3])], names=["k", "v"])
    first = runner.run("distinct", ipc_bytes([batch]))
    assert first.error == ""
    assert first.table().to_pydict() == {"k": ["a", "b"], "f0": [3, 3], "f1": [4, 6]}
    # Seen values are remembered across bundles (in the runner's state).
    again = runner.run("distinct", ipc_bytes([pa.record_batch([pa.array(["a", "a"]), pa.array([2, 7])],
                                                               names=["k", "v"])]))
    assert again.table().to_pydict() == {"k": ["a"], "f0": [10], "f1": [13]}


class RetractableSum(aggs.Sum):
    def retract(self, accumulator, value):
        accumulator[0] -= value


def test_distinct_retracts_a_value_when_its_last_occurrence_goes():
    wrapper = DistinctAggregate(RetractableSum())
    accumulator = wrapper.create_accumulator()
    for value in [5, 5, 7]:
        wrapper.accumulate(accumulator, value)
    assert wrapper.get_value(accumulator) == 12
    wrapper.retract(accumulator, 5)
    assert wrapper.get_value(accumulator) == 12  # one 5 is left
    wrapper.retract(accumulator, 5)
    assert wrapper.get_value(accumulator) == 7
    unhashable = DistinctAggregate(aggs.Count())
    accumulator = unhashable.create_accumulator()
    unhashable.accumulate(accumulator, [1, 2])
    unhashable.accumulate(accumulator, [1, 2])
    unhashable.accumulate(accumulator, [2, 1])
    assert accumulator[0] == {((1, 2),): 2, ((2, 1),): 1}  # a list argument counted by its items
    assert unhashable.get_value(accumulator) == 2


# ------------------------------------------------------------------------- embedded mode's State path

def embedded_worker(descriptor_id, functions_message, worker_id):
    worker = embedded.EmbeddedWorker(worker_id)
    worker.register(make_descriptor(descriptor_id, AGGREGATE_URN, functions_message, "").SerializeToString())
    return worker


def test_embedded_aggregates_commit_only_bundles_that_succeed(started):
    message = functions(call(aggs.positive_sum, 1), distinct(call(aggs.total, 1)), grouping=[0])
    worker = embedded_worker("embedded-agg-1", message, "embedded-a")
    first = run(worker, "embedded-agg-1", keyed(["a", "b", "a"], [5, 1, 5], pa.int64()), "bundle-1")
    assert first.error == ""
    assert first.batch.to_pydict() == {"k": ["a", "b"], "f0": [10, 1], "f1": [5, 1]}
    assert embedded_state.committed_keys("embedded-agg-1") == 2
    # 'a' gets 7 in memory, then a row fails: nothing of the bundle is committed.
    failed = run(worker, "embedded-agg-1", keyed(["a", "b"], [7, -1], pa.int64()), "bundle-2")
    assert "negative value -1" in failed.error
    again = run(worker, "embedded-agg-1", keyed(["a"], [1], pa.int64()), "bundle-3")
    assert again.batch.to_pydict() == {"k": ["a"], "f0": [11], "f1": [6]}
    assert worker.close() == ""
    # A worker that replaces it (same descriptor) goes on from the committed state.
    successor = embedded_worker("embedded-agg-1", message, "embedded-b")
    later = run(successor, "embedded-agg-1", keyed(["b", "a"], [2, 5], pa.int64()), "bundle-4")
    assert later.batch.to_pydict() == {"k": ["b", "a"], "f0": [3, 16], "f1": [3, 6]}
    assert successor.close() == ""
    embedded_state.forget("embedded-agg-1")
    assert embedded_state.committed_keys("embedded-agg-1") == 0


def test_embedded_views_and_distinct_give_what_process_mode_gives(started, runner):
    message = functions(call(conform.list_view_concat, 1, (DataTypes.STRING(), "string_value", ",")),
                        distinct(call(conform.count_distinct, 1)), grouping=[0])
    worker = embedded_worker("embedded-views", message, "embedded-c")
    runner.register("process-views", AGGREGATE_URN, message)
    for index, batch in enumerate([keyed(["a", "a", "b"], ["x", "y", "z"]), keyed(["a"], ["x"])]):
        thread = run(worker, "embedded-views", batch, "bundle-%d" % index)
        process = runner.run("process-views", ipc_bytes([batch]))
        assert thread.error == "" and process.error == ""
        assert thread.batch.to_pydict() == process.table().to_pydict()
    assert thread.batch.to_pydict() == {"k": ["a"], "f0": ["x,y,x"], "f1": [2]}
    assert worker.close() == ""
    embedded_state.forget("embedded-views")
