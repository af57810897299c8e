"""PyFn's DataStream API beside PyFlink 2.3's: every public class and method PyFlink's DataStream modules have
exists in PyFn's (api_surface.py lists both; PyFlink's from its venv), except the ones listed below with why; each
method PyFn cannot run refuses with NotImplementedError naming it; the small ones built for the gap work
(get_execution_plan, get_execution_config, CloseableIterator.next, …)."""

import json
import os
import subprocess
import sys

import pytest

from datastream_runner import ROOT, require_runner
from pyfn.common import Time, Types
from pyfn.datastream import (SourceFunction, StreamExecutionEnvironment, TumblingEventTimeWindows,
                             WindowAssigner)
from pyfn.datastream.output_tag import OutputTag
from pyfn.datastream.state import AggregatingStateDescriptor, ReducingStateDescriptor

HERE = os.path.dirname(os.path.abspath(__file__))

_CHECKPOINTS = "no checkpoints or state backends (enable_checkpointing refuses; importing these fails naming them)"
_ASSIGNERS = "the API of a program's own WindowAssigner, which window() refuses"
#: Names PyFlink's DataStream modules have that PyFn lacks on purpose, and why.
NOT_IN_PYFN = {
    **{name: _CHECKPOINTS for name in (
        "CheckpointConfig", "CheckpointStorage", "CheckpointingMode", "CustomCheckpointStorage", "CustomStateBackend",
        "EmbeddedRocksDBStateBackend", "ExternalizedCheckpointRetention", "FileSystemCheckpointStorage",
        "HashMapStateBackend", "JobManagerCheckpointStorage", "MemorySize", "PredefinedOptions", "StateBackend")},
    "SlotSharingGroup": "no task slots (slot_sharing_group() on a stream is accepted and changes nothing)",
    "Builder": "SlotSharingGroup's builder",
    "AccumulateType": "an enum of PyFlink's own sum/min/max implementation",
    **{name: _ASSIGNERS for name in (
        "WindowAssignerContext", "MergeCallback", "get_window_serializer", "merge_windows", "get_default_trigger",
        "TimeWindowSerializer", "CountWindowSerializer", "GlobalWindowSerializer")},
    "register_next_fire_timestamp": "a helper inside PyFlink's continuous triggers",
    "AsyncFunctionDescriptor": "PyFlink's internal record of an async operator's settings",
    "OutputMode": "AsyncFunctionDescriptor's enum",
    "get_java_function": "Java: SourceFunction and SinkFunction refuse when made",
    "OperatorStateStore": "PyFlink's internal store of broadcast state (contexts give get_broadcast_state)",
}


@pytest.fixture(scope="module", autouse=True)
def runner():
    return require_runner()


def pyflink_python():
    python = os.environ.get("PYFN_PYFLINK_PYTHON") or os.path.join(ROOT, ".venv-pyflink", "bin", "python")
    if not os.access(python, os.X_OK):
        pytest.skip("no PyFlink 2.3 venv (scripts/pyflink-venv.sh; PYFN_PYFLINK_PYTHON)")
    return python


@pytest.mark.one_version
def test_pyfn_has_every_public_name_of_pyflinks_datastream_api():
    listed = subprocess.run([pyflink_python(), os.path.join(HERE, "api_surface.py"), "pyflink"], capture_output=True,
                            text=True, timeout=120)
    assert listed.returncode == 0, listed.stderr
    pyflink = json.loads(listed.stdout)
    sys.path.insert(0, HERE)
    from api_surface import surface
    pyfn = surface("pyfn")
    gaps = []
    for name, attributes in sorted(pyflink.items()):
        if pyfn.get(name) is None:
            if name.rsplit(".", 1)[-1] not in NOT_IN_PYFN:
                gaps.append(name)
            continue
        gaps.extend("%s.%s" % (name, attribute) for attribute in sorted(set(attributes or ()) - set(pyfn[name]))
                    if attribute not in NOT_IN_PYFN)
    assert len(pyflink) > 80 and gaps == []


