"""A strict, sometimes misbehaving Fn API worker for the runner's data-plane tests, speaking real gRPC.

Started through a `python.executable` wrapper as `fake_peer_worker.py MODE [MARKER_DIR] --id=W
--provision_endpoint=H:P ...`. Like Beam's own harness it reads a bundle's input only from the Data stream: it
fails a bundle whose input came embedded in the ProcessBundleRequest (it declares no capability) or whose Data
pieces carried data on the `is_last` piece (Beam drops such data). It answers a scalar bundle with its input's
first column as `f0`, written as data pieces then an empty `is_last` piece, except that by MODE the output
stream is:
- `strict`: whole;
- `truncate`: missing its end-of-stream marker;
- `trailing`: followed by bytes after its end-of-stream marker;
- `truncate-once`: missing its marker in the first worker that runs (a file in MARKER_DIR remembers), whole after.
It exits when the runner ends the Control stream.
"""

import argparse
import os
import queue
import sys
import threading

import grpc
import pyarrow as pa

from pyfn.proto.beam import (beam_fn_api_pb2 as api, beam_fn_api_pb2_grpc as api_grpc,
                             beam_provision_api_pb2 as provision, beam_provision_api_pb2_grpc as provision_grpc)

END_OF_STREAM = b"\xff\xff\xff\xff\x00\x00\x00\x00"


class Inputs:
    """The Data stream's pieces per instruction, and whether any `is_last` piece carried data."""

    def __init__(self):
        self.lock = threading.Lock()
        self.pieces = {}
        self.done = {}
        self.data_on_last = set()

    def event(self, instruction_id):
        with self.lock:
            return self.done.setdefault(instruction_id, threading.Event())

    def read(self, call):
        try:
            for elements in call:
                for piece in elements.data:
                    with self.lock:
                        self.pieces.setdefault(piece.instruction_id, []).append(piece.data)
                        if piece.is_last and piece.data:
                            self.data_on_last.add(piece.instruction_id)
                    if piece.is_last:
                        self.event(piece.instruction_id).set()
        except grpc.RpcError:
            pass


def output_stream(table: pa.Table, mode: str, marker_dir: str) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    stream = sink.getvalue().to_pybytes()
    assert stream.endswith(END_OF_STREAM)
    if mode == "truncate-once":
        marker = os.path.join(marker_dir, "truncated")
        if os.path.exists(marker):
            return stream
        open(marker, "w").close()
        mode = "truncate"
    if mode == "truncate":
        return stream[:-len(END_OF_STREAM)]
    if mode == "trailing":
        return stream + b"trailing bytes"
    return stream


def answer(request, inputs: Inputs, mode: str, marker_dir: str, send):
    response = api.InstructionResponse(instruction_id=request.instruction_id)
    instruction_id = request.instruction_id
    if request.WhichOneof("request") != "process_bundle":
        return response
    if len(request.process_bundle.elements.data):
        response.error = ("bundle %s: input embedded in the ProcessBundleRequest, but this worker does not declare "
                          "beam:protocol:control_request_elements_embedding:v1" % instruction_id)
        return response
    if not inputs.event(instruction_id).wait(30):
        response.error = "bundle %s: its input never ended (no is_last piece)" % instruction_id
        return response
    if instruction_id in inputs.data_on_last:
        response.error = "bundle %s: a Data piece with is_last = true carried data (Beam drops it)" % instruction_id
        return response
    with inputs.lock:
        data = b"".join(inputs.pieces.pop(instruction_id, []))
    table = pa.ipc.open_stream(pa.py_buffer(data)).read_all()
    stream = output_stream(pa.table({"f0": table.column(0)}), mode, marker_dir)
    send(api.Elements(data=[api.Elements.Data(instruction_id=instruction_id, transform_id="sink", data=stream)]))
    send(api.Elements(data=[api.Elements.Data(instruction_id=instruction_id, transform_id="sink", is_last=True)]))
    response.process_bundle.SetInParent()
    return response


def main() -> None:
    mode = sys.argv[1]
    marker_dir = sys.argv[2] if len(sys.argv) > 2 and not sys.argv[2].startswith("--") else ""
    parser = argparse.ArgumentParser()
    parser.add_argument("--id", required=True)
    parser.add_argument("--provision_endpoint", required=True)
    args, _ = parser.parse_known_args()
    metadata = (("worker_id", args.id),)
    channel = grpc.insecure_channel(args.provision_endpoint)
    info = provision_grpc.ProvisionServiceStub(channel).GetProvisionInfo(
        provision.GetProvisionInfoRequest(), metadata=metadata).info
    assert info.control_endpoint.url == args.provision_endpoint
    outgoing, responses, inputs = queue.Queue(), queue.Queue(), Inputs()
    data_call = api_grpc.BeamFnDataStub(channel).Data(iter(outgoing.get, None), metadata=metadata)
    threading.Thread(target=inputs.read, args=(data_call,), daemon=True).start()
    try:
        for request in api_grpc.BeamFnControlStub(channel).Control(iter(responses.get, None), metadata=metadata):
            responses.put(answer(request, inputs, mode, marker_dir, outgoing.put))
    except grpc.RpcError:
        pass
    os._exit(0)


if __name__ == "__main__":
    main()
