"""pyfn.table without the runner: the SQL each Table API call renders, the columns it checks, the errors it raises
(naming the program's line), the string expressions of PyFlink 1.10, settings, and print()'s table."""

import io
import inspect
import os

import pyarrow as pa
import pytest

from pyfn.common import Configuration, RuntimeExecutionMode
from pyfn.datastream import StreamExecutionEnvironment
from pyfn.row import Row, RowKind
from pyfn.table import DataTypes, EnvironmentSettings, StreamTableEnvironment, TableEnvironment
from pyfn.table.expression_parser import parse_expression_list
from pyfn.table.expressions import call, col, lit
from pyfn.table.sql_statements import create_table_parts, select_output_names, set_pair, statement_kind
from pyfn.table.table_printer import print_table
from pyfn.table.udf import udf, udtf
from pyfn.util.exceptions import ParseException, ValidationException

CDN_DDL = """CREATE TABLE cdn_access_log (
  uuid VARCHAR, client_ip VARCHAR, request_time BIGINT, response_size BIGINT, uri VARCHAR
) WITH ('connector.type' = 'filesystem', 'connector.path' = 'x.csv', 'format.type' = 'csv')"""


@udf(input_types=[DataTypes.STRING()], result_type=DataTypes.STRING())
def ip_to_province(ip):
    return "p" + ip


@udtf(result_types=[DataTypes.STRING(), DataTypes.BIGINT()])
def split(line):
    for word in line.split():
        yield word, 1


def line_here() -> int:
    return inspect.currentframe().f_back.f_lineno


@pytest.fixture
def t_env():
    env = TableEnvironment.create(EnvironmentSettings.in_batch_mode())
    env.execute_sql(CDN_DDL)
    env.register_function("ip_to_province", ip_to_province)
    yield env
    env.close()


def test_the_cdn_programs_string_expressions_render_the_sql_jobs_query(t_env):
    table = t_env.from_path("cdn_access_log") \
        .select("uuid, "
                "ip_to_province(client_ip) as province, "
                "response_size, request_time") \
        .group_by("province") \
        .select("province, count(uuid) as access_count, "
                "sum(response_size) as total_download, "
                "sum(response_size) * 1.0 / sum(request_time) as download_speed")
    assert table._select_sql() == (
        "SELECT province, COUNT(uuid) AS access_count, SUM(response_size) AS total_download, "
        "(SUM(response_size) * 1.0) / SUM(request_time) AS download_speed FROM "
        "(SELECT uuid, ip_to_province(client_ip) AS province, response_size, request_time FROM cdn_access_log)"
        " AS t1 GROUP BY province")
    schema = table.get_schema()
    assert schema.get_field_names() == ["province", "access_count", "total_download", "download_speed"]
    assert [t.sql() for t in schema.get_field_data_types()] == ["STRING", "BIGINT NOT NULL", "BIGINT", "DOUBLE"]


def test_the_expression_dsl_renders_the_same_query_as_strings(t_env):
    source = t_env.from_path("cdn_access_log")
    dsl = source.select(col("uuid"), ip_to_province(col("client_ip")).alias("province")) \
        .group_by(col("province")).select(col("province"), col("uuid").count.alias("n"))
    text = source.select("uuid, ip_to_province(client_ip) as province") \
        .group_by("province").select("province, uuid.count as n")
    assert dsl._select_sql().replace("t1", "tX") == text._select_sql().replace("t2", "tX")


def test_unnamed_columns_are_named_as_pyflink_names_them(t_env):
    source = t_env.from_path("cdn_access_log")
    assert source.select(col("request_time") + 1, col("uuid")).get_schema().get_field_names() == ["_c0", "uuid"]
    grouped = source.group_by(col("uri")).select(col("uri"), col("uuid").count, col("request_time").max)
    assert grouped.get_schema().get_field_names() == ["uri", "EXPR$0", "EXPR$1"]
    assert "COUNT(uuid) AS `EXPR$0`" in grouped._select_sql()


