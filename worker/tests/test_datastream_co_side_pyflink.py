"""PyFlink 2.3's own tests of connected streams, side outputs and AggregatingState (flink-python's
pyflink/datastream/tests/test_data_stream.py: test_basic_co_operations, test_keyed_co_process,
test_process_side_output, test_side_output_chained_with_upstream_operator, test_process_multiple_side_output,
test_co_process_side_output, test_keyed_process_side_output, test_aggregating_state), written again for PyFn with
PyFlink's expected results. PyFlink's tests read a main and a side sink after one execute; here both are collected
from one job (each tagged, then unioned)."""

import pytest

from datastream_runner import require_runner
from pyfn.common import Row
from pyfn.common.typeinfo import Types
from pyfn.common.watermark_strategy import TimestampAssigner, WatermarkStrategy
from pyfn.datastream import RuntimeContext, StreamExecutionEnvironment
from pyfn.datastream.functions import (CoFlatMapFunction, CoMapFunction, CoProcessFunction, KeyedCoProcessFunction,
                                       KeyedProcessFunction, ProcessFunction)
from pyfn.datastream.output_tag import OutputTag
from pyfn.datastream.state import ReducingStateDescriptor, ValueStateDescriptor

ROW_STRING_INT = Types.ROW([Types.STRING(), Types.INT()])
TAG = OutputTag("side", Types.INT())


pytestmark = pytest.mark.one_version


@pytest.fixture(scope="module", autouse=True)
def runner():
    return require_runner()


@pytest.fixture
def env():
    return StreamExecutionEnvironment.get_execution_environment()


class SecondColumnTimestampAssigner(TimestampAssigner):
    def extract_timestamp(self, value, record_timestamp) -> int:
        return int(value[1])


def main_and_side(stream, *tags) -> tuple:
    """(main results, each tag's results) as PyFlink's test sinks give them (str of each record), sorted."""
    branches = [stream.map(lambda v: ("main", str(v)), output_type=Types.TUPLE([Types.STRING(), Types.STRING()]))]
    for number, tag in enumerate(tags):
        branches.append(stream.get_side_output(tag).map(lambda v, n=number: (str(n), str(v)),
                                                        output_type=Types.TUPLE([Types.STRING(), Types.STRING()])))
    with branches[0].union(*branches[1:]).execute_and_collect() as records:
        records = list(records)
    return tuple(sorted(v for branch, v in records if branch == name)
                 for name in ["main"] + [str(n) for n in range(len(tags))])


def test_basic_co_operations(env):
    class MyCoFlatMapFunction(CoFlatMapFunction):
        def flat_map1(self, value):
            yield value + 1

        def flat_map2(self, value):
            yield value - 1

    class MyCoMapFunction(CoMapFunction):
        def map1(self, value):
            return value + 2

        def map2(self, value):
            return value + 1

    ds_1 = env.from_collection([1, 2, 3, 4, 5])
    ds_2 = ds_1.map(lambda x: x * 2)
    out = ds_1.connect(ds_2).flat_map(MyCoFlatMapFunction()).connect(ds_2).map(MyCoMapFunction())
    with out.execute_and_collect() as records:
        results = sorted(str(r) for r in records)
    assert results == sorted(['4', '5', '6', '7', '8', '3', '5', '7', '9', '11', '3', '5', '7', '9', '11'])


class MyKeyedCoProcessFunction(KeyedCoProcessFunction):
    def __init__(self):
        self.count_state = None
        self.timer_registered = False

    def open(self, runtime_context: RuntimeContext):
        self.timer_registered = False
        self.count_state = runtime_context.get_state(ValueStateDescriptor("count", Types.INT()))

    def _count(self, value):
        count = (self.count_state.value() or 0) + 1
        self.count_state.update(count)
        return [Row(value[0], count)]

    def process_element1(self, value, ctx):
        if not self.timer_registered:
            ctx.timer_service().register_event_time_timer(3)
            self.timer_registered = True
        return self._count(value)

    def process_element2(self, value, ctx):
        return self._count(value)

    def on_timer(self, timestamp: int, ctx):
        return [Row("on_timer", timestamp)]


def test_keyed_co_process(env):
    env.set_parallelism(1)
    strategy = WatermarkStrategy.for_monotonous_timestamps().with_timestamp_assigner(SecondColumnTimestampAssigner())
    ds1 = env.from_collection([("a", 1), ("b", 2), ("c", 3)], type_info=ROW_STRING_INT)
    ds2 = env.from_collection([("b", 2), ("c", 3), ("d", 4)], type_info=ROW_STRING_INT)
    out = (ds1.assign_timestamps_and_watermarks(strategy).connect(ds2.assign_timestamps_and_watermarks(strategy))
           .key_by(lambda x: x[0], lambda x: x[0]).process(MyKeyedCoProcessFunction())
           .map(lambda x: Row(x[0], x[1] + 1)))
    with out.execute_and_collect() as records:
        results = sorted(tuple(r) for r in records)
    assert results == sorted([('a', 2), ('b', 2), ('b', 3), ('c', 2), ('c', 3), ('d', 2), ('on_timer', 4)])


