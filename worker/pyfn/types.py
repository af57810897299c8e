"""SQL data types with PyFlink's names (`DataTypes.BIGINT()`, `DataTypes.ROW([...])`, ...).

Each type knows its PyFn wire form (`pyfn.v1.DataType`), its Arrow type (the contract's table) and its SQL
text (`BIGINT NOT NULL`, `ROW<w STRING>`). Type strings as PyFlink and Flink SQL spell them are parsed by
`parse_type` ('DECIMAL(10, 2)', 'ARRAY<INT>', 'MAP<STRING, BIGINT>', 'ROW<a INT, b STRING>', 'INT NOT NULL').
"""

from __future__ import annotations

import re
from typing import Iterable, List, Optional, Sequence, Union

__all__ = [
    "DataType", "AtomicType", "BooleanType", "TinyIntType", "SmallIntType", "IntType", "BigIntType",
    "FloatType", "DoubleType", "DecimalType", "CharType", "VarCharType", "BinaryType", "VarBinaryType",
    "DateType", "TimeType", "TimestampType", "LocalZonedTimestampType", "ArrayType", "MapType", "RowField", "RowType",
    "DataTypes",
    "parse_type", "as_data_type", "from_proto",
]

# Largest length Flink gives STRING (VARCHAR(MAX)) and BYTES (VARBINARY(MAX)).
_MAX_LENGTH = 2147483647


class DataType:
    """A SQL type. `nullable=False` (or `.not_null()`) makes it NOT NULL."""

    #: The name in pyfn.v1.DataType.TypeName.
    _proto_name = ""

    def __init__(self, nullable: bool = True):
        self._nullable = bool(nullable)

    # -- PyFlink's API -------------------------------------------------------------------------------
    def not_null(self) -> "DataType":
        """This type, NOT NULL."""
        return self._with_nullable(False)

    def nullable(self) -> "DataType":
        """This type, nullable."""
        return self._with_nullable(True)

    # -- conversions ---------------------------------------------------------------------------------
    @property
    def is_nullable(self) -> bool:
        return self._nullable

    def to_proto(self):
        """This type as a `pyfn.v1.DataType` message."""
        from pyfn.proto.pyfn import udf_pb2

        message = udf_pb2.DataType()
        self._fill_proto(message)
        return message

    def to_arrow(self):
        """This type as a pyarrow DataType, per the wire contract's table."""
        raise NotImplementedError

    def sql(self) -> str:
        """SQL text, e.g. `BIGINT NOT NULL`, `DECIMAL(10, 2)`, `ROW<w STRING>`."""
        return self._sql_base() + ("" if self._nullable else " NOT NULL")

    # -- internals -----------------------------------------------------------------------------------
    def _params(self) -> tuple:
        return ()

    def _with_nullable(self, nullable: bool) -> "DataType":
        clone = object.__new__(type(self))
        clone.__dict__.update(self.__dict__)
        clone._nullable = nullable
        return clone

    def _fill_proto(self, message) -> None:
        from pyfn.proto.pyfn import udf_pb2

        message.type_name = udf_pb2.DataType.TypeName.Value(self._proto_name)
        message.nullable = self._nullable

    def _sql_base(self) -> str:
        return self._proto_name

    def __eq__(self, other):
        return (type(self) is type(other) and self._nullable == other._nullable
                and self._params() == other._params())

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash((type(self).__name__, self._nullable, self._params()))

    def __repr__(self):
        params = ", ".join(repr(p) for p in self._params())
        nullable = "" if self._nullable else (", " if params else "") + "nullable=False"
        return "%s(%s%s)" % (type(self).__name__, params, nullable)

    def __str__(self):
        return self.sql()


class AtomicType(DataType):
    """A type without components; `_arrow` names its pyarrow type factory (`pa.int64`, …)."""

    _arrow = ""

    def to_arrow(self):
        import pyarrow as pa
        return getattr(pa, self._arrow)()


class BooleanType(AtomicType):
    _proto_name = "BOOLEAN"
    _arrow = "bool_"


class TinyIntType(AtomicType):
    _proto_name = "TINYINT"
    _arrow = "int8"


