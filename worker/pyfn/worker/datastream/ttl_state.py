"""Keyed states with a time-to-live (`descriptor.enable_time_to_live(StateTtlConfig...)`), as Flink applies it.

Each value carries the processing time (ms) it was last written (or read, with UpdateType.OnReadAndWrite), and that
stamp is part of what the runner keeps, so a replayed bundle sees exactly the stamps of the last successful one:
a Value/Reducing/Aggregating state keeps `(value, stamp)`, a ListState `[(element, stamp), ...]` (each element
expires by itself) and a MapState `{key: (value, stamp)}` (each entry expires by itself). A value stamped `s` is
expired at time `now` when `s + ttl <= now` (Flink's rule). A read that finds it expired drops it (writes the state
back without it) and returns it only under ReturnExpiredIfNotCleanedUp; a write also drops the expired elements or
entries of the value it rewrites. Nothing scans the runner's state in the background: a key that is never touched
again keeps its expired value in the runner.

The clock is the worker's wall clock; `use_clock` replaces it (a test hook: the tests' functions install a clock
they advance with their records, so that expiry does not depend on how fast a loaded machine runs).
"""

from __future__ import annotations

import time
from typing import Callable

from pyfn.datastream import state as api
from pyfn.datastream.state_ttl_config import StateTtlConfig
from pyfn.datastream.trigger_state import reducer
from pyfn.worker.datastream.keyed_state import _ABSENT


def _wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


_clock: Callable[[], int] = _wall_clock_ms


def use_clock(clock: Callable[[], int] = None) -> None:
    """Test hook: measures time-to-live with `clock()` (ms, an int) from now on; None restores the wall clock."""
    global _clock
    _clock = _wall_clock_ms if clock is None else clock


def now_ms() -> int:
    """The processing time (ms) time-to-live is measured in."""
    return _clock()


class _TtlPolicy:
    """A StateTtlConfig read once: the ttl in ms, whether reads renew it, whether expired values are returned."""

    def __init__(self, config: StateTtlConfig):
        self.ttl_ms = config.get_ttl_millis()
        self.renew_on_read = config.get_update_type() is StateTtlConfig.UpdateType.OnReadAndWrite
        self.return_expired = (config.get_state_visibility()
                               is StateTtlConfig.StateVisibility.ReturnExpiredIfNotCleanedUp)

    def expired(self, stamp: int, now: int) -> bool:
        return stamp + self.ttl_ms <= now


class _TtlState:
    def __init__(self, backend, descriptor: api.StateDescriptor):
        self._backend = backend
        self._name = descriptor.name
        self._policy = _TtlPolicy(descriptor.get_ttl_config())

    def clear(self) -> None:
        self._backend.write(self._name, _ABSENT)

    def _stored(self):
        return self._backend.read(self._name)

    def _store(self, value) -> None:
        self._backend.write(self._name, value)


class _TtlSingleState(_TtlState):
    """A state of one stamped value per key: `(value, stamp)`."""

    def _visible(self):
        """The value a read sees (_ABSENT when none): drops an expired value, renews a live one on read."""
        stored = self._stored()
        if stored is _ABSENT:
            return _ABSENT
        value, stamp = stored
        now = now_ms()
        if self._policy.expired(stamp, now):
            self._store(_ABSENT)
            return value if self._policy.return_expired else _ABSENT
        if self._policy.renew_on_read and stamp != now:
            self._store((value, now))
        return value

    def _live(self):
        """The unexpired value (_ABSENT when none or expired), for a write that builds on it."""
        stored = self._stored()
        if stored is _ABSENT or self._policy.expired(stored[1], now_ms()):
            return _ABSENT
        return stored[0]

    def _set(self, value) -> None:
        self._store(_ABSENT if value is _ABSENT else (value, now_ms()))


class TtlValueState(_TtlSingleState, api.ValueState):
    """A ValueState whose value expires."""

    def value(self):
        value = self._visible()
        return None if value is _ABSENT else value

    def update(self, value) -> None:
        self._set(_ABSENT if value is None else value)


class TtlReducingState(_TtlSingleState, api.ReducingState):
    """A ReducingState whose value expires: an add after expiry starts again from the added value."""

    def __init__(self, backend, descriptor):
        super().__init__(backend, descriptor)
        self._reduce = reducer(descriptor)

    def get(self):
        value = self._visible()
        return None if value is _ABSENT else value

    def add(self, value) -> None:
        current = self._live()
        self._set(value if current is _ABSENT else self._reduce(current, value))