class YieldsNameAndSide(ProcessFunction):
    def process_element(self, value, ctx):
        yield value[0]
        yield TAG, value[1]


def test_process_side_output(env):
    ds = env.from_collection([('a', 0), ('b', 1), ('c', 2)], type_info=ROW_STRING_INT)
    main, side = main_and_side(ds.process(YieldsNameAndSide(), output_type=Types.STRING()), TAG)
    assert (main, side) == (['a', 'b', 'c'], ['0', '1', '2'])


def test_side_output_chained_with_upstream_operator(env):
    ds = env.from_collection([('a', 0), ('b', 1), ('c', 2)], type_info=ROW_STRING_INT)
    processed = ds.map(lambda e: (e[0], e[1] + 1)).process(YieldsNameAndSide(), output_type=Types.STRING())
    assert main_and_side(processed, TAG) == (['a', 'b', 'c'], ['1', '2', '3'])


def test_process_multiple_side_output(env):
    tag1 = OutputTag("side1", Types.INT())
    tag2 = OutputTag("side2", Types.STRING())

    class MyProcessFunction(ProcessFunction):
        def process_element(self, value, ctx):
            yield value[0]
            yield tag1, value[1]
            yield tag2, value[0] + str(value[1])

    ds = env.from_collection([('a', 0), ('b', 1), ('c', 2)], type_info=ROW_STRING_INT)
    processed = ds.process(MyProcessFunction(), output_type=Types.STRING())
    assert main_and_side(processed, tag1, tag2) == (['a', 'b', 'c'], ['0', '1', '2'], ['a0', 'b1', 'c2'])


def test_co_process_side_output(env):
    class MyCoProcessFunction(CoProcessFunction):
        def process_element1(self, value, ctx):
            yield value[0]
            yield TAG, value[1]

        def process_element2(self, value, ctx):
            yield value[1]
            yield TAG, value[0]

    ds1 = env.from_collection([('a', 0), ('b', 1), ('c', 2)], type_info=ROW_STRING_INT)
    ds2 = env.from_collection([(3, 'c'), (1, 'a'), (0, 'd')], type_info=Types.ROW([Types.INT(), Types.STRING()]))
    processed = ds1.connect(ds2).process(MyCoProcessFunction(), output_type=Types.STRING())
    assert main_and_side(processed, TAG) == (['a', 'a', 'b', 'c', 'c', 'd'], ['0', '0', '1', '1', '2', '3'])


def test_keyed_process_side_output(env):
    class MyKeyedProcessFunction(KeyedProcessFunction):
        def open(self, context: RuntimeContext):
            self.reducing_state = context.get_reducing_state(
                ReducingStateDescriptor("reduce", lambda i, j: i + j, Types.INT()))

        def process_element(self, value, ctx):
            yield value[1]
            self.reducing_state.add(value[1])
            yield TAG, self.reducing_state.get()

    ds = env.from_collection([('a', 1), ('b', 2), ('a', 3), ('b', 4)], type_info=ROW_STRING_INT)
    processed = ds.key_by(lambda e: e[0]).process(MyKeyedProcessFunction(), output_type=Types.INT())
    assert main_and_side(processed, TAG) == (['1', '2', '3', '4'], ['1', '2', '4', '6'])


def test_aggregating_state(env):
    """PyFlink's test_aggregating_state: an AggregatingState per key, at parallelism 2, one record a bundle."""
    from pyfn.datastream.functions import AggregateFunction
    from pyfn.datastream.state import AggregatingStateDescriptor

    class MyAggregateFunction(AggregateFunction):
        def create_accumulator(self):
            return 0

        def add(self, value, accumulator):
            return value + accumulator

        def get_result(self, accumulator):
            return accumulator

        def merge(self, acc_a, acc_b):
            return acc_a + acc_b

    class MyProcessFunction(KeyedProcessFunction):
        def open(self, runtime_context: RuntimeContext):
            self.aggregating_state = runtime_context.get_aggregating_state(
                AggregatingStateDescriptor('aggregating_state', MyAggregateFunction(), Types.INT()))

        def process_element(self, value, ctx):
            self.aggregating_state.add(value[0])
            yield self.aggregating_state.get(), value[1]

    env.set_parallelism(2)
    env.get_configuration().set_string("python.fn-execution.bundle.size", "1")
    ds = env.from_collection([(1, 'hi'), (2, 'hello'), (3, 'hi'), (4, 'hello'), (5, 'hi'), (6, 'hello')],
                             type_info=Types.TUPLE([Types.INT(), Types.STRING()]))
    out = ds.key_by(lambda x: x[1], key_type=Types.STRING()).process(
        MyProcessFunction(), output_type=Types.TUPLE([Types.INT(), Types.STRING()]))
    with out.execute_and_collect() as records:
        results = sorted("(%s,%s)" % tuple(r) for r in records)
    assert results == sorted(['(1,hi)', '(2,hello)', '(4,hi)', '(6,hello)', '(9,hi)', '(12,hello)'])
