"""pyfn.table end to end: Python programs run by the real `pyfn` runner (real workers, gRPC, pyarrow), their
outputs checked against references computed independently, their errors as Python exceptions naming the
program's line, no runner left behind, and collect() over 10 M rows in flat memory."""

import collections
import datetime
import decimal
import os
import sqlite3
import subprocess
import sys
import tempfile

import pandas as pd
import pytest

from table_api_support import EXAMPLES, REPO, reference_csv, run_program, runner, tagged_processes  # noqa: F401

from pyfn.row import RowKind
from pyfn.table import DataTypes, EnvironmentSettings, TableEnvironment
from pyfn.table.expressions import call, col
from pyfn.table.udf import AggregateFunction, udaf, udf, udtf
from pyfn.util.exceptions import JobExecutionException, ValidationException

CDN = os.path.join(EXAMPLES, "cdn")
IOT = os.path.join(EXAMPLES, "iot")
WORD_COUNT = os.path.join(EXAMPLES, "word_count")


def generated(tmp_path_factory, name: str, generator: str, *arguments: str) -> str:
    path = str(tmp_path_factory.mktemp(name) / "input.csv")
    subprocess.run([sys.executable, generator, *arguments, path], check=True, stdout=subprocess.DEVNULL)
    return path


@pytest.fixture(scope="module")
def access_log(tmp_path_factory) -> str:
    return generated(tmp_path_factory, "cdn", os.path.join(CDN, "generate_access_log.py"), "--rows", "20000")


def assert_cdn_rows(rows, access_log_path: str) -> None:
    """Rows (province, access_count, total_download, download_speed) against examples/cdn/reference.py."""
    expected = reference_csv(os.path.join(CDN, "reference.py"), access_log_path, os.path.join(CDN, "ip_ranges.csv"))
    got = sorted((str(p), int(c), int(t), round(float(s), 6)) for p, c, t, s in rows)
    assert got == [(p, int(c), int(t), float(s)) for p, c, t, s in expected]
    assert len(got) == 32


def test_the_seeds_cdn_program_writes_its_statistic_into_sqlite(runner, access_log, tmp_path):
    database = tmp_path / "cdn.db"
    finished = run_program(os.path.join(CDN, "cdn_log_analysis.py"),
                           env={"CDN_ACCESS_LOG": access_log, "CDN_JDBC_URL": "jdbc:sqlite:%s" % database})
    assert finished.returncode == 0, finished.stderr
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT province, access_count, total_download, download_speed "
                                  "FROM access_statistic").fetchall()
    assert_cdn_rows(rows, access_log)
    assert tagged_processes() == []


