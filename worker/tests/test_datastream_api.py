"""PyFlink DataStream programs run end to end: pyfn.datastream builds the dataflow, `pyfn submit` runs it with
real Python workers; what the program prints and collects is checked against plain Python."""

import collections
import datetime
import decimal
import os
import subprocess
import sys
import textwrap

import pytest

from datastream_runner import require_runner
from pyfn.common import Row, Types
from pyfn.datastream import (FlatMapFunction, KeyedProcessFunction, MapFunction, RuntimeContext,
                             RuntimeExecutionMode, StreamExecutionEnvironment, ValueStateDescriptor)
from pyfn.datastream.connectors.file_system import FileSink, FileSource, OutputFileConfig, StreamFormat
from pyfn.datastream.connectors.number_seq import NumberSequenceSource
from pyfn.common import Encoder, WatermarkStrategy
from pyfn.util.exceptions import JobExecutionException

HERE = os.path.dirname(os.path.abspath(__file__))


@pytest.fixture(scope="module", autouse=True)
def runner():
    return require_runner()


def run_program(tmp_path, source: str) -> subprocess.CompletedProcess:
    """Runs a program file (its imports as a user writes them) and returns what it printed."""
    program = tmp_path / "program.py"
    program.write_text(textwrap.dedent(source))
    return subprocess.run([sys.executable, str(program)], capture_output=True, text=True, cwd=str(tmp_path),
                          timeout=300)


def test_flip_130_example_prints_every_record(tmp_path):
    result = run_program(tmp_path, """
        from pyfn.common.typeinfo import Types
        from pyfn.datastream import StreamExecutionEnvironment

        env = StreamExecutionEnvironment.get_execution_environment()
        ds = env.from_collection([('ab', 1), ('abc', 2), ('abcd', 3), ('abcde', 4)],
                                 type_info=Types.ROW([Types.STRING(), Types.INT()]))
        ds.set_parallelism(3)
        ds.key_by(lambda x: x[1]).map(lambda x: (x[0], x[1] + 1)).print()
        env.execute()
        """)
    assert result.returncode == 0, result.stderr
    assert sorted(result.stdout.splitlines()) == ["('ab', 2)", "('abc', 3)", "('abcd', 4)", "('abcde', 5)"]


def test_typed_records_print_as_flink_prints_them(tmp_path):
    result = run_program(tmp_path, """
        from pyfn.common import Row, Types
        from pyfn.datastream import StreamExecutionEnvironment

        env = StreamExecutionEnvironment.get_execution_environment()
        env.from_collection([Row('a', 1, 1.5, True)], Types.ROW([Types.STRING(), Types.INT(), Types.DOUBLE(),
                                                                 Types.BOOLEAN()])).print()
        env.from_collection([('b', 2)], Types.TUPLE([Types.STRING(), Types.LONG()])).print("t")
        env.from_collection([1e10], Types.DOUBLE()).print()
        env.execute("printing")
        """)
    assert result.returncode == 0, result.stderr
    # PyFlink 2.3's output for this program: print() turns ROW records into text in Python.
    assert sorted(result.stdout.splitlines()) == sorted(["+I[a,1,1.5,True]", "t> (b,2)", "1.0E10"])


WORDS = ["To", "be", "or", "not", "to", "be", "that", "is", "the", "question", "whether", "tis", "nobler"]


def word_lines(count: int):
    return [" ".join(WORDS[(i * 3 + j) % len(WORDS)] for j in range(i % 7)) for i in range(count)]


@pytest.mark.parametrize("parallelism", [1, 2])
@pytest.mark.parametrize("mode", ["batch", "streaming"])
def test_word_count_read_text_file_flat_map_map_key_by_reduce(tmp_path, parallelism, mode):
    lines = word_lines(2000)
    path = tmp_path / "words.txt"
    path.write_text("\n".join(lines) + "\n")
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(parallelism)
    env.set_runtime_mode(RuntimeExecutionMode.BATCH if mode == "batch" else RuntimeExecutionMode.STREAMING)
    counts = (env.read_text_file(str(path))
              .flat_map(lambda line: line.lower().split())
              .map(lambda word: (word, 1), output_type=Types.TUPLE([Types.STRING(), Types.LONG()]))
              .key_by(lambda pair: pair[0])
              .reduce(lambda a, b: (a[0], a[1] + b[1])))
    with counts.execute_and_collect() as results:
        records = list(results)
    reference = collections.Counter(word for line in lines for word in line.lower().split())
    final = {}
    for word, count in records:
        final[word] = max(final.get(word, 0), count)
    assert final == dict(reference)
    assert len(records) == (len(reference) if mode == "batch" else sum(reference.values()))


