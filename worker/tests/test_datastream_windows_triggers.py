"""Window triggers end to end (`window(...).trigger(...)`, GlobalWindows): CountTrigger on a global and on a tumbling
event-time window, PurgingTrigger, ContinuousEventTimeTrigger's early results, a user's Trigger keeping its own state
through the TriggerContext, a CountTrigger on session windows that merge (on_merge), checked against plain Python
at parallelism 1 and 2 (the windows' subtasks); the error a failing trigger gives, and the triggers refused.

The source runs at parallelism 1 so each key's records reach its window subtask in the source's order (count and
marker triggers depend on it); with parallelism 2 the keys split over two window subtasks and their state.

The same jobs on PyFlink 2.3 (its venv, parallelism 1, 2026-12-02) gave the same records for the global, purging,
tumbling-count and marker cases; for the session case PyFlink 2.3 leaves out the bridged session's firing: when two
sessions merge at once its merged CountTrigger count is 1, not 2 (a probe trigger raising with the count showed it),
though `merge_partitioned_state` is to merge the counts of both, as Java Flink does; PyFn merges both."""

import collections

import pytest

from datastream_runner import collect, require_runner
from datastream_timer_functions import EventTime, slowly
from datastream_trigger_functions import (MARKER, AnswersNothing, ContinuousTriggerDyingOnce, CountOfTimeWindow,
                                          CountTriggerDyingOnce, FailsOnElement, FireOnMarker, SortedTimesOfSession,
                                          SumOfAllWindow, ValuesOfWindow)
from pyfn.common import Duration, Time, Types, WatermarkStrategy
from pyfn.datastream import (ContinuousEventTimeTrigger, ContinuousProcessingTimeTrigger, CountTrigger,
                             EventTimeSessionWindows, EventTimeTrigger, GlobalWindows, NeverTrigger, OutputTag,
                             PurgingTrigger, StreamExecutionEnvironment, Trigger, TumblingEventTimeWindows)
from pyfn.util.exceptions import JobExecutionException
from test_datastream_timers import BASE, events

PAIR = Types.TUPLE([Types.STRING(), Types.LONG()])
TEXT_PAIR = Types.TUPLE([Types.STRING(), Types.STRING()])
runner_logic = pytest.mark.runner_logic
# Their Python paths (EventTimeTrigger, PurgingTrigger, CountTrigger) run in the other tests on every version.
one_version = pytest.mark.one_version
PARALLELISMS = [1, pytest.param(2, marks=runner_logic)]


@pytest.fixture(scope="module", autouse=True)
def runner():
    return require_runner()


def keyed(records, parallelism, type_info=PAIR, out_of_orderness_ms=None, bundle_size=None):
    """The records from one source subtask, keyed by their first field, with event times from their second field
    when `out_of_orderness_ms` is given."""
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(parallelism)
    if bundle_size:
        env.get_configuration().set_string("python.fn-execution.bundle.size", str(bundle_size))
    stream = env.from_collection(records, type_info).set_parallelism(1)
    if out_of_orderness_ms is not None:
        strategy = (WatermarkStrategy.for_bounded_out_of_orderness(Duration.of_millis(out_of_orderness_ms))
                    .with_timestamp_assigner(EventTime()))
        stream = stream.assign_timestamps_and_watermarks(strategy).set_parallelism(1)
    return stream.key_by(lambda r: r[0])


def per_key(records) -> dict:
    out = collections.defaultdict(list)
    for key, value in records:
        out[key].append(value)
    return out


COUNTED = [("ab"[i % 3 == 0], i) for i in range(40)]


@pytest.mark.parametrize("parallelism", PARALLELISMS)
def test_a_count_trigger_fires_a_global_window_every_n_records_keeping_them(parallelism):
    sums = (keyed(COUNTED, parallelism).window(GlobalWindows.create()).trigger(CountTrigger.of(3))
            .reduce(lambda a, b: (a[0], a[1] + b[1])))
    expected = [(key, sum(values[:n])) for key, values in per_key(COUNTED).items()
                for n in range(3, len(values) + 1, 3)]
    assert sorted(collect(sums)) == sorted(expected)


