"""`from_changelog_stream`: a DataStream of Rows with RowKinds becomes a table whose GROUP BY applies the changes
(PyFlink's documented example, a random changelog against a plain-Python reference at parallelism 1 and 2),
round trips through `to_changelog_stream` (the changelogs PyFlink 2.3 prints for the same programs), and Flink's
error when the changes would reach an append-only sink."""

import random

import pytest

from datastream_runner import require_runner
from pyfn.common import Row, RowKind, Types
from pyfn.datastream import StreamExecutionEnvironment
from pyfn.table import ChangelogMode, StreamTableEnvironment

KINDS = {RowKind.INSERT: "+I", RowKind.UPDATE_BEFORE: "-U", RowKind.UPDATE_AFTER: "+U", RowKind.DELETE: "-D"}


@pytest.fixture(scope="module", autouse=True)
def runner():
    return require_runner()


def changes_stream(env, changes, names=None):
    """A typed ROW stream of `changes`: (kind, key, value) triples."""
    type_info = Types.ROW_NAMED(names, [Types.STRING(), Types.INT()]) if names else \
        Types.ROW([Types.STRING(), Types.INT()])
    return env.from_collection([Row.of_kind(kind, key, value) for kind, key, value in changes], type_info=type_info)


def as_changes(records):
    return [(KINDS[r.get_row_kind()], *r) for r in records]


DOCUMENTED = [(RowKind.INSERT, "Alice", 12), (RowKind.INSERT, "Bob", 5),
              (RowKind.UPDATE_BEFORE, "Alice", 12), (RowKind.UPDATE_AFTER, "Alice", 100)]


def test_the_pyflink_documentation_example_sums_the_updated_rows():
    env = StreamExecutionEnvironment.get_execution_environment()
    t_env = StreamTableEnvironment.create(env)
    table = t_env.from_changelog_stream(changes_stream(env, DOCUMENTED))
    assert table.get_schema().get_field_names() == ["f0", "f1"]
    t_env.create_temporary_view("InputTable", table)
    with t_env.execute_sql("SELECT f0 AS name, SUM(f1) AS score FROM InputTable GROUP BY f0").collect() as rows:
        assert sorted(tuple(r) for r in rows) == [("Alice", 100), ("Bob", 5)]


def test_the_grouped_changelog_is_the_one_pyflink_prints():
    env = StreamExecutionEnvironment.get_execution_environment()
    t_env = StreamTableEnvironment.create(env)
    t_env.create_temporary_view("t", t_env.from_changelog_stream(changes_stream(env, DOCUMENTED)))
    with t_env.to_changelog_stream(t_env.sql_query("SELECT f0, SUM(f1) FROM t GROUP BY f0")).execute_and_collect() as r:
        # PyFlink 2.3 (apache-flink 2.3.0): the group Alice is left with no rows, so it is deleted, then inserted.
        assert as_changes(r) == [("+I", "Alice", 12), ("+I", "Bob", 5), ("-D", "Alice", 12), ("+I", "Alice", 100)]

    deleting = [(RowKind.INSERT, "Alice", 12), (RowKind.DELETE, "Alice", 12), (RowKind.INSERT, "Bob", 1)]
    t_env.create_temporary_view("d", t_env.from_changelog_stream(changes_stream(env, deleting)))
    query = t_env.sql_query("SELECT f0, SUM(f1), COUNT(*) FROM d GROUP BY f0")
    with t_env.to_changelog_stream(query).execute_and_collect() as r:
        assert as_changes(r) == [("+I", "Alice", 12, 1), ("-D", "Alice", 12, 1), ("+I", "Bob", 1, 1)]


def test_a_changelog_table_gives_its_changes_back():
    env = StreamExecutionEnvironment.get_execution_environment()
    t_env = StreamTableEnvironment.create(env)
    table = t_env.from_changelog_stream(changes_stream(env, DOCUMENTED, ["name", "score"]))
    with t_env.to_changelog_stream(table).execute_and_collect() as records:
        records = list(records)
    assert as_changes(records) == [(KINDS[k], key, v) for k, key, v in DOCUMENTED]
    assert records[0].as_dict() == {"name": "Alice", "score": 12}


