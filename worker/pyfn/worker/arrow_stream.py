"""Arrow IPC stream framing: a readable file over arriving byte pieces, and a writer that hands out pieces.

The runner sends one IPC stream per bundle in pieces of any size; `PieceReader` lets pyarrow read it as it
arrives, or hands it out as one buffer once it is complete (`buffer()`, no copy when it came in one piece).
`ArrowStreamWriter` writes the schema, then the record batches as they are made, then the end-of-stream marker,
to a sink with `send(data, is_last)`; small messages are gathered into one send of at least FLUSH_BYTES, so a
bundle's output costs a few Data messages rather than one per batch.
"""

from __future__ import annotations

import collections
import threading
from typing import Iterable, Optional

import pyarrow as pa

# The IPC end-of-stream marker: continuation token, then a zero length.
END_OF_STREAM = b"\xff\xff\xff\xff\x00\x00\x00\x00"

#: Output gathered before it is sent (one send per batch once batches are at least this large).
FLUSH_BYTES = 512 * 1024


class InputClosedError(Exception):
    """The stream's source went away before it was complete."""


class PieceReader:
    """A read-only file over byte pieces that arrive from another thread (`feed`, `finish`, `fail`).

    `read(n)` blocks until n bytes or the end are there. A read within one piece returns a zero-copy view.
    """

    def __init__(self, pieces: Optional[Iterable[bytes]] = None, complete: bool = False):
        self._pieces = collections.deque(memoryview(p) for p in (pieces or ()) if len(p))
        self._offset = 0  # into the first piece
        self._available = sum(len(p) for p in self._pieces)
        self._complete = complete
        self._error: Optional[BaseException] = None
        self._condition = threading.Condition()
        self._position = 0
        self.closed = False

    # -- producer side -----------------------------------------------------------------------------
    def feed(self, data: bytes) -> None:
        if not data:
            return
        with self._condition:
            self._pieces.append(memoryview(data))
            self._available += len(data)
            self._condition.notify_all()

    def finish(self) -> None:
        with self._condition:
            self._complete = True
            self._condition.notify_all()

    def fail(self, error: BaseException) -> None:
        with self._condition:
            self._error = error
            self._condition.notify_all()

    @property
    def complete(self) -> bool:
        return self._complete

    def buffer(self) -> Optional[pa.Buffer]:
        """The whole unread stream as one buffer (None when it has no bytes); only once `complete`."""
        with self._condition:
            if not self._complete:
                raise RuntimeError("the stream is not complete")
            if not self._available:
                return None
            pieces = list(self._pieces)
            pieces[0] = pieces[0][self._offset:]
            self._pieces.clear()
            self._position += self._available
            self._available = self._offset = 0
        if len(pieces) == 1:
            return pa.py_buffer(pieces[0])
        return pa.py_buffer(b"".join(pieces))

    def wait_for_data(self) -> bool:
        """Waits for the first bytes: True when some arrived, False when the stream ended without any."""
        with self._condition:
            while not self._available and not self._complete:
                if self._error is not None:
                    raise InputClosedError("input stream ended early: %s" % self._error)
                self._condition.wait()
            return self._available > 0

    # -- file API for pyarrow ----------------------------------------------------------------------
    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def writable(self) -> bool:
        return False

    def tell(self) -> int:
        return self._position

    def close(self) -> None:
        self.closed = True

    def read(self, size: int = -1):
        with self._condition:
            while True:
                if size is not None and 0 <= size <= self._available:
                    break
                if self._complete:
                    size = self._available if size is None or size < 0 else min(size, self._available)
                    break
                if self._error is not None:
                    raise InputClosedError("input stream ended early: %s" % self._error)
                self._condition.wait()
            if size == 0:
                return b""
            first = self._pieces[0]
            if len(first) - self._offset >= size:
                out = first[self._offset:self._offset + size]
                self._consume(size)
                return out
            parts, needed = [], size
            while needed:
                first = self._pieces[0]
                take = min(needed, len(first) - self._offset)
                parts.append(first[self._offset:self._offset + take])
                self._consume(take)
                needed -= take
            return b"".join(parts)

    def _consume(self, count: int) -> None:
        self._available -= count
        self._position += count
        self._offset += count
        if self._offset == len(self._pieces[0]):
            self._pieces.popleft()
            self._offset = 0


class ArrowStreamWriter:
    """Writes one IPC stream to `sink` (an object with `send(data, is_last)`).

    Messages are gathered until they reach `flush_bytes`, then sent as one; `close` sends the rest with the
    end-of-stream marker. `schema_message` is the schema's serialized form when the caller has it already.
    """

    def __init__(self, schema: pa.Schema, sink, schema_message=None, flush_bytes: int = FLUSH_BYTES):
        self.schema = schema
        self._sink = sink
        self._flush_bytes = flush_bytes
        self._pending = [schema_message if schema_message is not None else schema.serialize()]
        self._pending_bytes = len(self._pending[0])
        self.rows_written = 0

    def write_batch(self, batch: pa.RecordBatch) -> None:
        message = batch.serialize()
        self._pending.append(message)
        self._pending_bytes += message.size
        self.rows_written += batch.num_rows
        if self._pending_bytes >= self._flush_bytes:
            self._send(False)

    def _send(self, is_last: bool) -> None:
        pending = self._pending
        data = pending[0] if len(pending) == 1 else b"".join(pending)
        self._pending = []
        self._pending_bytes = 0
        self._sink.send(data, is_last)

    def close(self) -> None:
        self._pending.append(END_OF_STREAM)
        self._send(True)
