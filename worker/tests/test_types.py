"""DataTypes: factories, type strings, SQL text, proto and Arrow forms."""

import pyarrow as pa
import pytest

from pyfn import DataTypes
from pyfn.proto.pyfn import udf_pb2
from pyfn.types import from_proto, parse_type

TypeName = udf_pb2.DataType.TypeName

# (factory result, type string, SQL text, proto type name, Arrow type)
CASES = [
    (DataTypes.BOOLEAN(), "BOOLEAN", "BOOLEAN", "BOOLEAN", pa.bool_()),
    (DataTypes.TINYINT(), "TINYINT", "TINYINT", "TINYINT", pa.int8()),
    (DataTypes.SMALLINT(), "SMALLINT", "SMALLINT", "SMALLINT", pa.int16()),
    (DataTypes.INT(), "INT", "INT", "INT", pa.int32()),
    (DataTypes.BIGINT(), "BIGINT", "BIGINT", "BIGINT", pa.int64()),
    (DataTypes.FLOAT(), "FLOAT", "FLOAT", "FLOAT", pa.float32()),
    (DataTypes.DOUBLE(), "DOUBLE", "DOUBLE", "DOUBLE", pa.float64()),
    (DataTypes.DECIMAL(10, 2), "DECIMAL(10, 2)", "DECIMAL(10, 2)", "DECIMAL", pa.decimal128(10, 2)),
    (DataTypes.STRING(), "STRING", "STRING", "STRING", pa.string()),
    (DataTypes.BYTES(), "BYTES", "BYTES", "BYTES", pa.binary()),
    (DataTypes.DATE(), "DATE", "DATE", "DATE", pa.date32()),
    (DataTypes.TIME(3), "TIME(3)", "TIME(3)", "TIME", pa.time64("us")),
    (DataTypes.TIMESTAMP(3), "TIMESTAMP(3)", "TIMESTAMP(3)", "TIMESTAMP", pa.timestamp("us")),
    (DataTypes.ARRAY(DataTypes.INT()), "ARRAY<INT>", "ARRAY<INT>", "ARRAY", pa.list_(pa.int32())),
    (DataTypes.MAP(DataTypes.STRING(), DataTypes.BIGINT()), "MAP<STRING, BIGINT>", "MAP<STRING, BIGINT>", "MAP",
     pa.map_(pa.string(), pa.int64())),
    (DataTypes.ROW([DataTypes.FIELD("a", DataTypes.INT()), DataTypes.FIELD("b", DataTypes.STRING())]),
     "ROW<a INT, b STRING>", "ROW<a INT, b STRING>", "ROW", pa.struct([("a", pa.int32()), ("b", pa.string())])),
]


@pytest.mark.parametrize("factory, text, sql, proto_name, arrow", CASES, ids=[c[1] for c in CASES])
def test_every_type(factory, text, sql, proto_name, arrow):
    parsed = parse_type(text)
    assert parsed == factory
    assert factory.sql() == sql
    assert factory.to_arrow() == arrow
    message = factory.to_proto()
    assert message.type_name == TypeName.Value(proto_name)
    assert message.nullable is True
    assert from_proto(message) == factory
    # round trip through bytes
    assert from_proto(udf_pb2.DataType.FromString(message.SerializeToString())) == factory


@pytest.mark.parametrize("factory", [c[0] for c in CASES], ids=[c[1] for c in CASES])
def test_not_null(factory):
    strict = factory.not_null()
    assert not strict.is_nullable and factory.is_nullable
    assert strict.sql() == factory.sql() + " NOT NULL"
    assert strict.to_proto().nullable is False
    assert from_proto(strict.to_proto()) == strict
    assert parse_type(factory.sql() + " NOT NULL") == strict
    assert strict.nullable() == factory


def test_nullable_argument():
    assert DataTypes.BIGINT(nullable=False) == DataTypes.BIGINT().not_null()
    assert DataTypes.BIGINT(False).sql() == "BIGINT NOT NULL"
    assert parse_type("INT NOT NULL") == DataTypes.INT(nullable=False)


def test_proto_details():
    decimal = DataTypes.DECIMAL(38, 18).to_proto()
    assert (decimal.precision, decimal.scale) == (38, 18)
    assert DataTypes.TIMESTAMP(9).to_proto().precision == 9
    array = DataTypes.ARRAY(DataTypes.STRING(nullable=False)).to_proto()
    assert array.element_type.type_name == TypeName.STRING and not array.element_type.nullable
    map_type = DataTypes.MAP(DataTypes.STRING(), DataTypes.DOUBLE()).to_proto()
    assert map_type.key_type.type_name == TypeName.STRING and map_type.value_type.type_name == TypeName.DOUBLE
    row = DataTypes.ROW([DataTypes.FIELD("x", DataTypes.BIGINT(), "the x")]).to_proto()
    assert [(f.name, f.type.type_name, f.description) for f in row.fields] == [("x", TypeName.BIGINT, "the x")]


def test_defaults_follow_pyflink():
    assert DataTypes.DECIMAL() == DataTypes.DECIMAL(10, 0)
    assert DataTypes.TIME().precision == 0
    assert DataTypes.TIMESTAMP().precision == 6
    assert parse_type("TIMESTAMP") == DataTypes.TIMESTAMP(6)
    assert parse_type("DECIMAL") == DataTypes.DECIMAL(10, 0)


