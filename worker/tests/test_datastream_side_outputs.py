"""Side outputs end to end: a process function yields `(output_tag, value)`, `get_side_output(output_tag)` is the
stream of those values (typed or pickled) while the stream itself keeps the main output, also for streams built on
it before the side output was asked for; a KeyedProcessFunction's records and timers emit to side outputs; at
parallelism 1 and 2, checked against plain Python."""

import pytest

from datastream_runner import collect, require_runner
from datastream_side_output_functions import BIG, ODD, FlagsEveryThird, RoutesNumbers
from datastream_timer_functions import EventTime
from pyfn.common import Duration, Types, WatermarkStrategy
from pyfn.datastream import OutputTag, StreamExecutionEnvironment

runner_logic = pytest.mark.runner_logic


@pytest.fixture(scope="module", autouse=True)
def runner():
    return require_runner()


def environment(parallelism=1):
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(parallelism)
    env.get_configuration().set_string("python.fn-execution.bundle.size", "40")
    return env


@pytest.mark.parametrize("parallelism", [1, pytest.param(2, marks=runner_logic)])
def test_a_process_function_routes_records_to_its_side_outputs(parallelism):
    env = environment(parallelism)
    routed = env.from_collection(list(range(100)), Types.LONG()).process(RoutesNumbers(), output_type=Types.LONG())
    # The main output is read by a step built before any side output was asked for.
    main = routed.map(lambda v: ("main", v))
    odd = routed.get_side_output(ODD).map(lambda v: ("odd", v))
    big = routed.get_side_output(BIG).map(lambda v: ("big", v))
    out = collect(main.union(odd, big))
    expected = [("main", n) for n in range(0, 100, 2)] + [("odd", n * 10) for n in range(1, 100, 2)] + \
        [("big", "big %d" % n) for n in range(91, 100)]
    assert sorted(out) == sorted(expected)


def test_the_main_output_alone_leaves_the_side_outputs_out():
    env = environment()
    routed = env.from_collection(list(range(20)), Types.LONG()).process(RoutesNumbers(), output_type=Types.LONG())
    routed.get_side_output(ODD)
    assert sorted(collect(routed)) == list(range(0, 20, 2))


@pytest.mark.parametrize("parallelism", [1, pytest.param(2, marks=runner_logic)])
def test_a_keyed_process_function_emits_to_side_outputs_from_records_and_timers(parallelism):
    env = environment(parallelism)
    records = [("k%d" % (i % 4), 1000 * i) for i in range(60)]
    strategy = (WatermarkStrategy.for_bounded_out_of_orderness(Duration.of_seconds(1))
                .with_timestamp_assigner(EventTime()))
    flagged = (env.from_collection(records, Types.TUPLE([Types.STRING(), Types.LONG()]))
               .assign_timestamps_and_watermarks(strategy).key_by(lambda r: r[0]).process(FlagsEveryThird()))
    main = flagged.map(lambda r: ("main", r))
    thirds = flagged.get_side_output(ODD).map(lambda n: ("third", n))
    timers = flagged.get_side_output(BIG).map(lambda t: ("timer", t))
    out = collect(main.union(thirds, timers))
    per_key = {key: [at for k, at in records if k == key] for key in ("k0", "k1", "k2", "k3")}
    expected = [("main", r) for r in records]
    for key, times in per_key.items():
        expected += [("third", n) for n in range(3, len(times) + 1, 3)]
        expected += [("timer", (key, times[n - 1])) for n in range(3, len(times) + 1, 3)]
    assert sorted(out) == sorted(expected)


def test_a_side_output_of_a_map_is_refused_naming_the_tag():
    env = environment()
    mapped = env.from_collection([1], Types.LONG()).map(lambda v: v)
    with pytest.raises(ValueError, match=r"get_side_output\('late'\): side outputs come from a process function"):
        mapped.get_side_output(OutputTag("late"))
