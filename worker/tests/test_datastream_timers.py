"""KeyedProcessFunction timers end to end: event time from assign_timestamps_and_watermarks, timers kept in the
runner and fired as the watermark passes them (all of them at the end of a bounded input), processing-time timers
by the clock; checked against plain Python, at parallelism 1 and 2, batch and streaming, and with a worker killed
mid-job."""

import collections
import random

import pytest

from datastream_runner import require_runner
from datastream_timer_functions import (WINDOW_MS, EventTime, FiresAfterADelay, RaisesInOnTimer, TumblingCountByTimer,
                                        WatermarkReporter, slowly, very_slowly)
from pyfn.common import Duration, Types, WatermarkStrategy
from pyfn.datastream import RuntimeExecutionMode, StreamExecutionEnvironment
from pyfn.datastream.connectors.number_seq import NumberSequenceSource
from pyfn.util.exceptions import JobExecutionException

BASE = 1_767_225_600_000  # 2026-01-01 00:00:00 UTC
KEYS = ["a", "b", "c", "d", "e"]
# Once, on CPython 3.11 (conftest.RUNNER_LOGIC): what only the runner decides — a second subtask's partitioning and
# watermarks, a killed worker's replay, firing by the clock — while the rest of this module runs the Python side
# (the timer service, on_timer, the assigners) on every version.
runner_logic = pytest.mark.runner_logic


@pytest.fixture(scope="module", autouse=True)
def runner():
    return require_runner()


def events(count: int, jitter_ms: int = 3000):
    """(key, event time) pairs over count/10 s of event time, each up to `jitter_ms` out of order."""
    rng = random.Random(7)
    out = []
    for i in range(count):
        at = BASE + i * 100 + rng.randrange(-jitter_ms, jitter_ms + 1)
        out.append((KEYS[rng.randrange(len(KEYS))], at))
    return out