def test_a_misspelt_column_in_a_select_string_names_the_column_and_this_line(t_env):
    line = line_here() + 2
    with pytest.raises(ValidationException) as caught:
        t_env.from_path("cdn_access_log").select("uuid, clinet_ip")
    error = caught.value
    assert error.message == ("Cannot resolve field [clinet_ip], input field list:"
                             "[uuid, client_ip, request_time, response_size, uri].")
    assert (error.file, error.line) == (os.path.abspath(__file__), line)
    assert str(error).endswith("at %s:%d" % (os.path.abspath(__file__), line))


def test_an_unknown_function_names_the_function_and_the_registered_ones(t_env):
    line = line_here() + 2
    with pytest.raises(ValidationException) as caught:
        t_env.from_path("cdn_access_log").select("ip_to_provnce(client_ip)")
    assert caught.value.message == "Undefined function: ip_to_provnce (registered: ip_to_province)"
    assert caught.value.line == line


def test_a_broken_string_expression_is_a_parse_error_with_its_position(t_env):
    with pytest.raises(ParseException) as caught:
        t_env.from_path("cdn_access_log").select("uuid +")
    assert caught.value.message == ("Could not parse expression 'uuid +' at character 7: expected an expression, "
                                    "found the end")


def test_an_unknown_table_names_the_declared_ones(t_env):
    with pytest.raises(ValidationException, match=r"Table `nope` was not found. Known tables: cdn_access_log"):
        t_env.from_path("nope")


def test_join_lateral_with_a_udtf_object_names_its_columns(t_env):
    words = t_env.from_path("cdn_access_log").select(col("uri")) \
        .join_lateral(call(split, col("uri")).alias("word", "one"))
    assert words.get_schema().get_field_names() == ["uri", "word", "one"]
    assert "LATERAL TABLE(split(uri)) AS" in words._select_sql()
    assert "split" in t_env.list_user_defined_functions()
    outer = t_env.from_path("cdn_access_log").left_outer_join_lateral("split(uri) as (w, n)")
    assert " LEFT JOIN LATERAL TABLE(split(uri)) AS " in outer._select_sql()
    assert outer._select_sql().endswith("(w, n) ON TRUE")


def test_column_operations_render_projections(t_env):
    table = t_env.from_path("cdn_access_log").add_columns((col("request_time") * 2).alias("rt2")) \
        .drop_columns("uri, client_ip").rename_columns(col("uuid").alias("id"))
    assert table.get_schema().get_field_names() == ["id", "request_time", "response_size", "rt2"]
    assert table.where(col("rt2") > lit(10)).get_schema().get_field_names() == table.get_column_names()
    with pytest.raises(ValidationException, match="Field name 'uuid' already exists"):
        t_env.from_path("cdn_access_log").add_columns(lit(1).alias("uuid"))
    assert t_env.from_path("cdn_access_log").select("uri").distinct()._select_sql().endswith("GROUP BY uri")
    assert t_env.from_path("cdn_access_log").alias("a, b, c, d, e").get_schema().get_field_names() == \
        ["a", "b", "c", "d", "e"]


def test_order_by_and_limit_must_end_the_chain(t_env):
    ordered = t_env.from_path("cdn_access_log").order_by(col("uuid").desc).limit(3)
    assert ordered._ordering == [("uuid", False)] and ordered._limit == 3
    with pytest.raises(Exception, match="must be the last operations"):
        ordered.select("uuid")


def test_string_expressions_of_the_old_dsl():
    rendered = [e.render(_scope()) + (" AS %s" % e.output_names()[0] if e.output_names() else "")
                for e in parse_expression_list("a === 1 && !b.isNull, a.sum as s, count(*), c.cast(STRING),"
                                               " 'it''s' as q, -2.5, count(distinct a)")]
    assert rendered == ["(a = 1) AND (NOT (b IS NULL))", "SUM(a) AS s", "COUNT(*)", "CAST(c AS STRING)",
                        "'it''s' AS q", "-2.5", "COUNT(DISTINCT a)"]


