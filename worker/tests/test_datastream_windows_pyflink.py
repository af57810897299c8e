"""PyFlink 2.3's own DataStream window tests (flink-python's pyflink/datastream/tests/test_window.py), written
again for PyFn with PyFlink's module paths and its expected results: tumbling, sliding and session windows by
event time (fixed and dynamic gaps), tumbling and sliding count windows."""

from typing import Iterable

import pytest

from datastream_runner import require_runner
from pyfn.common.time import Time
from pyfn.common.typeinfo import Types
from pyfn.common.watermark_strategy import TimestampAssigner, WatermarkStrategy
from pyfn.datastream import StreamExecutionEnvironment
from pyfn.datastream.functions import ProcessWindowFunction, WindowFunction
from pyfn.datastream.window import (CountSlidingWindowAssigner, CountWindow, EventTimeSessionWindows,
                                    SessionWindowTimeGapExtractor, SlidingEventTimeWindows, TumblingEventTimeWindows)

HI = [('hi', 1), ('hi', 2), ('hi', 3), ('hi', 4), ('hi', 5), ('hi', 8), ('hi', 9), ('hi', 15)]
STRING_INT = Types.TUPLE([Types.STRING(), Types.INT()])
INT_STRING = Types.TUPLE([Types.INT(), Types.STRING()])


pytestmark = pytest.mark.one_version


@pytest.fixture(scope="module", autouse=True)
def runner():
    return require_runner()


class SecondColumnTimestampAssigner(TimestampAssigner):
    def extract_timestamp(self, value, record_timestamp) -> int:
        return int(value[1])


class GapOfSecondColumn(SessionWindowTimeGapExtractor):
    def extract(self, element: tuple) -> int:
        return element[1]


class SumWindowFunction(WindowFunction[tuple, tuple, str, CountWindow]):
    def apply(self, key: str, window: CountWindow, inputs: Iterable[tuple]):
        return [(key, sum(i[0] for i in inputs))]


class CountWindowProcessFunction(ProcessWindowFunction[tuple, tuple, str, CountWindow]):
    def process(self, key: str, context: ProcessWindowFunction.Context, elements: Iterable[tuple]):
        return [(key, len([e for e in elements]))]


def results(stream) -> list:
    """The job's records as PyFlink's test sink prints them ('(hi,4)'), sorted."""
    with stream.execute_and_collect() as records:
        return sorted("(%s,%s)" % tuple(record) for record in records)


def event_time_windows(records, assigner, parallelism=None):
    env = StreamExecutionEnvironment.get_execution_environment()
    if parallelism:
        env.set_parallelism(parallelism)
    strategy = WatermarkStrategy.for_monotonous_timestamps().with_timestamp_assigner(SecondColumnTimestampAssigner())
    return (env.from_collection(records, type_info=STRING_INT).assign_timestamps_and_watermarks(strategy)
            .key_by(lambda x: x[0], key_type=Types.STRING()).window(assigner)
            .process(CountWindowProcessFunction(), STRING_INT))


def test_event_time_tumbling_window():
    assert results(event_time_windows(HI, TumblingEventTimeWindows.of(Time.milliseconds(5)))) == \
        sorted(['(hi,4)', '(hi,3)', '(hi,1)'])


def test_event_time_sliding_window():
    assigner = SlidingEventTimeWindows.of(Time.milliseconds(5), Time.milliseconds(2))
    assert results(event_time_windows(HI, assigner)) == \
        sorted(['(hi,2)', '(hi,4)', '(hi,4)', '(hi,3)', '(hi,2)', '(hi,2)', '(hi,1)', '(hi,1)'])


def test_event_time_session_window():
    records = [('hi', 1), ('hi', 2), ('hi', 3), ('hi', 4), ('hi', 8), ('hi', 9), ('hi', 15)]
    assert results(event_time_windows(records, EventTimeSessionWindows.with_gap(Time.milliseconds(5)))) == \
        sorted(['(hi,1)', '(hi,6)'])


def test_event_time_dynamic_gap_session_window():
    records = [('hi', 1), ('hi', 2), ('hi', 3), ('hi', 4), ('hi', 9), ('hi', 9), ('hi', 15)]
    assert results(event_time_windows(records, EventTimeSessionWindows.with_dynamic_gap(GapOfSecondColumn()), 1)) == \
        sorted(['(hi,3)', '(hi,4)'])


def count_windows(records, window):
    env = StreamExecutionEnvironment.get_execution_environment()
    return window(env.from_collection(records, type_info=INT_STRING).key_by(lambda x: x[1], key_type=Types.STRING())) \
        .apply(SumWindowFunction(), STRING_INT)


def test_count_tumbling_window():
    records = [(1, 'hi'), (2, 'hello'), (3, 'hi'), (4, 'hello'), (5, 'hi'), (6, 'hello'), (6, 'hello')]
    assert results(count_windows(records, lambda keyed: keyed.count_window(3))) == sorted(['(hi,9)', '(hello,12)'])


def test_count_sliding_window():
    records = [(1, 'hi'), (2, 'hello'), (3, 'hi'), (4, 'hello'), (5, 'hi'), (6, 'hello')]
    assert results(count_windows(records, lambda keyed: keyed.window(CountSlidingWindowAssigner(2, 1)))) == \
        sorted(['(hello,6)', '(hi,8)', '(hi,4)', '(hello,10)'])


def test_dynamic_event_time_session_windows_class():
    from pyfn.datastream.window import DynamicEventTimeSessionWindows
    records = [('hi', 1), ('hi', 2), ('hi', 3), ('hi', 4), ('hi', 9), ('hi', 9), ('hi', 15)]
    assigner = DynamicEventTimeSessionWindows.with_dynamic_gap(GapOfSecondColumn())
    assert results(event_time_windows(records, assigner, 1)) == sorted(['(hi,3)', '(hi,4)'])
