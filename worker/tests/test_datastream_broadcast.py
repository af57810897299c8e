"""The broadcast state pattern end to end (`ds.connect(rules.broadcast(descriptor)).process(...)`): rules applied to
a stream at parallelism 1 and 2 (every subtask gets every rule), a running total in broadcast state beside keyed
state, the read-only side refused, and a worker killed mid-job leaving the broadcast state exact — each checked
against plain Python (the keyed case in embedded mode too)."""

import collections
import itertools

import pytest

from datastream_broadcast_functions import (RULES, TOTALS, AppliesRules, SumsBroadcast, SumsBroadcastAndCountsKeys,
                                            WritesInProcessElement)
from datastream_runner import collect, require_runner
from pyfn.common import Types
from pyfn.datastream import StreamExecutionEnvironment
from pyfn.util.exceptions import JobExecutionException

runner_logic = pytest.mark.runner_logic


@pytest.fixture(scope="module", autouse=True)
def runner():
    return require_runner()


def environment(parallelism, bundle_size="20"):
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(parallelism)
    env.get_configuration().set_string("python.fn-execution.bundle.size", bundle_size)
    return env


@pytest.mark.parametrize("parallelism", [1, pytest.param(2, marks=runner_logic)])
def test_rules_reach_every_subtask_and_apply_to_every_record(parallelism):
    env = environment(parallelism)
    numbers = list(range(200))
    rules = [(0, 10), (1, 100), (2, 1000)]
    data = env.from_collection(numbers, Types.INT()).rebalance()
    out = collect(data.connect(env.from_collection(rules, Types.TUPLE([Types.INT(), Types.INT()])).broadcast(RULES))
                  .process(AppliesRules()))
    factors = dict(rules)
    assert sorted(o for o in out if o[0] == "applied") == sorted(("applied", n, n * factors[n % 3]) for n in numbers)
    assert sorted(o for o in out if o[0] == "rule") == sorted(
        ("rule", subtask, remainder) for subtask in range(parallelism) for remainder, _ in rules)


def running_totals(numbers):
    return list(itertools.accumulate(numbers))


def assert_totals_exact(out, numbers, parallelism):
    """Every subtask reports each running total of the broadcast numbers once, and every record saw one of them
    (or 0, before the first)."""
    totals = running_totals(numbers)
    per_subtask = collections.defaultdict(list)
    for record in out:
        if record[0] == "total":
            per_subtask[record[1]].append(record[2])
    assert {subtask: sorted(seen) for subtask, seen in per_subtask.items()} == {
        subtask: sorted(totals) for subtask in range(parallelism)}
    assert all(record[-1] in set(totals) | {0} for record in out if record[0] == "seen")


@pytest.mark.parametrize("parallelism,mode", [(1, "process"), pytest.param(2, "process", marks=runner_logic),
                                              pytest.param(2, "thread", marks=runner_logic)])
def test_keyed_state_beside_broadcast_state(parallelism, mode):
    env = environment(parallelism)
    env.get_configuration().set_string("python.execution-mode", mode)
    records = [("k%d" % (i % 7), i) for i in range(300)]
    numbers = list(range(1, 41))
    keyed = env.from_collection(records, Types.TUPLE([Types.STRING(), Types.INT()])).key_by(lambda r: r[0])
    out = collect(keyed.connect(env.from_collection(numbers, Types.LONG()).broadcast(TOTALS))
                  .process(SumsBroadcastAndCountsKeys()))
    assert_totals_exact(out, numbers, parallelism)
    counts = collections.Counter(key for key, _ in records)
    assert sorted(r[1:3] for r in out if r[0] == "seen") == sorted(
        (key, n) for key, count in counts.items() for n in range(1, count + 1))


def test_process_element_cannot_change_the_broadcast_state():
    env = environment(1)
    data = env.from_collection([5], Types.INT())
    rules = env.from_collection([(0, 1)], Types.TUPLE([Types.INT(), Types.INT()])).broadcast(RULES)
    with pytest.raises(JobExecutionException) as raised:
        collect(data.connect(rules).process(WritesInProcessElement()))
    message = str(raised.value)
    assert "'ReadOnlyBroadcastState' object has no attribute 'put'" in message
    assert "process_element has read-only access to broadcast state 'rules'" in message
    assert "Co-Process-Broadcast" in message and "5" in message


def test_a_keyed_broadcast_function_needs_a_keyed_stream():
    env = environment(1)
    data = env.from_collection([5], Types.INT())
    rules = env.from_collection([1], Types.LONG()).broadcast(TOTALS)
    with pytest.raises(TypeError, match="KeyedBroadcastProcessFunction should be applied to keyed DataStream"):
        data.connect(rules).process(SumsBroadcastAndCountsKeys())
    with pytest.raises(TypeError, match="BroadcastProcessFunction should be applied to non-keyed DataStream"):
        data.key_by(lambda v: v).connect(rules).process(SumsBroadcast())
    with pytest.raises(TypeError, match="broadcast_state_descriptor must be MapStateDescriptor"):
        data.broadcast("rules")


@runner_logic
@runner_logic  # replay is the runner's logic: the other Python versions run the rest of this module
@pytest.mark.parametrize("keyed", [False, True], ids=["non-keyed", "keyed"])
def test_a_worker_killed_mid_job_leaves_the_broadcast_state_exact(tmp_path, keyed):
    marker = tmp_path / "died"
    env = environment(2, bundle_size="5")
    numbers = list(range(1, 61))
    records = [("k%d" % (i % 5), i) for i in range(200)]
    data = env.from_collection(records, Types.TUPLE([Types.STRING(), Types.INT()]))
    broadcast = env.from_collection(numbers, Types.LONG()).broadcast(TOTALS)
    if keyed:
        function = SumsBroadcastAndCountsKeys(str(marker), die_at=33)
        out = collect(data.key_by(lambda r: r[0]).connect(broadcast).process(function))
    else:
        out = collect(data.rebalance().map(lambda r: r[1], Types.INT()).connect(broadcast)
                      .process(SumsBroadcast(str(marker), die_at=33)))
    assert marker.exists(), "a worker did die"
    assert_totals_exact(out, numbers, 2)
    assert len([r for r in out if r[0] == "seen"]) == len(records)
