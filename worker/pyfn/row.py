"""PyFlink's Row: a tuple-like record whose fields are reached by position or by name."""

from __future__ import annotations

from enum import Enum
from typing import List, Optional

__all__ = ["Row", "RowKind"]


class RowKind(Enum):
    """The change a row stands for in a changelog."""

    INSERT = 0
    UPDATE_BEFORE = 1
    UPDATE_AFTER = 2
    DELETE = 3


def _make_row(fields: Optional[List[str]], values, row_kind: Optional[RowKind] = None) -> "Row":
    row = Row(*values)
    if fields is not None:
        row._fields = list(fields)
    if row_kind is not None:
        row._row_kind = row_kind
    return row


class Row:
    """A row of a table.

    Built from positional values (`Row(1, "a")`) or from named values (`Row(id=1, name="a")`, fields in the
    order given). Fields are read by index (`row[0]`), by name (`row["name"]`, `row.name`), iterated and
    unpacked like a tuple, and compared by value. `Row("name", "age")` makes a row *class*: calling it
    (`Person("Alice", 11)`) makes a row with those field names.
    """

    __slots__ = ("_values", "_fields", "_row_kind")

    def __init__(self, *args, **kwargs):
        if args and kwargs:
            raise ValueError("Can not use both args and kwargs to create Row")
        object.__setattr__(self, "_row_kind", RowKind.INSERT)
        if kwargs:
            object.__setattr__(self, "_fields", list(kwargs))
            object.__setattr__(self, "_values", list(kwargs.values()))
        else:
            object.__setattr__(self, "_fields", None)
            object.__setattr__(self, "_values", list(args))

    # -- PyFlink's API -------------------------------------------------------------------------------
    def as_dict(self, recursive: bool = False) -> dict:
        """The row as {field name: value}; `recursive` turns nested Rows into dicts too."""
        if self._fields is None:
            raise TypeError("Cannot convert a Row without field names into a dict")
        if not recursive:
            return dict(zip(self._fields, self._values))

        def convert(value):
            if isinstance(value, Row):
                return value.as_dict(True)
            if isinstance(value, list):
                return [convert(v) for v in value]
            if isinstance(value, dict):
                return {k: convert(v) for k, v in value.items()}
            return value

        return {name: convert(value) for name, value in zip(self._fields, self._values)}

    @staticmethod
    def of_kind(row_kind: RowKind, *args) -> "Row":
        """A row of `args` with RowKind `row_kind` (`Row.of_kind(RowKind.UPDATE_AFTER, "Alice", 100)`)."""
        row = Row(*args)
        row.set_row_kind(row_kind)
        return row

    def get_row_kind(self) -> RowKind:
        return self._row_kind

    def set_row_kind(self, row_kind: RowKind) -> None:
        object.__setattr__(self, "_row_kind", row_kind)

    def set_field_names(self, field_names: List[str]) -> None:
        object.__setattr__(self, "_fields", list(field_names))

    def get_fields_by_names(self, names: List[str]) -> list:
        return [self[name] for name in names]

    # -- a row class ---------------------------------------------------------------------------------
    def __call__(self, *args) -> "Row":
        """Makes a row whose field names are this row's values (`Row("a", "b")(1, 2)`)."""
        if len(args) > len(self):
            raise ValueError("Can not create Row with fields %s, expected %d values but got %s"
                             % (self, len(self), args))
        return _make_row(self._values, args, self._row_kind)

    # -- tuple-like ----------------------------------------------------------------------------------
    def _index(self, name):
        if self._fields is not None:
            try:
                return self._fields.index(name)
            except ValueError:
                pass
        raise KeyError(name)

    def __getitem__(self, item):
        if isinstance(item, (int, slice)):
            return self._values[item]
        return self._values[self._index(item)]

    def __setitem__(self, item, value):
        if isinstance(item, (int, slice)):
            self._values[item] = value
        else:
            self._values[self._index(item)] = value

    def __getattr__(self, name):
        if name.startswith("__") or name in Row.__slots__:
            raise AttributeError(name)
        fields = object.__getattribute__(self, "_fields")
        if fields is not None and name in fields:
            return self._values[fields.index(name)]
        raise AttributeError("Row has no field %r" % name)

    def __setattr__(self, name, value):
        if name in Row.__slots__:
            object.__setattr__(self, name, value)
        elif self._fields is not None and name in self._fields:
            self._values[self._fields.index(name)] = value
        else:
            raise AttributeError(name)

    def __contains__(self, item):
        # As PyFlink documents it: `name in row` searches the field names of a named row.
        if self._fields is not None:
            return item in self._fields
        return item in self._values

    def __iter__(self):
        return iter(self._values)

    def __len__(self):
        return len(self._values)

    def __eq__(self, other):
        if isinstance(other, Row):
            return (self._values == other._values and self._fields == other._fields
                    and self._row_kind == other._row_kind)
        if isinstance(other, tuple):
            return tuple(self._values) == other
        return NotImplemented

    def __ne__(self, other):
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    def __hash__(self):
        return hash(tuple(self._values))

    def __reduce__(self):
        return _make_row, (self._fields, tuple(self._values), self._row_kind)

    def __repr__(self):
        if self._fields is not None:
            return "Row(%s)" % ", ".join("%s=%r" % (k, v) for k, v in zip(self._fields, self._values))
        return "<Row(%s)>" % ", ".join(repr(v) for v in self._values)
