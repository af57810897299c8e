"""DataStream windows end to end (`key_by(...).window(...)`, `count_window`, `window_all`): tumbling, sliding and
session windows by event time and count windows, evaluated by reduce, aggregate, apply and process, checked against
windows computed in plain Python at parallelism 1 and 2; late records dropped (or, within the allowed lateness,
firing their window again); the error a window without timestamps gives."""

import collections
import inspect

import pytest

from datastream_runner import collect, require_runner
from datastream_timer_functions import EventTime
from datastream_timer_functions import slowly
from datastream_window_functions import (CountAll, CountWithClock, KeysInWindow, MeanOfSecondField, SessionBounds,
                                        WithWindowStart)
from pyfn.common import Duration, Time, Types, WatermarkStrategy
from pyfn.datastream import (EventTimeSessionWindows, OutputTag, SlidingEventTimeWindows,
                             StreamExecutionEnvironment, TumblingEventTimeWindows, TumblingProcessingTimeWindows)
from pyfn.util.exceptions import JobExecutionException
from test_datastream_timers import BASE, events

PAIR = Types.TUPLE([Types.STRING(), Types.LONG()])
runner_logic = pytest.mark.runner_logic


@pytest.fixture(scope="module", autouse=True)
def runner():
    return require_runner()


def source(records, parallelism, out_of_orderness_s=5, bundle_size="100"):
    """A source in process mode (keyed windows keep their state in the runner's State service; embedded mode is
    tested on its own)."""
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(parallelism)
    env.get_configuration().set_string("python.fn-execution.bundle.size", bundle_size)
    strategy = (WatermarkStrategy.for_bounded_out_of_orderness(Duration.of_seconds(out_of_orderness_s))
                .with_timestamp_assigner(EventTime()))
    return env.from_collection(records, PAIR).set_parallelism(parallelism).assign_timestamps_and_watermarks(strategy)


def windows_of(at, size, slide):
    """The starts of the sliding windows holding `at`, as Flink assigns them."""
    last = at - at % slide
    return range(last, at - size, -slide)


