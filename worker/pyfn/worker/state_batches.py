"""Batched state requests: the state of many keys of one bag user state in one StateRequest.

A request whose bag user state id is `pyfn:batch:<id>` stands for the bag user states {same transform, `<id>`,
same window, key} of many keys at once (see docs/wire-contract.md, "Batched state"):
- a `get`: its state key's `key` lists the keys; the answer's data lists their values, in the same order (empty:
  never written), continuation tokens followed as for any get;
- an `append`: its data lists (key, value) pairs; each key's value becomes `value` (as a `clear` then an
  `append` would make it; an empty value clears it), within the bundle, committed when the bundle succeeds.
A list is its items one after another, each a 4-byte little-endian length, then that many bytes.
"""

from __future__ import annotations

import struct
from typing import Iterable, List, Optional, Sequence, Tuple

from pyfn.worker.errors import BundleError
from pyfn.worker.state_channel import BundleState, StateRead, bag_user_state_key

#: The prefix of a batched request's user state id; the rest is the user state id it stands for.
BATCH_PREFIX = "pyfn:batch:"

_length = struct.Struct("<I")


def encode_items(items: Iterable[bytes]) -> bytes:
    """The items as one list (each a 4-byte little-endian length, then its bytes)."""
    pack = _length.pack
    parts: List[bytes] = []
    for item in items:
        parts.append(pack(len(item)))
        parts.append(item)
    return b"".join(parts)


def decode_items(data: bytes) -> List[bytes]:
    """The items of a list `encode_items` made; a list cut short raises ValueError."""
    items: List[bytes] = []
    view = memoryview(data)
    position, end = 0, len(data)
    unpack = _length.unpack_from
    while position < end:
        if position + 4 > end:
            raise ValueError("a length cut short at byte %d of %d" % (position, end))
        (size,) = unpack(view, position)
        position += 4
        if position + size > end:
            raise ValueError("an item of %d bytes at byte %d runs past the end (%d bytes)" % (size, position, end))
        items.append(bytes(view[position:position + size]))
        position += size
    return items


def describe_batched_key(bag) -> Optional[str]:
    """A batched request's bag user state in error messages (None when `bag` is not batched)."""
    if not bag.user_state_id.startswith(BATCH_PREFIX):
        return None
    where = "bag user state %r of transform %r" % (bag.user_state_id[len(BATCH_PREFIX):], bag.transform_id)
    if not bag.key:
        return "batched writes of " + where
    try:
        keys = decode_items(bag.key)
    except ValueError:
        return "a batched get of %s, keys %r" % (where, bag.key)
    shown = ", ".join(repr(k) for k in keys[:3]) + (", ..." if len(keys) > 3 else "")
    return "a batched get of %s, %d key%s %s" % (where, len(keys), "" if len(keys) == 1 else "s", shown)


class BatchedRead:
    """A pending batched `get`: `values()` waits for it and gives one value per key asked for."""

    def __init__(self, read: StateRead, count: int):
        self._read = read
        self._count = count

    def values(self) -> List[bytes]:
        """The keys' values, in the order asked (b"" for a key never written); a malformed answer raises
        BundleError."""
        data = self._read.value()
        try:
            values = decode_items(data)
        except ValueError as error:
            raise BundleError("the runner's answer to a batched get of %d keys is not a list of values: %s"
                              % (self._count, error)) from None
        if len(values) != self._count:
            raise BundleError("the runner answered a batched get of %d keys with %d values"
                              % (self._count, len(values)))
        return values


def get_many(state: BundleState, transform_id: str, user_state_id: str, keys: Sequence[bytes],
             window: bytes = b"") -> BatchedRead:
    """Sends one `get` of the bag user states of `keys`; the BatchedRead's `values()` waits for the answer."""
    state_key = bag_user_state_key(transform_id, BATCH_PREFIX + user_state_id, encode_items(keys), window)
    return BatchedRead(state.get(state_key), len(keys))


def set_many(state: BundleState, transform_id: str, user_state_id: str, pairs: Iterable[Tuple[bytes, bytes]],
             window: bytes = b"") -> None:
    """Sends one `append` that sets the bag user state of each key to its value (answer awaited by `finish`)."""
    state_key = bag_user_state_key(transform_id, BATCH_PREFIX + user_state_id, b"", window)
    state.append(state_key, encode_items(item for pair in pairs for item in pair))
