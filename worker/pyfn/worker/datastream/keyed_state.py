"""Keyed state of a DataStream operator, kept in the runner and reached over the State service.

Every (state name, key) is one bag user state: {transform: the function transform, user state: the state's
name, window: b"", key: the record key's pickle}; its data is empty (no value) or the pickled value (a ValueState's
value, a ListState's list, a MapState's dict, a ReducingState's value, a reduce step's value so far). A state with a
time-to-live keeps its values with their write times (ttl_state.py).

Per bundle, `prefetch` reads every (state, key) a batch's new keys need with pipelined gets before any record
runs; a state touched for a key not prefetched is read on first use. At the end `commit` writes each changed
(state, key) back (a clear, then an append unless it is empty) and awaits every answer: the runner commits a
bundle's writes only when the bundle succeeds, so a replayed bundle never applies twice. As for aggregates, an
operator's state changes only through its one worker, so the worker keeps the values of successful bundles
(up to KNOWN_LIMIT) and reads only what it does not know; a failed bundle forgets them.
"""

from __future__ import annotations

import pickle
from typing import Dict, List, Optional, Tuple

from pyfn.datastream import state as api
from pyfn.worker.errors import BundleError, FunctionError, describe_value, format_traceback
from pyfn.worker.state_channel import BundleState, bag_user_state_key

#: Most (state, key) values a worker keeps between bundles.
KNOWN_LIMIT = 200_000

_ABSENT = object()
_StateId = Tuple[str, bytes]


class KeyedStateBackend:
    """The keyed state of one operator: its registered states, the current key, a bundle's reads and writes."""

    def __init__(self, transform_id: str):
        self.transform_id = transform_id
        self.descriptors: Dict[str, api.StateDescriptor] = {}
        self.current_key = None
        self.current_key_bytes = b""
        self._known: Dict[_StateId, object] = {}
        self._values: Dict[_StateId, object] = {}
        self._dirty: set = set()
        self._bundle: Optional[BundleState] = None

    # -- registration ------------------------------------------------------------------------------
    def state_for(self, descriptor: api.StateDescriptor):
        """The state object of `descriptor` (the same object for the same name)."""
        if not isinstance(descriptor, api.StateDescriptor):
            raise TypeError("expected a ValueStateDescriptor, ListStateDescriptor, MapStateDescriptor, "
                            "ReducingStateDescriptor or AggregatingStateDescriptor, got %s"
                            % describe_value(descriptor))
        known = self.descriptors.get(descriptor.name)
        if known is not None and known.kind != descriptor.kind:
            raise ValueError("state %r is already a %s state; it cannot also be a %s state"
                             % (descriptor.name, known.kind, descriptor.kind))
        from pyfn.worker.datastream import ttl_state  # here: ttl_state imports this module

        expires = ttl_state.has_ttl(descriptor)
        if known is not None and ttl_state.has_ttl(known) != expires:
            before, now = ("without", "with") if expires else ("with", "without")
            raise ValueError("state %r is already registered %s a time-to-live; it cannot also be used %s one"
                             % (descriptor.name, before, now))
        self.descriptors[descriptor.name] = descriptor
        if expires:
            return ttl_state.TTL_STATE_CLASSES[descriptor.kind](self, descriptor)
        return _STATE_CLASSES[descriptor.kind](self, descriptor)

    # -- a bundle ----------------------------------------------------------------------------------
    def begin(self, bundle: BundleState) -> None:
        """Starts a bundle's reads and writes."""
        self._bundle = bundle
        self._values = {}
        self._dirty = set()

    def set_current_key(self, key, key_bytes: bytes) -> None:
        """The key the following state calls act on."""
        self.current_key = key
        self.current_key_bytes = key_bytes

    def prefetch(self, key_bytes: List[bytes], names: Optional[List[str]] = None) -> None:
        """Reads, with pipelined gets, every state `names` (all registered by default) of the keys not yet read."""
        names = list(self.descriptors) if names is None else names
        reads = []
        values, known = self._values, self._known
        for key in dict.fromkeys(key_bytes):
            for name in names:
                state_id = (name, key)
                if state_id in values:
                    continue
                value = known.get(state_id, _ABSENT)
                if value is _ABSENT:
                    values[state_id] = _ABSENT
                    reads.append((state_id, self._bundle.get(self._state_key(state_id))))
                else:
                    values[state_id] = value
        for state_id, read in reads:
            values[state_id] = self._decode(state_id, read.value())

    def read(self, name: str):
        """The current key's value of state `name` (_ABSENT when it has none)."""
        state_id = (name, self.current_key_bytes)
        value = self._values.get(state_id, _ABSENT)
        if value is _ABSENT and state_id not in self._values:
            value = self._known.get(state_id, _ABSENT)
            if value is _ABSENT:
                value = self._decode(state_id, self._bundle.get(self._state_key(state_id)).value())
            self._values[state_id] = value
        return value

    def write(self, name: str, value) -> None:
        """Sets the current key's value of state `name` (_ABSENT removes it)."""
        state_id = (name, self.current_key_bytes)
        self._values[state_id] = value
        self._dirty.add(state_id)

    def commit(self) -> None:
        """Writes the bundle's changes back and awaits every answer; the values become known on success."""
        bundle = self._bundle
        for state_id in self._dirty:
            state_key = self._state_key(state_id)
            bundle.clear(state_key)
            value = self._values[state_id]
            if value is not _ABSENT:
                bundle.append(state_key, self._encode(state_id, value))
        bundle.finish()
        known = self._known
        for state_id, value in self._values.items():
            if state_id in known or len(known) < KNOWN_LIMIT:
                known[state_id] = value
        self._bundle = None

    def abort(self) -> None:
        """Ends a failed bundle: its writes are not sent, what the worker knew is forgotten."""
        self._known.clear()
        self._values = {}
        self._dirty = set()
        if self._bundle is not None:
            self._bundle.finish(check=False)
            self._bundle = None

    # -- encoding ----------------------------------------------------------------------------------
    def _state_key(self, state_id: _StateId):
        return bag_user_state_key(self.transform_id, state_id[0], state_id[1])

    def _decode(self, state_id: _StateId, data: bytes):
        if not data:
            return _ABSENT
        try:
            return pickle.loads(data)
        except Exception as error:
            raise BundleError("state %r of key %r (%d bytes kept by the runner) could not be unpickled: %s: %s"
                              % (state_id[0], state_id[1], len(data), type(error).__name__, error)) from None

    @staticmethod
    def _encode(state_id: _StateId, value) -> bytes:
        try:
            return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as error:
            raise BundleError("state %r holds %s, which cannot be pickled into the runner's state (%s: %s)"
                              % (state_id[0], describe_value(value), type(error).__name__, error)) from None