@pytest.mark.parametrize("parallelism", [1, pytest.param(2, marks=runner_logic)])
def test_tumbling_event_time_windows_reduce_each_keys_records(parallelism):
    # Out of order by up to 4 s, inside the 5 s watermark delay: no record is late.
    records = events(2000, jitter_ms=2000)
    counted = (source(records, parallelism).map(lambda r: (r[0], 1), output_type=PAIR)
               .key_by(lambda r: r[0])
               .window(TumblingEventTimeWindows.of(Time.seconds(10)))
               .reduce(lambda a, b: (a[0], a[1] + b[1])))
    expected = collections.Counter((key, at // 10_000) for key, at in records)
    assert sorted(collect(counted)) == sorted((key, count) for (key, _), count in expected.items())


@pytest.mark.parametrize("parallelism", [1, pytest.param(2, marks=runner_logic)])
def test_sliding_windows_aggregate_into_a_process_window_function(parallelism):
    records = events(1500, jitter_ms=2000)
    means = (source(records, parallelism).key_by(lambda r: r[0])
             .window(SlidingEventTimeWindows.of(Time.seconds(10), Time.seconds(5)))
             .aggregate(MeanOfSecondField(), WithWindowStart()))
    times = collections.defaultdict(list)
    for key, at in records:
        for start in windows_of(at, 10_000, 5_000):
            times[(key, start)].append(at)
    expected = sorted((key, start, start + 10_000, [sum(ats) / len(ats)]) for (key, start), ats in times.items())
    assert sorted(collect(means)) == expected


def test_session_windows_merge_records_closer_than_the_gap():
    # Per key, bursts of records 0.5-2 s apart separated by pauses of 4-8 s; a 3 s gap splits sessions there.
    import random
    rng = random.Random(11)
    records, at = [], BASE
    for burst in range(60):
        for _ in range(rng.randrange(1, 6)):
            records.append((rng.choice("ab"), at))
            at += rng.randrange(500, 2001)
        at += rng.randrange(4000, 8001)
    sessions = (source(records, 2).key_by(lambda r: r[0])
                .window(EventTimeSessionWindows.with_gap(Time.seconds(3)))
                .process(SessionBounds()))
    expected = []
    for key in "ab":
        times = sorted(at for k, at in records if k == key)
        first = times[0]
        for previous, current in zip(times, times[1:] + [None]):
            if current is None or current - previous > 3000:
                count = sum(1 for t in times if first <= t <= previous)
                expected.append((key, first, previous, count, previous + 3000))
                first = current
    assert sorted(collect(sessions)) == sorted(expected)


def test_count_windows_fire_with_every_size_records_of_a_key():
    records = [("ab"[i % 3 == 0], BASE + i) for i in range(100)]
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(1)
    stream = env.from_collection(records, PAIR)
    tumbling = stream.key_by(lambda r: r[0]).count_window(3).reduce(lambda a, b: (a[0], a[1] + b[1]))
    sliding = stream.key_by(lambda r: r[0]).count_window(4, 2).apply(KeysInWindow())
    per_key = {key: [at for k, at in records if k == key] for key in "ab"}
    assert sorted(collect(tumbling)) == sorted(
        (key, sum(ats[i:i + 3])) for key, ats in per_key.items() for i in range(0, len(ats) - 2, 3))
    assert sorted(collect(sliding)) == sorted(
        (key, ats[i:i + 4]) for key, ats in per_key.items() for i in range(0, len(ats) - 3, 2))


def test_window_all_counts_the_whole_stream_per_window():
    records = events(1000, jitter_ms=2000)
    counts = source(records, 2).window_all(TumblingEventTimeWindows.of(Time.seconds(10))).process(CountAll())
    expected = collections.Counter(at - at % 10_000 for _, at in records)
    assert sorted(collect(counts)) == sorted(expected.items())


@runner_logic
def test_processing_time_windows_fire_by_the_clock_while_records_come():
    env = StreamExecutionEnvironment.get_execution_environment()
    env.get_configuration().set_string("python.fn-execution.bundle.size", "1")
    fired = collect(env.from_collection(list(range(40)), Types.LONG()).map(slowly, output_type=Types.LONG())
                    .key_by(lambda n: n % 2).window(TumblingProcessingTimeWindows.of(Time.milliseconds(100)))
                    .process(CountWithClock()))
    assert fired, "windows fired while the records (20 ms apart) kept coming"
    # Windows still open when the input ends do not fire (Flink's rule for processing time), so at most 40.
    assert 0 < sum(count for *_, count, _ in fired) <= 40
    for key, start, end, count, clock in fired:
        assert end - start == 100 and start % 100 == 0 and count > 0
        assert clock >= end - 1, "a window fires once the clock passes its end"
    for key in (0, 1):
        starts = [start for k, start, *_ in fired if k == key]
        assert len(starts) == len(set(starts)), "each window of a key fires once"


def late_records():
    """In time order, then one record 30 s behind the latest, whose window has long fired."""
    records = [("a", BASE + i * 100) for i in range(1000)]
    return records + [("a", BASE + 999 * 100 - 30_000)]


def test_a_late_record_is_dropped_and_its_window_does_not_fire_again():
    counted = (source(late_records(), 1, out_of_orderness_s=0).key_by(lambda r: r[0])
               .window(TumblingEventTimeWindows.of(Time.seconds(10))).process(WithWindowStart()))
    fired = collect(counted)
    on_time = collections.Counter((at - at % 10_000) for _, at in late_records()[:-1])
    assert sorted((start, len(values)) for _, start, _, values in fired) == sorted(on_time.items())


def test_late_records_go_to_the_side_output_named_for_them():
    late_tag = OutputTag("late", PAIR)
    counted = (source(late_records(), 1, out_of_orderness_s=0).key_by(lambda r: r[0])
               .window(TumblingEventTimeWindows.of(Time.seconds(10))).side_output_late_data(late_tag)
               .process(WithWindowStart()))
    out = collect(counted.map(lambda f: ("window", f[1], len(f[3])))
                  .union(counted.get_side_output(late_tag).map(lambda r: ("late", r[1], 0))))
    on_time = collections.Counter((at - at % 10_000) for _, at in late_records()[:-1])
    assert sorted(out) == sorted([("window", start, n) for start, n in on_time.items()]
                                 + [("late", late_records()[-1][1], 0)])


def test_within_the_allowed_lateness_a_late_record_fires_its_window_again():
    counted = (source(late_records(), 1, out_of_orderness_s=0).key_by(lambda r: r[0])
               .window(TumblingEventTimeWindows.of(Time.seconds(10))).allowed_lateness(60_000)
               .process(WithWindowStart()))
    fired = collect(counted)
    late_at = late_records()[-1][1]
    late_start = late_at - late_at % 10_000
    firings = sorted(len(values) for _, start, _, values in fired if start == late_start)
    on_time = sum(1 for _, at in late_records()[:-1] if at - at % 10_000 == late_start)
    assert firings == [on_time, on_time + 1]


def test_an_event_time_window_without_timestamps_names_the_missing_assigner():
    env = StreamExecutionEnvironment.get_execution_environment()
    stream = (env.from_collection([("a", 1)], PAIR).key_by(lambda r: r[0])
              .window(TumblingEventTimeWindows.of(Time.seconds(10))).reduce(lambda a, b: a))
    with pytest.raises(JobExecutionException) as raised:
        collect(stream)
    assert "did you forget to call 'data_stream.assign_timestamps_and_watermarks(...)'?" in str(raised.value)


@pytest.mark.parametrize("parallelism", [1, pytest.param(2, marks=runner_logic)])
def test_embedded_mode_runs_keyed_windows_with_their_state_in_the_interpreter(parallelism):
    # Out of order by up to 4 s, inside the 5 s watermark delay; embedded mode answers the window operator's state
    # requests in the interpreter (embedded_state) and the runner keeps the timers, as in process mode.
    records = events(600, jitter_ms=2000)
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(parallelism)
    env.get_configuration().set_string("python.execution-mode", "thread")
    env.get_configuration().set_string("python.fn-execution.bundle.size", "100")
    strategy = (WatermarkStrategy.for_bounded_out_of_orderness(Duration.of_seconds(5))
                .with_timestamp_assigner(EventTime()))
    counted = (env.from_collection(records, PAIR).assign_timestamps_and_watermarks(strategy)
               .map(lambda r: (r[0], 1), output_type=PAIR)
               .key_by(lambda r: r[0])
               .window(TumblingEventTimeWindows.of(Time.seconds(10)))
               .reduce(lambda a, b: (a[0], a[1] + b[1])))
    expected = collections.Counter((key, at // 10_000) for key, at in records)
    assert sorted(collect(counted)) == sorted((key, count) for (key, _), count in expected.items())


@pytest.mark.parametrize("parallelism", [1, pytest.param(2, marks=runner_logic)])
def test_the_windowed_clicks_example_prints_each_window_and_the_late_clicks(parallelism):
    import os
    import re
    import subprocess
    import sys
    folder = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                          "examples", "datastream")
    sys.path.insert(0, folder)
    try:
        from windowed_clicks import clicks
    finally:
        sys.path.remove(folder)
    finished = subprocess.run([sys.executable, "windowed_clicks.py", "--parallelism", str(parallelism)], cwd=folder,
                              capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stderr
    lines = [re.sub(r"^\d+> ", "", line) for line in finished.stdout.splitlines() if line]  # print's "2> " at p2
    printed_late = {line for line in lines if line.startswith("late: ")}
    late = ["late: (%s,%d)" % click for click in clicks()[-2:]]
    if parallelism == 1:
        assert sorted(printed_late) == sorted(late)
    # At parallelism 2 a subtask's watermark may not have reached the window subtask when a late click does: such a
    # click counts in its window instead (as in Flink). Every click is counted once either way.
    counted = [click for click in clicks() if "late: (%s,%d)" % click not in printed_late]
    windows = collections.Counter((user, at - at % 10_000) for user, at in counted)
    assert sorted(line for line in lines if not line.startswith("late: ")) == \
        sorted("(%s,%d,%d)" % (user, start, n) for (user, start), n in windows.items())
    assert printed_late <= set(late)
