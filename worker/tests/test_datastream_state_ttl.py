"""Keyed state time-to-live (StateTtlConfig) in a real worker against the in-test runner's State service: values
expire at the processing time Flink's rules say (each record sets the probe's clock, ttl_state's test hook), per
element in a ListState and per entry in a MapState; the write times are part of the runner's state, which a failed
bundle leaves unchanged; and one job end to end on the wall clock. Expected results follow Flink's TTL rules (see NOTES-ttl.md for the PyFlink 2.3 run)."""

import os
import pickle

import pytest

from datastream_runner import collect, require_runner
from datastream_ttl_functions import LastWithTtl, TtlProbe
from fake_runner import FakeRunner, ipc_bytes, stop_process
from pyfn.common import Duration, Time, Types
from pyfn.datastream import StreamExecutionEnvironment
from pyfn.datastream.state import StateTtlConfig, ValueStateDescriptor
from pyfn.datastream.trigger_state import window_state
from pyfn.worker.datastream.keyed_state import KeyedStateBackend
from pyfn.worker.datastream.records import unpickle_column
from test_datastream_operation import KEYED_URN, PICKLED, chain, keyed

HERE = os.path.dirname(os.path.abspath(__file__))


def run_probe(runner, name: str, probe: TtlProbe, bundles):
    """Runs each bundle of (key, (now_ms, method, *args)) records through `probe`; returns each bundle's results
    (the emitted (key, method, result) records), or its error."""
    runner.register(name, KEYED_URN, chain(("keyed_process", probe, "probe", PICKLED), keyed_input=True))
    results = []
    for records in bundles:
        result = runner.run(name, ipc_bytes([keyed([k for k, _ in records], [r for _, r in records])]))
        results.append(result.error or [r[1:] if r[0] == "k" else r for r in
                                        unpickle_column(result.table().column("value").combine_chunks())])
    return results


def test_a_value_state_expires_between_two_records_of_a_key(runner):
    results = run_probe(runner, "ttl-value", TtlProbe("value", 300), [
        [("k", (0, "update", "x")), ("other", (250, "update", "y")), ("k", (299, "value"))],
        [("k", (300, "value")), ("other", (300, "value"))]])
    assert results == [[("update", None), ("other", "update", None), ("value", "x")],
                       [("value", None), ("other", "value", "y")]]


@pytest.mark.parametrize("read_and_write, expected", [(True, "x"), (False, None)])
def test_on_read_and_write_keeps_a_read_value_alive(runner, read_and_write, expected):
    results = run_probe(runner, "ttl-read-%s" % read_and_write, TtlProbe("value", 300, read_and_write), [
        [("k", (0, "update", "x")), ("k", (200, "value"))], [("k", (450, "value"))]])
    assert results == [[("update", None), ("value", "x")], [("value", expected)]]


def test_return_expired_if_not_cleaned_up_returns_an_expired_value_once(runner):
    results = run_probe(runner, "ttl-return", TtlProbe("value", 300, return_expired=True), [
        [("k", (0, "update", "x")), ("k", (300, "value"))], [("k", (301, "value"))]])
    assert results == [[("update", None), ("value", "x")], [("value", None)]]


def test_map_state_entries_expire_separately(runner):
    results = run_probe(runner, "ttl-map", TtlProbe("map", 300), [
        [("k", (0, "put", "a", 1)), ("k", (200, "put", "b", 2)), ("k", (250, "items"))],
        [("k", (300, "items")), ("k", (300, "get", "a")), ("k", (300, "get", "b")), ("k", (300, "contains", "b")),
         ("k", (300, "is_empty"))],
        [("k", (500, "contains", "b")), ("k", (500, "is_empty")), ("k", (500, "keys"))]])
    assert results == [[("put", None), ("put", None), ("items", [("a", 1), ("b", 2)])],
                       [("items", [("b", 2)]), ("get", None), ("get", 2), ("contains", True), ("is_empty", False)],
                       [("contains", False), ("is_empty", True), ("keys", [])]]


def test_on_read_and_write_renews_only_the_map_entries_read(runner):
    results = run_probe(runner, "ttl-map-read", TtlProbe("map", 300, read_and_write=True), [
        [("k", (0, "put", "a", 1)), ("k", (0, "put", "b", 2)), ("k", (200, "get", "a"))], [("k", (450, "items"))]])
    assert results == [[("put", None), ("put", None), ("get", 1)], [("items", [("a", 1)])]]


@pytest.mark.parametrize("read_and_write, expected", [(False, [2]), (True, [1, 2])])
def test_list_state_elements_expire_one_by_one(runner, read_and_write, expected):
    results = run_probe(runner, "ttl-list-%s" % read_and_write, TtlProbe("list", 300, read_and_write), [
        [("k", (0, "add", 1)), ("k", (200, "add", 2)), ("k", (250, "get"))], [("k", (300, "get"))]])
    assert results == [[("add", None), ("add", None), ("get", [1, 2])], [("get", expected)]]


