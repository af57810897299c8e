"""`sink_to(JdbcSink.sink(...))`: DataStream records written into a SQLite table through the runner's SQL sink,
end to end (real runner, real workers); the table is read back with Python's sqlite3."""

import sqlite3

import pytest

from datastream_runner import require_runner
from pyfn.common import Row, Types
from pyfn.datastream import StreamExecutionEnvironment
from pyfn.datastream.connectors.jdbc import JdbcConnectionOptions, JdbcExecutionOptions, JdbcSink
from pyfn.util.exceptions import JobExecutionException

# Once, on CPython 3.11 (conftest.RUNNER_LOGIC): the SQL sink is the runner's.
pytestmark = pytest.mark.runner_logic

BOOKS = Types.ROW_NAMED(["id", "title", "price"], [Types.INT(), Types.STRING(), Types.DOUBLE()])


@pytest.fixture(scope="module", autouse=True)
def runner():
    return require_runner()


def connection(path) -> JdbcConnectionOptions:
    return JdbcConnectionOptions.JdbcConnectionOptionsBuilder().with_url("jdbc:sqlite:%s" % path) \
        .with_driver_name("org.sqlite.JDBC").build()


def rows(path, sql):
    with sqlite3.connect(str(path)) as db:
        return db.execute(sql).fetchall()


def test_typed_records_go_into_a_sqlite_table_from_every_subtask(tmp_path):
    database = tmp_path / "books.db"
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(2)
    books = [Row(i, "book %d" % i, i * 1.5) for i in range(1, 501)]
    env.from_collection(books, BOOKS).rebalance() \
        .map(lambda r: Row(r[0], r[1].upper(), r[2]), output_type=BOOKS) \
        .add_sink(JdbcSink.sink("INSERT INTO books (id, title, price) VALUES (?, ?, ?)", BOOKS, connection(database),
                                JdbcExecutionOptions.builder().with_batch_size(100).build()))
    env.execute("books")
    assert rows(database, "SELECT id, title, price FROM books ORDER BY id") == \
        [(i, "BOOK %d" % i, i * 1.5) for i in range(1, 501)]


def test_an_untyped_stream_is_converted_to_the_sink_type(tmp_path):
    database = tmp_path / "words.db"
    env = StreamExecutionEnvironment.get_execution_environment()
    pairs = Types.TUPLE([Types.STRING(), Types.LONG()])
    env.from_collection(["a b", "b"]).flat_map(lambda line: [(w, len(w)) for w in line.split()]) \
        .sink_to(JdbcSink.sink("insert into words (word, n) values (?, ?)", pairs, connection(database)))
    env.execute()
    assert sorted(rows(database, "SELECT word, n FROM words")) == [("a", 1), ("b", 1), ("b", 1)]


def test_a_record_that_does_not_fit_the_sink_type_names_itself_and_the_type(tmp_path):
    env = StreamExecutionEnvironment.get_execution_environment()
    pairs = Types.TUPLE([Types.STRING(), Types.LONG()])
    env.from_collection([("a", 1), ("b", "two")]).sink_to(
        JdbcSink.sink("INSERT INTO t (w, n) VALUES (?, ?)", pairs, connection(tmp_path / "t.db")))
    with pytest.raises(JobExecutionException) as raised:
        env.execute()
    message = str(raised.value)
    assert "returned ('b', 'two'), which is not a valid Types.Tuple(String, Long)" in message
    assert "for record ('b', 'two')" in message


def test_a_statement_that_is_not_an_insert_with_one_mark_per_column_is_refused():
    with pytest.raises(ValueError, match=r"VALUES needs one '\?' per column \(2 columns\)"):
        JdbcSink.sink("INSERT INTO t (a, b) VALUES (?)", Types.ROW([Types.INT(), Types.INT()]), connection("x.db"))
    with pytest.raises(ValueError, match="takes 'INSERT INTO table"):
        JdbcSink.sink("UPDATE t SET a = ?", Types.ROW([Types.INT()]), connection("x.db"))
    with pytest.raises(ValueError, match=r"2 columns \(a, b\) but Row\(f0: Integer\) has 1 fields"):
        JdbcSink.sink("INSERT INTO t (a, b) VALUES (?, ?)", Types.ROW([Types.INT()]), connection("x.db"))
