"""PyFlink 2.3's own tests of the broadcast state pattern (flink-python's pyflink/datastream/tests/test_data_stream.py:
test_co_broadcast_process, test_keyed_co_broadcast_process, test_co_broadcast_side_output), written again for PyFn
with PyFlink's expected results, at the parallelism of PyFlink's streaming test case (2): every subtask handles
every broadcast record, so each broadcast output comes twice."""

from collections import defaultdict

import pytest

from pyfn.common.typeinfo import Types
from pyfn.common.watermark_strategy import WatermarkStrategy
from pyfn.datastream import RuntimeContext, StreamExecutionEnvironment
from pyfn.datastream.functions import BroadcastProcessFunction, KeyedBroadcastProcessFunction
from pyfn.datastream.output_tag import OutputTag
from pyfn.datastream.state import MapStateDescriptor
# The runner fixture (skips without a runner) comes with the helpers of the connected streams' PyFlink tests.
from test_datastream_co_side_pyflink import SecondColumnTimestampAssigner, main_and_side, runner  # noqa: F401

pytestmark = pytest.mark.one_version


@pytest.fixture
def env():
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(2)
    return env


def collect_strings(stream) -> list:
    with stream.execute_and_collect() as records:
        return sorted(str(r) for r in records)


def test_co_broadcast_process(env):
    ds = env.from_collection([1, 2, 3, 4, 5], type_info=Types.INT())
    ds_broadcast = env.from_collection([(0, "a"), (1, "b")], type_info=Types.TUPLE([Types.INT(), Types.STRING()]))

    class MyBroadcastProcessFunction(BroadcastProcessFunction):
        def __init__(self, map_state_desc):
            self._map_state_desc = map_state_desc
            self._cache = defaultdict(list)

        def process_element(self, value, ctx):
            ro_broadcast_state = ctx.get_broadcast_state(self._map_state_desc)
            key = value % 2
            if ro_broadcast_state.contains(key):
                if self._cache.get(key) is not None:
                    for v in self._cache[key]:
                        yield ro_broadcast_state.get(key) + str(v)
                    self._cache[key].clear()
                yield ro_broadcast_state.get(key) + str(value)
            else:
                self._cache[key].append(value)

        def process_broadcast_element(self, value, ctx):
            key = value[0]
            yield str(key) + value[1]
            ctx.get_broadcast_state(self._map_state_desc).put(key, value[1])
            if self._cache.get(key) is not None:
                for v in self._cache[key]:
                    yield value[1] + str(v)
                self._cache[key].clear()

    map_state_desc = MapStateDescriptor("mapping", key_type_info=Types.INT(), value_type_info=Types.STRING())
    out = ds.connect(ds_broadcast.broadcast(map_state_desc)).process(
        MyBroadcastProcessFunction(map_state_desc), output_type=Types.STRING())
    assert collect_strings(out) == sorted(["0a", "0a", "1b", "1b", "a2", "a4", "b1", "b3", "b5"])


def test_keyed_co_broadcast_process(env):
    ds = env.from_collection([(1, '1603708211000'), (2, '1603708212000'), (3, '1603708213000'),
                              (4, '1603708214000')], type_info=Types.ROW([Types.INT(), Types.STRING()]))
    ds_broadcast = env.from_collection([(0, '1603708215000', 'a'), (1, '1603708215000', 'b')],
                                       type_info=Types.ROW([Types.INT(), Types.STRING(), Types.STRING()]))
    watermark_strategy = WatermarkStrategy.for_monotonous_timestamps() \
        .with_timestamp_assigner(SecondColumnTimestampAssigner())
    ds = ds.assign_timestamps_and_watermarks(watermark_strategy)
    ds_broadcast = ds_broadcast.assign_timestamps_and_watermarks(watermark_strategy)

    def _create_string(s, t):
        return 'value: {}, ts: {}'.format(s, t)

    class MyKeyedBroadcastProcessFunction(KeyedBroadcastProcessFunction):
        def __init__(self, map_state_desc):
            self._map_state_desc = map_state_desc
            self._cache = None

        def open(self, runtime_context: RuntimeContext):
            self._cache = defaultdict(list)

        def process_element(self, value, ctx):
            ro_broadcast_state = ctx.get_broadcast_state(self._map_state_desc)
            key = value[0] % 2
            if ro_broadcast_state.contains(key):
                if self._cache.get(key) is not None:
                    for v in self._cache[key]:
                        yield _create_string(ro_broadcast_state.get(key) + str(v[0]), v[1])
                    self._cache[key].clear()
                yield _create_string(ro_broadcast_state.get(key) + str(value[0]), value[1])
            else:
                self._cache[key].append(value)
            ctx.timer_service().register_event_time_timer(ctx.timestamp() + 10000)

        def process_broadcast_element(self, value, ctx):
            key = value[0]
            yield _create_string(str(key) + value[2], ctx.timestamp())
            ctx.get_broadcast_state(self._map_state_desc).put(key, value[2])
            if self._cache.get(key) is not None:
                for v in self._cache[key]:
                    yield _create_string(value[2] + str(v[0]), v[1])
                self._cache[key].clear()

        def on_timer(self, timestamp, ctx):
            yield _create_string(ctx.get_current_key(), timestamp)

    map_state_desc = MapStateDescriptor("mapping", key_type_info=Types.INT(), value_type_info=Types.STRING())
    out = ds.key_by(lambda t: t[0]).connect(ds_broadcast.broadcast(map_state_desc)).process(
        MyKeyedBroadcastProcessFunction(map_state_desc), output_type=Types.STRING())
    assert collect_strings(out) == sorted([
        'value: 0a, ts: 1603708215000', 'value: 0a, ts: 1603708215000', 'value: 1, ts: 1603708221000',
        'value: 1b, ts: 1603708215000', 'value: 1b, ts: 1603708215000', 'value: 2, ts: 1603708222000',
        'value: 3, ts: 1603708223000', 'value: 4, ts: 1603708224000', 'value: a2, ts: 1603708212000',
        'value: a4, ts: 1603708214000', 'value: b1, ts: 1603708211000', 'value: b3, ts: 1603708213000'])


def test_co_broadcast_side_output(env):
    tag = OutputTag("side", Types.INT())

    class MyBroadcastProcessFunction(BroadcastProcessFunction):
        def process_element(self, value, ctx):
            yield value[0]
            yield tag, value[1]

        def process_broadcast_element(self, value, ctx):
            yield value[1]
            yield tag, value[0]

    ds = env.from_collection([('a', 0), ('b', 1), ('c', 2)], type_info=Types.ROW([Types.STRING(), Types.INT()]))
    ds_broadcast = env.from_collection([(3, 'd'), (4, 'f')], type_info=Types.ROW([Types.INT(), Types.STRING()]))
    map_state_desc = MapStateDescriptor("dummy", key_type_info=Types.INT(), value_type_info=Types.STRING())
    processed = ds.connect(ds_broadcast.broadcast(map_state_desc)).process(
        MyBroadcastProcessFunction(), output_type=Types.STRING())
    assert main_and_side(processed, tag) == (['a', 'b', 'c', 'd', 'd', 'f', 'f'], ['0', '1', '2', '3', '3', '4', '4'])
