"""`DataStream.cache()` end to end: in batch mode the first job computes the cached stream (a map counting its calls
in a file) and later jobs read it back without computing it again; `invalidate()` makes the next job compute it
again; a failed job keeps nothing; in streaming mode every job computes it, as PyFlink 2.3 does. Results are
checked against plain Python; PyFlink's refusals (KeyedStream, setters of a CachedDataStream) are kept."""

import pytest

from datastream_cache_functions import CountsCalls, calls, fails_on_seven
from datastream_runner import collect, require_runner
from pyfn.common import Types
from pyfn.datastream import RuntimeExecutionMode, StreamExecutionEnvironment
from pyfn.util.exceptions import JobExecutionException

runner_logic = pytest.mark.runner_logic

NUMBERS = list(range(40))
SQUARES = [n * n for n in NUMBERS]


@pytest.fixture(scope="module", autouse=True)
def runner():
    return require_runner()


def environment(mode=RuntimeExecutionMode.BATCH, parallelism=2, execution="process"):
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_runtime_mode(mode)
    env.set_parallelism(parallelism)
    env.get_configuration().set_string("python.execution-mode", execution)
    env.get_configuration().set_string("python.fn-execution.bundle.size", "9")
    return env


def cached_squares(env, counter):
    return env.from_collection(NUMBERS, Types.INT()).map(CountsCalls(str(counter)), Types.INT()).cache()


@pytest.mark.parametrize("execution", ["process", pytest.param("thread", marks=runner_logic)])
def test_a_second_job_reads_the_cache_instead_of_computing_it(tmp_path, execution):
    env = environment(execution=execution)
    counter = tmp_path / "calls.txt"
    squares = cached_squares(env, counter)
    assert sorted(collect(squares.map(lambda x: x + 1, Types.INT()))) == sorted(s + 1 for s in SQUARES)
    assert calls(counter) == len(NUMBERS)
    assert sorted(collect(squares.filter(lambda x: x % 2 == 0))) == sorted(s for s in SQUARES if s % 2 == 0)
    assert sorted(collect(squares)) == sorted(SQUARES)
    assert calls(counter) == len(NUMBERS)  # not computed again


@runner_logic
def test_invalidate_makes_the_next_job_compute_it_again(tmp_path):
    env = environment()
    counter = tmp_path / "calls.txt"
    squares = cached_squares(env, counter)
    squares.map(lambda x: x, Types.INT()).print()
    env.execute()
    assert calls(counter) == len(NUMBERS)
    squares.invalidate()
    assert sorted(collect(squares)) == sorted(SQUARES)
    assert calls(counter) == 2 * len(NUMBERS)
    assert sorted(collect(squares)) == sorted(SQUARES)  # cached again by the job after invalidate()
    assert calls(counter) == 2 * len(NUMBERS)


@runner_logic
def test_a_failed_job_caches_nothing(tmp_path):
    env = environment()
    counter = tmp_path / "calls.txt"
    squares = cached_squares(env, counter)
    with pytest.raises(JobExecutionException, match="no 49"):
        collect(squares.map(fails_on_seven, Types.INT()))
    computed = calls(counter)
    assert computed > 0
    assert sorted(collect(squares)) == sorted(SQUARES)
    assert calls(counter) == computed + len(NUMBERS)


@runner_logic
def test_streaming_mode_computes_the_stream_in_every_job_as_pyflink_does(tmp_path):
    env = environment(RuntimeExecutionMode.STREAMING)
    counter = tmp_path / "calls.txt"
    squares = cached_squares(env, counter)
    assert sorted(collect(squares)) == sorted(SQUARES)
    assert sorted(collect(squares)) == sorted(SQUARES)
    assert calls(counter) == 2 * len(NUMBERS)


def test_pyflink_refusals_are_kept(tmp_path):
    env = environment()
    stream = env.from_collection(NUMBERS, Types.INT())
    with pytest.raises(Exception, match="Cache for KeyedStream is not supported."):
        stream.key_by(lambda x: x % 3).cache()
    cached = stream.cache()
    with pytest.raises(Exception, match="Set parallelism for CachedDataStream is not supported."):
        cached.set_parallelism(3)
    with pytest.raises(Exception, match="Set name for CachedDataStream is not supported."):
        cached.name("x")


@runner_logic
def test_pickled_records_are_cached_as_they_are(tmp_path):
    env = environment()
    pairs = env.from_collection([(n, "n%d" % n) for n in range(25)]).map(lambda p: (p[1], p[0] * 3)).cache()
    first = collect(pairs)
    assert sorted(first) == sorted(("n%d" % n, n * 3) for n in range(25))
    assert sorted(collect(pairs.map(lambda p: p[1]))) == sorted(n * 3 for n in range(25))
    assert sorted(collect(pairs)) == sorted(first)