class SmallIntType(AtomicType):
    _proto_name = "SMALLINT"
    _arrow = "int16"


class IntType(AtomicType):
    _proto_name = "INT"
    _arrow = "int32"


class BigIntType(AtomicType):
    _proto_name = "BIGINT"
    _arrow = "int64"


class FloatType(AtomicType):
    _proto_name = "FLOAT"
    _arrow = "float32"


class DoubleType(AtomicType):
    _proto_name = "DOUBLE"
    _arrow = "float64"


class DecimalType(AtomicType):
    """DECIMAL(precision, scale): 1 <= precision <= 38, 0 <= scale <= precision."""

    _proto_name = "DECIMAL"

    def __init__(self, precision: int = 10, scale: int = 0, nullable: bool = True):
        super().__init__(nullable)
        if not 1 <= precision <= 38:
            raise ValueError("DECIMAL precision must be between 1 and 38, got %r" % (precision,))
        if not 0 <= scale <= precision:
            raise ValueError("DECIMAL scale must be between 0 and the precision %d, got %r" % (precision, scale))
        self.precision = precision
        self.scale = scale

    def _params(self):
        return (self.precision, self.scale)

    def _fill_proto(self, message):
        super()._fill_proto(message)
        message.precision = self.precision
        message.scale = self.scale

    def _sql_base(self):
        return "DECIMAL(%d, %d)" % (self.precision, self.scale)

    def to_arrow(self):
        import pyarrow as pa
        return pa.decimal128(self.precision, self.scale)


class _LengthType(AtomicType):
    """A type with a length that always travels at full width: VARCHAR(n)/CHAR(n) as STRING, VARBINARY(n)/BINARY(n)
    as BYTES. `_full_name` is its name at the largest length, `_sized_name` its name with a length."""

    _full_name = ""
    _sized_name = ""

    def __init__(self, length: int = _MAX_LENGTH, nullable: bool = True):
        super().__init__(nullable)
        self.length = length

    def _params(self):
        return (self.length,)

    def _sql_base(self):
        return self._full_name if self.length == _MAX_LENGTH else "%s(%d)" % (self._sized_name, self.length)


class VarCharType(_LengthType):
    """STRING is VARCHAR of the largest length; every length travels as Arrow utf8."""

    _proto_name = "STRING"
    _full_name = "STRING"
    _sized_name = "VARCHAR"
    _arrow = "string"


class CharType(VarCharType):
    """CHAR(n): travels as STRING."""

    _sized_name = "CHAR"

    def __init__(self, length: int = 1, nullable: bool = True):
        super().__init__(length, nullable)


class VarBinaryType(_LengthType):
    """BYTES is VARBINARY of the largest length; every length travels as Arrow binary."""

    _proto_name = "BYTES"
    _full_name = "BYTES"
    _sized_name = "VARBINARY"
    _arrow = "binary"


class BinaryType(VarBinaryType):
    """BINARY(n): travels as BYTES."""

    _sized_name = "BINARY"

    def __init__(self, length: int = 1, nullable: bool = True):
        super().__init__(length, nullable)


class DateType(AtomicType):
    _proto_name = "DATE"
    _arrow = "date32"


class _FractionalSecondsType(AtomicType):
    """A type with a precision of fractional-second digits 0..9 (TIME, TIMESTAMP), always carried in microseconds;
    `_arrow_unit_type` names its pyarrow factory, called with "us"."""

    _arrow_unit_type = ""

    def __init__(self, precision: int, nullable: bool = True):
        super().__init__(nullable)
        if not 0 <= precision <= 9:
            raise ValueError("%s precision must be between 0 and 9, got %r" % (self._proto_name, precision))
        self.precision = precision

    def _params(self):
        return (self.precision,)

    def _fill_proto(self, message):
        super()._fill_proto(message)
        message.precision = self.precision

    def _sql_base(self):
        return "%s(%d)" % (self._proto_name, self.precision)

    def to_arrow(self):
        import pyarrow as pa
        return getattr(pa, self._arrow_unit_type)("us")