@pytest.mark.parametrize("parallelism", PARALLELISMS)
def test_a_purging_count_trigger_fires_each_n_records_once(parallelism):
    groups = (keyed(COUNTED, parallelism).window(GlobalWindows.create())
              .trigger(PurgingTrigger.of(CountTrigger.of(3))).process(ValuesOfWindow()))
    expected = [(key, values[n:n + 3]) for key, values in per_key(COUNTED).items()
                for n in range(0, len(values) - 2, 3)]
    assert sorted(collect(groups)) == sorted(expected)


def test_a_global_window_without_a_trigger_never_fires():
    stream = keyed(COUNTED, 1).window(GlobalWindows.create()).reduce(lambda a, b: a)
    assert collect(stream) == []
    assert repr(GlobalWindows.create().get_default_trigger()) == repr(NeverTrigger())


@one_version
def test_a_trigger_on_window_all_fires_the_whole_streams_window():
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(2)
    fired = (env.from_collection(COUNTED, PAIR).set_parallelism(1).window_all(GlobalWindows.create())
             .trigger(PurgingTrigger.of(CountTrigger.of(7))).process(SumOfAllWindow()))
    values = [value for _, value in COUNTED]
    assert collect(fired) == [(7, sum(values[n:n + 7])) for n in range(0, len(values) - 6, 7)]


def in_order(count: int, step_ms: int):
    """Keys a and b alternating, one record every `step_ms` of event time from BASE."""
    return [("ab"[i % 2], BASE + i * step_ms) for i in range(count)]


@pytest.mark.parametrize("parallelism", PARALLELISMS)
def test_a_count_trigger_on_tumbling_windows_fires_every_two_records_of_each_window(parallelism):
    records = in_order(90, 700)
    fired = (keyed(records, parallelism, out_of_orderness_ms=0).window(TumblingEventTimeWindows.of(Time.seconds(10)))
             .trigger(CountTrigger.of(2)).process(CountOfTimeWindow()))
    sizes = collections.Counter((key, at - at % 10_000) for key, at in records)
    # CountTrigger never fires by time: a window's last odd record never comes out; the window goes at its end.
    assert sorted(collect(fired)) == sorted((key, start, n) for (key, start), size in sizes.items()
                                            for n in range(2, size + 1, 2))


def continuous_firing_times(first: int, end: int, interval: int) -> list:
    """When ContinuousEventTimeTrigger fires a window [.., end) whose first record is at `first`: on the
    interval's grid after it, and at the window's last millisecond."""
    times, at = [], min(first - first % interval + interval, end - 1)
    while True:
        times.append(at)
        if at == end - 1:
            return times
        at = min(at + interval, end - 1)


@pytest.mark.parametrize("parallelism", PARALLELISMS)
def test_a_continuous_event_time_trigger_fires_early_results_as_the_watermark_passes(parallelism):
    records = in_order(120, 300)
    # Small bundles: the watermark moves on between them, so firings come while a window's records still arrive.
    fired = (keyed(records, parallelism, out_of_orderness_ms=0, bundle_size=5)
             .window(TumblingEventTimeWindows.of(Time.seconds(10)))
             .trigger(ContinuousEventTimeTrigger.of(Time.seconds(2))).process(CountOfTimeWindow()))
    assert_continuous_firings(collect(fired), records)


def assert_continuous_firings(fired, records):
    """Each window of `records` fired by ContinuousEventTimeTrigger.of(2 s) as often as it should, each firing
    with the records it must hold, the last with all; most windows fired early."""
    firings = collections.defaultdict(list)
    for key, start, count in fired:
        firings[(key, start)].append(count)
    windows = collections.defaultdict(list)
    for key, at in records:
        windows[(key, at - at % 10_000)].append(at)
    assert set(firings) == set(windows)
    for (key, start), times in windows.items():
        fire_times = continuous_firing_times(min(times), start + 10_000, 2_000)
        counts = sorted(firings[(key, start)])
        assert len(counts) == len(fire_times), (key, start, counts)
        # A firing at t comes once the watermark passed t: every record up to t is in; later ones may be too.
        for count, fire_time in zip(counts, fire_times):
            assert sum(1 for at in times if at <= fire_time) <= count <= len(times)
        assert counts[-1] == len(times), "the window fires with all its records at its end"
    early = [counts for counts in firings.values() if counts[0] < counts[-1]]
    assert len(early) >= len(firings) // 2, "windows fire with part of their records before their end"


