"""The Data stream: routes incoming pieces per (instruction_id, transform_id) and sends outgoing ones.

A reader thread hands every received `Elements.Data` to the `PieceReader` of its instruction and transform
(created on first use from either side, so pieces that arrive before the bundle starts are kept). Pieces for
an instruction that has already finished are dropped. A stream goes out as data pieces followed by an empty
`is_last` piece (a piece that carries data and `is_last` is still read, but never written). Outgoing pieces go
through a bounded queue, so a producer faster than the network waits instead of growing memory; a Barrier
queued after a stream's last piece tells when gRPC has taken it (the bundle's response is sent then, without
the bundle thread waiting). Messages are (de)serialized by `data_wire`: incoming `data` is a zero-copy view of
the received message.
"""

from __future__ import annotations

import collections
import logging
import queue
import threading
from typing import TYPE_CHECKING, Callable, Dict, Optional, Tuple

from pyfn.worker import data_wire
from pyfn.worker.arrow_stream import PieceReader

if TYPE_CHECKING:
    import grpc

_log = logging.getLogger(__name__)

#: Largest `data` of one outgoing piece: the contract's 4 MiB, less room for the message around it.
MAX_PIECE_BYTES = 4 * 1024 * 1024 - 16 * 1024

#: Outgoing pieces waiting for gRPC at most (each at most MAX_PIECE_BYTES).
_OUTGOING_LIMIT = 16

#: Finished instructions whose late input is still being dropped, at most (the oldest are forgotten).
_FINISHED_LIMIT = 10000

_CLOSE = object()


class DataChannelClosed(Exception):
    """The Data stream ended."""


class Barrier:
    """Put in the outgoing queue after a stream's last piece; passed once gRPC has taken every piece before it,
    or failed when the Data stream ends first. `then` runs a callback at that point (at once if it is past)
    without anyone waiting for it; `wait` blocks until then."""

    def __init__(self):
        self._lock = threading.Lock()
        self._done = False
        self._error: Optional[BaseException] = None
        self._callbacks = []
        self._event = threading.Event()

    def _finish(self, error: Optional[BaseException]) -> None:
        with self._lock:
            if self._done:
                return
            self._done, self._error = True, error
            callbacks, self._callbacks = self._callbacks, []
        self._event.set()
        for callback in callbacks:
            callback(error)

    def then(self, callback) -> None:
        """Calls `callback(error)` (error None when every piece was taken) once the barrier is passed or failed."""
        with self._lock:
            if not self._done:
                self._callbacks.append(callback)
                return
            error = self._error
        callback(error)

    def wait(self) -> None:
        """Returns once every piece before the barrier was taken; raises DataChannelClosed if the stream ended."""
        self._event.wait()
        if self._error is not None:
            raise self._error


class DataChannel:
    """One Data stream to one runner endpoint."""

    def __init__(self, channel: grpc.Channel):
        self._outgoing: "queue.Queue" = queue.Queue(maxsize=_OUTGOING_LIMIT)
        self._lock = threading.Lock()
        self._inputs: Dict[Tuple[str, str], PieceReader] = {}
        self._finished: "collections.OrderedDict[str, None]" = collections.OrderedDict()
        self._closed = threading.Event()
        self._error: Optional[BaseException] = None
        self._barriers: "set[Barrier]" = set()  # queued and not yet passed
        # The generated stub's (de)serializers copy every piece twice each way; data_wire does not.
        data = channel.stream_stream(data_wire.DATA_METHOD, request_serializer=data_wire.serialize,
                                     response_deserializer=data_wire.decode)
        self._call = data(self._requests())
        self._reader = threading.Thread(target=self._read, name="pyfn-data-reader", daemon=True)
        self._reader.start()

    # -- receiving ---------------------------------------------------------------------------------
    def _read(self) -> None:
        import grpc  # here, not at the top: embedded mode uses this module's sinks without loading gRPC

        try:
            for elements in self._call:
                for data in elements.data:
                    self._route(data)
            error: BaseException = DataChannelClosed("the runner closed the Data stream")
        except grpc.RpcError as rpc_error:
            error = DataChannelClosed("the Data stream failed: %s" % _rpc_text(rpc_error))
        except Exception as unexpected:  # noqa: BLE001 - keep the harness alive, fail the waiting bundles
            _log.exception("Data stream reader stopped")
            error = unexpected
        self._error = error
        self._closed.set()
        with self._lock:
            readers = list(self._inputs.values())
        for reader in readers:
            reader.fail(error)
        self._fail_barriers()

    def _fail_barriers(self) -> None:
        with self._lock:
            barriers, self._barriers = list(self._barriers), set()
        error = DataChannelClosed(str(self._error or "the Data stream is closed"))
        for barrier in barriers:
            barrier._finish(error)

    def _route(self, data) -> None:
        key = (data.instruction_id, data.transform_id)
        with self._lock:
            if data.instruction_id in self._finished:
                if data.is_last:
                    del self._finished[data.instruction_id]
                return
            reader = self._inputs.get(key)
            if reader is None:
                reader = self._inputs[key] = PieceReader()
        reader.feed(data.data)
        if data.is_last:
            reader.finish()

    def input_stream(self, instruction_id: str, transform_id: str) -> PieceReader:
        """The reader of an instruction's input for a transform (pieces may already be waiting in it)."""
        with self._lock:
            reader = self._inputs.get((instruction_id, transform_id))
            if reader is None:
                reader = self._inputs[(instruction_id, transform_id)] = PieceReader()
            if self._closed.is_set():
                reader.fail(self._error or DataChannelClosed("the Data stream is closed"))
            return reader

    def finish(self, instruction_id: str) -> None:
        """Forgets an instruction's inputs; pieces still to come for it are dropped."""
        with self._lock:
            keys = [k for k in self._inputs if k[0] == instruction_id]
            complete = bool(keys)
            for key in keys:
                complete = self._inputs.pop(key).complete and complete
            if not complete:
                self._finished[instruction_id] = None
                while len(self._finished) > _FINISHED_LIMIT:
                    self._finished.popitem(last=False)

    # -- sending -----------------------------------------------------------------------------------
    def _requests(self):
        while True:
            item = self._outgoing.get()
            if item is _CLOSE:
                return
            if isinstance(item, Barrier):
                with self._lock:
                    self._barriers.discard(item)
                item._finish(None)
                continue
            yield item

    def _put(self, item) -> None:
        while True:
            if self._closed.is_set():
                raise DataChannelClosed(str(self._error or "the Data stream is closed"))
            try:
                self._outgoing.put(item, timeout=0.5)
                return
            except queue.Full:
                continue

    def send(self, instruction_id: str, transform_id: str, data, is_last: bool) -> Optional[Barrier]:
        """Queues bytes of an instruction's output, cut into pieces of at most MAX_PIECE_BYTES. With `is_last`,
        an empty `is_last` piece follows them (Beam's data channels drop the data of a piece marked last) and
        the Barrier passed once gRPC has taken it is returned."""
        view = memoryview(data)
        size = len(view)
        for start in range(0, size, MAX_PIECE_BYTES):
            self._put(data_wire.encode_piece(instruction_id, transform_id, view[start:start + MAX_PIECE_BYTES], False))
        if not is_last:
            return None
        self._put(data_wire.encode_piece(instruction_id, transform_id, b"", True))
        barrier = Barrier()
        with self._lock:
            self._barriers.add(barrier)
        try:
            self._put(barrier)
        finally:
            if self._closed.is_set():
                self._fail_barriers()  # the reader may have failed them before this one was registered
        return barrier

    def output_stream(self, instruction_id: str, transform_id: str) -> "DataOutput":
        return DataOutput(self, instruction_id, transform_id)

    def close(self) -> None:
        try:
            self._outgoing.put_nowait(_CLOSE)
        except queue.Full:
            pass
        self._call.cancel()
        self._fail_barriers()