class TimeType(_FractionalSecondsType):
    """TIME(precision): fractional-second digits 0..9; travels as time64[us]."""

    _proto_name = "TIME"
    _arrow_unit_type = "time64"

    def __init__(self, precision: int = 0, nullable: bool = True):
        super().__init__(precision, nullable)


class TimestampType(_FractionalSecondsType):
    """TIMESTAMP(precision) without time zone: digits 0..9; travels as timestamp[us]."""

    _proto_name = "TIMESTAMP"
    _arrow_unit_type = "timestamp"

    def __init__(self, precision: int = 6, nullable: bool = True):
        super().__init__(precision, nullable)


class LocalZonedTimestampType(_FractionalSecondsType):
    """TIMESTAMP_LTZ(precision) = TIMESTAMP(precision) WITH LOCAL TIME ZONE: an instant, shown in the session zone
    (`table.local-time-zone`); digits 0..9; travels as timestamp[us, tz=UTC]. Functions get aware datetimes as
    PyFlink's worker makes them (see pyfn.worker.local_zoned)."""

    _proto_name = "TIMESTAMP_LTZ"
    _arrow_unit_type = "timestamp"

    def __init__(self, precision: int = 6, nullable: bool = True):
        super().__init__(precision, nullable)

    def to_arrow(self):
        import pyarrow as pa
        return pa.timestamp("us", tz="UTC")


class ArrayType(DataType):
    """ARRAY<element_type>: Python lists."""

    _proto_name = "ARRAY"

    def __init__(self, element_type: DataType, nullable: bool = True):
        super().__init__(nullable)
        self.element_type = as_data_type(element_type, "ARRAY element type")

    def _params(self):
        return (self.element_type,)

    def _fill_proto(self, message):
        super()._fill_proto(message)
        self.element_type._fill_proto(message.element_type)

    def _sql_base(self):
        return "ARRAY<%s>" % self.element_type.sql()

    def to_arrow(self):
        import pyarrow as pa
        return pa.list_(pa.field("item", self.element_type.to_arrow(), self.element_type._nullable))


class MapType(DataType):
    """MAP<key_type, value_type>: Python dicts."""

    _proto_name = "MAP"

    def __init__(self, key_type: DataType, value_type: DataType, nullable: bool = True):
        super().__init__(nullable)
        self.key_type = as_data_type(key_type, "MAP key type")
        self.value_type = as_data_type(value_type, "MAP value type")

    def _params(self):
        return (self.key_type, self.value_type)

    def _fill_proto(self, message):
        super()._fill_proto(message)
        self.key_type._fill_proto(message.key_type)
        self.value_type._fill_proto(message.value_type)

    def _sql_base(self):
        return "MAP<%s, %s>" % (self.key_type.sql(), self.value_type.sql())

    def to_arrow(self):
        import pyarrow as pa
        return pa.map_(self.key_type.to_arrow(),
                       pa.field("value", self.value_type.to_arrow(), self.value_type._nullable))


class ListViewType(ArrayType):
    """LIST_VIEW<T>: a `pyfn.table.ListView` in an accumulator type; carried as ARRAY<T>."""


class MapViewType(MapType):
    """MAP_VIEW<K, V>: a `pyfn.table.MapView` in an accumulator type; carried as MAP<K, V>."""


class RowField:
    """A named field of a ROW."""

    def __init__(self, name: str, data_type: DataType, description: Optional[str] = None):
        if not isinstance(name, str) or not name:
            raise ValueError("a ROW field needs a non-empty string name, got %r" % (name,))
        self.name = name
        self.data_type = as_data_type(data_type, "type of ROW field %r" % name)
        self.description = description

    def __eq__(self, other):
        return (isinstance(other, RowField) and self.name == other.name
                and self.data_type == other.data_type and self.description == other.description)

    def __hash__(self):
        return hash((self.name, self.data_type, self.description))

    def __repr__(self):
        return "RowField(%r, %r%s)" % (self.name, self.data_type,
                                       "" if self.description is None else ", %r" % self.description)

    def sql(self) -> str:
        text = "%s %s" % (_quote_identifier(self.name), self.data_type.sql())
        if self.description:
            text += " '%s'" % self.description.replace("'", "''")
        return text


