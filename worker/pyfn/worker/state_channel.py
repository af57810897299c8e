"""The State stream: state requests to the runner, pipelined, answered by id.

One `BeamFnState.State` stream per state endpoint (opened on first use by the bundle processor, on the harness's
channel, so it carries the `worker_id` header). `StateChannel.send` queues a StateRequest under an id unique within
the harness and returns a `StateAnswer` that a reader thread fills when the runner's StateResponse with that id
arrives; many requests may be sent before any answer is awaited. When the stream ends, every unanswered request
fails with StateChannelClosed.

`BundleState` is one bundle's view: every request carries the bundle's instruction id, `get` follows continuation
tokens, `finish` waits for every answer of the bundle, and a failed answer becomes a BundleError naming the bundle
and the request.
"""

from __future__ import annotations

import collections
import itertools
import logging
import queue
import threading
from typing import Callable, Deque, Dict, Optional

from pyfn.proto.beam import beam_fn_api_pb2
from pyfn.worker.errors import BundleError

_log = logging.getLogger(__name__)

#: Requests of one bundle sent and not yet answered, at most; past it the oldest answer is awaited first.
MAX_IN_FLIGHT = 4096

_CLOSE = object()

# Request ids, unique within the harness (across every State stream).
_ids = itertools.count(1)
_ids_lock = threading.Lock()


def _next_id() -> str:
    with _ids_lock:
        return "state-%d" % next(_ids)


def _article(kind: str) -> str:
    """"a get", "an append", "a clear"."""
    return ("an " if kind[:1] in "aeiou" else "a ") + kind


class StateChannelClosed(Exception):
    """The State stream ended before the runner answered."""


class StateAnswer:
    """The runner's answer to one StateRequest, once it arrives (`wait`)."""

    __slots__ = ("request", "_event", "response", "error")

    def __init__(self, request):
        self.request = request
        self._event = threading.Event()
        #: The StateResponse (maybe with `error` set), once answered.
        self.response = None
        #: Why no answer will come (the stream ended), if so.
        self.error: Optional[BaseException] = None

    def _set(self, response=None, error: Optional[BaseException] = None) -> None:
        self.response, self.error = response, error
        self._event.set()

    @property
    def done(self) -> bool:
        """Whether the answer (or the stream's end) has arrived."""
        return self._event.is_set()

    def wait(self):
        """The StateResponse; raises StateChannelClosed when the stream ended without answering."""
        self._event.wait()
        if self.error is not None:
            raise self.error
        return self.response


class StateChannel:
    """One State stream to one runner endpoint."""

    def __init__(self, channel, url: str = ""):
        # Here, not at the top: embedded mode imports this module (through the bundle processor) without gRPC.
        from pyfn.proto.beam import beam_fn_api_pb2_grpc

        self.url = url
        self._outgoing: "queue.Queue" = queue.Queue()
        self._lock = threading.Lock()
        self._pending: Dict[str, StateAnswer] = {}
        self._closed = threading.Event()
        self._error: Optional[StateChannelClosed] = None
        self._call = beam_fn_api_pb2_grpc.BeamFnStateStub(channel).State(self._requests())
        self._reader = threading.Thread(target=self._read, name="pyfn-state-reader", daemon=True)
        self._reader.start()

    @property
    def closed(self) -> bool:
        """Whether the stream has ended (a new one is needed for further requests)."""
        return self._closed.is_set()

    def _requests(self):
        while True:
            request = self._outgoing.get()
            if request is _CLOSE:
                return
            yield request

    def _read(self) -> None:
        import grpc

        try:
            for response in self._call:
                with self._lock:
                    answer = self._pending.pop(response.id, None)
                if answer is None:
                    _log.warning("the runner answered state request %r, which is not pending", response.id)
                    continue
                answer._set(response)
            error = StateChannelClosed("the runner closed the State stream")
        except grpc.RpcError as rpc_error:
            code = rpc_error.code() if hasattr(rpc_error, "code") else None
            details = rpc_error.details() if hasattr(rpc_error, "details") else str(rpc_error)
            error = StateChannelClosed("the State stream failed: %s %s" % (code, details))
        except Exception as unexpected:  # noqa: BLE001 - fail the waiting bundles, keep the harness alive
            _log.exception("State stream reader stopped")
            error = StateChannelClosed("the State stream reader failed: %s: %s"
                                       % (type(unexpected).__name__, unexpected))
        with self._lock:
            self._error = error
            self._closed.set()
            pending, self._pending = list(self._pending.values()), {}
        for answer in pending:
            answer._set(error=error)

    def send(self, request) -> StateAnswer:
        """Gives `request` (a StateRequest) a fresh id and queues it; returns its StateAnswer at once."""
        request.id = _next_id()
        answer = StateAnswer(request)
        with self._lock:
            if self._closed.is_set():
                answer._set(error=self._error or StateChannelClosed("the State stream is closed"))
                return answer
            self._pending[request.id] = answer
        self._outgoing.put(request)
        return answer

    def close(self) -> None:
        """Ends the stream; unanswered requests fail."""
        self._outgoing.put(_CLOSE)
        self._call.cancel()


