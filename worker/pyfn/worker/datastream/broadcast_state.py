"""Broadcast state in the worker (`ctx.get_broadcast_state(MapStateDescriptor(...))` of a broadcast process
function).

Each broadcast state is a map kept in the operator's keyed state in the runner, under a key reserved for it
(BROADCAST_KEY, which the broadcast stream's records carry): it commits with its bundle, so a bundle replayed on a
new worker neither loses an update nor applies one twice, and each subtask keeps its own copy (the runner keeps
an operator's state per subtask). The records of the other stream read it while their own key stays current.
"""

from __future__ import annotations

import pickle

from pyfn.datastream import state as api
from pyfn.worker.datastream.key_selector_step import KEY_PICKLE_PROTOCOL

__all__ = ["BROADCAST_KEY", "broadcast_key", "BroadcastStates"]

#: The prefix of a broadcast state's name among the operator's states.
_NAME_PREFIX = "broadcast:"


class BroadcastStateKey:
    """The type of BROADCAST_KEY: pickled by reference, so no key a key selector computes has its bytes."""

    def __reduce__(self):
        return "BROADCAST_KEY"

    def __repr__(self) -> str:
        return "<the broadcast states' key>"


#: The key the broadcast states are kept under.
BROADCAST_KEY = BroadcastStateKey()
_KEY_BYTES = pickle.dumps(BROADCAST_KEY, KEY_PICKLE_PROTOCOL)


def broadcast_key(value) -> BroadcastStateKey:
    """The key selector of the broadcast stream's records (and of a non-keyed stream connected to it)."""
    return BROADCAST_KEY


class BroadcastStates:
    """The broadcast states of one operator subtask, in its keyed state backend."""

    def __init__(self, backend):
        if backend is None:
            raise RuntimeError("broadcast state needs the operator's keyed state (a keyed DataStream operator)")
        self._backend = backend
        self._views: dict = {}

    def map_of(self, name: str) -> dict:
        """The map of broadcast state `name` (the object the bundle holds: change it only with `store`)."""
        backend = self._backend
        current = backend.current_key_bytes
        backend.current_key_bytes = _KEY_BYTES
        try:
            value = backend.read(_NAME_PREFIX + name)
        finally:
            backend.current_key_bytes = current
        return value if isinstance(value, dict) else {}

    def store(self, name: str, mapping: dict) -> None:
        """Sets the map of broadcast state `name` (written back when the bundle commits)."""
        backend = self._backend
        current = backend.current_key_bytes
        backend.current_key_bytes = _KEY_BYTES
        try:
            backend.write(_NAME_PREFIX + name, mapping)
        finally:
            backend.current_key_bytes = current

    def state(self, descriptor, writable: bool) -> "ReadOnlyBroadcastMap":
        """The state of `descriptor`: a BroadcastState, or a ReadOnlyBroadcastState unless `writable`."""
        if not isinstance(descriptor, api.MapStateDescriptor):
            raise TypeError("get_broadcast_state takes the MapStateDescriptor given to broadcast(), got %r"
                            % (descriptor,))
        view = self._views.get((descriptor.name, writable))
        if view is None:  # one view per state and side: process_element asks for it once per record
            view = self._views[(descriptor.name, writable)] = (BroadcastMap if writable else ReadOnlyBroadcastMap)(
                self, descriptor.name)
        return view


class ReadOnlyBroadcastMap(api.ReadOnlyBroadcastState):
    """A broadcast state as `process_element` sees it: reads only."""

    def __init__(self, states: BroadcastStates, name: str):
        self._states = states
        self._name = name

    def get(self, key):
        return self._states.map_of(self._name).get(key)

    def contains(self, key) -> bool:
        return key in self._states.map_of(self._name)

    def items(self):
        return list(self._states.map_of(self._name).items())

    def keys(self):
        return list(self._states.map_of(self._name))

    def values(self):
        return list(self._states.map_of(self._name).values())

    def is_empty(self) -> bool:
        return not self._states.map_of(self._name)

    def clear(self) -> None:
        self._refuse("clear")

    def _refuse(self, attribute: str):
        raise AttributeError("'ReadOnlyBroadcastState' object has no attribute %r: process_element has read-only "
                             "access to broadcast state %r; change it in process_broadcast_element"
                             % (attribute, self._name))

    def __getattr__(self, attribute: str):
        if attribute in ("put", "put_all", "remove"):
            self._refuse(attribute)
        raise AttributeError("'ReadOnlyBroadcastState' object has no attribute %r" % (attribute,))


class BroadcastMap(ReadOnlyBroadcastMap, api.BroadcastState):
    """A broadcast state as `process_broadcast_element` sees it: reads and writes."""

    def put(self, key, value) -> None:
        mapping = self._states.map_of(self._name)
        mapping[key] = value
        self._states.store(self._name, mapping)

    def put_all(self, dict_value) -> None:
        mapping = self._states.map_of(self._name)
        mapping.update(dict_value)
        self._states.store(self._name, mapping)

    def remove(self, key) -> None:
        mapping = self._states.map_of(self._name)
        mapping.pop(key, None)
        self._states.store(self._name, mapping)

    def clear(self) -> None:
        self._states.store(self._name, {})