class RunningCount(KeyedProcessFunction):
    def open(self, runtime_context: RuntimeContext):
        self.count = runtime_context.get_state(ValueStateDescriptor("count", Types.LONG()))

    def process_element(self, value, ctx):
        current = (self.count.value() or 0) + 1
        self.count.update(current)
        yield ctx.get_current_key(), current


def test_keyed_process_function_keeps_a_running_count_in_value_state():
    env = StreamExecutionEnvironment.get_execution_environment()
    env.get_config().set_global_job_parameters({"unused": "1"})
    env.get_configuration().set_string("python.fn-execution.bundle.size", "100")
    records = env.from_collection(list(range(1000)), Types.LONG()).key_by(lambda n: n % 3) \
        .process(RunningCount()).execute_and_collect(limit=2000)
    last = {}
    for key, count in records:
        assert count == last.get(key, 0) + 1
        last[key] = count
    assert last == {0: 334, 1: 333, 2: 333}


SAMPLES = [
    (Types.STRING(), ["a", "é", None]),
    (Types.INT(), [1, -2, None]),
    (Types.LONG(), [2 ** 40, None]),
    (Types.SHORT(), [3, None]),
    (Types.BYTE(), [-4, None]),
    (Types.FLOAT(), [1.5, None]),
    (Types.DOUBLE(), [2.25, None]),
    (Types.BOOLEAN(), [True, False, None]),
    (Types.BIG_DEC(), [decimal.Decimal("1.500000000000000000"), None]),
    (Types.SQL_DATE(), [datetime.date(2024, 2, 29), None]),
    (Types.SQL_TIME(), [datetime.time(12, 30, 5), None]),
    (Types.SQL_TIMESTAMP(), [datetime.datetime(2024, 1, 1, 8, 0, 0, 123000), None]),
    (Types.BASIC_ARRAY(Types.INT()), [[1, 2], [], None]),
    (Types.PRIMITIVE_ARRAY(Types.DOUBLE()), [[1.0, 2.0]]),
    (Types.LIST(Types.STRING()), [["x", None]]),
    (Types.MAP(Types.STRING(), Types.LONG()), [{"k": 1}, None]),
    (Types.ROW([Types.STRING(), Types.INT()]), [Row("a", 1)]),
    (Types.ROW_NAMED(["name", "age"], [Types.STRING(), Types.INT()]), [Row(name="b", age=2)]),
    (Types.TUPLE([Types.STRING(), Types.LONG()]), [("c", 3)]),
    (Types.PICKLED_BYTE_ARRAY(), [{"any": {1, 2}}, (1, "x"), None]),
    (None, [[1, {"a": b"\x00"}], 3.5]),
]


def test_typed_and_pickled_records_of_every_type_round_trip_through_a_map():
    # One job for the typed samples (a ROW with a field of each type: a record of values, one of None) and one
    # for the pickled ones, so the test starts two jobs rather than one per type.
    typed = [(t, v) for t, v in SAMPLES if t is not None and t.to_data_type() is not None]
    row_type = Types.ROW_NAMED(["c%d" % i for i in range(len(typed))], [t for t, _ in typed])
    records = [Row(**{"c%d" % i: v[0] for i, (_, v) in enumerate(typed)}),
               Row(**{"c%d" % i: v[-1] for i, (_, v) in enumerate(typed)})]
    env = StreamExecutionEnvironment.get_execution_environment()
    out = list(env.from_collection(records, row_type).map(lambda r: r, output_type=row_type).execute_and_collect())
    def plain(values):  # nested ROW and TUPLE fields both come back as Rows; compare their values
        return [tuple(x) if isinstance(x, (tuple, Row)) else x for x in values]

    assert [plain(r) for r in out] == [plain(r) for r in records]
    assert out[0].as_dict()["c17"] == Row(name="b", age=2)
    pickled = [v for t, values in SAMPLES if t is None or t.to_data_type() is None for v in values]
    assert list(env.from_collection(pickled).map(lambda v: v).execute_and_collect()) == pickled