class _State:
    def __init__(self, backend: KeyedStateBackend, descriptor: api.StateDescriptor):
        self._backend = backend
        self._name = descriptor.name

    def clear(self) -> None:
        self._backend.write(self._name, _ABSENT)


class _ValueState(_State, api.ValueState):
    def value(self):
        value = self._backend.read(self._name)
        return None if value is _ABSENT else value

    def update(self, value) -> None:
        self._backend.write(self._name, _ABSENT if value is None else value)


class _ListState(_State, api.ListState):
    def _list(self) -> list:
        value = self._backend.read(self._name)
        return [] if value is _ABSENT else value

    def get(self):
        return list(self._list())

    def add(self, value) -> None:
        if value is None:
            raise ValueError("a ListState cannot hold None")
        self._backend.write(self._name, self._list() + [value])

    def add_all(self, values) -> None:
        self._backend.write(self._name, self._list() + list(values))

    def update(self, values) -> None:
        values = list(values or [])
        self._backend.write(self._name, values if values else _ABSENT)


class _MapState(_State, api.DictMapState):
    def _dict(self) -> dict:
        value = self._backend.read(self._name)
        return {} if value is _ABSENT else value

    def _changed(self, values: dict) -> None:
        self._backend.write(self._name, values if values else _ABSENT)


class _ReducingState(_State, api.ReducingState):
    def __init__(self, backend, descriptor):
        super().__init__(backend, descriptor)
        function = descriptor.reduce_function
        self._reduce = function.reduce if isinstance(function, _reduce_function_class()) else function

    def get(self):
        value = self._backend.read(self._name)
        return None if value is _ABSENT else value

    def add(self, value) -> None:
        current = self._backend.read(self._name)
        self._backend.write(self._name, value if current is _ABSENT else self._reduce(current, value))


def _reduce_function_class():
    from pyfn.datastream.functions import ReduceFunction
    return ReduceFunction


class _AggregatingState(_State, api.AggregatingState):
    def __init__(self, backend, descriptor):
        super().__init__(backend, descriptor)
        self._function = descriptor.agg_function

    def get(self):
        accumulator = self._backend.read(self._name)
        return None if accumulator is _ABSENT else self._function.get_result(accumulator)

    def add(self, value) -> None:
        accumulator = self._backend.read(self._name)
        if accumulator is _ABSENT:
            accumulator = self._function.create_accumulator()
        self._backend.write(self._name, self._function.add(value, accumulator))


_STATE_CLASSES = {"value": _ValueState, "list": _ListState, "map": _MapState, "reducing": _ReducingState,
                  "aggregating": _AggregatingState}


def state_error(step_name: str, error: Exception) -> FunctionError:
    """A FunctionError for a state call of `step_name` that failed."""
    return FunctionError(step_name, "failed to use its state: %s: %s" % (type(error).__name__, error),
                         trace=format_traceback(error, 1))