@runner_logic
def test_a_continuous_processing_time_trigger_fires_a_global_window_by_the_clock_while_records_come():
    env = StreamExecutionEnvironment.get_execution_environment()
    env.get_configuration().set_string("python.fn-execution.bundle.size", "1")
    fired = collect(env.from_collection([("ab"[i % 2], i) for i in range(40)], PAIR).map(slowly, output_type=PAIR)
                    .key_by(lambda r: r[0]).window(GlobalWindows.create())
                    .trigger(ContinuousProcessingTimeTrigger.of(Time.milliseconds(100))).process(ValuesOfWindow()))
    for key in "ab":
        firings = [values for k, values in fired if k == key]
        # Records come 20 ms apart for 0.8 s: the window fires every 100 ms with what it holds then (nothing is
        # purged, so each firing holds the one before); pending timers do not fire at the end of the stream.
        assert len(firings) >= 2, fired
        expected = [i for i in range(40) if "ab"[i % 2] == key]
        for earlier, later in zip(firings, firings[1:]):
            assert later[:len(earlier)] == earlier and len(later) >= len(earlier)
        assert firings[-1] == expected[:len(firings[-1])]


@runner_logic
def test_a_worker_killed_in_on_element_leaves_the_trigger_state_exact(tmp_path):
    marker = tmp_path / "died"
    records = [("ab"[i % 3 == 0], i) for i in range(400)]
    groups = (keyed(records, 2, bundle_size=20).window(GlobalWindows.create())
              .trigger(PurgingTrigger.of(CountTriggerDyingOnce(3, str(marker), die_at=150))).process(ValuesOfWindow()))
    fired = collect(groups)
    assert marker.exists(), "a worker did die"
    assert sorted(fired) == sorted((key, values[n:n + 3]) for key, values in per_key(records).items()
                                   for n in range(0, len(values) - 2, 3))


@runner_logic
def test_a_worker_killed_in_on_event_time_leaves_the_firings_exact(tmp_path):
    marker = tmp_path / "died"
    records = in_order(120, 300)
    fired = (keyed(records, 2, out_of_orderness_ms=0, bundle_size=5)
             .window(TumblingEventTimeWindows.of(Time.seconds(10)))
             .trigger(ContinuousTriggerDyingOnce(2000, str(marker), die_at=12)).process(CountOfTimeWindow()))
    out = collect(fired)
    assert marker.exists(), "a worker did die"
    assert_continuous_firings(out, records)


@one_version
@pytest.mark.parametrize("assigner", [TumblingEventTimeWindows.of(Time.seconds(10)),
                                      EventTimeSessionWindows.with_gap(Time.seconds(1))], ids=["tumbling", "session"])
def test_an_explicit_event_time_trigger_fires_as_the_default_windows_do_late_records_included(assigner):
    # Up to 2 s out of order behind a 1 s watermark delay: some records are late, some within the allowed lateness
    # (they fire their window again), the rest go to the side output; both operators see the same batches. (The
    # default operator used to fire a window that a late record opened or merged twice: at once, and again by a
    # timer at its end, which the watermark had passed.)
    records = events(1500, jitter_ms=2000)
    stream = keyed(records, 1, out_of_orderness_ms=1000, bundle_size=50)
    late = OutputTag("late", PAIR)
    outputs = []
    for name, trigger in (("default", None), ("explicit", EventTimeTrigger.create())):
        windowed = stream.window(assigner).allowed_lateness(700).side_output_late_data(late)
        fired = (windowed if trigger is None else windowed.trigger(trigger)).process(CountOfTimeWindow())
        outputs.append(fired.map(lambda f, name=name: (name, repr(f)), output_type=TEXT_PAIR))
        outputs.append(fired.get_side_output(late).map(lambda r, name=name: (name, "late %r" % (r,)),
                                                       output_type=TEXT_PAIR))
    out = collect(outputs[0].union(*outputs[1:]))
    default = sorted(text for name, text in out if name == "default")
    assert any(text.startswith("late") for text in default) and len(default) > 20
    explicit = sorted(text for name, text in out if name == "explicit")
    assert explicit == default


MARKED = [("a", "1"), ("a", MARKER), ("a", "2"), ("b", "1"), ("a", "3"), ("a", MARKER), ("b", MARKER),
          ("b", MARKER), ("a", MARKER), ("a", "4"), ("b", "2"), ("b", MARKER), ("a", MARKER)]