def bag_user_state_key(transform_id: str, user_state_id: str, key: bytes, window: bytes = b""):
    """The StateKey of a bag user state."""
    state_key = beam_fn_api_pb2.StateKey()
    bag = state_key.bag_user_state
    bag.transform_id, bag.user_state_id, bag.window, bag.key = transform_id, user_state_id, window, key
    return state_key


def describe_state_key(state_key) -> str:
    """A state key in error messages."""
    if state_key.HasField("bag_user_state"):
        bag = state_key.bag_user_state
        from pyfn.worker.state_batches import describe_batched_key  # here: that module builds on this one

        batched = describe_batched_key(bag)
        if batched is not None:
            return batched
        return "bag user state %r of transform %r, key %r" % (bag.user_state_id, bag.transform_id, bag.key)
    return "runner state key %r" % state_key.runner.key


class StateRead:
    """A pending `get` of one state key: `value()` waits for it (following continuation tokens)."""

    def __init__(self, state: "BundleState", state_key, answer: StateAnswer):
        self._state = state
        self.state_key = state_key
        self._answer = answer

    def value(self) -> bytes:
        """The state's bytes (the pieces concatenated); a failed answer raises BundleError."""
        response = self._state._checked(self._answer, "get")
        pieces = [response.get.data]
        while response.get.continuation_token:
            request = self._state._request(self.state_key)
            request.get.continuation_token = response.get.continuation_token
            response = self._state._checked(self._state._send(request), "get")
            pieces.append(response.get.data)
        return pieces[0] if len(pieces) == 1 else b"".join(pieces)


class BundleState:
    """The state requests of one bundle, over the State stream `channel()` gives (opened on the first request)."""

    def __init__(self, channel: Callable[[], StateChannel], instruction_id: str):
        self._channel_of = channel
        self._channel: Optional[StateChannel] = None
        self.instruction_id = instruction_id
        self._unsettled: Deque[StateAnswer] = collections.deque()

    def _request(self, state_key):
        request = beam_fn_api_pb2.StateRequest(instruction_id=self.instruction_id)
        request.state_key.CopyFrom(state_key)
        return request

    def _send(self, request) -> StateAnswer:
        if self._channel is None:
            self._channel = self._channel_of()
        while len(self._unsettled) >= MAX_IN_FLIGHT:
            self._checked(self._unsettled[0], self._kind(self._unsettled[0].request))
            self._settle_done()
        answer = self._channel.send(request)
        self._unsettled.append(answer)
        return answer

    def _settle_done(self) -> None:
        """Forgets the answered requests at the front, checking the writes among them (a get is checked when its
        value is read): a failed write must fail the bundle even when `finish` no longer sees it."""
        unsettled = self._unsettled
        while unsettled and unsettled[0].done:
            answer = unsettled.popleft()
            kind = self._kind(answer.request)
            if kind != "get":
                self._checked(answer, kind)

    @staticmethod
    def _kind(request) -> str:
        return request.WhichOneof("request") or "request"

    def _checked(self, answer: StateAnswer, kind: str):
        """The answer's StateResponse; an error answer or a closed stream raises BundleError."""
        try:
            response = answer.wait()
        except StateChannelClosed as error:
            raise BundleError("bundle %s: the runner did not answer %s (%s): %s"
                              % (self.instruction_id, _article(kind), describe_state_key(answer.request.state_key),
                                 error)) from None
        if response.error:
            raise BundleError("bundle %s: the runner's State service failed %s: %s (request %s, %s)"
                              % (self.instruction_id, _article(kind), response.error, answer.request.id,
                                 describe_state_key(answer.request.state_key)))
        return response

    def get(self, state_key) -> StateRead:
        """Sends a get of `state_key`; the returned StateRead's `value()` waits for it."""
        request = self._request(state_key)
        request.get.SetInParent()
        return StateRead(self, state_key, self._send(request))

    def clear(self, state_key) -> None:
        """Sends a clear of `state_key` (its answer is awaited by `finish`)."""
        request = self._request(state_key)
        request.clear.SetInParent()
        self._send(request)

    def append(self, state_key, data: bytes) -> None:
        """Sends an append of `data` to `state_key` (its answer is awaited by `finish`)."""
        request = self._request(state_key)
        request.append.data = data
        self._send(request)

    def finish(self, check: bool = True) -> None:
        """Waits for the answer to every request of the bundle. With `check`, the first failed one raises
        BundleError; without it (the bundle is failing already), failures are ignored."""
        unsettled, self._unsettled = self._unsettled, collections.deque()
        failure: Optional[BundleError] = None
        for answer in unsettled:
            try:
                self._checked(answer, self._kind(answer.request))
            except BundleError as error:
                if failure is None:
                    failure = error
        if check and failure is not None:
            raise failure
