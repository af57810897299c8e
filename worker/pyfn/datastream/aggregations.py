"""KeyedStream.sum/min/max/min_by/max_by as reduce functions over one field of tuple, Row or plain records."""

from __future__ import annotations

from typing import Union

from pyfn.datastream.functions import ReduceFunction
from pyfn.row import Row


class FieldReducer(ReduceFunction):
    """Reduces records by one field: `sum`, `min`, `max` keep the first record's other fields; `min_by` and
    `max_by` keep the whole record holding the extreme (the earlier of equals)."""

    def __init__(self, name: str, position: Union[int, str], how: str):
        self.name = name
        self.position = position
        self.how = how

    def _get(self, record):
        if isinstance(record, (int, float)) and self.position == 0:
            return record
        return record[self.position]

    def _with(self, record, value):
        if isinstance(record, (int, float)) and self.position == 0:
            return value
        if isinstance(record, Row):
            values = list(record)
            index = self.position if isinstance(self.position, int) else record._fields.index(self.position)
            values[index] = value
            row = Row(*values)
            if record._fields is not None:
                row.set_field_names(record._fields)
            return row
        if isinstance(record, tuple):
            values = list(record)
            values[self.position] = value
            return tuple(values)
        if isinstance(record, list):
            values = list(record)
            values[self.position] = value
            return values
        if isinstance(record, dict):
            values = dict(record)
            values[self.position] = value
            return values
        raise TypeError("%s(%r) needs tuple, Row, list, dict or number records, got %r"
                        % (self.name.lower(), self.position, record))

    def reduce(self, value1, value2):
        a, b = self._get(value1), self._get(value2)
        if self.how == "sum":
            return self._with(value1, a + b)
        if self.how == "min":
            return self._with(value1, b if b < a else a)
        if self.how == "max":
            return self._with(value1, b if b > a else a)
        if self.how == "min_by":
            return value2 if b < a else value1
        return value2 if b > a else value1


def field_reducer(name: str, position: Union[int, str], how: str) -> FieldReducer:
    """The reduce function of KeyedStream.`how`(position)."""
    return FieldReducer(name, position, how)