def marker_reference(records, at_least: int) -> list:
    """What FireOnMarker(at_least) emits, computed in plain Python."""
    out, pending = [], collections.defaultdict(list)
    for key, value in records:
        pending[key].append(value)
        if value == MARKER and len(pending[key]) >= at_least:
            out.append((key, pending.pop(key)))
    return out


@pytest.mark.parametrize("parallelism", PARALLELISMS)
def test_a_users_trigger_keeps_its_own_state_through_the_trigger_context(parallelism):
    fired = (keyed(MARKED, parallelism, TEXT_PAIR).window(GlobalWindows.create()).trigger(FireOnMarker(3))
             .process(ValuesOfWindow()))
    expected = marker_reference(MARKED, 3)
    assert expected == [("a", ["1", MARKER, "2", "3", MARKER]), ("b", ["1", MARKER, MARKER]),
                        ("a", [MARKER, "4", MARKER])]
    assert sorted(collect(fired)) == sorted(expected)


@pytest.mark.parametrize("parallelism", PARALLELISMS)
def test_a_count_trigger_on_session_windows_counts_the_records_of_merged_sessions(parallelism):
    # 'a': sessions at 0 and 5 s (gap 3 s) until the record at 2.5 s bridges them; its third record fires the
    # merged session only if on_merge merged the two sessions' counts. 'b': one session growing record by record.
    offsets = [("a", 0), ("a", 5000), ("b", 0), ("a", 2500), ("b", 1000), ("b", 2000), ("b", 3000), ("b", 4000),
               ("b", 5000), ("a", 20_000), ("a", 21_000), ("a", 22_000)]
    records = [(key, BASE + offset) for key, offset in offsets]
    fired = (keyed(records, parallelism, out_of_orderness_ms=6000)
             .window(EventTimeSessionWindows.with_gap(Time.seconds(3))).trigger(CountTrigger.of(3))
             .process(SortedTimesOfSession()))
    assert sorted(collect(fired)) == sorted([
        ("a", BASE, BASE + 8000, [BASE, BASE + 2500, BASE + 5000]),
        ("a", BASE + 20_000, BASE + 25_000, [BASE + 20_000, BASE + 21_000, BASE + 22_000]),
        ("b", BASE, BASE + 5000, [BASE, BASE + 1000, BASE + 2000]),
        ("b", BASE, BASE + 8000, [BASE + offset for offset in range(0, 6000, 1000)])])


@pytest.mark.parametrize("trigger, message", [
    (FailsOnElement(), "function 'Window(GlobalWindows(), FailsOnElement(), ValuesOfWindow)' keyed_process raised "
                       "TriggerFailed: trigger FailsOnElement() failed in on_element for GlobalWindow: ValueError: "
                       "cannot judge 'boom' on record ('a', 'boom')"),
    (AnswersNothing(), "function 'Window(GlobalWindows(), AnswersNothing(), ValuesOfWindow)' keyed_process raised "
                       "TriggerFailed: trigger AnswersNothing() returned None from on_element for GlobalWindow; it "
                       "must return a TriggerResult (CONTINUE, FIRE, PURGE or FIRE_AND_PURGE) on record ('a', 'ok')"),
])
def test_a_failing_trigger_names_itself_the_window_and_the_record(trigger, message):
    stream = keyed([("a", "ok"), ("a", "boom")], 1, TEXT_PAIR).window(GlobalWindows.create()).trigger(trigger) \
        .process(ValuesOfWindow())
    with pytest.raises(JobExecutionException) as raised:
        collect(stream)
    assert message in str(raised.value)


def test_trigger_refuses_what_is_not_a_trigger_and_a_session_trigger_that_cannot_merge():
    windowed = keyed(COUNTED, 1).window(EventTimeSessionWindows.with_gap(Time.seconds(1)))
    with pytest.raises(TypeError, match=r"trigger\(\) takes a Trigger \(e.g. CountTrigger.of\(3\)\), got 3"):
        windowed.trigger(3)
    with pytest.raises(TypeError, match="A merging window assigner cannot be used with a trigger that does not "
                                        "support merging."):
        windowed.trigger(NeverTrigger())
    assert isinstance(windowed.trigger(PurgingTrigger.of(CountTrigger.of(2))), type(windowed))
    assert issubclass(NeverTrigger, Trigger)
