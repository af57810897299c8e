"""Event time through the steps after assign_timestamps_and_watermarks: filter, flat_map, process (with
`ctx.timestamp()`), rebalance, union and a KeyedProcessFunction's outputs keep their records' timestamps and the
watermark follows them, so windows counted by event-time timers downstream match plain Python, at parallelism 1
and 2."""

import collections

import pytest

from datastream_event_time_functions import PassesOn, StampsWithTimestamp, SumsWindowCounts
from datastream_runner import collect, require_runner
from datastream_timer_functions import WINDOW_MS, EventTime, TumblingCountByTimer
from pyfn.common import Duration, Types, WatermarkStrategy
from pyfn.datastream import StreamExecutionEnvironment
from test_datastream_timers import events, reference

PAIR = Types.TUPLE([Types.STRING(), Types.LONG()])


@pytest.fixture(scope="module", autouse=True)
def runner():
    return require_runner()


def timed_source(records, parallelism):
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(parallelism)
    env.get_configuration().set_string("python.fn-execution.bundle.size", "100")
    strategy = (WatermarkStrategy.for_bounded_out_of_orderness(Duration.of_seconds(5))
                .with_timestamp_assigner(EventTime()))
    source = env.from_collection(records, PAIR).set_parallelism(parallelism)
    return source.assign_timestamps_and_watermarks(strategy)


def doubled(record):
    """The flat_map of the tests: each record, and a copy under its key in capitals."""
    return [record, (record[0].upper(), record[1])]


@pytest.mark.parametrize("parallelism", [1, 2])
def test_filter_flat_map_process_and_rebalance_keep_the_timestamps(parallelism):
    records = events(1500)
    stream = (timed_source(records, parallelism)
              .filter(lambda r: r[0] != "e").start_new_chain()
              .flat_map(doubled, output_type=PAIR)
              .rebalance()
              .process(StampsWithTimestamp(), output_type=Types.TUPLE([Types.STRING(), Types.LONG(), Types.LONG()]))
              .map(lambda r: (r[0], r[1]), output_type=PAIR)
              .key_by(lambda r: r[0])
              .process(TumblingCountByTimer()))
    fired = collect(stream)
    expected = [out for r in records if r[0] != "e" for out in doubled(r)]
    assert sorted((key, start, count) for key, start, count, _, _ in fired) == reference(expected)
    assert all(passed for *_, passed in fired), "a timer fires once the watermark reaches it"


def test_ctx_timestamp_in_a_process_function_is_the_records_event_time():
    records = events(300)
    stream = timed_source(records, 2).flat_map(lambda r: [r], output_type=PAIR).process(
        StampsWithTimestamp(), output_type=Types.TUPLE([Types.STRING(), Types.LONG(), Types.LONG()]))
    assert sorted(collect(stream)) == sorted((key, at, at) for key, at in records)


@pytest.mark.parametrize("parallelism", [1, 2])
def test_a_union_of_timed_streams_counts_every_record(parallelism):
    records = events(1200)
    timed = timed_source(records, parallelism)
    low = timed.filter(lambda r: r[0] in "ab")
    high = timed.filter(lambda r: r[0] not in "ab").map(lambda r: (r[0] + "!", r[1]), output_type=PAIR)
    stream = low.union(high).key_by(lambda r: r[0]).process(TumblingCountByTimer())
    expected = [(key if key in "ab" else key + "!", at) for key, at in records]
    fired = collect(stream)
    assert sorted((key, start, count) for key, start, count, _, _ in fired) == reference(expected)
    assert all(passed for *_, passed in fired)


@pytest.mark.parametrize("parallelism", [1, 2])
def test_keyed_process_outputs_carry_the_record_or_the_timer_timestamp(parallelism):
    records = events(1500)
    counts = (timed_source(records, parallelism)
              .key_by(lambda r: r[0]).process(PassesOn(), output_type=PAIR)
              .key_by(lambda r: r[0]).process(TumblingCountByTimer(),
                                              output_type=Types.TUPLE([Types.STRING(), Types.LONG(), Types.LONG(),
                                                                       Types.STRING(), Types.BOOLEAN()])))
    totals = collect(counts.key_by(lambda r: r[0]).process(SumsWindowCounts()))
    expected = collections.Counter()
    for key, at in records:
        expected[(key, at // WINDOW_MS * WINDOW_MS // (3 * WINDOW_MS) * (3 * WINDOW_MS))] += 1
    assert sorted(totals) == sorted((key, start, total) for (key, start), total in expected.items())