class RowType(DataType):
    """ROW<name type, ...>: PyFlink Rows (tuples and Rows are accepted as results)."""

    _proto_name = "ROW"

    def __init__(self, fields: Optional[Sequence[RowField]] = None, nullable: bool = True):
        super().__init__(nullable)
        fields = list(fields or [])
        for field in fields:
            if not isinstance(field, RowField):
                raise TypeError("ROW fields must be DataTypes.FIELD(name, type), got %r" % (field,))
        names = [f.name for f in fields]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError("ROW field names must be unique, repeated: %s" % ", ".join(duplicates))
        self.fields: List[RowField] = fields

    def names(self) -> List[str]:
        return [f.name for f in self.fields]

    def field_types(self) -> List[DataType]:
        return [f.data_type for f in self.fields]

    def _params(self):
        return tuple(self.fields)

    def _fill_proto(self, message):
        super()._fill_proto(message)
        for field in self.fields:
            out = message.fields.add()
            out.name = field.name
            if field.description:
                out.description = field.description
            field.data_type._fill_proto(out.type)

    def _sql_base(self):
        return "ROW<%s>" % ", ".join(f.sql() for f in self.fields)

    def to_arrow(self):
        import pyarrow as pa
        return pa.struct([pa.field(f.name, f.data_type.to_arrow(), f.data_type._nullable) for f in self.fields])


_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _quote_identifier(name: str) -> str:
    return name if _IDENTIFIER.match(name) else "`%s`" % name.replace("`", "``")


class DataTypes:
    """Factories for every supported type, with PyFlink's names and arguments."""

    @staticmethod
    def BOOLEAN(nullable: bool = True) -> BooleanType:
        return BooleanType(nullable)

    @staticmethod
    def TINYINT(nullable: bool = True) -> TinyIntType:
        return TinyIntType(nullable)

    @staticmethod
    def SMALLINT(nullable: bool = True) -> SmallIntType:
        return SmallIntType(nullable)

    @staticmethod
    def INT(nullable: bool = True) -> IntType:
        return IntType(nullable)

    @staticmethod
    def BIGINT(nullable: bool = True) -> BigIntType:
        return BigIntType(nullable)

    @staticmethod
    def FLOAT(nullable: bool = True) -> FloatType:
        return FloatType(nullable)

    @staticmethod
    def DOUBLE(nullable: bool = True) -> DoubleType:
        return DoubleType(nullable)

    @staticmethod
    def DECIMAL(precision: int = 10, scale: int = 0, nullable: bool = True) -> DecimalType:
        return DecimalType(precision, scale, nullable)

    @staticmethod
    def CHAR(length: int = 1, nullable: bool = True) -> CharType:
        return CharType(length, nullable)

    @staticmethod
    def VARCHAR(length: int = _MAX_LENGTH, nullable: bool = True) -> VarCharType:
        return VarCharType(length, nullable)

    @staticmethod
    def STRING(nullable: bool = True) -> VarCharType:
        return VarCharType(_MAX_LENGTH, nullable)

    @staticmethod
    def BINARY(length: int = 1, nullable: bool = True) -> BinaryType:
        return BinaryType(length, nullable)

    @staticmethod
    def VARBINARY(length: int = _MAX_LENGTH, nullable: bool = True) -> VarBinaryType:
        return VarBinaryType(length, nullable)

    @staticmethod
    def BYTES(nullable: bool = True) -> VarBinaryType:
        return VarBinaryType(_MAX_LENGTH, nullable)

    @staticmethod
    def DATE(nullable: bool = True) -> DateType:
        return DateType(nullable)

    @staticmethod
    def TIME(precision: int = 0, nullable: bool = True) -> TimeType:
        return TimeType(precision, nullable)

    @staticmethod
    def TIMESTAMP(precision: int = 6, nullable: bool = True) -> TimestampType:
        return TimestampType(precision, nullable)

    @staticmethod
    def TIMESTAMP_LTZ(precision: int = 6, nullable: bool = True) -> LocalZonedTimestampType:
        """TIMESTAMP_LTZ(precision): an instant shown in the session time zone."""
        return LocalZonedTimestampType(precision, nullable)

    @staticmethod
    def TIMESTAMP_WITH_LOCAL_TIME_ZONE(precision: int = 6, nullable: bool = True) -> LocalZonedTimestampType:
        """TIMESTAMP(precision) WITH LOCAL TIME ZONE, the same type as TIMESTAMP_LTZ(precision)."""
        return LocalZonedTimestampType(precision, nullable)

    @staticmethod
    def ARRAY(element_type: DataType, nullable: bool = True) -> ArrayType:
        return ArrayType(element_type, nullable)

    @staticmethod
    def MAP(key_type: DataType, value_type: DataType, nullable: bool = True) -> MapType:
        return MapType(key_type, value_type, nullable)

    @staticmethod
    def LIST_VIEW(element_type: DataType) -> ListViewType:
        """The type of a ListView in an accumulator (`get_accumulator_type`), as PyFlink's."""
        return ListViewType(element_type)

    @staticmethod
    def MAP_VIEW(key_type: DataType, value_type: DataType) -> MapViewType:
        """The type of a MapView in an accumulator (`get_accumulator_type`), as PyFlink's."""
        return MapViewType(key_type, value_type)

    @staticmethod
    def FIELD(name: str, data_type: DataType, description: Optional[str] = None) -> RowField:
        return RowField(name, data_type, description)

    @staticmethod
    def ROW(row_fields: Optional[Sequence[RowField]] = None, nullable: bool = True) -> RowType:
        return RowType(row_fields, nullable)


