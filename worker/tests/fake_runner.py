"""A small in-test runner: Provision, Control, Data, State and Logging on one gRPC server on 127.0.0.1:0.

It checks the `worker_id` header and the worker's secret (`pyfn-worker-secret`, given to the worker in its
environment) of every call, serves TLS when given `tls`, hands out descriptors, sends a bundle's input as an Arrow IPC
stream (over Data or embedded) and collects the output stream, the responses and the log records. Its State
service keeps bag user state in memory as the real runner does: a bundle's writes are its own (its reads see
them) until its InstructionResponse arrives, and are committed then if the bundle succeeded, else dropped;
`fail_state` makes it answer with an error. A worker may be stopped and another started against the same runner.
"""

from __future__ import annotations

import hmac
import os
import queue
import secrets
import subprocess
import sys
import threading
import time
from concurrent import futures
from typing import Dict, List, Optional

import grpc
import pyarrow as pa

from pyfn.proto.beam import (beam_fn_api_pb2, beam_fn_api_pb2_grpc, beam_provision_api_pb2,
                             beam_provision_api_pb2_grpc)
from pyfn.proto.pyfn import udf_pb2
from pyfn.worker.transport import TLSFiles

#: Batched state requests' user state id prefix (docs/wire-contract.md, "Batched state").
BATCH_PREFIX = "pyfn:batch:"


def encode_items(items) -> bytes:
    """A batched request's list: each item a 4-byte little-endian length, then its bytes."""
    return b"".join(len(item).to_bytes(4, "little") + item for item in items)


def decode_items(data: bytes) -> list:
    """The items of a batched request's list."""
    items, position = [], 0
    while position < len(data):
        size = int.from_bytes(data[position:position + 4], "little")
        items.append(data[position + 4:position + 4 + size])
        position += 4 + size
    return items

SCALAR_URN = "pyfn:transform:scalar_function:v1"
TABLE_URN = "pyfn:transform:table_function:v1"
PANDAS_URN = "pyfn:transform:pandas_scalar_function:v1"
AGGREGATE_URN = "pyfn:transform:aggregate_function:v1"

_END = object()


def ipc_bytes(batches: List[pa.RecordBatch], schema: Optional[pa.Schema] = None) -> bytes:
    sink = pa.BufferOutputStream()
    schema = schema or batches[0].schema
    with pa.ipc.new_stream(sink, schema) as writer:
        for batch in batches:
            writer.write_batch(batch)
    return sink.getvalue().to_pybytes()


def stop_process(process) -> None:
    """Kills a worker process that is still running, waits for it, and closes its pipes."""
    if process.poll() is None:
        process.kill()
    process.wait(timeout=10)
    for stream in (process.stdout, process.stderr):
        if stream is not None:
            stream.close()


def read_ipc(data: bytes) -> pa.Table:
    return pa.ipc.open_stream(pa.py_buffer(data)).read_all()


def make_descriptor(descriptor_id: str, urn: str, functions: "udf_pb2.UserDefinedFunctions", data_url: str,
                    state_url: str = ""):
    descriptor = beam_fn_api_pb2.ProcessBundleDescriptor(id=descriptor_id)
    if state_url:
        descriptor.state_api_service_descriptor.url = state_url
    port = beam_fn_api_pb2.RemoteGrpcPort(coder_id="arrow")
    port.api_service_descriptor.url = data_url
    descriptor.coders["arrow"].spec.urn = "pyfn:coder:arrow:v1"
    for name in ("in", "out"):
        descriptor.pcollections[name].unique_name = name
        descriptor.pcollections[name].coder_id = "arrow"
    source = descriptor.transforms["source"]
    source.spec.urn = "beam:runner:source:v1"
    source.spec.payload = port.SerializeToString()
    source.outputs["out"] = "in"
    udf = descriptor.transforms["udf"]
    udf.spec.urn = urn
    udf.spec.payload = functions.SerializeToString()
    udf.inputs["in"] = "in"
    udf.outputs["out"] = "out"
    sink = descriptor.transforms["sink"]
    sink.spec.urn = "beam:runner:sink:v1"
    sink.spec.payload = port.SerializeToString()
    sink.inputs["in"] = "out"
    return descriptor