@pytest.fixture(scope="module")
def postgres():
    folder = tempfile.mkdtemp(prefix="pyfn-tableapi-pg-")  # not pytest's tmp_path: its parents are closed to the postgres user
    script = os.path.join(REPO, "scripts", "postgres.sh")
    started = subprocess.run([script, "start", folder, "pyfn_tableapi"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    if started.returncode == 3:
        pytest.skip("PostgreSQL is not installed and could not be (postgres.sh: %s)" % started.stderr.strip())
    assert started.returncode == 0, started.stderr
    settings = dict(line.split("=", 1) for line in started.stdout.split() if "=" in line)
    yield settings
    subprocess.run([script, "stop", folder, "--remove"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@pytest.mark.runner_logic  # once, on 3.11 (conftest.RUNNER_LOGIC): the same program as above, the runner's PostgreSQL sink
def test_the_seeds_cdn_program_writes_into_postgresql_through_jdbc(runner, access_log, postgres):
    url = "jdbc:postgresql://%s:%s/%s" % (postgres["PGHOST"], postgres["PGPORT"], postgres["PGDATABASE"])
    finished = run_program(os.path.join(CDN, "cdn_log_analysis.py"), env={
        "CDN_ACCESS_LOG": access_log, "CDN_JDBC_URL": url, "CDN_JDBC_USER": postgres["PGUSER"],
        "CDN_JDBC_PASSWORD": postgres["PGPASSWORD"]})
    assert finished.returncode == 0, finished.stderr
    query = subprocess.run(
        ["psql", "-At", "-F", ",", "-c",
         "SELECT province, access_count, total_download, download_speed FROM access_statistic"],
        env=dict(os.environ, **postgres), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert query.returncode == 0, query.stderr
    assert_cdn_rows([line.split(",") for line in query.stdout.strip().splitlines()], access_log)


def _as_printed_iot_program(input_path: str, output_path: str) -> str:
    """The Pandas article's program (seeds/003) with only its imports and /tmp paths changed."""
    with open(os.path.join(IOT, "pandas_udf_demo.py")) as handle:
        program = handle.read()
    program = program.replace("input_types=[DataTypes.INT(), DataTypes.FLOAT()]",
                              "input_types=[DataTypes.STRING(), DataTypes.FLOAT()]")
    return program.replace('sys.argv[1] if len(sys.argv) > 1 else "/tmp/input"', repr(input_path)) \
        .replace('sys.argv[2] if len(sys.argv) > 2 else "/tmp/output"', repr(output_path))


ARTICLE_INPUT = "1,98.0\n1,\n1,100.0\n2,99.0\n"


def test_the_iot_demo_as_printed_is_rejected_as_pyflink_2_3_rejects_it(runner, tmp_path):
    program = tmp_path / "pandas_udf_demo.py"
    program.write_text(_as_printed_iot_program(str(tmp_path / "input"), str(tmp_path / "output")))
    (tmp_path / "input").write_text(ARTICLE_INPUT)
    finished = run_program(str(program))
    assert finished.returncode == 1
    lines = program.read_text().splitlines()
    chain = next(i for i, line in enumerate(lines, 1) if line.startswith("t_env.from_path('mySource')"))
    assert ("pyfn.util.exceptions.ValidationException: Invalid function call:\ninterpolate(INT, FLOAT)\n"
            "interpolate declares input_types interpolate(STRING, FLOAT)\n  at %s:" % program) in finished.stderr
    line = int(finished.stderr.split("  at %s:" % program)[1].split()[0])
    assert line in (chain, chain + 1)
    assert not (tmp_path / "output").exists()


def test_the_iot_demo_interpolates_the_articles_input(runner, tmp_path):
    (tmp_path / "input").write_text(ARTICLE_INPUT)
    finished = run_program(os.path.join(IOT, "pandas_udf_demo.py"), str(tmp_path / "input"),
                           str(tmp_path / "output"))
    assert finished.returncode == 0, finished.stderr
    assert (tmp_path / "output").read_text().splitlines() == ["1,98.0", "1,99.0", "1,100.0", "2,99.0"]


def test_word_count_with_the_expression_dsl(runner, tmp_path_factory, tmp_path):
    lines = generated(tmp_path_factory, "lines", os.path.join(WORD_COUNT, "generate_lines.py"), "--lines", "2000")
    database = tmp_path / "wc.db"
    finished = run_program(os.path.join(WORD_COUNT, "word_count.py"), lines, env={"WORD_COUNT_DB": str(database)})
    assert finished.returncode == 0, finished.stderr
    with sqlite3.connect(database) as connection:
        got = sorted(connection.execute("SELECT word, cnt FROM word_count").fetchall())
    expected = reference_csv(os.path.join(WORD_COUNT, "reference.py"), lines)
    assert got == sorted((w, int(c)) for w, c in expected)


@pytest.fixture
def batch_env(runner):
    env = TableEnvironment.create(EnvironmentSettings.in_batch_mode())
    yield env
    env.close()


def test_from_pandas_to_pandas_round_trips_every_type(batch_env):
    schema = DataTypes.ROW([
        DataTypes.FIELD("tiny", DataTypes.TINYINT()), DataTypes.FIELD("small", DataTypes.SMALLINT()),
        DataTypes.FIELD("i", DataTypes.INT()), DataTypes.FIELD("big", DataTypes.BIGINT()),
        DataTypes.FIELD("f", DataTypes.FLOAT()), DataTypes.FIELD("d", DataTypes.DOUBLE()),
        DataTypes.FIELD("dec", DataTypes.DECIMAL(10, 2)), DataTypes.FIELD("b", DataTypes.BOOLEAN()),
        DataTypes.FIELD("s", DataTypes.STRING()), DataTypes.FIELD("bytes", DataTypes.BYTES()),
        DataTypes.FIELD("day", DataTypes.DATE()), DataTypes.FIELD("t", DataTypes.TIME()),
        DataTypes.FIELD("ts", DataTypes.TIMESTAMP(6)),
        DataTypes.FIELD("arr", DataTypes.ARRAY(DataTypes.BIGINT())),
        DataTypes.FIELD("m", DataTypes.MAP(DataTypes.STRING(), DataTypes.DOUBLE())),
        DataTypes.FIELD("r", DataTypes.ROW([DataTypes.FIELD("x", DataTypes.INT()),
                                            DataTypes.FIELD("y", DataTypes.STRING())]))])
    pdf = pd.DataFrame({
        "tiny": pd.Series([1, -2, None], dtype="Int8"), "small": pd.Series([300, None, -3], dtype="Int16"),
        "i": pd.Series([70000, 2, None], dtype="Int32"), "big": pd.Series([2 ** 40, None, -1], dtype="Int64"),
        "f": [1.5, None, -0.25], "d": [2.5, 1e300, None],
        "dec": [decimal.Decimal("12.34"), None, decimal.Decimal("-0.01")], "b": [True, None, False],
        "s": ["a", "", None], "bytes": [b"\x00\xff", None, b""],
        "day": [datetime.date(2024, 2, 29), None, datetime.date(1970, 1, 1)],
        "t": [datetime.time(12, 34, 56), datetime.time(0, 0), None],
        "ts": [datetime.datetime(2024, 1, 2, 3, 4, 5, 123456), None, datetime.datetime(1999, 12, 31)],
        "arr": [[1, 2], [], None], "m": [{"k": 1.0}, None, {}],
        "r": [{"x": 1, "y": "one"}, None, {"x": None, "y": None}]})
    result = batch_env.from_pandas(pdf, schema).to_pandas()
    assert list(result.columns) == list(pdf.columns)
    for name in pdf.columns:
        expected = [None if v is None or (not isinstance(v, (list, dict)) and pd.isna(v)) else v for v in pdf[name]]
        got = [None if v is None or (not isinstance(v, (list, dict)) and not hasattr(v, "__len__") and pd.isna(v))
               else v for v in result[name]]
        got = [list(v) if hasattr(v, "tolist") and not isinstance(v, (str, bytes)) else v for v in got]
        if name == "m":
            got = [dict(v) if v is not None else None for v in got]
        assert got == expected, name


@udf(result_type=DataTypes.BIGINT())
def reciprocal_of_gap(a):
    return 100 // (a - 3)


def test_a_udf_that_raises_names_the_function_the_row_and_the_programs_line(batch_env):
    table = batch_env.from_elements([(1,), (2,), (3,), (4,)], ["a"])
    result = table.select(col("a"), reciprocal_of_gap(col("a")).alias("r")); line = sys._getframe().f_lineno  # noqa
    with pytest.raises(JobExecutionException) as caught:
        list(result.execute().collect())
    message = caught.value.message
    assert "reciprocal_of_gap" in message and "ZeroDivisionError" in message and "3" in message
    assert caught.value.file == os.path.abspath(__file__)
    assert caught.value.line == line + 2
    assert tagged_processes() == []


def test_misspelt_columns_and_unknown_functions_fail_before_a_runner_starts(batch_env):
    table = batch_env.from_elements([(1, "x")], ["id", "word"])
    with pytest.raises(ValidationException, match=r"Cannot resolve field \[wrod\], input field list:\[id, word\]"):
        table.select("id, wrod")
    with pytest.raises(ValidationException, match=r"Undefined function: no_such_fn"):
        table.select("no_such_fn(word)")
    with pytest.raises(ValidationException, match=r"Undefined function: no_such_fn"):
        batch_env.sql_query("SELECT id FROM %s" % table._name).select("no_such_fn(id)")
    assert tagged_processes() == []


def test_a_runner_error_points_at_the_statements_line(batch_env):
    batch_env.execute_sql("CREATE TABLE broken (a BIGINT) WITH ('connector' = 'no-such-connector')")
    line = sys._getframe().f_lineno - 1
    with pytest.raises(ValidationException) as caught:
        batch_env.execute_sql("SELECT a FROM broken").print()
    assert "no-such-connector" in caught.value.message
    assert (caught.value.file, caught.value.line) == (os.path.abspath(__file__), line)
    assert tagged_processes() == []


def test_closing_collect_early_stops_the_runner(batch_env):
    batch_env.execute_sql("CREATE TABLE numbers (n BIGINT) WITH ('connector' = 'datagen', "
                          "'fields.n.kind' = 'sequence', 'fields.n.start' = '1', 'fields.n.end' = '100000000')")
    with batch_env.execute_sql("SELECT n FROM numbers").collect() as rows:
        first = [next(rows)[0] for _ in range(3)]
    assert first == [1, 2, 3]
    assert tagged_processes() == []
    assert [r[0] for r in batch_env.from_path("numbers").limit(5).execute().collect()] == [1, 2, 3, 4, 5]
    assert tagged_processes() == []


def _rss_kb(pid: int):
    """The resident memory of a live process in kB (None once it exited)."""
    try:
        with open("/proc/%d/status" % pid) as handle:
            return next((int(line.split()[1]) for line in handle if line.startswith("VmRSS:")), None)
    except OSError:
        return None


# Once, on 3.11 (conftest.RUNNER_LOGIC): it measures the runner's and the client's memory, not the interpreter, and it
# is the suite's slowest test by far.
@pytest.mark.runner_logic
def test_collect_of_10_million_rows_keeps_both_sides_memory_flat(batch_env):
    batch_env.execute_sql("CREATE TABLE numbers (n BIGINT, s STRING) WITH ('connector' = 'datagen', "
                          "'fields.n.kind' = 'sequence', 'fields.n.start' = '1', 'fields.n.end' = '10000000', "
                          "'fields.s.length' = '8')")
    result = batch_env.execute_sql("SELECT n, s FROM numbers")
    runner_pid = result._job.pid
    program, runner_rss = [], []
    count = total = 0
    for row in result.collect():
        count += 1
        total += row[0]
        if count % 1_000_000 == 0:
            program.append(_rss_kb(os.getpid()))
            runner_rss.append(_rss_kb(runner_pid))  # None once the runner wrote its last batch and exited
    assert count == 10_000_000 and total == 10_000_000 * 10_000_001 // 2
    runner_rss = [kb for kb in runner_rss if kb is not None]
    assert len(runner_rss) >= 5, "the runner finished before the program read half the rows: %r" % runner_rss
    # Flat: what each side holds after 2 M rows does not grow by more than 64 MB by 10 M rows.
    assert max(program[2:]) - program[1] < 64 * 1024, program
    assert max(runner_rss[2:]) - runner_rss[1] < 64 * 1024, runner_rss


class WeightedAvg(AggregateFunction):
    def create_accumulator(self):
        return [0, 0]

    def accumulate(self, accumulator, value, weight):
        accumulator[0] += value * weight
        accumulator[1] += weight

    def get_value(self, accumulator):
        return accumulator[0] / accumulator[1] if accumulator[1] else None


@udtf(result_types=[DataTypes.STRING()])
def words(line):
    yield from line.lower().split()


def test_python_aggregates_and_table_functions_in_the_expression_dsl(batch_env):
    weighted_avg = udaf(WeightedAvg(), result_type=DataTypes.DOUBLE(),
                        accumulator_type=DataTypes.ARRAY(DataTypes.BIGINT()))
    table = batch_env.from_elements([(1, "a", 2), (3, "a", 2), (5, "b", 1)], ["v", "w", "k"])
    averages = table.group_by(col("w")).select(col("w"), weighted_avg(col("v"), col("k")))
    assert averages.get_schema().get_field_names() == ["w", "EXPR$0"]
    assert sorted(tuple(r) for r in averages.execute().collect()) == [("a", 2.0), ("b", 5.0)]
    lines = ["The cat", "the dog and THE cat", ""]
    counted = batch_env.from_elements([(line,) for line in lines], ["line"]) \
        .join_lateral(call(words, col("line")).alias("word")) \
        .group_by(col("word")).select(col("word"), col("word").count.alias("n"))
    expected = collections.Counter(word for line in lines for word in line.lower().split())
    assert dict((r["word"], r["n"]) for r in counted.execute().collect()) == expected


def test_a_streaming_grouped_query_is_a_changelog_whose_final_rows_to_pandas_gives(runner):
    t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
    table = t_env.from_elements([(1, "a"), (2, "b"), (3, "a")], ["n", "w"]) \
        .group_by(col("w")).select(col("w"), col("n").sum.alias("s"))
    changes = [(row.get_row_kind(), tuple(row)) for row in table.execute().collect()]
    final = {}
    for kind, (word, total) in changes:
        if kind in (RowKind.INSERT, RowKind.UPDATE_AFTER):
            final[word] = total
        else:
            assert final.pop(word) == total
    assert final == {"a": 4, "b": 2}
    assert sorted(map(tuple, table.to_pandas().itertuples(index=False))) == [("a", 4), ("b", 2)]
    t_env.close()


def test_functions_by_reference_and_inferred_pandas_types(batch_env):
    batch_env.add_python_file(os.path.join(WORD_COUNT, "word_count_udfs.py"))
    batch_env.execute_sql("CREATE TEMPORARY SYSTEM FUNCTION split AS 'word_count_udfs.split' LANGUAGE PYTHON")
    pdf = pd.DataFrame({"id": [1, 2], "line": ["Hello hello", "world"], "score": [0.5, None], "ok": [True, False],
                        "at": pd.to_datetime(["2024-01-01 10:00:00", "2024-01-02 11:30:00"])})
    table = batch_env.from_pandas(pdf)
    types = [t.sql() for t in table.get_schema().get_field_data_types()]
    assert types[:4] == ["BIGINT", "STRING", "DOUBLE", "BOOLEAN"]
    assert types[4] in ("TIMESTAMP(6)", "TIMESTAMP(9)")  # datetime64[us] or [ns], as the pandas version makes it
    pd.testing.assert_frame_equal(table.to_pandas(), pdf, check_dtype=False)
    words = table.join_lateral("split(line) as word").select("id, word")
    assert sorted(tuple(r) for r in words.execute().collect()) == [(1, "hello"), (1, "hello"), (2, "world")]


def test_lambdas_and_callables_without_a_sql_name_are_called_by_a_made_up_one(batch_env):
    # PyFlink's own tests call `udf(lambda i: i + 1, result_type=…)` objects straight from the expression DSL.
    add_one = udf(lambda i: i + 1, result_type=DataTypes.BIGINT())
    times_two = udf(lambda i: i * 2, result_type=DataTypes.BIGINT())
    table = batch_env.from_elements([(1,), (2,)], ["a"])
    result = table.select(add_one(col("a")).alias("b"), times_two(add_one(col("a"))).alias("c"))
    assert sorted(tuple(r) for r in result.execute().collect()) == [(2, 4), (3, 6)]