def test_a_function_that_raises_names_itself_the_record_and_the_traceback():
    def parse(text):
        return int(text)

    env = StreamExecutionEnvironment.get_execution_environment()
    stream = env.from_collection(["1", "2", "x3"], Types.STRING()).map(parse, output_type=Types.LONG())
    with pytest.raises(JobExecutionException) as raised:
        list(stream.execute_and_collect())
    message = str(raised.value)
    assert "function 'parse' map raised ValueError: invalid literal for int() with base 10: 'x3' on record 'x3'" \
        in message
    assert "test_datastream_api.py:%d" % (test_a_function_that_raises_names_itself_the_record_and_the_traceback
                                          .__code__.co_firstlineno + 5) in message
    assert "Traceback" in message and ", in parse" in message


def test_a_wrong_output_type_names_the_record_and_the_type():
    env = StreamExecutionEnvironment.get_execution_environment()
    stream = env.from_collection([1, 2], Types.LONG()).map(lambda n: "n%d" % n, output_type=Types.LONG())
    with pytest.raises(JobExecutionException) as raised:
        list(stream.execute_and_collect())
    message = str(raised.value)
    assert "function 'Map' returned 'n1', which is not a valid Types.Long (" in message
    assert "for record 1 (output type Types.Long)" in message


def test_keyed_aggregations_sum_min_max_min_by_max_by():
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_runtime_mode(RuntimeExecutionMode.BATCH)
    data = [("a", 3, 1), ("b", 1, 2), ("a", 1, 3), ("b", 5, 4), ("a", 2, 5)]
    typed = Types.TUPLE([Types.STRING(), Types.INT(), Types.INT()])
    source = env.from_collection(data, typed)
    keyed = source.key_by(lambda t: t[0])
    assert sorted(keyed.sum(1).execute_and_collect()) == [("a", 6, 1), ("b", 6, 2)]
    keyed = env.from_collection(data, typed).key_by(lambda t: t[0])
    assert sorted(keyed.min(1).execute_and_collect()) == [("a", 1, 1), ("b", 1, 2)]
    keyed = env.from_collection(data, typed).key_by(lambda t: t[0])
    assert sorted(keyed.max_by(1).execute_and_collect()) == [("a", 3, 1), ("b", 5, 4)]
    keyed = env.from_collection(data, typed).key_by(lambda t: t[0])
    assert sorted(keyed.min_by(1).execute_and_collect()) == [("a", 1, 3), ("b", 1, 2)]


class Tagger(MapFunction):
    def open(self, runtime_context: RuntimeContext):
        self.index = runtime_context.get_index_of_this_subtask()
        self.parallelism = runtime_context.get_number_of_parallel_subtasks()

    def map(self, value):
        return value, self.index, self.parallelism


def test_partitioning_union_and_runtime_context():
    env = StreamExecutionEnvironment.get_execution_environment()
    numbers = env.from_source(NumberSequenceSource(1, 100), WatermarkStrategy.no_watermarks(), "numbers")
    tagged = numbers.rebalance().map(Tagger()).set_parallelism(3)
    records = list(tagged.execute_and_collect())
    assert sorted(r[0] for r in records) == list(range(1, 101))
    assert {r[1] for r in records} == {0, 1, 2} and {r[2] for r in records} == {3}
    broadcast = env.from_collection([1, 2], Types.LONG()).broadcast().map(Tagger()).set_parallelism(2)
    assert sorted(broadcast.execute_and_collect()) == [(1, 0, 2), (1, 1, 2), (2, 0, 2), (2, 1, 2)]
    left = env.from_collection([1, 2], Types.LONG())
    right = env.from_collection([3], Types.LONG())
    assert sorted(left.union(right).shuffle().map(lambda x: x * 10).execute_and_collect()) == [10, 20, 30]
    # A union read by the sink itself: every input's records (the sink once read only the first input).
    mapped = left.map(lambda x: x + 100, output_type=Types.LONG())
    assert sorted(mapped.union(right, left).execute_and_collect()) == [1, 2, 3, 101, 102]


class Splitter(FlatMapFunction):
    def flat_map(self, value):
        yield from value.split(",")