@pytest.mark.parametrize("text, expected", [
    ("bigint", DataTypes.BIGINT()),
    ("INTEGER", DataTypes.INT()),
    ("VARCHAR", DataTypes.STRING()),
    ("VARCHAR(20)", DataTypes.VARCHAR(20)),
    ("CHAR(3)", DataTypes.CHAR(3)),
    ("VARBINARY", DataTypes.BYTES()),
    ("DOUBLE PRECISION", DataTypes.DOUBLE()),
    ("NUMERIC(5, 1)", DataTypes.DECIMAL(5, 1)),
    ("TIMESTAMP(3) WITHOUT TIME ZONE", DataTypes.TIMESTAMP(3)),
    ("ARRAY<INT NOT NULL>", DataTypes.ARRAY(DataTypes.INT(nullable=False))),
    ("INT ARRAY", DataTypes.ARRAY(DataTypes.INT())),
    ("MAP<STRING, ARRAY<DOUBLE>>", DataTypes.MAP(DataTypes.STRING(), DataTypes.ARRAY(DataTypes.DOUBLE()))),
    ("ROW<a INT, b ROW<c STRING>>", DataTypes.ROW([
        DataTypes.FIELD("a", DataTypes.INT()),
        DataTypes.FIELD("b", DataTypes.ROW([DataTypes.FIELD("c", DataTypes.STRING())]))])),
    ("ROW(a INT, `b c` STRING 'desc')", DataTypes.ROW([
        DataTypes.FIELD("a", DataTypes.INT()), DataTypes.FIELD("b c", DataTypes.STRING(), "desc")])),
    ("ROW<>", DataTypes.ROW([])),
])
def test_type_strings(text, expected):
    assert parse_type(text) == expected


def test_sql_text_round_trips():
    nested = DataTypes.ROW([DataTypes.FIELD("w", DataTypes.STRING()),
                            DataTypes.FIELD("odd name", DataTypes.MAP(DataTypes.STRING(), DataTypes.INT(False)))])
    assert nested.sql() == "ROW<w STRING, `odd name` MAP<STRING, INT NOT NULL>>"
    assert parse_type(nested.sql()) == nested


@pytest.mark.parametrize("text", ["FOO", "BIGINTEGER", "ARRAY<INT", "MAP<STRING>", "DECIMAL(10, 2, 3)", "INT INT",
                                  "", "ROW<a>", "TIMESTAMP WITH TIME ZONE", "DECIMAL(99)"])
def test_unknown_type_strings_are_rejected(text):
    with pytest.raises(ValueError) as error:
        parse_type(text)
    message = str(error.value)
    assert repr(text) in message or "DECIMAL precision" in message
    if "DECIMAL precision" not in message:
        assert "Accepted types:" in message and "BIGINT" in message


def test_arrow_nested_nullability():
    strict = DataTypes.ARRAY(DataTypes.INT(nullable=False)).to_arrow()
    assert strict == pa.list_(pa.field("item", pa.int32(), nullable=False))
    row = DataTypes.ROW([DataTypes.FIELD("a", DataTypes.INT(False))]).to_arrow()
    assert not row.field(0).nullable


def test_types_are_hashable_and_printable():
    assert len({DataTypes.BIGINT(), DataTypes.BIGINT(), DataTypes.INT()}) == 2
    assert "BigIntType" in repr(DataTypes.BIGINT())
    assert str(DataTypes.ARRAY(DataTypes.BIGINT(False))) == "ARRAY<BIGINT NOT NULL>"


def test_timestamp_ltz_spellings_are_one_type_that_travels_as_an_instant():
    from pyfn.types import LocalZonedTimestampType

    for text in ["TIMESTAMP_LTZ(3)", "TIMESTAMP(3) WITH LOCAL TIME ZONE", "timestamp_ltz(3)"]:
        assert parse_type(text) == DataTypes.TIMESTAMP_LTZ(3), text
    assert parse_type("TIMESTAMP_LTZ") == DataTypes.TIMESTAMP_WITH_LOCAL_TIME_ZONE() == LocalZonedTimestampType(6)
    assert DataTypes.TIMESTAMP_LTZ(3).sql() == "TIMESTAMP_LTZ(3)"
    assert DataTypes.TIMESTAMP_LTZ(3).to_arrow() == pa.timestamp("us", tz="UTC")
    message = udf_pb2.DataType()
    DataTypes.TIMESTAMP_LTZ(3, nullable=False)._fill_proto(message)
    assert from_proto(message) == DataTypes.TIMESTAMP_LTZ(3, nullable=False)
    with pytest.raises(ValueError, match="TIMESTAMP WITH TIME ZONE is not supported"):
        parse_type("TIMESTAMP(3) WITH TIME ZONE")


def test_session_zone_names_as_flink_takes_them():
    import datetime

    from pyfn.worker.local_zoned import zone_named

    instant = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
    assert instant.astimezone(zone_named("GMT+08:00")).hour == 8
    assert instant.astimezone(zone_named("UTC-05:30")).isoformat() == "2023-12-31T18:30:00-05:30"
    assert instant.astimezone(zone_named("Asia/Shanghai")).hour == 8
    assert zone_named("UTC") is datetime.timezone.utc