def as_data_type(value: Union[DataType, str], what: str = "type") -> DataType:
    """A DataType given as one or as a type string; anything else is a TypeError naming `what`."""
    if isinstance(value, DataType):
        return value
    if isinstance(value, str):
        return parse_type(value)
    raise TypeError("%s must be a DataType (e.g. DataTypes.BIGINT()) or a type string like 'BIGINT', got %r"
                    % (what, value))


def as_data_types(value, what: str = "types") -> List[DataType]:
    """A list of DataTypes from one type, a type string or a sequence of them."""
    if isinstance(value, (DataType, str)):
        return [as_data_type(value, what)]
    if isinstance(value, Iterable):
        return [as_data_type(v, what) for v in value]
    raise TypeError("%s must be a DataType, a type string or a list of them, got %r" % (what, value))


# ------------------------------------------------------------------------------------------ parsing

ACCEPTED_TYPE_STRINGS = (
    "BOOLEAN, TINYINT, SMALLINT, INT (INTEGER), BIGINT, FLOAT (REAL), DOUBLE [PRECISION], "
    "DECIMAL[(p[, s])] (DEC, NUMERIC), CHAR[(n)], VARCHAR[(n)], STRING, BINARY[(n)], VARBINARY[(n)], BYTES, "
    "DATE, TIME[(p)], TIMESTAMP[(p)] [WITHOUT TIME ZONE], TIMESTAMP_LTZ[(p)] (TIMESTAMP[(p)] WITH LOCAL TIME ZONE), "
    "ARRAY<t>, MAP<k, v>, ROW<name t, ...>, "
    "each optionally followed by NOT NULL"
)

_TOKEN = re.compile(r"\s*(?:(?P<quoted>`(?:[^`]|``)*`)|(?P<string>'(?:[^']|'')*')|(?P<number>\d+)"
                    r"|(?P<word>[A-Za-z_][A-Za-z0-9_]*)|(?P<symbol>[<>(),]))")


