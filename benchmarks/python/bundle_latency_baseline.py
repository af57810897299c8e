"""The bundle_latency benchmark's round trip done by Python on both ends, with grpcio's ordinary blocking API:
a runner process streams ProcessBundleRequests over Beam's Control service, each carrying a one-row Arrow IPC
stream of two BIGINT columns; a worker process decodes it with pyarrow, calls `add`, encodes the result and
answers with it embedded in the ProcessBundleResponse; the runner decodes the answer and checks it before it sends
the next. Prints `p50_ms X` and `p99_ms Y` over the same 2,000 bundles after 200 of warm-up.

`bundle_latency_baseline.py N` runs the runner (it starts the worker); `--worker PORT` is the worker.
"""
import os
import queue
import subprocess
import sys
import threading
import time
from concurrent import futures

import grpc
import pyarrow as pa

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "worker"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_udfs import add  # noqa: E402
from pyfn.proto.beam import beam_fn_api_pb2, beam_fn_api_pb2_grpc  # noqa: E402

WARM_UP = 200


def ipc(columns, names) -> bytes:
    batch = pa.record_batch(columns, names=names)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, batch.schema) as writer:
        writer.write_batch(batch)
    return sink.getvalue().to_pybytes()


def read(data: bytes) -> pa.RecordBatch:
    return pa.ipc.open_stream(pa.py_buffer(data)).read_next_batch()


class Runner(beam_fn_api_pb2_grpc.BeamFnControlServicer):
    def __init__(self, bundles: int):
        self.bundles = bundles
        self.latencies = []
        self.done = threading.Event()

    def Control(self, request_iterator, context):
        for i in range(self.bundles):
            started = time.perf_counter()
            request = beam_fn_api_pb2.InstructionRequest(instruction_id="bundle-%d" % i)
            piece = request.process_bundle.elements.data.add(instruction_id=request.instruction_id,
                                                            transform_id="source", is_last=True)
            piece.data = ipc([pa.array([i], pa.int64()), pa.array([1], pa.int64())], ["a", "b"])
            yield request
            response = next(request_iterator)
            result = read(response.process_bundle.elements.data[0].data).column(0)[0].as_py()
            if result != i + 1:
                raise RuntimeError("bundle %d: expected %d, got %r" % (i, i + 1, result))
            if i >= WARM_UP:
                self.latencies.append(time.perf_counter() - started)
        self.done.set()


def run_worker(port: int) -> None:
    channel = grpc.insecure_channel("127.0.0.1:%d" % port)
    answers = queue.Queue()
    fn = getattr(add, "func", add)
    for request in beam_fn_api_pb2_grpc.BeamFnControlStub(channel).Control(iter(answers.get, None)):
        batch = read(request.process_bundle.elements.data[0].data)
        results = list(map(fn, batch.column(0).to_pylist(), batch.column(1).to_pylist()))
        response = beam_fn_api_pb2.InstructionResponse(instruction_id=request.instruction_id)
        response.process_bundle.elements.data.add(instruction_id=request.instruction_id, transform_id="sink",
                                                  is_last=True,
                                                  data=ipc([pa.array(results, pa.int64())], ["f0"]))
        answers.put(response)


def main() -> None:
    if sys.argv[1] == "--worker":
        run_worker(int(sys.argv[2]))
        return
    runner = Runner(int(sys.argv[1]) + WARM_UP)
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    beam_fn_api_pb2_grpc.add_BeamFnControlServicer_to_server(runner, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    worker = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--worker", str(port)])
    try:
        if not runner.done.wait(300):
            raise RuntimeError("the baseline's worker did not finish")
    finally:
        worker.kill()
        worker.wait()
        server.stop(0)
    latencies = sorted(runner.latencies)
    print("p50_ms %.3f" % (latencies[len(latencies) // 2] * 1000))
    print("p99_ms %.3f" % (latencies[len(latencies) * 99 // 100] * 1000))


if __name__ == "__main__":
    main()