class DataOutput:
    """A sink for ArrowStreamWriter sending on the Data stream: each send goes out at once, cut into pieces of
    at most MAX_PIECE_BYTES. After the last one, `barrier` tells when gRPC has taken them all."""

    def __init__(self, channel: DataChannel, instruction_id: str, transform_id: str):
        self._channel = channel
        self._instruction_id = instruction_id
        self._transform_id = transform_id
        self.closed = False
        self.barrier: Optional[Barrier] = None

    def send(self, data, is_last: bool) -> None:
        barrier = self._channel.send(self._instruction_id, self._transform_id, data, is_last)
        if is_last:
            self.closed = True
            self.barrier = barrier

    def close_incomplete(self) -> None:
        """Ends a failed bundle's stream so a runner waiting for `is_last` stops waiting."""
        if not self.closed:
            self.send(b"", True)


#: Most bytes of output returned embedded in a ProcessBundleResponse; more goes over the Data service.
EMBEDDED_OUTPUT_LIMIT = 1024 * 1024


class EmbeddedOutput:
    """A sink gathering the output of a bundle whose input came embedded in its request, to return it embedded
    in the response. Output that grows past EMBEDDED_OUTPUT_LIMIT (a table function fanning out) spills to a
    Data stream opened by `spill()`, so the worker never holds it whole; the response then carries none."""

    def __init__(self, instruction_id: str, transform_id: str, spill: Optional[Callable[[], DataOutput]] = None):
        self._instruction_id = instruction_id
        self._transform_id = transform_id
        self._parts = []
        self._size = 0
        self._spill = spill
        self._stream: Optional[DataOutput] = None
        self.closed = False

    @property
    def barrier(self) -> Optional[Barrier]:
        """When spilled: passed once gRPC has taken the last piece."""
        return self._stream.barrier if self._stream is not None else None

    def send(self, data, is_last: bool) -> None:
        if self._stream is None and self._spill is not None and self._size + len(data) > EMBEDDED_OUTPUT_LIMIT:
            self._stream = self._spill()
            for part in self._parts:
                self._stream.send(part, False)
            self._parts = []
        if self._stream is not None:
            self._stream.send(data, is_last)
        else:
            self._parts.append(bytes(data))
            self._size += len(data)
        if is_last:
            self.closed = True

    def close_incomplete(self) -> None:
        """Ends a failed bundle's spilled stream; gathered output is simply not returned."""
        if self._stream is not None:
            self._stream.close_incomplete()

    def fill(self, elements) -> None:
        """Adds the gathered stream to an `Elements` message in pieces of at most MAX_PIECE_BYTES, then an empty
        `is_last` piece, as on the Data stream (nothing once the output has spilled to the Data stream)."""
        if self._stream is not None:
            return
        data = self._parts[0] if len(self._parts) == 1 else b"".join(self._parts)
        for start in range(0, len(data), MAX_PIECE_BYTES):
            elements.data.add(instruction_id=self._instruction_id, transform_id=self._transform_id,
                              data=data[start:start + MAX_PIECE_BYTES], is_last=False)
        elements.data.add(instruction_id=self._instruction_id, transform_id=self._transform_id, data=b"", is_last=True)


def _rpc_text(error: grpc.RpcError) -> str:
    code = error.code() if hasattr(error, "code") else None
    details = error.details() if hasattr(error, "details") else None
    return "%s %s" % (code, details) if code else str(error)