def environment():
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(2)
    return env


@pytest.mark.parametrize("method,args", [
    ("enable_checkpointing", (1000,)), ("get_checkpoint_config", ()), ("get_checkpointing_mode", ()),
    ("add_jars", ("file:///x.jar",)), ("add_classpaths", ("file:///x",)), ("add_source", (None,)),
    ("create_input", (None,)), ("register_cached_file", ("/tmp/x", "x")), ("enable_changelog_state_backend", (True,)),
    ("set_default_savepoint_directory", ("/tmp",)), ("register_slot_sharing_group", (None,))])
def test_environment_methods_pyfn_cannot_run_refuse_naming_themselves(method, args):
    with pytest.raises(NotImplementedError, match=r"^StreamExecutionEnvironment\.%s\(\) is not supported by PyFn: "
                                                  % method):
        getattr(environment(), method)(*args)


def test_other_refusals_name_what_was_called():
    with pytest.raises(NotImplementedError, match=r"^SourceFunction\(\) is not supported by PyFn: PyFn runs no Java"):
        SourceFunction("org.example.Source")
    with pytest.raises(NotImplementedError, match=r"^OutputTag\.get_java_output_tag\(\) is not supported"):
        OutputTag("late").get_java_output_tag()

    class EveryRecordItsOwnWindow(WindowAssigner):
        def assign_windows(self, element, timestamp, context=None):
            return []

        def is_event_time(self):
            return True

    keyed = environment().from_collection([1, 2], Types.INT()).key_by(lambda x: x)
    with pytest.raises(NotImplementedError, match=r"^window\(EveryRecordItsOwnWindow\) is not supported by PyFn"):
        keyed.window(EveryRecordItsOwnWindow())


@pytest.mark.one_version
def test_the_execution_plan_lists_the_nodes_and_how_records_move():
    env = environment()
    numbers = env.from_collection(list(range(10)), Types.INT()).map(lambda x: x + 1, Types.INT())
    numbers.partition_custom(lambda key, n: key % n, lambda x: x).map(lambda x: x, Types.INT()).set_parallelism(3) \
        .key_by(lambda x: x % 2).reduce(lambda a, b: a + b).print()
    plan = json.loads(env.get_execution_plan())
    strategies = sorted(p["ship_strategy"] for node in plan["nodes"] for p in node.get("predecessors", []))
    assert strategies == ["CUSTOM", "FORWARD", "FORWARD", "FORWARD", "HASH"]
    assert [node["pact"] for node in plan["nodes"]][0] == "Data Source" and plan["nodes"][-1]["pact"] == "Data Sink"
    assert sorted({node["parallelism"] for node in plan["nodes"]}) == [1, 2, 3]
    env.execute()  # the plan did not use up the sinks


@pytest.mark.one_version
def test_small_methods_added_for_pyflink_programs():
    env = environment()
    env.set_buffer_timeout(20)
    assert (env.get_buffer_timeout(), env.get_max_parallelism(), env.get_checkpoint_interval()) == (20, -1, -1)
    assert not env.is_unaligned_checkpoints_enabled() and not env.is_changelog_state_backend_enabled()
    stream = env.from_collection([3, 1, 2], Types.INT())
    assert stream.get_execution_config().get_parallelism() == 2
    windowed = stream.key_by(lambda x: x).window(TumblingEventTimeWindows.of(Time.seconds(1)))
    assert windowed.get_input_type() == Types.INT()
    assert ReducingStateDescriptor("r", max).get_reduce_function() is max
    assert AggregatingStateDescriptor("a", "agg").get_agg_function() == "agg"
    stream.map(lambda x: x * 2, Types.INT()).print().set_description("doubles").set_uid_hash("abc")
    env.execute()
    with stream.map(lambda x: x * 10, Types.INT()).execute_and_collect() as results:
        first = results.next()
        rest = list(results)
    assert sorted([first] + rest) == [10, 20, 30]
