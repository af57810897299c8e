"""PyFlink's keyed state API (`pyflink.datastream.state`): descriptors and the state interfaces.

A descriptor names a state of the function (`ValueStateDescriptor("count", Types.LONG())`); the RuntimeContext
hands back the state for it, whose methods act on the current record's key. The state lives in the runner: a
bundle reads what it needs, and its changes count only when the bundle succeeds. `enable_time_to_live` lets a
state's values expire (StateTtlConfig, state_ttl_config.py).
"""

from __future__ import annotations

import abc
from typing import Any, Dict, Iterable, List, Optional

from pyfn.datastream.state_ttl_config import StateTtlConfig

__all__ = ["StateDescriptor", "ValueStateDescriptor", "ListStateDescriptor", "MapStateDescriptor",
           "ReducingStateDescriptor", "AggregatingStateDescriptor", "State", "ValueState", "ListState", "MapState",
           "ReducingState", "AggregatingState", "StateTtlConfig", "ReadOnlyBroadcastState", "BroadcastState"]


class StateDescriptor:
    """Names one state of a function and says what it holds."""

    kind = ""

    def __init__(self, name: str, type_info=None):
        if not isinstance(name, str) or not name:
            raise ValueError("a state descriptor needs a non-empty name, got %r" % (name,))
        self.name = name
        self.type_info = type_info
        self._ttl_config = None

    def get_name(self) -> str:
        """The state's name."""
        return self.name

    def enable_time_to_live(self, ttl_config: "StateTtlConfig") -> None:
        """Lets the state's values expire as `ttl_config` says (a StateTtlConfig; see state_ttl_config.py)."""
        if not isinstance(ttl_config, StateTtlConfig):
            raise TypeError("enable_time_to_live of state %r needs a StateTtlConfig "
                            "(StateTtlConfig.new_builder(Time.seconds(1)).build()), got %r" % (self.name, ttl_config))
        self._ttl_config = ttl_config

    def get_ttl_config(self) -> Optional["StateTtlConfig"]:
        """The time-to-live given to `enable_time_to_live`, None when the state never expires."""
        return self._ttl_config


class ValueStateDescriptor(StateDescriptor):
    """One value per key."""

    kind = "value"

    def __init__(self, name: str, value_type_info=None):
        super().__init__(name, value_type_info)


class ListStateDescriptor(StateDescriptor):
    """A list of values per key."""

    kind = "list"

    def __init__(self, name: str, elem_type_info=None):
        super().__init__(name, elem_type_info)


class MapStateDescriptor(StateDescriptor):
    """A map per key."""

    kind = "map"

    def __init__(self, name: str, key_type_info=None, value_type_info=None):
        super().__init__(name, value_type_info)
        self.key_type_info = key_type_info


class ReducingStateDescriptor(StateDescriptor):
    """One value per key, each added value combined into it with `reduce_function`."""

    kind = "reducing"

    def __init__(self, name: str, reduce_function, type_info=None):
        super().__init__(name, type_info)
        self.reduce_function = reduce_function

    def get_reduce_function(self):
        """The ReduceFunction (or callable) that combines the values."""
        return self.reduce_function


class AggregatingStateDescriptor(StateDescriptor):
    """One accumulator per key: added values go into it with `agg_function.add`, `get()` is its `get_result`."""

    kind = "aggregating"

    def __init__(self, name: str, agg_function, state_type_info=None):
        super().__init__(name, state_type_info)
        self.agg_function = agg_function

    def get_agg_function(self):
        """The AggregateFunction the values go into."""
        return self.agg_function


class State(abc.ABC):
    """A state of the current key."""

    @abc.abstractmethod
    def clear(self) -> None:
        """Removes the current key's value."""


class ValueState(State):
    """One value of the current key."""

    @abc.abstractmethod
    def value(self) -> Any:
        """The value, None when there is none."""

    @abc.abstractmethod
    def update(self, value) -> None:
        """Sets the value."""


