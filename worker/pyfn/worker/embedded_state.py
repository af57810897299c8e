"""Embedded mode's State path: the keyed state of aggregate functions kept in this interpreter, with the runner's
commit rule.

Process mode keeps it in the runner's StateStore, reached over the State service; embedded mode has no gRPC, so
the state lives here, per bundle descriptor (descriptor ids are unique in the runner's process, and every worker an
operator ever has registers the same id, so a replacement worker sees the state its predecessor committed). A
bundle's writes are its own until the bundle succeeds: reads inside the bundle see them, and they are committed
only when the bundle's answer is a success; a failing bundle's writes are dropped, so a replayed bundle starts from
the state the failed one started from and no row is counted twice. `forget(descriptor_id)` frees an operator's
state when the runner is done with it.
"""

from __future__ import annotations

from typing import Dict

#: The committed state: descriptor id → serialized StateKey → value.
_committed: Dict[str, Dict[bytes, bytes]] = {}


def forget(descriptor_id: str) -> None:
    """Drops the state of `descriptor_id` (its operator has finished)."""
    _committed.pop(descriptor_id, None)


def committed_keys(descriptor_id: str) -> int:
    """How many state keys `descriptor_id` has committed (for tests and diagnostics)."""
    return len(_committed.get(descriptor_id, {}))


class _Read:
    """An answered `get`, shaped like process mode's StateRead."""

    __slots__ = ("_value",)

    def __init__(self, value: bytes):
        self._value = value

    def value(self) -> bytes:
        """The state's bytes (empty when never written)."""
        return self._value


class EmbeddedBundleState:
    """The state requests of one embedded bundle of `descriptor_id`, answered at once, with BundleState's
    methods (`get`, `clear`, `append`, `finish`); `commit()` makes its writes the state once the bundle succeeded."""

    def __init__(self, descriptor_id: str):
        self.descriptor_id = descriptor_id
        self._writes: Dict[bytes, bytes] = {}

    @staticmethod
    def _key(state_key) -> bytes:
        return state_key.SerializeToString(deterministic=True)

    def _current(self, key: bytes) -> bytes:
        value = self._writes.get(key)
        if value is None:
            value = _committed.get(self.descriptor_id, {}).get(key, b"")
        return value

    def get(self, state_key) -> _Read:
        """The value of `state_key` as this bundle sees it."""
        return _Read(self._current(self._key(state_key)))

    def clear(self, state_key) -> None:
        """Empties `state_key` within this bundle."""
        self._writes[self._key(state_key)] = b""

    def append(self, state_key, data: bytes) -> None:
        """Appends `data` to `state_key` within this bundle."""
        key = self._key(state_key)
        self._writes[key] = self._current(key) + bytes(data)

    def finish(self, check: bool = True) -> None:
        """Nothing to wait for: every request was answered when made."""

    def commit(self) -> None:
        """Makes this bundle's writes the state (called when the bundle succeeded); empty values are removed."""
        if not self._writes:
            return
        committed = _committed.setdefault(self.descriptor_id, {})
        for key, value in self._writes.items():
            if value:
                committed[key] = value
            else:
                committed.pop(key, None)
        self._writes = {}