def _scope():
    from pyfn.table.expression import RenderScope
    return RenderScope(None, lambda f: f if isinstance(f, str) else f.name)


def test_from_elements_writes_an_arrow_file_declared_as_an_arrow_table():
    t_env = TableEnvironment.create(EnvironmentSettings.in_batch_mode())
    table = t_env.from_elements([(1, "a", 2.5), (2, None, None)], ["id", "word", "v"])
    ddl = t_env._catalog.statements[-1].sql
    assert ddl.startswith("CREATE TABLE pyfn_data_1 (id BIGINT, word STRING, v DOUBLE) WITH "
                          "('connector' = 'arrow', 'path' = '")
    path = ddl.split("'path' = '")[1].rstrip("')")
    assert pa.ipc.open_stream(path).read_all().to_pylist() == [
        {"id": 1, "word": "a", "v": 2.5}, {"id": 2, "word": None, "v": None}]
    assert table.get_schema().get_field_names() == ["id", "word", "v"]
    folder = os.path.dirname(path)
    t_env.close()
    assert not os.path.exists(folder)


def test_settings_reach_the_request_as_job_file_keys():
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(2)
    env.set_runtime_mode(RuntimeExecutionMode.BATCH)
    t_env = StreamTableEnvironment.create(
        env, environment_settings=EnvironmentSettings.new_instance().use_blink_planner().in_batch_mode().build())
    t_env.get_config().get_configuration().set_boolean("python.fn-execution.memory.managed", True)
    t_env.get_config().set("python.fn-execution.bundle.size", 500)
    t_env.execute_sql("SET 'pipeline.name' = 'x'")
    request = t_env._request("job", [], None).to_json()
    assert request["settings"]["parallelism.default"] == "2"
    assert request["settings"]["execution.runtime-mode"] == "batch"
    assert request["settings"]["python.fn-execution.memory.managed"] == "true"
    assert request["settings"]["python.fn-execution.bundle.size"] == "500"
    assert request["settings"]["pipeline.name"] == "x"
    assert StreamTableEnvironment.create(StreamExecutionEnvironment())._is_streaming()


def test_registered_functions_travel_pickled_with_their_program_location(t_env):
    functions = t_env._request("job", [], None).to_json()["functions"]
    assert [(f["name"], f["kind"], f["result_type"], f["input_types"]) for f in functions] == [
        ("ip_to_province", "SCALAR", "STRING", ["STRING"])]
    assert functions[0]["location"]["file"] == os.path.abspath(__file__)
    import base64
    import cloudpickle
    assert cloudpickle.loads(base64.b64decode(functions[0]["pickle"]))("1.2.3.4") == "p1.2.3.4"


def test_udf_type_pandas_is_accepted_as_in_pyflink_1_11():
    f = udf(lambda a: a, input_types=[DataTypes.INT()], result_type=DataTypes.INT(), udf_type="pandas")
    assert f.func_type == "pandas" and f.kind == "pandas_scalar"


def test_statement_reading():
    assert statement_kind("  create temporary system function f as 'm.f'") == "CREATE_FUNCTION"
    assert statement_kind("-- c\nINSERT INTO t SELECT 1 FROM s") == "INSERT"
    assert create_table_parts(CDN_DDL)[0] == "cdn_access_log"
    name, columns = create_table_parts("CREATE TABLE `my t` (a INT NOT NULL, b DECIMAL(10, 2), "
                                       "PRIMARY KEY (a) NOT ENFORCED) WITH ()")
    assert name == "my t" and [(c, t.sql()) for c, t in columns] == [("a", "INT NOT NULL"), ("b", "DECIMAL(10, 2)")]
    assert set_pair("SET 'a.b' = 'x y'") == ("a.b", "x y") and set_pair("SET a.b=3") == ("a.b", "3")
    assert select_output_names("SELECT a, b + 1 AS c, COUNT(*) FROM t GROUP BY a", lambda n: None) == \
        ["a", "c", "EXPR$2"]
    assert select_output_names("SELECT * FROM t", lambda n: ["x", "y"]) == ["x", "y"]