class ListState(State):
    """A list of the current key."""

    @abc.abstractmethod
    def get(self) -> Iterable:
        """The values."""

    @abc.abstractmethod
    def add(self, value) -> None:
        """Appends a value."""

    @abc.abstractmethod
    def add_all(self, values: List) -> None:
        """Appends values."""

    @abc.abstractmethod
    def update(self, values: List) -> None:
        """Replaces the values."""

    def __iter__(self):
        return iter(self.get())


class _ReadableMap(State):
    """The reading half of a map state (MapState, and the broadcast states)."""

    @abc.abstractmethod
    def get(self, key) -> Any:
        """The value of `key`, None when absent."""

    @abc.abstractmethod
    def contains(self, key) -> bool:
        """Whether `key` is present."""

    @abc.abstractmethod
    def items(self) -> Iterable:
        """(key, value) pairs."""

    @abc.abstractmethod
    def keys(self) -> Iterable:
        """The keys."""

    @abc.abstractmethod
    def values(self) -> Iterable:
        """The values."""

    @abc.abstractmethod
    def is_empty(self) -> bool:
        """Whether the map is empty."""

    def __getitem__(self, key):
        return self.get(key)

    def __contains__(self, key):
        return self.contains(key)

    def __iter__(self):
        return iter(self.keys())


class _WritableMap(_ReadableMap):
    """A map state that can also be changed."""

    @abc.abstractmethod
    def put(self, key, value) -> None:
        """Sets the value of `key`."""

    @abc.abstractmethod
    def put_all(self, dict_value: Dict) -> None:
        """Sets several keys."""

    @abc.abstractmethod
    def remove(self, key) -> None:
        """Removes `key`."""

    def __setitem__(self, key, value):
        self.put(key, value)

    def __delitem__(self, key):
        self.remove(key)


class MapState(_WritableMap):
    """A map of the current key."""


class DictMapState(MapState):
    """A MapState kept as one dict: subclasses implement `_dict()` (the current dict, not to be changed in place)
    and `_changed(values)` (stores a new dict)."""

    def _dict(self) -> dict:
        raise NotImplementedError

    def _changed(self, values: dict) -> None:
        raise NotImplementedError

    def get(self, key):
        return self._dict().get(key)

    def put(self, key, value) -> None:
        values = dict(self._dict())
        values[key] = value
        self._changed(values)

    def put_all(self, dict_value) -> None:
        values = dict(self._dict())
        values.update(dict_value)
        self._changed(values)

    def remove(self, key) -> None:
        values = dict(self._dict())
        values.pop(key, None)
        self._changed(values)

    def contains(self, key) -> bool:
        return key in self._dict()

    def items(self):
        return list(self._dict().items())

    def keys(self):
        return list(self._dict().keys())

    def values(self):
        return list(self._dict().values())

    def is_empty(self) -> bool:
        return not self._dict()


class ReducingState(State):
    """One value of the current key that added values are reduced into."""

    @abc.abstractmethod
    def get(self) -> Any:
        """The value, None when there is none."""

    @abc.abstractmethod
    def add(self, value) -> None:
        """Reduces `value` into the state."""


class AggregatingState(State):
    """One accumulator of the current key that added values are aggregated into."""

    @abc.abstractmethod
    def get(self) -> Any:
        """The aggregate's result, None when nothing was added."""

    @abc.abstractmethod
    def add(self, value) -> None:
        """Adds `value` to the accumulator."""


class ReadOnlyBroadcastState(_ReadableMap):
    """A broadcast state as `process_element` of a (Keyed)BroadcastProcessFunction sees it: a map it can read, the
    same in every subtask (each keeps its own copy, changed only by the broadcast side)."""


class BroadcastState(ReadOnlyBroadcastState, _WritableMap):
    """A broadcast state as `process_broadcast_element` sees it: it can also change the map."""