def random_changelog(rng, steps):
    """A valid changelog over a few keys (inserts, updates as -U/+U pairs, deletes) and the live rows it leaves."""
    live, changes = [], []
    for _ in range(steps):
        move = rng.random()
        if live and move < 0.3:
            old = live.pop(rng.randrange(len(live)))
            new = (old[0], rng.randrange(-20, 100))
            changes += [(RowKind.UPDATE_BEFORE, *old), (RowKind.UPDATE_AFTER, *new)]
            live.append(new)
        elif live and move < 0.45:
            changes.append((RowKind.DELETE, *live.pop(rng.randrange(len(live)))))
        else:
            row = (rng.choice("abcdef"), rng.randrange(-20, 100))
            changes.append((RowKind.INSERT, *row))
            live.append(row)
    return changes, live


@pytest.mark.parametrize("parallelism", [1, 2])
def test_a_random_changelog_aggregates_as_plain_python_does(parallelism):
    changes, live = random_changelog(random.Random(parallelism), 300)
    expected = {}
    for key, value in live:
        total, count, low = expected.get(key, (0, 0, value))
        expected[key] = (total + value, count + 1, min(low, value))
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(parallelism)
    t_env = StreamTableEnvironment.create(env)
    # The kinds survive a typed function; one subtask keeps the changes in order, the GROUP BY runs on `parallelism`.
    stream = changes_stream(env, changes, ["k", "v"]).map(
        lambda row: row, output_type=Types.ROW_NAMED(["k", "v"], [Types.STRING(), Types.INT()])).set_parallelism(1)
    t_env.create_temporary_view("changes", t_env.from_changelog_stream(stream))
    result = t_env.execute_sql("SELECT k, SUM(v), COUNT(*), MIN(v) FROM changes GROUP BY k")
    with result.collect() as rows:
        assert {r[0]: tuple(r[1:]) for r in rows} == expected


def test_updates_reaching_an_append_only_sink_fail_as_in_flink(tmp_path):
    env = StreamExecutionEnvironment.get_execution_environment()
    t_env = StreamTableEnvironment.create(env)
    t_env.execute_sql("CREATE TABLE sink (a STRING, b INT) WITH ('connector' = 'filesystem', 'path' = '%s', "
                      "'format' = 'csv')" % (tmp_path / "out"))
    table = t_env.from_changelog_stream(changes_stream(env, DOCUMENTED))
    with pytest.raises(Exception) as failure:
        table.execute_insert("sink").wait()
    # Flink 2.3's message, with the table PyFn names where Flink names its anonymous source.
    assert "Table sink 'sink' doesn't support consuming update and delete changes which is produced by node " \
           "TableSourceScan(table=[[pyfn_data_" in str(failure.value)
    assert "]], fields=[f0, f1])" in str(failure.value)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_an_insert_only_changelog_is_a_plain_table_and_refuses_other_kinds():
    env = StreamExecutionEnvironment.get_execution_environment()
    t_env = StreamTableEnvironment.create(env)
    inserts = [(RowKind.INSERT, "x", 1), (RowKind.INSERT, "y", 2)]
    table = t_env.from_changelog_stream(changes_stream(env, inserts), changelog_mode=ChangelogMode.insert_only())
    with table.execute().collect() as rows:
        assert [tuple(r) for r in rows] == [("x", 1), ("y", 2)]
    with pytest.raises(ValueError, match=r"record 3 .* is a UPDATE_BEFORE row, which ChangelogMode.insert_only\(\) "
                                         r"does not allow"):
        t_env.from_changelog_stream(changes_stream(env, DOCUMENTED[:3]), changelog_mode=ChangelogMode.insert_only())