class _TypeParser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = self._tokenize(text)
        self.pos = 0

    def fail(self, why: str):
        raise ValueError("cannot parse type string %r: %s. Accepted types: %s"
                         % (self.text, why, ACCEPTED_TYPE_STRINGS))

    def _tokenize(self, text):
        tokens, pos = [], 0
        stripped = text.rstrip()
        while pos < len(stripped):
            match = _TOKEN.match(stripped, pos)
            if not match or match.end() == pos:
                self.fail("unexpected character %r at position %d" % (stripped[pos:pos + 1] or text[pos:pos + 1],
                                                                       pos))
            kind = match.lastgroup
            value = match.group(kind)
            if kind == "quoted":
                value = value[1:-1].replace("``", "`")
            elif kind == "string":
                value = value[1:-1].replace("''", "'")
            elif kind == "word":
                value = value.upper()
            tokens.append((kind, value, match.group(kind)))
            pos = match.end()
        return tokens

    def peek(self, offset=0):
        index = self.pos + offset
        return self.tokens[index] if index < len(self.tokens) else (None, None, None)

    def peek_word(self, offset=0):
        kind, value, _ = self.peek(offset)
        return value if kind == "word" else None

    def take(self):
        token = self.peek()
        if token[0] is None:
            self.fail("it ends too early")
        self.pos += 1
        return token

    def expect_symbol(self, symbol):
        kind, value, _ = self.take()
        if kind != "symbol" or value != symbol:
            self.fail("expected %r, found %r" % (symbol, value))

    def accept_symbol(self, symbol):
        kind, value, _ = self.peek()
        if kind == "symbol" and value == symbol:
            self.pos += 1
            return True
        return False

    def number(self):
        kind, value, _ = self.take()
        if kind != "number":
            self.fail("expected a number, found %r" % (value,))
        return int(value)

    def optional_numbers(self, most):
        values = []
        if self.accept_symbol("("):
            values.append(self.number())
            while len(values) < most and self.accept_symbol(","):
                values.append(self.number())
            self.expect_symbol(")")
        return values

    def parse(self) -> DataType:
        if not self.tokens:
            self.fail("it is empty")
        result = self.parse_type()
        if self.pos != len(self.tokens):
            self.fail("unexpected %r after the type" % (self.peek()[2],))
        return result

    def parse_type(self) -> DataType:
        result = self.parse_base()
        while True:
            if self.peek_word() == "NOT" and self.peek_word(1) == "NULL":
                self.pos += 2
                result = result.not_null()
            elif self.peek_word() == "NULL":
                self.pos += 1
                result = result.nullable()
            elif self.peek_word() == "ARRAY" and self.peek(1)[2] != "<":
                # Flink's suffix form: INT ARRAY
                self.pos += 1
                result = ArrayType(result)
            else:
                return result

    def skip_without_time_zone(self):
        if self.with_local_time_zone():
            self.fail("TIME WITH LOCAL TIME ZONE is not a type")

    def with_local_time_zone(self) -> bool:
        """Reads `[WITHOUT TIME ZONE | WITH LOCAL TIME ZONE]`: True for the latter; `WITH TIME ZONE` fails."""
        if self.peek_word() == "WITHOUT" and self.peek_word(1) == "TIME" and self.peek_word(2) == "ZONE":
            self.pos += 3
        elif [self.peek_word(i) for i in range(4)] == ["WITH", "LOCAL", "TIME", "ZONE"]:
            self.pos += 4
            return True
        elif self.peek_word() == "WITH":
            self.fail("TIMESTAMP WITH TIME ZONE is not supported (Flink has none); "
                      "use TIMESTAMP_LTZ (TIMESTAMP WITH LOCAL TIME ZONE)")
        return False

    def parse_base(self) -> DataType:
        kind, word, raw = self.take()
        if kind != "word":
            self.fail("expected a type name, found %r" % (raw,))
        if word in ("BOOLEAN", "BOOL"):
            return BooleanType()
        if word == "TINYINT":
            return TinyIntType()
        if word == "SMALLINT":
            return SmallIntType()
        if word in ("INT", "INTEGER"):
            return IntType()
        if word == "BIGINT":
            return BigIntType()
        if word in ("FLOAT", "REAL"):
            return FloatType()
        if word == "DOUBLE":
            if self.peek_word() == "PRECISION":
                self.pos += 1
            return DoubleType()
        if word in ("DECIMAL", "DEC", "NUMERIC"):
            numbers = self.optional_numbers(2)
            return DecimalType(numbers[0] if numbers else 10, numbers[1] if len(numbers) > 1 else 0)
        if word == "STRING":
            return VarCharType()
        if word == "VARCHAR":
            numbers = self.optional_numbers(1)
            return VarCharType(numbers[0]) if numbers else VarCharType()
        if word == "CHAR":
            numbers = self.optional_numbers(1)
            return CharType(numbers[0] if numbers else 1)
        if word == "BYTES":
            return VarBinaryType()
        if word == "VARBINARY":
            numbers = self.optional_numbers(1)
            return VarBinaryType(numbers[0]) if numbers else VarBinaryType()
        if word == "BINARY":
            numbers = self.optional_numbers(1)
            return BinaryType(numbers[0] if numbers else 1)
        if word == "DATE":
            return DateType()
        if word == "TIME":
            numbers = self.optional_numbers(1)
            self.skip_without_time_zone()
            return TimeType(numbers[0] if numbers else 0)
        if word == "TIMESTAMP":
            numbers = self.optional_numbers(1)
            if self.with_local_time_zone():
                return LocalZonedTimestampType(numbers[0] if numbers else 6)
            return TimestampType(numbers[0] if numbers else 6)
        if word == "TIMESTAMP_LTZ":
            numbers = self.optional_numbers(1)
            return LocalZonedTimestampType(numbers[0] if numbers else 6)
        if word == "ARRAY":
            close = self.open_angle_or_paren()
            element = self.parse_type()
            self.expect_symbol(close)
            return ArrayType(element)
        if word == "MAP":
            close = self.open_angle_or_paren()
            key = self.parse_type()
            self.expect_symbol(",")
            value = self.parse_type()
            self.expect_symbol(close)
            return MapType(key, value)
        if word == "ROW":
            close = self.open_angle_or_paren()
            fields = []
            if not self.accept_symbol(close):
                while True:
                    fields.append(self.parse_field())
                    if self.accept_symbol(close):
                        break
                    self.expect_symbol(",")
            return RowType(fields)
        self.fail("unknown type %r" % (raw,))

    def open_angle_or_paren(self):
        if self.accept_symbol("<"):
            return ">"
        if self.accept_symbol("("):
            return ")"
        self.fail("expected '<' after the type name")

    def parse_field(self) -> RowField:
        kind, value, raw = self.take()
        if kind == "quoted":
            name = value
        elif kind == "word":
            name = raw
        else:
            self.fail("expected a ROW field name, found %r" % (raw,))
        field_type = self.parse_type()
        description = None
        if self.peek()[0] == "string":
            description = self.take()[1]
        return RowField(name, field_type, description)


