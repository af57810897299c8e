"""gRPC channels to the runner, made from the harness's transport settings (pyfn.worker.transport): TLS when
configured, and the `worker_id` and `pyfn-worker-secret` headers on every call."""

from __future__ import annotations

import collections
from typing import Dict, Optional

import grpc

from pyfn.worker.transport import CHANNEL_OPTIONS, TransportSettings  # noqa: F401 - CHANNEL_OPTIONS re-exported


class _CallDetails(collections.namedtuple("_CallDetails",
                                          ("method", "timeout", "metadata", "credentials", "wait_for_ready",
                                           "compression")), grpc.ClientCallDetails):
    pass


class WorkerIdInterceptor(grpc.UnaryUnaryClientInterceptor, grpc.UnaryStreamClientInterceptor,
                          grpc.StreamUnaryClientInterceptor, grpc.StreamStreamClientInterceptor):
    """Adds the worker's headers (`worker_id`, and its secret when it has one) to the metadata of every call."""

    def __init__(self, headers):
        self._headers = tuple(headers)

    def _details(self, details):
        metadata = list(details.metadata or [])
        metadata.extend(self._headers)
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
    for prefix in ("http://", "https://", "grpc://"):
        if url.startswith(prefix):
            return url[len(prefix):]
    return url


class ChannelFactory:
    """One channel per endpoint, all carrying the worker's headers, secured as `settings` say."""

    def __init__(self, worker_id: str, settings: Optional[TransportSettings] = None):
        self.settings = settings if settings is not None else TransportSettings(worker_id=worker_id)
        self.worker_id = worker_id
        self._channels: Dict[str, grpc.Channel] = {}

    @property
    def metadata(self):
        """The headers every call carries (for grpc.aio calls, which take them per call)."""
        return self.settings.metadata

    def channel(self, url: str) -> grpc.Channel:
        """The blocking channel to `url`, made once."""
        target = normalize_target(url)
        channel = self._channels.get(target)
        if channel is None:
            channel = grpc.intercept_channel(self.settings.channel(target), WorkerIdInterceptor(self.metadata))
            self._channels[target] = channel
        return channel

    def aio_channel(self, url: str):
        """A new grpc.aio channel to `url` (the caller closes it); calls on it must pass ``metadata``."""
        return self.settings.aio_channel(normalize_target(url))

    def close(self) -> None:
        """Closes every channel made so far."""
        for channel in self._channels.values():
            try:
                channel.close()
            except Exception:  # noqa: BLE001 - closing on the way out
                pass
        self._channels.clear()
