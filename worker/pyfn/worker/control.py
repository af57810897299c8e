"""The Control stream: receives instructions, answers them, and ends the harness when it ends. The call declares
the harness's capabilities in a header (docs/wire-contract.md).

The stream runs on grpc.aio, in an event loop on the harness's main thread: an instruction reaches the code that
answers it, and the answer reaches gRPC, without a hand-off between Python threads (the blocking API needs three
per round trip, tens of microseconds each). ProcessBundleRequests are run one at a time, in arrival order (several
may be in flight): on a bundle thread, except that a bundle whose input is embedded in its request (small, by the
contract) runs right in the loop when no other bundle is queued or running, which spares two more hand-offs per
round trip — unless the previous bundle of its descriptor took a while and reports metrics (then its progress is
worth answering while it runs, which the loop can only do when it is not the one running it). A RegisterRequest
goes to the bundle thread too, in order with the bundles: it plans its descriptors and loads and opens their
functions there, and answers when done. Other instructions are answered at once from the loop: progress with the
running bundle's metrics so far, harness monitoring infos with the profiles (`python.profile.enabled`), finalize
with an empty answer.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading

import grpc

from pyfn.proto.beam import beam_fn_api_pb2, beam_fn_api_pb2_grpc
from pyfn.worker.bundle_processor import BundleProcessor
from pyfn.worker.channels import normalize_target

_log = logging.getLogger(__name__)

_STOP = object()

#: The Fn API capabilities this harness declares in the CAPABILITIES_HEADER of its Control call: it reads input
#: embedded in a ProcessBundleRequest (the runner embeds only for a harness that declares it).
CAPABILITIES = ("beam:protocol:control_request_elements_embedding:v1",)
CAPABILITIES_HEADER = "pyfn-capabilities"

#: A descriptor whose last bundle took at least this many seconds runs its bundles on the bundle thread.
SLOW_BUNDLE_SECONDS = 0.25


class ControlClient:
    """Runs the Control stream at `control_url` to the end; `channels` reach the runner's other services."""

    def __init__(self, control_url: str, channels):
        self._target = normalize_target(control_url)
        self._channels = channels
        # Descriptors are fetched with a blocking call, from whichever thread runs the bundle.
        stub = beam_fn_api_pb2_grpc.BeamFnControlStub(channels.channel(control_url))
        self.processor = BundleProcessor(stub, channels, control_url)
        self._bundles: "queue.Queue" = queue.Queue()
        self._bundle_thread = threading.Thread(target=self._run_bundles, name="pyfn-bundles", daemon=True)
        # Bundles handed to the bundle thread and not yet answered; only the loop increases it.
        self._queued = 0
        self._queued_lock = threading.Lock()
        self._loop = None
        self._call = None
        self._write_lock = None
        # Writes of the bundle thread's answers under way (kept so that they are not collected).
        self._writes = set()
        self.ended_with_error = None

    def _run_bundles(self) -> None:
        while True:
            request = self._bundles.get()
            if request is _STOP:
                return
            if request.WhichOneof("request") == "register":
                self._respond_queued(self.processor.register(request.instruction_id, request.register))
                continue
            self.processor.process_bundle(request.instruction_id, request.process_bundle, self._respond_queued)

    def _respond_queued(self, response) -> None:
        """Answers a bundle of the bundle thread (maybe from the Data stream's sending thread, once its output
        is on its way); only then may a later embedded bundle run in the loop."""
        try:
            self._loop.call_soon_threadsafe(self._write_soon, response)
        except RuntimeError:
            pass  # the loop has closed: Control has ended and nobody waits for the answer
        with self._queued_lock:
            self._queued -= 1

    def _dispatch(self, request):
        """The answer to `request` when it is ready at once, else None (the bundle thread will answer)."""
        which = request.WhichOneof("request")
        instruction_id = request.instruction_id
        if which == "process_bundle":
            bundle = request.process_bundle
            with self._queued_lock:
                inline = self._queued == 0 and len(bundle.elements.data) > 0 and not self.processor.runs_long(
                    bundle.process_bundle_descriptor_id, SLOW_BUNDLE_SECONDS)
                if not inline:
                    self._queued += 1
            if inline:
                # Nothing before it is pending and nothing after it is read until it is done: order holds.
                return self.processor.process_bundle(instruction_id, bundle)
            self._bundles.put(request)
            return None
        if which == "register":
            # On the bundle thread, in order with the bundles: loading and opening the functions may take long, and
            # the loop goes on answering meanwhile; a bundle of the descriptor that arrives now waits behind it.
            with self._queued_lock:
                self._queued += 1
            self._bundles.put(request)
            return None
        response = beam_fn_api_pb2.InstructionResponse(instruction_id=instruction_id)
        if which == "process_bundle_progress":
            progress = response.process_bundle_progress
            progress.SetInParent()
            try:
                progress.monitoring_infos.extend(self.processor.progress(request.process_bundle_progress.instruction_id))
            except Exception as error:  # noqa: BLE001 - a progress report is best effort
                _log.warning("progress of bundle %s: %s", request.process_bundle_progress.instruction_id, error)
        elif which == "finalize_bundle":
            response.finalize_bundle.SetInParent()
        elif which == "harness_monitoring_infos":
            infos = response.harness_monitoring_infos
            infos.SetInParent()
            for key, data in self.processor.profiles().items():
                infos.monitoring_data[key] = data
        else:
            response.error = "unsupported instruction %r" % (which or "(empty)")
        return response

    async def _write(self, response) -> None:
        # grpc.aio takes one write at a time.
        async with self._write_lock:
            await self._call.write(response)

    def _write_soon(self, response) -> None:
        write = asyncio.ensure_future(self._write(response))
        self._writes.add(write)
        write.add_done_callback(self._writes.discard)

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._write_lock = asyncio.Lock()
        async with self._channels.aio_channel(self._target) as channel:
            call = self._call = beam_fn_api_pb2_grpc.BeamFnControlStub(channel).Control(
                metadata=self._channels.metadata + ((CAPABILITIES_HEADER, " ".join(CAPABILITIES)),))
            try:
                while True:
                    request = await call.read()
                    if request is grpc.aio.EOF:
                        break
                    answer = self._dispatch(request)
                    if answer is not None:
                        await self._write(answer)
                _log.info("the runner closed the Control stream")
            except grpc.RpcError as error:
                self.ended_with_error = error
                if error.code() != grpc.StatusCode.CANCELLED:
                    _log.warning("the Control stream ended: %s", error.details())
            finally:
                for write in list(self._writes):
                    write.cancel()

    def run(self) -> None:
        """Serves instructions until the runner closes the Control stream or goes away."""
        self._bundle_thread.start()
        try:
            asyncio.run(self._serve())
        finally:
            self._bundles.put(_STOP)

    def wait_for_bundles(self, timeout: float) -> bool:
        """Waits for the bundle in progress to finish; False when it did not within `timeout` seconds."""
        self._bundle_thread.join(timeout)
        return not self._bundle_thread.is_alive()

    def close(self):
        """Closes functions and data channels; returns close() failures."""
        return self.processor.close()
