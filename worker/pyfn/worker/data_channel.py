"""The Data stream: routes incoming pieces per (instruction_id, transform_id) and sends outgoing ones.

A reader thread hands every received `Elements.Data` to the `PieceReader` of its instruction and transform
(created on first use from either side, so pieces that arrive before the bundle starts are kept). Pieces for
an instruction that has already finished are dropped. Outgoing pieces go through a bounded queue, so a
producer faster than the network waits instead of growing memory.
"""

from __future__ import annotations

import collections
import logging
import queue
import threading
from typing import Dict, Optional, Tuple

import grpc

from pyfn.proto.beam import beam_fn_api_pb2, beam_fn_api_pb2_grpc
from pyfn.worker.arrow_stream import PieceReader

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


class _Barrier:
    """Put in the outgoing queue after a stream's last piece; set once gRPC has taken every piece before it."""

    def __init__(self):
        self.event = threading.Event()


class DataChannel:
    """One Data stream to one runner endpoint."""

    def __init__(self, channel: grpc.Channel):
        self._stub = beam_fn_api_pb2_grpc.BeamFnDataStub(channel)
        self._outgoing: "queue.Queue" = queue.Queue(maxsize=_OUTGOING_LIMIT)
        self._lock = threading.Lock()
        self._inputs: Dict[Tuple[str, str], PieceReader] = {}
        self._finished: "collections.OrderedDict[str, None]" = collections.OrderedDict()
        self._closed = threading.Event()
        self._error: Optional[BaseException] = None
        self._call = self._stub.Data(self._requests())
        self._reader = threading.Thread(target=self._read, name="pyfn-data-reader", daemon=True)
        self._reader.start()

    # -- receiving ---------------------------------------------------------------------------------
    def _read(self) -> None:
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
            if isinstance(item, _Barrier):
                item.event.set()
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

    def send(self, instruction_id: str, transform_id: str, data, is_last: bool) -> None:
        """Sends bytes of an instruction's output, cut into pieces of at most MAX_PIECE_BYTES."""
        view = memoryview(data)
        size = len(view)
        start = 0
        while True:
            end = min(size, start + MAX_PIECE_BYTES)
            last = is_last and end == size
            elements = beam_fn_api_pb2.Elements()
            elements.data.add(instruction_id=instruction_id, transform_id=transform_id,
                              data=bytes(view[start:end]), is_last=last)
            self._put(elements)
            start = end
            if start >= size:
                break
        if is_last:
            barrier = _Barrier()
            self._put(barrier)
            while not barrier.event.wait(0.5):
                if self._closed.is_set():
                    raise DataChannelClosed(str(self._error or "the Data stream is closed"))

    def output_stream(self, instruction_id: str, transform_id: str) -> "DataOutput":
        return DataOutput(self, instruction_id, transform_id)

    def close(self) -> None:
        try:
            self._outgoing.put_nowait(_CLOSE)
        except queue.Full:
            pass
        self._call.cancel()


class DataOutput:
    """A sink for ArrowStreamWriter sending on the Data stream: each write (a schema, a batch, the end
    marker) goes out at once, cut into pieces of at most MAX_PIECE_BYTES."""

    def __init__(self, channel: DataChannel, instruction_id: str, transform_id: str):
        self._channel = channel
        self._instruction_id = instruction_id
        self._transform_id = transform_id
        self.closed = False

    def send(self, data, is_last: bool) -> None:
        self._channel.send(self._instruction_id, self._transform_id, data, is_last)
        if is_last:
            self.closed = True


class EmbeddedOutput:
    """A sink gathering the output of a bundle whose input came embedded in its request."""

    def __init__(self, instruction_id: str, transform_id: str):
        self._instruction_id = instruction_id
        self._transform_id = transform_id
        self._parts = []
        self.closed = False

    def send(self, data, is_last: bool) -> None:
        self._parts.append(bytes(data))
        if is_last:
            self.closed = True

    def fill(self, elements) -> None:
        """Adds the gathered stream to an `Elements` message in pieces of at most MAX_PIECE_BYTES."""
        data = b"".join(self._parts)
        for start in range(0, max(len(data), 1), MAX_PIECE_BYTES):
            chunk = data[start:start + MAX_PIECE_BYTES]
            elements.data.add(instruction_id=self._instruction_id, transform_id=self._transform_id, data=chunk,
                              is_last=start + MAX_PIECE_BYTES >= len(data))


def _rpc_text(error: grpc.RpcError) -> str:
    code = error.code() if hasattr(error, "code") else None
    details = error.details() if hasattr(error, "details") else None
    return "%s %s" % (code, details) if code else str(error)