class BundleResult:
    def __init__(self, response, output: bytes, pieces: int):
        self.response = response
        self.output = output
        self.pieces = pieces

    @property
    def error(self) -> str:
        return self.response.error

    def table(self) -> pa.Table:
        return read_ipc(self.output)


class FakeRunner:
    def __init__(self, worker_id: str = "worker-1", pipeline_options: Optional[Dict[str, str]] = None,
                 tls: Optional[TLSFiles] = None):
        self.worker_id = worker_id
        #: The worker's secret, given to it in its environment; every call must carry it.
        self.secret = secrets.token_hex(32)
        self.pipeline_options = pipeline_options or {}
        self.descriptors: Dict[str, object] = {}
        self.descriptor_fetches: Dict[str, int] = {}
        self.log_entries: List[object] = []
        self.refused: List[str] = []
        self.calls_by_method: Dict[str, int] = {}
        self._lock = threading.Lock()
        self._control_queue: "queue.Queue" = queue.Queue()
        self._responses: Dict[str, "queue.Queue"] = {}
        self._data_to_worker: "queue.Queue" = queue.Queue()
        self._outputs: Dict[str, List[bytes]] = {}
        self._output_pieces: Dict[str, int] = {}
        self._output_done: Dict[str, threading.Event] = {}
        self.control_connected = threading.Event()
        #: The metadata of the worker's Control call.
        self.control_metadata: Dict[str, str] = {}
        #: Instructions whose output had a piece with data and is_last (Beam's data channels drop such data).
        self.data_on_last_piece: List[str] = []
        self._counter = 0
        # State, per descriptor as the real runner keeps it: committed values by (descriptor_id, transform_id,
        # user_state_id, window, key); the open bundles' own writes by instruction (with their descriptor).
        self.state: Dict[tuple, bytes] = {}
        self._bundle_writes: Dict[str, tuple] = {}
        #: Every state request received, in order.
        self.state_requests: List[object] = []
        #: Requests for no bundle in progress (e.g. sent after the bundle's response), with the answer's error.
        self.state_misuse: List[str] = []
        #: Bytes per get answer (0: the whole value in one answer); longer values go in pieces with tokens.
        self.state_piece_size = 0
        self._state_failure: Optional[tuple] = None
        self.server = grpc.server(futures.ThreadPoolExecutor(max_workers=16),
                                  options=[("grpc.max_receive_message_length", -1),
                                           ("grpc.max_send_message_length", -1)])
        runner = self

        class Provision(beam_provision_api_pb2_grpc.ProvisionServiceServicer):
            def GetProvisionInfo(self, request, context):
                runner._check(context, "GetProvisionInfo")
                info = beam_provision_api_pb2.ProvisionInfo()
                info.pipeline_options.update(runner.pipeline_options)
                info.control_endpoint.url = runner.url
                info.logging_endpoint.url = runner.url
                return beam_provision_api_pb2.GetProvisionInfoResponse(info=info)

        class Control(beam_fn_api_pb2_grpc.BeamFnControlServicer):
            def Control(self, request_iterator, context):
                runner._check(context, "Control")
                runner.control_metadata = dict(context.invocation_metadata())
                threading.Thread(target=runner._read_responses, args=(request_iterator,), daemon=True).start()
                runner.control_connected.set()
                while True:
                    item = runner._next(runner._control_queue, context)
                    if item is _END:
                        return
                    yield item

            def GetProcessBundleDescriptor(self, request, context):
                runner._check(context, "GetProcessBundleDescriptor")
                descriptor_id = request.process_bundle_descriptor_id
                with runner._lock:
                    runner.descriptor_fetches[descriptor_id] = runner.descriptor_fetches.get(descriptor_id, 0) + 1
                if descriptor_id not in runner.descriptors:
                    context.abort(grpc.StatusCode.NOT_FOUND, "no descriptor %s" % descriptor_id)
                return runner.descriptors[descriptor_id]

        class Data(beam_fn_api_pb2_grpc.BeamFnDataServicer):
            def Data(self, request_iterator, context):
                runner._check(context, "Data")
                threading.Thread(target=runner._read_outputs, args=(request_iterator,), daemon=True).start()
                while True:
                    item = runner._next(runner._data_to_worker, context)
                    if item is _END:
                        return
                    yield item

        class State(beam_fn_api_pb2_grpc.BeamFnStateServicer):
            def State(self, request_iterator, context):
                runner._check(context, "State")
                for request in request_iterator:
                    yield runner._answer_state(request)

        class Logging(beam_fn_api_pb2_grpc.BeamFnLoggingServicer):
            def Logging(self, request_iterator, context):
                runner._check(context, "Logging")
                for entries in request_iterator:
                    with runner._lock:
                        runner.log_entries.extend(entries.log_entries)
                return
                yield  # pragma: no cover - makes this a generator

        beam_provision_api_pb2_grpc.add_ProvisionServiceServicer_to_server(Provision(), self.server)
        beam_fn_api_pb2_grpc.add_BeamFnControlServicer_to_server(Control(), self.server)
        beam_fn_api_pb2_grpc.add_BeamFnDataServicer_to_server(Data(), self.server)
        beam_fn_api_pb2_grpc.add_BeamFnStateServicer_to_server(State(), self.server)
        beam_fn_api_pb2_grpc.add_BeamFnLoggingServicer_to_server(Logging(), self.server)
        self.port = (self.server.add_insecure_port("127.0.0.1:0") if tls is None
                     else self.server.add_secure_port("127.0.0.1:0", tls.server_credentials()))
        self.url = "127.0.0.1:%d" % self.port
        self.server.start()
        self.process: Optional[subprocess.Popen] = None

    # -- auth ----------------------------------------------------------------------------------
    def _check(self, context, method: str) -> None:
        metadata = dict(context.invocation_metadata())
        worker_id = metadata.get("worker_id")
        with self._lock:
            self.calls_by_method[method] = self.calls_by_method.get(method, 0) + 1
        if worker_id is None:
            self.refused.append(method)
            context.abort(grpc.StatusCode.UNAUTHENTICATED, "no worker_id")
        if worker_id != self.worker_id or not hmac.compare_digest(metadata.get("pyfn-worker-secret", ""), self.secret):
            self.refused.append(method)
            context.abort(grpc.StatusCode.PERMISSION_DENIED, "unknown worker_id %s or wrong secret" % worker_id)

    # -- streams -------------------------------------------------------------------------------
    @staticmethod
    def _next(items: "queue.Queue", context):
        """The next item for a stream to the worker; _END once the stream's worker is gone (so that a stopped
        worker's stream takes nothing meant for the next worker)."""
        while True:
            try:
                return items.get(timeout=0.1)
            except queue.Empty:
                if not context.is_active():
                    return _END

    def _read_responses(self, iterator) -> None:
        try:
            for response in iterator:
                self._end_bundle_state(response.instruction_id, commit=not response.error)
                self._response_queue(response.instruction_id).put(response)
        except grpc.RpcError:
            pass

    # -- state ---------------------------------------------------------------------------------
    def fail_state(self, message: Optional[str], kinds=("get", "append", "clear")) -> None:
        """From now on, answer state requests of `kinds` with `message` as their error (None: answer normally)."""
        with self._lock:
            self._state_failure = None if message is None else (message, tuple(kinds))

    def state_value(self, descriptor_id: str, key: bytes, transform_id: str = "udf",
                    user_state_id: str = "accumulators") -> bytes:
        """The committed bag user state of `key` (b"" when none)."""
        with self._lock:
            return self.state.get((descriptor_id, transform_id, user_state_id, b"", key), b"")

    def state_keys(self, descriptor_id: str) -> List[bytes]:
        """The keys with committed state of `descriptor_id`."""
        with self._lock:
            return [key[-1] for key in self.state if key[0] == descriptor_id]

    def _end_bundle_state(self, instruction_id: str, commit: bool) -> None:
        with self._lock:
            bundle = self._bundle_writes.pop(instruction_id, None)
            if bundle is not None and commit:
                self.state.update(bundle[1])

    def _answer_state(self, request):
        response = beam_fn_api_pb2.StateResponse(id=request.id)
        kind = request.WhichOneof("request")
        with self._lock:
            self.state_requests.append(request)
            failure = self._state_failure
            bundle = self._bundle_writes.get(request.instruction_id)
            if failure is not None and kind in failure[1]:
                response.error = failure[0]
            elif bundle is None:
                response.error = "no bundle %r in progress" % request.instruction_id
                self.state_misuse.append("%s %s: %s" % (kind, request.id, response.error))
            elif not request.state_key.HasField("bag_user_state"):
                response.error = "only bag user state is kept"
            elif request.state_key.bag_user_state.user_state_id.startswith(BATCH_PREFIX):
                self._answer_batched(request, response, bundle)
            else:
                bag = request.state_key.bag_user_state
                descriptor_id, writes = bundle
                key = (descriptor_id, bag.transform_id, bag.user_state_id, bag.window, bag.key)
                current = writes.get(key, self.state.get(key, b""))
                if kind == "get":
                    self._answer_piece(request, response, current)
                elif kind == "append":
                    writes[key] = current + request.append.data
                    response.append.SetInParent()
                elif kind == "clear":
                    writes[key] = b""
                    response.clear.SetInParent()
                else:
                    response.error = "a state request without get, append or clear"
        return response

    def _answer_piece(self, request, response, current: bytes) -> None:
        """Answers a get with the piece of `current` its continuation token asks for (all of it by default)."""
        start = int(request.get.continuation_token or b"0")
        end = len(current) if not self.state_piece_size else start + self.state_piece_size
        response.get.data = current[start:end]
        if end < len(current):
            response.get.continuation_token = str(end).encode()

    def _answer_batched(self, request, response, bundle) -> None:
        """A batched request (`pyfn:batch:<id>`): a get of many keys' values, or an append setting many."""
        bag = request.state_key.bag_user_state
        descriptor_id, writes = bundle
        base = (descriptor_id, bag.transform_id, bag.user_state_id[len(BATCH_PREFIX):], bag.window)
        kind = request.WhichOneof("request")
        if kind == "get":
            keys = decode_items(bag.key)
            values = [writes.get(base + (k,), self.state.get(base + (k,), b"")) for k in keys]
            self._answer_piece(request, response, encode_items(values))
        elif kind == "append":
            items = decode_items(request.append.data)
            for index in range(0, len(items), 2):
                writes[base + (items[index],)] = items[index + 1]
            response.append.SetInParent()
        else:
            response.error = "a batched request is a get or an append, not %s" % kind

    def _response_queue(self, instruction_id: str) -> "queue.Queue":
        with self._lock:
            return self._responses.setdefault(instruction_id, queue.Queue())

    def _output_event(self, instruction_id: str) -> threading.Event:
        with self._lock:
            return self._output_done.setdefault(instruction_id, threading.Event())

    def _read_outputs(self, iterator) -> None:
        try:
            for elements in iterator:
                for data in elements.data:
                    assert data.transform_id == "sink", data.transform_id
                    assert len(data.data) <= 4 * 1024 * 1024
                    with self._lock:
                        if data.is_last and data.data:
                            self.data_on_last_piece.append(data.instruction_id)
                        self._outputs.setdefault(data.instruction_id, []).append(data.data)
                        self._output_pieces[data.instruction_id] = self._output_pieces.get(data.instruction_id, 0) + 1
                    if data.is_last:
                        self._output_event(data.instruction_id).set()
        except grpc.RpcError:
            pass

    # -- driving the worker ----------------------------------------------------------------------
    def start_worker(self, extra_args: Optional[List[str]] = None, worker_id: Optional[str] = None,
                     env: Optional[Dict[str, str]] = None) -> subprocess.Popen:
        command = [sys.executable, "-m", "pyfn.worker", "--id=%s" % (worker_id or self.worker_id),
                   "--provision_endpoint=%s" % self.url] + list(extra_args or [])
        full_env = dict(os.environ)
        full_env["PYFN_WORKER_SECRET"] = self.secret
        full_env.update(env or {})
        self.control_connected.clear()
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=full_env)
        return self.process

    def wait_connected(self, timeout: float = 30.0) -> None:
        if not self.control_connected.wait(timeout):
            raise AssertionError("the worker did not open Control; stderr: %s" % self.stderr())

    def stderr(self) -> str:
        if self.process is None or self.process.poll() is None:
            return "(running)"
        return self.process.stderr.read().decode(errors="replace")

    def register(self, descriptor_id: str, urn: str, functions, state_url: str = "") -> str:
        self.descriptors[descriptor_id] = make_descriptor(descriptor_id, urn, functions, self.url, state_url)
        return descriptor_id

    def next_instruction_id(self) -> str:
        with self._lock:
            self._counter += 1
            return "bundle-%d" % self._counter

    def send_bundle(self, descriptor_id: str, data: bytes, embedded: bool = False, piece_size: int = 1 << 20,
                    instruction_id: Optional[str] = None, data_on_last: bool = False) -> str:
        """Sends a bundle's input as data pieces then an empty is_last piece; with `data_on_last`, the old way
        (the last piece carries data and is_last), as older runners did."""
        instruction_id = instruction_id or self.next_instruction_id()
        with self._lock:
            self._bundle_writes[instruction_id] = (descriptor_id, {})
        request = beam_fn_api_pb2.InstructionRequest(instruction_id=instruction_id)
        request.process_bundle.process_bundle_descriptor_id = descriptor_id
        if embedded:
            request.process_bundle.elements.data.add(instruction_id=instruction_id, transform_id="source", data=data,
                                                     is_last=True)
            self._control_queue.put(request)
            return instruction_id
        self._control_queue.put(request)
        pieces = [data[i:i + piece_size] for i in range(0, len(data), piece_size)] or [b""]
        tail = pieces.pop() if data_on_last else b""
        for piece in pieces:
            elements = beam_fn_api_pb2.Elements()
            elements.data.add(instruction_id=instruction_id, transform_id="source", data=piece, is_last=False)
            self._data_to_worker.put(elements)
        last = beam_fn_api_pb2.Elements()
        last.data.add(instruction_id=instruction_id, transform_id="source", data=tail, is_last=True)
        self._data_to_worker.put(last)
        return instruction_id

    def result(self, instruction_id: str, embedded: bool = False, timeout: float = 60.0) -> BundleResult:
        try:
            response = self._response_queue(instruction_id).get(timeout=timeout)
        except queue.Empty:
            raise AssertionError("no response for %s; worker stderr: %s" % (instruction_id, self.stderr()))
        if embedded:
            pieces = response.process_bundle.elements.data
            assert not [d for d in pieces if d.is_last and d.data], "data on an embedded is_last piece"
            data = b"".join(d.data for d in pieces)
            return BundleResult(response, data, len(response.process_bundle.elements.data))
        ended = self._output_event(instruction_id).wait(2.0 if response.error else timeout)
        if not ended and not response.error:
            raise AssertionError("the output of %s never ended (no is_last)" % instruction_id)
        with self._lock:
            assert instruction_id not in self.data_on_last_piece, "data on the is_last piece of %s" % instruction_id
            data = b"".join(self._outputs.get(instruction_id, []))
            pieces = self._output_pieces.get(instruction_id, 0)
        return BundleResult(response, data, pieces)

    def output_pieces(self, instruction_id: str) -> List[bytes]:
        """The `data` of every output piece received for an instruction over Data, in order."""
        with self._lock:
            return list(self._outputs.get(instruction_id, []))

    def run(self, descriptor_id: str, data: bytes, embedded: bool = False, **kwargs) -> BundleResult:
        return self.result(self.send_bundle(descriptor_id, data, embedded, **kwargs), embedded)

    def send_instruction(self, request) -> object:
        self._control_queue.put(request)
        return self._response_queue(request.instruction_id).get(timeout=30)

    def logs(self) -> List[object]:
        with self._lock:
            return list(self.log_entries)

    def wait_for_log(self, predicate, timeout: float = 15.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for entry in self.logs():
                if predicate(entry):
                    return entry
            time.sleep(0.05)
        return None

    def end_control(self) -> None:
        self._control_queue.put(_END)

    def stop(self) -> None:
        self._control_queue.put(_END)
        self._data_to_worker.put(_END)
        if self.process is not None and self.process.poll() is None:
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.server.stop(grace=None)