def reference(records):
    """Per-key 10 s tumbling counts, computed in plain Python."""
    counts = collections.Counter((key, at // WINDOW_MS * WINDOW_MS) for key, at in records)
    return sorted((key, start, count) for (key, start), count in counts.items())


def run_windows(records, parallelism: int, mode: str, function, bundle_size: str = "200"):
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(parallelism)
    env.set_runtime_mode(RuntimeExecutionMode.BATCH if mode == "batch" else RuntimeExecutionMode.STREAMING)
    env.get_configuration().set_string("python.fn-execution.bundle.size", bundle_size)
    strategy = (WatermarkStrategy.for_bounded_out_of_orderness(Duration.of_seconds(5))
                .with_timestamp_assigner(EventTime()))
    source = env.from_collection(records, Types.TUPLE([Types.STRING(), Types.LONG()]))
    source.set_parallelism(parallelism)
    stream = (source.assign_timestamps_and_watermarks(strategy)
              .key_by(lambda record: record[0])
              .process(function))
    with stream.execute_and_collect() as results:
        return list(results)


@pytest.mark.parametrize("parallelism", [1, pytest.param(2, marks=runner_logic)])
@pytest.mark.parametrize("mode", ["batch", "streaming"])
def test_event_time_timers_give_the_tumbling_counts_plain_python_computes(parallelism, mode):
    records = events(3000)
    fired = run_windows(records, parallelism, mode, TumblingCountByTimer())
    assert sorted((key, start, count) for key, start, count, _, _ in fired) == reference(records)
    assert {domain for _, _, _, domain, _ in fired} == {"EVENT_TIME"}
    assert all(passed for *_, passed in fired), "a timer fires once the watermark reaches it"


def test_in_streaming_mode_timers_fire_as_the_watermark_advances_not_only_at_the_end():
    records = sorted(events(3000), key=lambda r: r[1])
    env = StreamExecutionEnvironment.get_execution_environment()
    env.get_configuration().set_string("python.fn-execution.bundle.size", "100")
    strategy = WatermarkStrategy.for_monotonous_timestamps().with_timestamp_assigner(EventTime())
    # A map node of its own cuts the records into batches of a bundle each, so the watermark moves mid-job.
    stream = (env.from_collection(records, Types.TUPLE([Types.STRING(), Types.LONG()]))
              .map(lambda r: r, output_type=Types.TUPLE([Types.STRING(), Types.LONG()])).start_new_chain()
              .assign_timestamps_and_watermarks(strategy).start_new_chain()
              .key_by(lambda record: record[0])
              .process(WatermarkReporter()))
    with stream.execute_and_collect() as results:
        fired = list(results)
    assert sorted((key, start, count) for key, start, count, _ in fired) == reference(records)
    before_end = [w for *_, w in fired if w < 2 ** 63 - 1]
    assert before_end, "some timers fired before the input ended"


@runner_logic
@pytest.mark.parametrize("parallelism, mode", [(2, "streaming"), (1, "batch")])
def test_a_worker_killed_while_timers_fire_leaves_the_counts_exact(tmp_path, parallelism, mode):
    records = events(3000)
    marker = tmp_path / "died"
    fired = run_windows(records, parallelism, mode, TumblingCountByTimer(str(marker), die_at=5), bundle_size="50")
    assert marker.exists(), "a worker did die"
    assert sorted((key, start, count) for key, start, count, _, _ in fired) == reference(records)


@runner_logic
def test_a_worker_killed_while_records_set_timers_leaves_the_counts_exact(tmp_path):
    records = events(3000)
    marker = tmp_path / "died"
    fired = run_windows(records, 2, "streaming", TumblingCountByTimer(str(marker), die_at=700, die_in_records=True),
                        bundle_size="50")
    assert marker.exists(), "a worker did die"
    assert sorted((key, start, count) for key, start, count, _, _ in fired) == reference(records)


def test_processing_time_timers_fire_by_the_clock_in_a_streaming_job():
    env = StreamExecutionEnvironment.get_execution_environment()
    env.get_configuration().set_string("python.fn-execution.bundle.size", "1")
    stream = (env.from_collection(list(range(40)), Types.LONG())
              .map(slowly, output_type=Types.LONG())
              .key_by(lambda n: n % 2)
              .process(FiresAfterADelay()))
    with stream.execute_and_collect() as results:
        out = list(results)
    records = [r for r in out if r[0] == "record"]
    timers = [r for r in out if r[0] == "timer"]
    assert sorted(r[1] for r in records) == list(range(40))
    assert timers, "processing-time timers fired while records kept coming"
    due = collections.Counter((value % 2, at) for _, value, at, _ in records)
    for _, key, at, fired_at in timers:
        assert fired_at >= at, "a timer fires once the clock reaches it"
        assert due[(key, at)] > 0, "only registered timers fire (the deleted ones never)"
        due[(key, at)] -= 1


def test_timers_need_on_timer_errors_name_the_timer():
    env = StreamExecutionEnvironment.get_execution_environment()
    stream = (env.from_collection([("a", BASE)], Types.TUPLE([Types.STRING(), Types.LONG()]))
              .assign_timestamps_and_watermarks(WatermarkStrategy.for_monotonous_timestamps()
                                                .with_timestamp_assigner(EventTime()))
              .key_by(lambda record: record[0])
              .process(RaisesInOnTimer()))
    with pytest.raises(JobExecutionException) as raised:
        with stream.execute_and_collect() as results:
            list(results)
    message = str(raised.value)
    assert "RaisesInOnTimer" in message and "ZeroDivisionError" in message, message
    assert "<timer at %d for key 'a'>" % (BASE + 9) in message, message


def test_a_flat_map_between_the_timestamps_and_the_key_by_is_refused_with_where():
    env = StreamExecutionEnvironment.get_execution_environment()
    stream = (env.from_collection([("a", BASE)], Types.TUPLE([Types.STRING(), Types.LONG()]))
              .assign_timestamps_and_watermarks(WatermarkStrategy.for_monotonous_timestamps()
                                                .with_timestamp_assigner(EventTime()))
              .flat_map(lambda r: [r])
              .key_by(lambda record: record[0])
              .process(TumblingCountByTimer()))
    with pytest.raises(ValueError) as raised:
        stream.execute_and_collect()
    assert "follows assign_timestamps_and_watermarks" in str(raised.value)
    assert "test_datastream_timers.py:" in str(raised.value)


def test_an_assigner_returning_no_int_names_the_record():
    env = StreamExecutionEnvironment.get_execution_environment()
    strategy = WatermarkStrategy.for_monotonous_timestamps().with_timestamp_assigner(lambda value, ts: str(value[1]))
    stream = (env.from_collection([("a", BASE)], Types.TUPLE([Types.STRING(), Types.LONG()]))
              .assign_timestamps_and_watermarks(strategy)
              .key_by(lambda record: record[0])
              .process(TumblingCountByTimer()))
    with pytest.raises(JobExecutionException) as raised:
        with stream.execute_and_collect() as results:
            list(results)
    message = str(raised.value)
    assert "the timestamp must be an int of milliseconds, got '%d'" % BASE in message, message
    assert "on record ('a', %d)" % BASE in message, message


@pytest.mark.parametrize("parallelism", [1, pytest.param(2, marks=runner_logic)])
def test_from_source_with_a_timestamp_assigner_gives_the_records_event_time(parallelism):
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(parallelism)
    strategy = (WatermarkStrategy.for_bounded_out_of_orderness(Duration.of_millis(500))
                .with_timestamp_assigner(lambda n, ts: BASE + n * 100))
    stream = (env.from_source(NumberSequenceSource(1, 2000), strategy, "numbers")
              .map(lambda n: (KEYS[n % len(KEYS)], BASE + n * 100),
                   output_type=Types.TUPLE([Types.STRING(), Types.LONG()]))
              .key_by(lambda record: record[0])
              .process(TumblingCountByTimer()))
    with stream.execute_and_collect() as results:
        fired = list(results)
    expected = reference([(KEYS[n % len(KEYS)], BASE + n * 100) for n in range(1, 2001)])
    assert sorted((key, start, count) for key, start, count, _, _ in fired) == expected


def reader_of(key, readers: int = 2) -> int:
    """The subtask a key goes to: FNV-1a over its pickle (protocol 4), as the runner's hash partitioner picks."""
    import pickle

    hash_value = 0xCBF29CE484222325
    for byte in pickle.dumps(key, 4):
        hash_value = ((hash_value ^ byte) * 0x100000001B3) % 2 ** 64
    return hash_value % readers


@runner_logic
def test_a_subtask_that_gets_no_records_from_a_writer_still_follows_its_watermark():
    # Each source subtask holds one key, and the two keys go to different subtasks of the process: each of those
    # hears records from one writer only, and must learn the other writer's watermark without any of its records.
    first = "x0"
    second = next(k for k in ("y%d" % i for i in range(50)) if reader_of(k) != reader_of(first))
    records = [(first, BASE + i * 100) for i in range(1500)] + [(second, BASE + i * 100) for i in range(1500)]
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(2)
    env.get_configuration().set_string("python.fn-execution.bundle.size", "100")
    source = env.from_collection(records, Types.TUPLE([Types.STRING(), Types.LONG()]))
    source.set_parallelism(2)
    strategy = WatermarkStrategy.for_monotonous_timestamps().with_timestamp_assigner(EventTime())
    stream = (source.assign_timestamps_and_watermarks(strategy)
              .key_by(lambda record: record[0])
              .process(WatermarkReporter()))
    with stream.execute_and_collect() as results:
        fired = list(results)
    assert sorted((key, start, count) for key, start, count, _ in fired) == reference(records)
    for key in (first, second):
        assert any(w < 2 ** 63 - 1 for k, _, _, w in fired if k == key), "%s's timers fired before the end" % key


@runner_logic
def test_processing_time_timers_fire_by_the_clock_while_the_input_is_quiet():
    env = StreamExecutionEnvironment.get_execution_environment()
    env.get_configuration().set_string("python.fn-execution.bundle.size", "1")
    stream = (env.from_collection(list(range(6)), Types.LONG())
              .map(very_slowly, output_type=Types.LONG())
              .key_by(lambda n: "all")
              .process(FiresAfterADelay()))
    with stream.execute_and_collect() as results:
        out = list(results)
    # A timer fires (30 ms after its record) before records that came well after it (the upstream sleeps 300 ms a
    # record): while the input is quiet the runner fires timers by the clock, not only when the next batch comes.
    checked = 0
    for timer_index, (kind, _, due, _) in enumerate(out):
        if kind != "timer":
            continue
        for record_index, (other, _, record_due, _) in enumerate(out):
            if other == "record" and record_due - 30 >= due + 200:
                assert timer_index < record_index, out
                checked += 1
    assert checked > 0, out