@pytest.mark.parametrize("kind, values", [("reducing", (3, 5)), ("aggregating", ("3/2", "5/1"))])
def test_reducing_and_aggregating_state_start_again_after_expiry(runner, kind, values):
    results = run_probe(runner, "ttl-" + kind, TtlProbe(kind, 300), [
        [("k", (0, "add", 1)), ("k", (100, "add", 2)), ("k", (399, "get"))], [("k", (400, "add", 5)),
                                                                               ("k", (400, "get"))]])
    assert results == [[("add", None), ("add", None), ("get", values[0])], [("add", None), ("get", values[1])]]


def test_write_times_are_kept_by_the_runner_and_a_failed_bundle_renews_nothing(runner):
    probe = TtlProbe("value", 300, read_and_write=True)
    assert run_probe(runner, "ttl-stamps", probe, [[("k", (7, "update", "x"))]]) == [[("update", None)]]
    key = pickle.dumps("k", 4)
    assert pickle.loads(runner.state_value("ttl-stamps", key, user_state_id="probe")) == ("x", 7)
    runner.fail_state("injected", kinds=("append",))
    try:
        failed = runner.run("ttl-stamps", ipc_bytes([keyed(["k"], [(200, "value")])]))
    finally:
        runner.fail_state(None)
    assert "injected" in failed.error
    assert pickle.loads(runner.state_value("ttl-stamps", key, user_state_id="probe")) == ("x", 7)
    assert run_probe(runner, "ttl-stamps", probe, [[("k", (307, "value"))]]) == [[("value", None)]]


def test_a_new_worker_expires_values_by_the_write_times_the_runner_kept():
    fake = FakeRunner(pipeline_options={"python.files": HERE})
    process = fake.start_worker()
    try:
        fake.wait_connected()
        probe = TtlProbe("value", 300)
        assert run_probe(fake, "ttl-restart", probe, [[("k", (0, "update", "x")), ("j", (100, "update", "y"))]]) \
            == [[("update", None), ("j", "update", None)]]
        fake.end_control()
        assert process.wait(timeout=20) == 0
        process = fake.start_worker()  # knows nothing: the stamps come from the runner's state
        fake.wait_connected()
        result = fake.run("ttl-restart", ipc_bytes([keyed(["k", "j"], [(300, "value"), (300, "value")])]))
        assert unpickle_column(result.table().column("value").combine_chunks()) == [
            ("k", "value", None), ("j", "value", "y")]
    finally:
        fake.stop()
        stop_process(process)


def test_a_config_pyfn_cannot_honour_or_a_bad_ttl_is_refused_with_its_name():
    config = StateTtlConfig.new_builder(Duration.of_millis(250)).update_ttl_on_read_and_write().build()
    assert (config.get_ttl_millis(), config.get_update_type(), config.is_enabled()) == \
        (250, StateTtlConfig.UpdateType.OnReadAndWrite, True)
    with pytest.raises(ValueError, match=r"StateTtlConfig's time-to-live must be positive, got 0 ms"):
        StateTtlConfig.new_builder(Time.milliseconds(0)).build()
    with pytest.raises(TypeError, match=r"needs its time-to-live as a Time or a Duration .*, got 1000"):
        StateTtlConfig.new_builder(1000).build()
    with pytest.raises(ValueError, match=r"cleanup_incrementally needs a positive number .* got 0"):
        StateTtlConfig.new_builder(Time.seconds(1)).cleanup_incrementally(0, False)
    descriptor = ValueStateDescriptor("seen", None)
    with pytest.raises(TypeError, match=r"enable_time_to_live of state 'seen' needs a StateTtlConfig"):
        descriptor.enable_time_to_live(Time.seconds(1))
    descriptor.enable_time_to_live(StateTtlConfig.new_builder(Time.seconds(1)).build())
    backend = KeyedStateBackend("udf")
    backend.state_for(ValueStateDescriptor("seen", None))
    with pytest.raises(ValueError, match=r"state 'seen' is already registered without a time-to-live; it cannot "
                                         r"also be used with one"):
        backend.state_for(descriptor)
    with pytest.raises(ValueError, match=r"trigger state 'seen' has a time-to-live \(enable_time_to_live\), which "
                                         r"PyFn does not apply to a trigger's partitioned state"):
        window_state(None, descriptor, "window")


@pytest.mark.one_version
def test_end_to_end_a_value_expires_on_the_wall_clock_between_records():
    require_runner()
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(1)
    env.get_configuration().set_string("python.fn-execution.bundle.size", "2")
    records = [("a", 1, 0), ("a", 2, 0), ("b", 1, 0), ("a", 3, 700), ("b", 2, 0)]
    stream = env.from_collection(records, Types.PICKLED_BYTE_ARRAY()).key_by(lambda r: r[0]).process(LastWithTtl(500))
    # Record a3 comes 700 ms after a2 was written: a2 expired (TTL 500 ms), and b1 with it.
    assert collect(stream) == [("a", 1, None), ("a", 2, 1), ("b", 1, None), ("a", 3, None), ("b", 2, None)]
