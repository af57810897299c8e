"""A ProcessWindowFunction's Context end to end: `window_state()` (per key and window) and `global_state()` (per
key) kept across firings of a window that fires every two records (CountTrigger), checked against plain Python;
processing-time sliding and session windows with a clock hook in the worker (`timers.use_clock`: the n-th reading
gives the n-th of a list of times), so the windows a record falls in do not depend on the machine's speed, checked
against windows computed in plain Python from the same times (batch mode: every window fires at the end of input),
in process and embedded mode."""

import collections

import pytest

from datastream_runner import collect, require_runner
from datastream_timer_functions import EventTime
from datastream_window_context_functions import CountsFirings, VirtualClock, WindowStateWithTtl
from pyfn.common import Time, Types, WatermarkStrategy
from pyfn.datastream import (CountTrigger, ProcessingTimeSessionWindows, RuntimeExecutionMode,
                             SlidingProcessingTimeWindows, StreamExecutionEnvironment, TumblingEventTimeWindows)
from pyfn.util.exceptions import JobExecutionException

PAIR = Types.TUPLE([Types.STRING(), Types.LONG()])
#: A processing time to start the virtual clock at (a multiple of every window size below).
START = 1_700_000_000_000
runner_logic = pytest.mark.runner_logic


@pytest.fixture(scope="module", autouse=True)
def runner():
    return require_runner()


def environment(mode=RuntimeExecutionMode.STREAMING, execution="process"):
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(1)
    env.set_runtime_mode(mode)
    env.get_configuration().set_string("python.execution-mode", execution)
    env.get_configuration().set_string("python.fn-execution.bundle.size", "13")
    return env


@pytest.mark.parametrize("execution", ["process", pytest.param("thread", marks=runner_logic)])
def test_window_state_counts_a_windows_firings_and_global_state_the_keys(execution):
    records = [("ab"[i % 3 % 2], START + i * 700) for i in range(90)]
    strategy = WatermarkStrategy.for_monotonous_timestamps().with_timestamp_assigner(EventTime())
    fired = collect(environment(execution=execution).from_collection(records, PAIR)
                    .assign_timestamps_and_watermarks(strategy).key_by(lambda r: r[0])
                    .window(TumblingEventTimeWindows.of(Time.seconds(10))).trigger(CountTrigger.of(2))
                    .process(CountsFirings()))
    expected, in_window, firings, all_firings = [], collections.Counter(), collections.Counter(), collections.Counter()
    for key, at in records:
        start = at - at % 10_000
        in_window[(key, start)] += 1
        if in_window[(key, start)] % 2 == 0:
            firings[(key, start)] += 1
            all_firings[key] += 1
            expected.append((key, start, firings[(key, start)], all_firings[key], in_window[(key, start)]))
    assert sorted(fired) == sorted(expected)
    assert max(count for _, _, count, _, _ in fired) >= 3  # windows fired several times, so the state was read back


def virtual_records(gaps):
    """Records (key, number) and the processing time the window operator reads for each: START, then each gap."""
    times, at = [], START
    for gap in gaps:
        at += gap
        times.append(at)
    return [("ab"[n % 2], n) for n in range(len(gaps))], times


@pytest.mark.parametrize("execution", ["process", pytest.param("thread", marks=runner_logic)])
def test_sliding_processing_time_windows_follow_the_clock(execution):
    records, times = virtual_records([7 + n % 5 for n in range(80)])
    fired = collect(environment(RuntimeExecutionMode.BATCH, execution).from_collection(records, PAIR)
                    .key_by(lambda r: r[0])
                    .window(SlidingProcessingTimeWindows.of(Time.milliseconds(100), Time.milliseconds(30)))
                    .process(VirtualClock(times)))
    expected = collections.defaultdict(list)
    for (key, n), at in zip(records, times):
        for start in range(at - at % 30, at - 100, -30):
            expected[(key, start)].append(n)
    assert sorted(fired) == sorted((key, start, start + 100, sorted(ns)) for (key, start), ns in expected.items())


@pytest.mark.parametrize("execution", ["process", pytest.param("thread", marks=runner_logic)])
def test_processing_time_sessions_split_where_the_clock_pauses(execution):
    # Bursts of 2-6 records 5-15 ms apart, then pauses of 60-140 ms; a session gap of 50 ms per key.
    gaps = [60 + (n * 37) % 80 if n % 7 in (0, 3) else 5 + (n * 13) % 11 for n in range(90)]
    records, times = virtual_records(gaps)
    fired = collect(environment(RuntimeExecutionMode.BATCH, execution).from_collection(records, PAIR)
                    .key_by(lambda r: r[0])
                    .window(ProcessingTimeSessionWindows.with_gap(Time.milliseconds(50)))
                    .process(VirtualClock(times)))
    sessions = []  # plain Python: a key's records closer than the gap share a session [first, last + gap)
    for key in "ab":
        mine = [(at, n) for (k, n), at in zip(records, times) if k == key]
        current = None
        for at, n in mine:
            if current is None or at >= current[2]:
                current = [key, at, at + 50, []]
                sessions.append(current)
            current[2] = at + 50
            current[3].append(n)
    assert len(sessions) > 10 and any(len(s[3]) > 1 for s in sessions)
    assert sorted(fired) == sorted((key, start, end, sorted(ns)) for key, start, end, ns in sessions)


@pytest.mark.one_version
def test_window_state_with_a_time_to_live_is_refused_naming_it():
    windowed = (environment(RuntimeExecutionMode.BATCH).from_collection(virtual_records([10, 10])[0], PAIR)
                .key_by(lambda r: r[0]).count_window(1).process(WindowStateWithTtl()))
    with pytest.raises(JobExecutionException, match=r"window state 'expiring' has a time-to-live "
                                                    r"\(enable_time_to_live\), which PyFn does not apply to a "
                                                    r"window function's per-window"):
        collect(windowed)
