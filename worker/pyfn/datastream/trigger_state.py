"""A trigger's partitioned state (`TriggerContext.get_partitioned_state`): state of the current key and one window.

All of a key's trigger state lives in one keyed MapState of the window operator, kept by the runner like the
windows' contents, as {(state name, window): value}; so it commits only with a successful bundle, as the contents
do. Each view below is PyFlink's state interface over one such entry. `merge_window_state` folds the entries of
windows that merged into the new window's (reducing, aggregating and list states merge; value and map states
cannot, as in PyFlink).
"""

from __future__ import annotations

from typing import Iterable

from pyfn.datastream import state as api


class _WindowEntry:
    """The entry (descriptor's name, window) of the trigger-state map; absent or None means empty."""

    def __init__(self, store: api.MapState, descriptor: api.StateDescriptor, window):
        self._store = store
        self._descriptor = descriptor
        self._key = (descriptor.name, window)

    def _read(self):
        return self._store.get(self._key)

    def _write(self, value) -> None:
        if value is None:
            self._store.remove(self._key)
        else:
            self._store.put(self._key, value)

    def clear(self) -> None:
        self._store.remove(self._key)


class WindowValueState(_WindowEntry, api.ValueState):
    """A ValueState of one window."""

    def value(self):
        return self._read()

    def update(self, value) -> None:
        self._write(value)


class WindowListState(_WindowEntry, api.ListState):
    """A ListState of one window."""

    def get(self):
        return list(self._read() or [])

    def add(self, value) -> None:
        if value is None:
            raise ValueError("a ListState cannot hold None")
        self._write(self.get() + [value])

    def add_all(self, values) -> None:
        self._write(self.get() + list(values) or None)

    def update(self, values) -> None:
        self._write(list(values or []) or None)


class WindowMapState(_WindowEntry, api.DictMapState):
    """A MapState of one window."""

    def _dict(self) -> dict:
        return self._read() or {}

    def _changed(self, values: dict) -> None:
        self._write(values or None)


def reducer(descriptor: api.ReducingStateDescriptor):
    """The two-argument function of a ReducingStateDescriptor (a ReduceFunction's `reduce`, or a callable)."""
    function = descriptor.reduce_function
    return getattr(function, "reduce", function)


class WindowReducingState(_WindowEntry, api.ReducingState):
    """A ReducingState of one window."""

    def get(self):
        return self._read()

    def add(self, value) -> None:
        current = self._read()
        self._write(value if current is None else reducer(self._descriptor)(current, value))


class WindowAggregatingState(_WindowEntry, api.AggregatingState):
    """An AggregatingState of one window (the entry holds the accumulator)."""

    def get(self):
        accumulator = self._read()
        return None if accumulator is None else self._descriptor.agg_function.get_result(accumulator)

    def add(self, value) -> None:
        function = self._descriptor.agg_function
        accumulator = self._read()
        self._write(function.add(value, function.create_accumulator() if accumulator is None else accumulator))


_VIEWS = {"value": WindowValueState, "list": WindowListState, "map": WindowMapState,
          "reducing": WindowReducingState, "aggregating": WindowAggregatingState}


#: What errors call the state `window_state` gives: a trigger's (`get_partitioned_state`) unless told otherwise.
TRIGGER_STATE = ("get_partitioned_state()", "trigger state", "a trigger's partitioned state")


def window_state(store: api.MapState, descriptor, window, names=TRIGGER_STATE) -> api.State:
    """The state `descriptor` names, of `window`, kept in `store`. `names`: (the method the program called, what
    its states are called, what they are) for errors."""
    accessor, called, what = names
    if not isinstance(descriptor, api.StateDescriptor):
        raise TypeError("%s takes a ValueStateDescriptor, ListStateDescriptor, MapStateDescriptor, "
                        "ReducingStateDescriptor or AggregatingStateDescriptor, got %r" % (accessor, descriptor))
    config = descriptor.get_ttl_config()
    if config is not None and config.is_enabled():
        raise ValueError("%s %r has a time-to-live (enable_time_to_live), which PyFn does not apply to %s: it lives "
                         "as long as its window" % (called, descriptor.name, what))
    return _VIEWS[descriptor.kind](store, descriptor, window)


def _combine(descriptor, a, b):
    if descriptor.kind == "reducing":
        return reducer(descriptor)(a, b)
    if descriptor.kind == "aggregating":
        return descriptor.agg_function.merge(a, b)
    return list(a) + list(b)


def merge_window_state(store: api.MapState, descriptor, target, sources: Iterable) -> None:
    """Folds the entries of `descriptor` of the `sources` windows into `target`'s and removes them."""
    if descriptor.kind not in ("reducing", "aggregating", "list"):
        raise TypeError("merge_partitioned_state(%r): a %s state cannot merge; only reducing, aggregating and list "
                        "states do" % (descriptor.name, descriptor.kind))
    merged = store.get((descriptor.name, target))
    for source in sources:
        if source == target:
            continue
        value = store.get((descriptor.name, source))
        if value is None:
            continue
        merged = value if merged is None else _combine(descriptor, merged, value)
        store.remove((descriptor.name, source))
    if merged is not None:
        store.put((descriptor.name, target), merged)
