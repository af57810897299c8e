"""`TableSchema`: a table's column names and types, printed as PyFlink prints them."""

from __future__ import annotations

from typing import List, Optional

from pyfn.types import DataType

__all__ = ["TableSchema"]


class TableSchema:
    """Column names and their data types (None where the client cannot tell the type without planning)."""

    def __init__(self, field_names: List[str], field_data_types: List[Optional[DataType]]):
        self._names = list(field_names)
        self._types = list(field_data_types)

    def get_field_names(self) -> List[str]:
        """The column names."""
        return list(self._names)

    def get_field_data_types(self) -> List[Optional[DataType]]:
        """The column types."""
        return list(self._types)

    def get_field_count(self) -> int:
        """How many columns."""
        return len(self._names)

    def get_field_data_type(self, field) -> Optional[DataType]:
        """The type of a column given by name or index."""
        index = field if isinstance(field, int) else self._names.index(field)
        return self._types[index]

    @staticmethod
    def _type_text(data_type: Optional[DataType]) -> str:
        return data_type.sql() if data_type is not None else "(type known when the job runs)"

    def to_ddl_text(self) -> str:
        """PyFlink's `print_schema()` form: one backquoted column per line in parentheses."""
        lines = ["  `%s` %s" % (name, self._type_text(t)) for name, t in zip(self._names, self._types)]
        return "(\n%s\n)" % ",\n".join(lines)

    def __str__(self) -> str:
        return "root\n" + "".join(" |-- %s: %s\n" % (name, self._type_text(t))
                                  for name, t in zip(self._names, self._types))

    __repr__ = __str__

    def __eq__(self, other) -> bool:
        return isinstance(other, TableSchema) and other._names == self._names and other._types == self._types
