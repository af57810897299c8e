"""PyFlink's data views (`pyflink.table.data_view`): ListView and MapView in the accumulator of an AggregateFunction.

PyFn keeps a key's accumulators as one pickled value in the runner's state (process mode) or in the embedded
store (thread mode), so a view is a plain in-memory collection that travels with its accumulator: what a function
sees (get, add, put, iteration, equality) is what PyFlink's views give, without one state entry per element.
Declare them in `get_accumulator_type` with `DataTypes.LIST_VIEW(...)` / `DataTypes.MAP_VIEW(...)` as in PyFlink.
"""

from abc import ABC, abstractmethod
from typing import Any, Dict, Generic, Iterable, Iterator, List, Tuple, TypeVar

K = TypeVar("K")
V = TypeVar("V")
T = TypeVar("T")

__all__ = ["DataView", "ListView", "MapView"]


class DataView(ABC):
    """A collection in an aggregate function's accumulator."""

    @abstractmethod
    def clear(self) -> None:
        """Removes every element."""


class ListView(DataView, Generic[T]):
    """A list in an accumulator: `add`, `add_all`, `get` (an iterable of the elements), iteration, `clear`."""

    def __init__(self):
        self._list: List[T] = []

    def get(self) -> Iterable[T]:
        """The elements, in the order they were added."""
        return self._list

    def add(self, value: T) -> None:
        """Appends `value`."""
        self._list.append(value)

    def add_all(self, values: List[T]) -> None:
        """Appends every element of `values`."""
        self._list.extend(values)

    def clear(self) -> None:
        """Removes every element."""
        self._list = []

    def __iter__(self) -> Iterator[T]:
        return iter(self._list)

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, ListView) and list(self) == list(other)

    def __hash__(self) -> int:
        return hash(tuple(self._list))

    def __repr__(self) -> str:
        return "ListView(%r)" % (self._list,)


class MapView(DataView, Generic[K, V]):
    """A map in an accumulator: `get`, `put`, `put_all`, `remove`, `contains`, `items`, `keys`, `values`,
    `is_empty`, `clear`, and the mapping operators (`view[k]`, `view[k] = v`, `del view[k]`, `k in view`)."""

    def __init__(self):
        self._dict: Dict[K, V] = {}

    def get(self, key: K) -> V:
        """The value of `key`, or None when it has none."""
        return self._dict.get(key)

    def put(self, key: K, value: V) -> None:
        """Sets the value of `key`."""
        self._dict[key] = value

    def put_all(self, dict_value: Dict[K, V]) -> None:
        """Sets every key and value of `dict_value`."""
        self._dict.update(dict_value)

    def remove(self, key: K) -> None:
        """Removes `key` (nothing happens when it is absent)."""
        self._dict.pop(key, None)

    def contains(self, key: K) -> bool:
        """Whether `key` has a value."""
        return key in self._dict

    def items(self) -> Iterable[Tuple[K, V]]:
        """The (key, value) pairs."""
        return self._dict.items()

    def keys(self) -> Iterable[K]:
        """The keys."""
        return self._dict.keys()

    def values(self) -> Iterable[V]:
        """The values."""
        return self._dict.values()

    def is_empty(self) -> bool:
        """Whether the map has no keys."""
        return not self._dict

    def clear(self) -> None:
        """Removes every key."""
        self._dict.clear()

    def __getitem__(self, key: K) -> V:
        return self._dict[key]

    def __setitem__(self, key: K, value: V) -> None:
        self._dict[key] = value

    def __delitem__(self, key: K) -> None:
        del self._dict[key]

    def __contains__(self, key: K) -> bool:
        return key in self._dict

    def __iter__(self) -> Iterator[K]:
        return iter(self._dict)

    def __len__(self) -> int:
        return len(self._dict)

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, MapView) and self._dict == other._dict

    def __hash__(self) -> int:
        return hash(frozenset(self._dict.items()))

    def __repr__(self) -> str:
        return "MapView(%r)" % (self._dict,)
