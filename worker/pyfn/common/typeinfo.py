"""`Types`: PyFlink's type information for the DataStream API, each backed by one of PyFn's SQL data types.

A small core (the DataStream API grows it): `Types.INT()`, `Types.STRING()`, `Types.ROW([...])`, …; each value
knows the SQL type it travels as (`to_data_type()`), and `Types.PICKLED_BYTE_ARRAY()` stands for values that
travel pickled.
"""

from __future__ import annotations

from typing import List, Optional

from pyfn.types import DataType, DataTypes

__all__ = ["TypeInformation", "TupleTypeInfo", "Types"]


class TypeInformation:
    """A DataStream type: its name as PyFlink prints it and the SQL type its values travel as."""

    def __init__(self, name: str, data_type: Optional[DataType], children: Optional[List["TypeInformation"]] = None,
                 field_names: Optional[List[str]] = None):
        self._name = name
        self._data_type = data_type
        self._children = list(children or [])
        self._field_names = list(field_names) if field_names is not None else None

    def to_data_type(self) -> Optional[DataType]:
        """The SQL type values of this type travel as; None for pickled values."""
        return self._data_type

    def get_field_names(self) -> Optional[List[str]]:
        """A row type's field names."""
        return self._field_names

    def get_field_types(self) -> List["TypeInformation"]:
        """A row, tuple, array, list or map type's element types."""
        return list(self._children)

    def __eq__(self, other) -> bool:
        return (isinstance(other, TypeInformation) and other._name == self._name
                and other._children == self._children and other._field_names == self._field_names)

    def __hash__(self) -> int:
        return hash(self._name)

    def __repr__(self) -> str:
        return self._name


class TupleTypeInfo(TypeInformation):
    """`Types.TUPLE([...])`: records are Python tuples, travelling as a SQL ROW of fields f0, f1, … (PyFlink's
    class of the same name)."""


def _basic(name: str, data_type: Optional[DataType]) -> TypeInformation:
    return TypeInformation(name, data_type)


class Types:
    """Factories of PyFlink's type information."""

    @staticmethod
    def STRING() -> TypeInformation:
        """Java String: SQL STRING."""
        return _basic("String", DataTypes.STRING())

    @staticmethod
    def BYTE() -> TypeInformation:
        """Java Byte: SQL TINYINT."""
        return _basic("Byte", DataTypes.TINYINT())

    @staticmethod
    def BOOLEAN() -> TypeInformation:
        """Java Boolean: SQL BOOLEAN."""
        return _basic("Boolean", DataTypes.BOOLEAN())

    @staticmethod
    def SHORT() -> TypeInformation:
        """Java Short: SQL SMALLINT."""
        return _basic("Short", DataTypes.SMALLINT())

    @staticmethod
    def INT() -> TypeInformation:
        """Java Integer: SQL INT."""
        return _basic("Integer", DataTypes.INT())

    @staticmethod
    def LONG() -> TypeInformation:
        """Java Long: SQL BIGINT."""
        return _basic("Long", DataTypes.BIGINT())

    @staticmethod
    def FLOAT() -> TypeInformation:
        """Java Float: SQL FLOAT."""
        return _basic("Float", DataTypes.FLOAT())

    @staticmethod
    def DOUBLE() -> TypeInformation:
        """Java Double: SQL DOUBLE."""
        return _basic("Double", DataTypes.DOUBLE())

    @staticmethod
    def CHAR() -> TypeInformation:
        """Java Character: SQL CHAR(1)."""
        return _basic("Character", DataTypes.CHAR(1))

    @staticmethod
    def BIG_DEC() -> TypeInformation:
        """Java BigDecimal: SQL DECIMAL(38, 18)."""
        return _basic("BigDecimal", DataTypes.DECIMAL(38, 18))

    @staticmethod
    def SQL_DATE() -> TypeInformation:
        """SQL DATE."""
        return _basic("Date", DataTypes.DATE())

    @staticmethod
    def SQL_TIME() -> TypeInformation:
        """SQL TIME."""
        return _basic("Time", DataTypes.TIME())

    @staticmethod
    def SQL_TIMESTAMP() -> TypeInformation:
        """SQL TIMESTAMP(3)."""
        return _basic("Timestamp", DataTypes.TIMESTAMP(3))

    @staticmethod
    def PICKLED_BYTE_ARRAY() -> TypeInformation:
        """Any Python value, travelling pickled."""
        return _basic("PickledByteArray", None)

    @staticmethod
    def PRIMITIVE_ARRAY(element_type: TypeInformation) -> TypeInformation:
        """An array of a primitive type: SQL ARRAY."""
        return TypeInformation("PrimitiveArray<%r>" % element_type, _array_of(element_type), [element_type])

    @staticmethod
    def BASIC_ARRAY(element_type: TypeInformation) -> TypeInformation:
        """An array of a basic type: SQL ARRAY."""
        return TypeInformation("BasicArray<%r>" % element_type, _array_of(element_type), [element_type])

    @staticmethod
    def LIST(element_type: TypeInformation) -> TypeInformation:
        """A list: SQL ARRAY."""
        return TypeInformation("List<%r>" % element_type, _array_of(element_type), [element_type])

    @staticmethod
    def MAP(key_type: TypeInformation, value_type: TypeInformation) -> TypeInformation:
        """A map: SQL MAP."""
        data_type = (None if key_type.to_data_type() is None or value_type.to_data_type() is None
                     else DataTypes.MAP(key_type.to_data_type(), value_type.to_data_type()))
        return TypeInformation("Map<%r, %r>" % (key_type, value_type), data_type, [key_type, value_type])

    @staticmethod
    def ROW(field_types: List[TypeInformation]) -> TypeInformation:
        """A row with fields f0, f1, …: SQL ROW."""
        return Types.ROW_NAMED(["f%d" % i for i in range(len(field_types))], field_types)

    @staticmethod
    def ROW_NAMED(field_names: List[str], field_types: List[TypeInformation]) -> TypeInformation:
        """A row with named fields: SQL ROW."""
        if len(field_names) != len(field_types):
            raise ValueError("ROW_NAMED: %d names for %d types" % (len(field_names), len(field_types)))
        data_type = None
        if all(t.to_data_type() is not None for t in field_types):
            data_type = DataTypes.ROW([DataTypes.FIELD(n, t.to_data_type()) for n, t in zip(field_names, field_types)])
        name = "Row(%s)" % ", ".join("%s: %r" % (n, t) for n, t in zip(field_names, field_types))
        return TypeInformation(name, data_type, field_types, field_names)

    @staticmethod
    def TUPLE(field_types: List[TypeInformation]) -> TypeInformation:
        """A tuple (fields f0, f1, …): SQL ROW."""
        row = Types.ROW(field_types)
        return TupleTypeInfo("Tuple(%s)" % ", ".join(map(repr, field_types)), row.to_data_type(), field_types,
                             row.get_field_names())


def _array_of(element_type: TypeInformation) -> Optional[DataType]:
    element = element_type.to_data_type()
    return None if element is None else DataTypes.ARRAY(element)