class TtlAggregatingState(_TtlSingleState, api.AggregatingState):
    """An AggregatingState whose accumulator expires: an add after expiry starts a new accumulator."""

    def __init__(self, backend, descriptor):
        super().__init__(backend, descriptor)
        self._function = descriptor.agg_function

    def get(self):
        accumulator = self._visible()
        return None if accumulator is _ABSENT else self._function.get_result(accumulator)

    def add(self, value) -> None:
        accumulator = self._live()
        if accumulator is _ABSENT:
            accumulator = self._function.create_accumulator()
        self._set(self._function.add(value, accumulator))


class TtlListState(_TtlState, api.ListState):
    """A ListState whose elements expire one by one, each from the time it was added."""

    def _elements(self) -> list:
        stored = self._stored()
        return [] if stored is _ABSENT else stored

    def _live(self, now: int) -> list:
        return [element for element in self._elements() if not self._policy.expired(element[1], now)]

    def get(self):
        now = now_ms()
        elements = self._elements()
        live = [element for element in elements if not self._policy.expired(element[1], now)]
        seen = elements if self._policy.return_expired else live
        if self._policy.renew_on_read:
            live = [(value, now) for value, _ in live]
        if len(live) != len(elements) or self._policy.renew_on_read:
            self._store(live if live else _ABSENT)
        return [value for value, _ in seen]

    def add(self, value) -> None:
        if value is None:
            raise ValueError("a ListState cannot hold None")
        now = now_ms()
        self._store(self._live(now) + [(value, now)])

    def add_all(self, values) -> None:
        now = now_ms()
        added = [(value, now) for value in values]
        if any(value is None for value, _ in added):
            raise ValueError("a ListState cannot hold None")
        live = self._live(now) + added
        self._store(live if live else _ABSENT)

    def update(self, values) -> None:
        now = now_ms()
        stamped = [(value, now) for value in (values or [])]
        if any(value is None for value, _ in stamped):
            raise ValueError("a ListState cannot hold None")
        self._store(stamped if stamped else _ABSENT)


class TtlMapState(_TtlState, api.MapState):
    """A MapState whose entries expire one by one, each from the time it was put."""

    def _entries(self) -> dict:
        stored = self._stored()
        return {} if stored is _ABSENT else stored

    def _live(self, now: int) -> dict:
        expired = self._policy.expired
        return {key: entry for key, entry in self._entries().items() if not expired(entry[1], now)}

    def _store_map(self, entries: dict) -> None:
        self._store(entries if entries else _ABSENT)

    def _visible(self, keys=None) -> dict:
        """{key: value} a read of `keys` (all by default) sees; drops expired entries, renews live ones on read."""
        now = now_ms()
        entries = self._entries()
        policy = self._policy
        seen, changed = {}, None
        for key in (entries if keys is None else [key for key in keys if key in entries]):
            value, stamp = entries[key]
            if policy.expired(stamp, now):
                changed = dict(entries) if changed is None else changed
                del changed[key]
                if policy.return_expired:
                    seen[key] = value
                continue
            seen[key] = value
            if policy.renew_on_read and stamp != now:
                changed = dict(entries) if changed is None else changed
                changed[key] = (value, now)
        if changed is not None:
            self._store_map(changed)
        return seen

    def get(self, key):
        entry = self._entries().get(key)
        if entry is None:
            return None
        if self._policy.renew_on_read or self._policy.expired(entry[1], now_ms()):
            return self._visible([key]).get(key)
        return entry[0]  # live and not renewed on read: the common case, without _visible's bookkeeping

    def put(self, key, value) -> None:
        now = now_ms()
        entries = self._live(now)
        entries[key] = (value, now)
        self._store_map(entries)

    def put_all(self, dict_value) -> None:
        now = now_ms()
        entries = self._live(now)
        entries.update((key, (value, now)) for key, value in dict_value.items())
        self._store_map(entries)

    def remove(self, key) -> None:
        entries = self._live(now_ms())
        entries.pop(key, None)
        self._store_map(entries)

    def contains(self, key) -> bool:
        return key in self._visible([key])

    def items(self):
        return list(self._visible().items())

    def keys(self):
        return list(self._visible().keys())

    def values(self):
        return list(self._visible().values())

    def is_empty(self) -> bool:
        return not self._visible()


#: The TTL state class of each descriptor kind.
TTL_STATE_CLASSES = {"value": TtlValueState, "list": TtlListState, "map": TtlMapState,
                     "reducing": TtlReducingState, "aggregating": TtlAggregatingState}


def has_ttl(descriptor: api.StateDescriptor) -> bool:
    """Whether `descriptor`'s values expire (a time-to-live given and not UpdateType.Disabled)."""
    config = descriptor.get_ttl_config()
    return config is not None and config.is_enabled()
