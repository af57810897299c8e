"""gRPC channels to the runner that add the `worker_id` metadata header to every call."""

from __future__ import annotations

import collections
from typing import Dict

import grpc

CHANNEL_OPTIONS = [
    ("grpc.max_receive_message_length", -1),
    ("grpc.max_send_message_length", -1),
    ("grpc.enable_http_proxy", 0),
]


class _CallDetails(collections.namedtuple("_CallDetails",
                                          ("method", "timeout", "metadata", "credentials", "wait_for_ready",
                                           "compression")), grpc.ClientCallDetails):
    pass


class WorkerIdInterceptor(grpc.UnaryUnaryClientInterceptor, grpc.UnaryStreamClientInterceptor,
                          grpc.StreamUnaryClientInterceptor, grpc.StreamStreamClientInterceptor):
    """Adds `worker_id: <id>` to the metadata of every call."""

    def __init__(self, worker_id: str):
        self._worker_id = worker_id

    def _details(self, details):
        metadata = list(details.metadata or [])
        metadata.append(("worker_id", self._worker_id))
        return _CallDetails(details.method, details.timeout, metadata, details.credentials,
                            getattr(details, "wait_for_ready", None), getattr(details, "compression", None))

    def intercept_unary_unary(self, continuation, client_call_details, request):
        return continuation(self._details(client_call_details), request)

    def intercept_unary_stream(self, continuation, client_call_details, request):
        return continuation(self._details(client_call_details), request)

    def intercept_stream_unary(self, continuation, client_call_details, request_iterator):
        return continuation(self._details(client_call_details), request_iterator)

    def intercept_stream_stream(self, continuation, client_call_details, request_iterator):
        return continuation(self._details(client_call_details), request_iterator)


def normalize_target(url: str) -> str:
    """A gRPC target from a url such as `localhost:1234`, `http://h:p` or `h:p`."""
    for prefix in ("http://", "grpc://"):
        if url.startswith(prefix):
            return url[len(prefix):]
    return url


class ChannelFactory:
    """One channel per endpoint, all carrying the worker id."""

    def __init__(self, worker_id: str):
        self.worker_id = worker_id
        self._channels: Dict[str, grpc.Channel] = {}

    def channel(self, url: str) -> grpc.Channel:
        target = normalize_target(url)
        channel = self._channels.get(target)
        if channel is None:
            raw = grpc.insecure_channel(target, options=CHANNEL_OPTIONS)
            channel = grpc.intercept_channel(raw, WorkerIdInterceptor(self.worker_id))
            self._channels[target] = channel
        return channel

    def close(self) -> None:
        for channel in self._channels.values():
            try:
                channel.close()
            except Exception:  # noqa: BLE001 - closing on the way out
                pass
        self._channels.clear()
