"""The Control stream: receives instructions, answers them, and ends the harness when it ends.

ProcessBundleRequests are run one at a time, in arrival order (several may be in flight): on a bundle thread,
except that a bundle whose input is embedded in its request (small, by the contract) runs right on the reading
thread when no other bundle is queued or running, which spares two thread hand-offs per round trip — unless the
previous bundle of its descriptor took a while and reports metrics (then its progress is worth answering while it
runs, which the reading thread can only do when it is not the one running it). Other instructions are answered
at once from the reading thread: progress with the running bundle's metrics so far, harness monitoring infos
with the profiles (`python.profile.enabled`), finalize with an empty answer.
"""

from __future__ import annotations

import logging
import queue
import threading

import grpc

from pyfn.proto.beam import beam_fn_api_pb2, beam_fn_api_pb2_grpc
from pyfn.worker.bundle_processor import BundleProcessor

_log = logging.getLogger(__name__)

_STOP = object()

#: A descriptor whose last bundle took at least this many seconds runs its bundles on the bundle thread.
SLOW_BUNDLE_SECONDS = 0.25


class ControlClient:
    """Runs the Control stream to the end."""

    def __init__(self, channel: grpc.Channel, channels, default_data_url: str = ""):
        self._stub = beam_fn_api_pb2_grpc.BeamFnControlStub(channel)
        self.processor = BundleProcessor(self._stub, channels, default_data_url)
        self._responses: "queue.Queue" = queue.Queue()
        self._bundles: "queue.Queue" = queue.Queue()
        self._bundle_thread = threading.Thread(target=self._run_bundles, name="pyfn-bundles", daemon=True)
        # Bundles handed to the bundle thread and not yet answered; only the reading thread increases it.
        self._queued = 0
        self._queued_lock = threading.Lock()
        self.ended_with_error = None

    def _outgoing(self):
        while True:
            response = self._responses.get()
            if response is _STOP:
                return
            yield response

    def _respond(self, response) -> None:
        self._responses.put(response)

    def _run_bundles(self) -> None:
        while True:
            request = self._bundles.get()
            if request is _STOP:
                return
            self.processor.process_bundle(request.instruction_id, request.process_bundle, self._respond_queued)

    def _respond_queued(self, response) -> None:
        """Answers a bundle of the bundle thread (maybe from the Data stream's sending thread, once its output
        is on its way); only then may a later embedded bundle run on the reading thread."""
        self._respond(response)
        with self._queued_lock:
            self._queued -= 1

    def _dispatch(self, request) -> None:
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
                self._respond(self.processor.process_bundle(instruction_id, bundle))
            else:
                self._bundles.put(request)
            return
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
        self._respond(response)

    def run(self) -> None:
        """Serves instructions until the runner closes the Control stream or goes away."""
        self._bundle_thread.start()
        call = self._stub.Control(self._outgoing())
        try:
            for request in call:
                self._dispatch(request)
            _log.info("the runner closed the Control stream")
        except grpc.RpcError as error:
            self.ended_with_error = error
            code = error.code() if hasattr(error, "code") else None
            if code != grpc.StatusCode.CANCELLED:
                _log.warning("the Control stream ended: %s", error.details() if hasattr(error, "details") else error)
        finally:
            self._bundles.put(_STOP)
            self._responses.put(_STOP)

    def wait_for_bundles(self, timeout: float) -> bool:
        """Waits for the bundle in progress to finish; False when it did not within `timeout` seconds."""
        self._bundle_thread.join(timeout)
        return not self._bundle_thread.is_alive()

    def close(self):
        """Closes functions and data channels; returns close() failures."""
        return self.processor.close()
