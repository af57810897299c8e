"""Embedded mode's State path: the keyed state of aggregate functions kept in this interpreter, with the runner's
commit rule.

Process mode keeps it in the runner's StateStore, reached over the State service; embedded mode has no gRPC, so
the state lives here, per bundle descriptor (descriptor ids are unique in the runner's process, and every worker an
operator ever has registers the same id, so a replacement worker sees the state its predecessor committed). A
bundle's writes are its own until the bundle succeeds: reads inside the bundle see them, and they are committed
only when the bundle's answer is a success; a failing bundle's writes are dropped, so a replayed bundle starts from
the state the failed one started from and no row is counted twice. `forget(descriptor_id)` frees an operator's
state when the runner is done with it. Batched requests (`pyfn:batch:<id>`, pyfn.worker.state_batches) are
answered as the runner's StateStore answers them: as the per-key requests they stand for.
"""

from __future__ import annotations

from typing import Dict, Iterator, Tuple

from pyfn.worker.state_batches import BATCH_PREFIX, decode_items, encode_items
from pyfn.worker.state_channel import bag_user_state_key

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

    @classmethod
    def _batched_keys(cls, state_key, keys) -> Iterator[bytes]:
        """The per-key state keys a batched request's `keys` stand for (serialized), or nothing when it is not
        batched."""
        bag = state_key.bag_user_state
        user_state_id = bag.user_state_id[len(BATCH_PREFIX):]
        for key in keys:
            yield cls._key(bag_user_state_key(bag.transform_id, user_state_id, key, bag.window))

    @staticmethod
    def _is_batched(state_key) -> bool:
        return state_key.HasField("bag_user_state") and state_key.bag_user_state.user_state_id.startswith(BATCH_PREFIX)

    def _current(self, key: bytes) -> bytes:
        value = self._writes.get(key)
        if value is None:
            value = _committed.get(self.descriptor_id, {}).get(key, b"")
        return value

    def get(self, state_key) -> _Read:
        """The value of `state_key` as this bundle sees it (a batched get: the list of its keys' values)."""
        if self._is_batched(state_key):
            keys = decode_items(state_key.bag_user_state.key)
            return _Read(encode_items(self._current(k) for k in self._batched_keys(state_key, keys)))
        return _Read(self._current(self._key(state_key)))

    def clear(self, state_key) -> None:
        """Empties `state_key` within this bundle."""
        self._writes[self._key(state_key)] = b""

    def append(self, state_key, data: bytes) -> None:
        """Appends `data` to `state_key` within this bundle (a batched append: sets each listed key's value)."""
        if self._is_batched(state_key):
            items = decode_items(bytes(data))
            pairs: Tuple = tuple(zip(items[0::2], items[1::2]))
            for key, (_, value) in zip(self._batched_keys(state_key, (k for k, _ in pairs)), pairs):
                self._writes[key] = value
            return
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