def parse_type(text: str) -> DataType:
    """Parses a type string as PyFlink accepts it ('BIGINT', 'ARRAY<INT>', 'ROW<a INT, b STRING>', 'INT NOT NULL').

    An unknown or malformed string raises ValueError naming the string and the accepted types.
    """
    if not isinstance(text, str):
        raise TypeError("a type string must be a str, got %r" % (text,))
    return _TypeParser(text).parse()


# ------------------------------------------------------------------------------------ from the wire

def from_proto(message) -> DataType:
    """The DataType a `pyfn.v1.DataType` message describes."""
    from pyfn.proto.pyfn import udf_pb2

    name = udf_pb2.DataType.TypeName.Name(message.type_name)
    nullable = message.nullable
    simple = {
        "BOOLEAN": BooleanType, "TINYINT": TinyIntType, "SMALLINT": SmallIntType, "INT": IntType,
        "BIGINT": BigIntType, "FLOAT": FloatType, "DOUBLE": DoubleType, "STRING": VarCharType,
        "BYTES": VarBinaryType, "DATE": DateType,
    }
    if name in simple:
        return simple[name](nullable=nullable)
    if name == "DECIMAL":
        return DecimalType(message.precision or 10, message.scale, nullable)
    if name == "TIME":
        return TimeType(message.precision, nullable)
    if name == "TIMESTAMP":
        return TimestampType(message.precision, nullable)
    if name == "TIMESTAMP_LTZ":
        return LocalZonedTimestampType(message.precision, nullable)
    if name == "ARRAY":
        return ArrayType(from_proto(message.element_type), nullable)
    if name == "MAP":
        return MapType(from_proto(message.key_type), from_proto(message.value_type), nullable)
    if name == "ROW":
        return RowType([RowField(f.name, from_proto(f.type), f.description or None) for f in message.fields],
                       nullable)
    raise ValueError("a pyfn.v1.DataType without a type name (%s)" % name)
