"""`to_changelog_stream` of an updating table (a GROUP BY): Rows with their RowKind, as PyFlink gives them — its
documentation's example printed line for line, and a longer stream checked against a plain-Python changelog."""

import random
import subprocess
import sys
import textwrap

import pytest

from datastream_runner import require_runner
from pyfn import AggregateFunction, DataTypes, udaf
from pyfn.common import Row, RowKind, Types
from pyfn.datastream import StreamExecutionEnvironment
from pyfn.table import StreamTableEnvironment


@pytest.fixture(scope="module", autouse=True)
def runner():
    return require_runner()


def test_the_pyflink_documentation_example_prints_its_changelog(tmp_path):
    program = tmp_path / "changelog.py"
    program.write_text(textwrap.dedent("""
        from pyfn.common import Types
        from pyfn.datastream import StreamExecutionEnvironment
        from pyfn.table import StreamTableEnvironment

        env = StreamExecutionEnvironment.get_execution_environment()
        t_env = StreamTableEnvironment.create(env)
        ds = env.from_collection([("Alice", 12), ("Bob", 10), ("Alice", 100)],
                                 type_info=Types.ROW_NAMED(["a", "b"], [Types.STRING(), Types.INT()]))
        input_table = t_env.from_data_stream(ds).alias("name", "score")
        t_env.create_temporary_view("InputTable", input_table)
        res_table = t_env.sql_query("SELECT name, SUM(score) FROM InputTable GROUP BY name")
        res_stream = t_env.to_changelog_stream(res_table)
        res_stream.print()
        env.execute()
        """))
    result = subprocess.run([sys.executable, str(program)], capture_output=True, text=True, cwd=str(tmp_path),
                            timeout=300)
    assert result.returncode == 0, result.stderr
    # What PyFlink 2.3 prints for this program (run with apache-flink 2.3: its print() joins a Row's fields with
    # "," and no space, though its documentation shows "+I[Alice, 12]").
    assert result.stdout.splitlines() == ["+I[Alice,12]", "+I[Bob,10]", "-U[Alice,12]", "+U[Alice,112]"]


def changelog_reference(rows):
    """The changelog of `SELECT k, SUM(v), COUNT(*) … GROUP BY k` over rows in order, in plain Python."""
    totals, out = {}, []
    for key, value in rows:
        before = totals.get(key)
        after = (before[0] + value, before[1] + 1) if before else (value, 1)
        totals[key] = after
        if before is None:
            out.append(("+I", key, *after))
        else:
            out += [("-U", key, *before), ("+U", key, *after)]
    return out


def test_row_kinds_of_a_grouped_query_match_a_plain_python_changelog():
    rng = random.Random(3)
    rows = [(rng.choice("abcdefg"), rng.randrange(1, 50)) for _ in range(400)]
    env = StreamExecutionEnvironment.get_execution_environment()
    t_env = StreamTableEnvironment.create(env)
    table = t_env.from_elements(rows, ["k", "v"])
    t_env.create_temporary_view("t", table)
    result = t_env.sql_query("SELECT k, SUM(v) AS total, COUNT(*) AS n FROM t GROUP BY k")
    stream = t_env.to_changelog_stream(result).map(lambda row: row)  # the kinds survive a Python function
    with stream.execute_and_collect() as results:
        records = list(results)
    kinds = {RowKind.INSERT: "+I", RowKind.UPDATE_BEFORE: "-U", RowKind.UPDATE_AFTER: "+U", RowKind.DELETE: "-D"}
    assert [(kinds[r.get_row_kind()], *r) for r in records] == changelog_reference(rows)
    assert all(isinstance(r, Row) for r in records)
    assert records[0].as_dict().keys() == {"k", "total", "n"}


class PythonSum(AggregateFunction):
    """A Python aggregate: the sum of the values."""

    def create_accumulator(self):
        return [0]

    def accumulate(self, accumulator, value):
        accumulator[0] += value

    def get_value(self, accumulator):
        return accumulator[0]


def test_a_python_aggregate_gives_the_same_changelog():
    rng = random.Random(5)
    rows = [(rng.choice("abcd"), rng.randrange(1, 50)) for _ in range(60)]
    env = StreamExecutionEnvironment.get_execution_environment()
    t_env = StreamTableEnvironment.create(env)
    t_env.create_temporary_function("py_sum", udaf(PythonSum(), result_type=DataTypes.BIGINT(),
                                                   accumulator_type="ARRAY<BIGINT>"))
    t_env.create_temporary_view("t", t_env.from_elements(rows, ["k", "v"]))
    result = t_env.sql_query("SELECT k, py_sum(v) AS total FROM t GROUP BY k")
    with t_env.to_changelog_stream(result).execute_and_collect() as results:
        records = list(results)
    kinds = {RowKind.INSERT: "+I", RowKind.UPDATE_BEFORE: "-U", RowKind.UPDATE_AFTER: "+U"}
    expected = [(kind, key, total) for kind, key, total, _ in changelog_reference(rows)]
    assert [(kinds[r.get_row_kind()], *r) for r in records] == expected
