"""Connected streams end to end (`ds1.connect(ds2)`): a CoMapFunction and a CoFlatMapFunction over two streams of
different types, and a KeyedCoProcessFunction whose two inputs share each key's state, at parallelism 1 and 2,
checked against plain Python."""

import collections

import pytest

from datastream_co_functions import CountsBothInputs, Describe, Split
from datastream_runner import collect, require_runner
from pyfn.common import Types
from pyfn.datastream import StreamExecutionEnvironment

runner_logic = pytest.mark.runner_logic


@pytest.fixture(scope="module", autouse=True)
def runner():
    return require_runner()


def environment(parallelism):
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(parallelism)
    env.get_configuration().set_string("python.fn-execution.bundle.size", "50")
    return env


@pytest.mark.parametrize("parallelism", [1, pytest.param(2, marks=runner_logic)])
def test_a_co_map_function_maps_each_input_with_its_own_method(parallelism):
    env = environment(parallelism)
    numbers = env.from_collection(list(range(300)), Types.INT())
    words = env.from_collection(["w" * (i % 7 + 1) for i in range(200)], Types.STRING())
    out = collect(numbers.connect(words).map(Describe(), output_type=Types.TUPLE([Types.STRING(), Types.INT()])))
    assert sorted(out) == sorted([("n", i * 10) for i in range(300)] + [("w", i % 7 + 1) for i in range(200)])


def test_a_co_flat_map_function_emits_any_number_per_record():
    env = environment(1)
    sentences = env.from_collection(["a b c", "", "d e"], Types.STRING())
    numbers = env.from_collection([1, 2], Types.INT())
    out = collect(sentences.connect(numbers).flat_map(Split(), output_type=Types.STRING()))
    assert sorted(out) == sorted(["a", "b", "c", "d", "e", "1", "1", "2", "2"])


@pytest.mark.parametrize("parallelism", [1, pytest.param(2, marks=runner_logic)])
def test_keyed_connected_streams_share_each_keys_state(parallelism):
    env = environment(parallelism)
    clicks = [("k%d" % (i % 5), i) for i in range(400)]
    views = [(i % 5, "v") for i in range(250)]
    first = env.from_collection(clicks, Types.TUPLE([Types.STRING(), Types.INT()]))
    second = env.from_collection(views, Types.TUPLE([Types.INT(), Types.STRING()]))
    connected = first.connect(second).key_by(lambda c: c[0], lambda v: "k%d" % v[0])
    out = collect(connected.process(CountsBothInputs()))
    expected = collections.Counter()
    for key, _ in clicks:
        expected[key] += 1
    for key, _ in views:
        expected["k%d" % key] += 100
    finals = {key: max(total for k, _, total in out if k == key) for key in expected}
    assert finals == dict(expected)
    assert collections.Counter(which for _, which, _ in out) == {"first": 400, "second": 250}


def test_connecting_keyed_streams_keeps_their_key_selectors():
    env = environment(1)
    first = env.from_collection([("a", 1), ("b", 2), ("a", 3)], Types.TUPLE([Types.STRING(), Types.INT()]))
    second = env.from_collection([("a", "x")], Types.TUPLE([Types.STRING(), Types.STRING()]))
    out = collect(first.key_by(lambda r: r[0]).connect(second.key_by(lambda r: r[0])).process(CountsBothInputs()))
    assert sorted(out)[-1] == ("b", "first", 1)
    assert max(total for key, _, total in out if key == "a") == 102


def test_a_keyed_co_process_function_on_unkeyed_streams_is_refused():
    env = environment(1)
    numbers = env.from_collection([1], Types.INT())
    with pytest.raises(TypeError, match=r"a KeyedCoProcessFunction needs keyed connected streams"):
        numbers.connect(numbers).process(CountsBothInputs())