def test_file_source_to_file_sink(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("x,y\nz\n")
    (tmp_path / "in" / "b.txt").write_text("w\n")
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(2)
    source = FileSource.for_record_stream_format(StreamFormat.text_line_format(), str(tmp_path / "in")).build()
    sink = FileSink.for_row_format(str(tmp_path / "out"), Encoder.simple_string_encoder()) \
        .with_output_file_config(OutputFileConfig.builder().with_part_prefix("pre").with_part_suffix(".txt").build()) \
        .build()
    env.from_source(source, WatermarkStrategy.for_monotonous_timestamps(), "files") \
        .flat_map(Splitter(), output_type=Types.STRING()).map(str.upper, output_type=Types.STRING()).sink_to(sink)
    env.execute("files")
    written = []
    for folder, _, names in os.walk(tmp_path / "out"):
        for name in names:
            assert name.startswith("pre-") and name.endswith(".txt")
            written += open(os.path.join(folder, name)).read().splitlines()
    assert sorted(written) == ["W", "X", "Y", "Z"]


def test_execute_async_and_an_early_closed_iterator_leave_no_runner_behind():
    env = StreamExecutionEnvironment.get_execution_environment()
    env.from_collection([1, 2, 3], Types.LONG()).map(lambda x: x + 1, output_type=Types.LONG()).print()
    client = env.execute_async("async")
    result = client.get_job_execution_result().result()
    assert result.get_job_id() == "async"
    iterator = env.from_source(NumberSequenceSource(1, 10_000_000)).execute_and_collect()
    assert next(iterator) == 1
    iterator.close()
    assert not iterator._job.is_running()


def test_from_data_stream_and_to_data_stream_round_trip():
    from pyfn.table import StreamTableEnvironment
    from pyfn.table.expressions import col

    env = StreamExecutionEnvironment.get_execution_environment()
    t_env = StreamTableEnvironment.create(env)
    stream = env.from_collection([("a", 1), ("b", 2), ("a", 3)],
                                 Types.ROW_NAMED(["word", "n"], [Types.STRING(), Types.LONG()])) \
        .map(lambda r: Row(word=r.word.upper(), n=r.n * 10),
             output_type=Types.ROW_NAMED(["word", "n"], [Types.STRING(), Types.LONG()]))
    table = t_env.from_data_stream(stream)
    assert table.get_schema().get_field_names() == ["word", "n"]
    totals = table.group_by(col("word")).select(col("word"), col("n").sum.alias("total"))
    back = t_env.to_data_stream(totals).map(lambda row: (row.word, row.total))
    assert sorted(back.execute_and_collect()) == [("A", 40), ("B", 20)]
    appended = t_env.to_append_stream(t_env.from_data_stream(stream, "w", "m"),
                                      Types.ROW([Types.STRING(), Types.LONG()]))
    assert sorted(tuple(r) for r in appended.execute_and_collect()) == [("A", 10), ("A", 30), ("B", 20)]


def test_embedded_mode_runs_stateless_and_keyed_chains():
    from datastream_functions import RunningCount

    env = StreamExecutionEnvironment.get_execution_environment()
    env.get_configuration().set_string("python.execution-mode", "thread")
    env.get_configuration().set_string("python.fn-execution.bundle.size", "7")
    out = list(env.from_source(NumberSequenceSource(1, 1000)).map(lambda x: x * 3, output_type=Types.LONG())
               .filter(lambda x: x % 2 == 0).execute_and_collect())
    assert sorted(out) == [x * 3 for x in range(1, 1001) if x * 3 % 2 == 0]
    # Keyed state in embedded mode lives in the interpreter (embedded_state), committed per successful bundle:
    # a streaming keyed reduce emits each key's running sum, a KeyedProcessFunction its ValueState count.
    values = list(range(1, 101))
    sums = env.from_collection(values, Types.LONG()).key_by(lambda x: x % 3).reduce(lambda a, b: a + b)
    expected_sums, totals = [], collections.Counter()
    for v in values:
        totals[v % 3] += v
        expected_sums.append(totals[v % 3])
    assert sorted(sums.execute_and_collect()) == sorted(expected_sums)
    words = ["a", "b", "a", "c", "a", "b"] * 20
    counts = env.from_collection(words, Types.STRING()).key_by(lambda w: w) \
        .process(RunningCount(), output_type=Types.TUPLE([Types.STRING(), Types.LONG()]))
    seen, expected_counts = collections.Counter(), []
    for word in words:
        seen[word] += 1
        expected_counts.append((word, seen[word]))
    assert sorted(counts.execute_and_collect()) == sorted(expected_counts)