def test_print_uses_pyflinks_table_format():
    schema = pa.schema([("id", pa.int64()), ("word", pa.string()), ("d", pa.float64()), ("b", pa.bool_())])
    rows = [Row(1, "hello", 2.5, None), Row(22, "a much longer string value here ok", 1e10, True)]
    out = io.StringIO()
    print_table(schema, rows, streaming=False, out=out)
    assert out.getvalue() == (
        "+----------------------+--------------------------------+--------------------------------+--------+\n"
        "|                   id |                           word |                              d |      b |\n"
        "+----------------------+--------------------------------+--------------------------------+--------+\n"
        "|                    1 |                          hello |                            2.5 | <NULL> |\n"
        "|                   22 | a much longer string value ... |                         1.0E10 |   TRUE |\n"
        "+----------------------+--------------------------------+--------------------------------+--------+\n"
        "2 rows in set\n")
    streamed = Row("w", 1)
    streamed.set_row_kind(RowKind.UPDATE_AFTER)
    out = io.StringIO()
    print_table(pa.schema([("w", pa.string()), ("n", pa.int64())]), [streamed], streaming=True, out=out)
    assert out.getvalue().splitlines()[1] == "| op |                              w |                    n |"
    assert out.getvalue().splitlines()[3] == "| +U |                              w |                    1 |"
    out = io.StringIO()
    print_table(schema, [], streaming=False, out=out)
    assert out.getvalue() == "Empty set\n"


def test_configuration_keeps_job_file_strings():
    configuration = Configuration().set_integer("a", 3).set_boolean("b", True).set_string("c", "x")
    assert configuration.to_dict() == {"a": "3", "b": "true", "c": "x"}
    assert configuration.get_integer("a", 0) == 3 and configuration.get_boolean("b", False) is True


def test_sql_text_reads_views_of_table_api_objects(t_env):
    t_env.create_temporary_view("provinces", t_env.from_path("cdn_access_log").select(
        col("uuid"), ip_to_province(col("client_ip")).alias("province")))
    table = t_env.sql_query("SELECT province, COUNT(uuid) AS n FROM provinces GROUP BY province")
    assert table._select_sql() == ("SELECT province, COUNT(uuid) AS n FROM (SELECT uuid, ip_to_province(client_ip) "
                                   "AS province FROM cdn_access_log) AS provinces GROUP BY province")
    assert table.get_schema().get_field_names() == ["province", "n"]
    assert t_env.from_path("provinces").get_schema().get_field_names() == ["uuid", "province"]
    assert "provinces" in t_env.list_tables()


def test_statements_without_a_job_print_as_pyflink_prints_them(t_env, capsys):
    t_env.execute_sql("CREATE TABLE a (x INT) WITH ('connector' = 'datagen')").print()
    t_env.execute_sql("SHOW TABLES").print()
    assert capsys.readouterr().out == ("OK\n"
                                       "+----------------+\n"
                                       "|     table name |\n"
                                       "+----------------+\n"
                                       "|              a |\n"
                                       "| cdn_access_log |\n"
                                       "+----------------+\n"
                                       "2 rows in set\n")


def test_explain_shows_the_statements_and_functions_sent(t_env):
    plan = t_env.from_path("cdn_access_log").select("ip_to_province(client_ip) as p").explain()
    assert plan == "\n".join([
        "== Statements sent to the PyFn runner ==", CDN_DDL + ";",
        "SELECT ip_to_province(client_ip) AS p FROM cdn_access_log;", "",
        "== Python functions (shipped by value) ==", "ip_to_province: SCALAR STRING"])
