"""How this process's gRPC traffic is secured: the one place that makes channels to the runner and the pool's
server credentials, so no call site chooses plaintext or TLS, or forgets the worker's secret.

A harness learns its settings from its environment (set by the runner's process environment or by the pool that
started it), never from its command line, which every user of the host can read:

- `PYFN_WORKER_SECRET` (or `PYFN_WORKER_SECRET_FILE`, a file only the worker can read): the secret sent as the
  `pyfn-worker-secret` header on every call, next to `worker_id`. Removed from the environment once read, so
  the functions' subprocesses do not inherit it.
- `PYFN_FN_API_TLS=1`: the runner speaks TLS; `PYFN_TLS_CA` is the CA file that vouches for it (the system's
  roots when unset); `PYFN_TLS_CERT` and `PYFN_TLS_KEY` are the client certificate offered for mutual TLS.
"""

from __future__ import annotations

import hmac
import os
from dataclasses import dataclass
from typing import Mapping, MutableMapping, Optional, Sequence, Tuple

import grpc

#: The header that carries a worker's secret.
SECRET_HEADER = "pyfn-worker-secret"
#: The header that carries a worker's id (Beam's).
WORKER_ID_HEADER = "worker_id"
#: The header that carries the pool token on StartWorker/StopWorker.
POOL_TOKEN_HEADER = "pyfn-pool-token"

SECRET_VARIABLE = "PYFN_WORKER_SECRET"
SECRET_FILE_VARIABLE = "PYFN_WORKER_SECRET_FILE"
TLS_VARIABLE = "PYFN_FN_API_TLS"
CA_VARIABLE = "PYFN_TLS_CA"
CERT_VARIABLE = "PYFN_TLS_CERT"
KEY_VARIABLE = "PYFN_TLS_KEY"

CHANNEL_OPTIONS = [
    ("grpc.max_receive_message_length", -1),
    ("grpc.max_send_message_length", -1),
    ("grpc.enable_http_proxy", 0),
]


def _read(path: Optional[str]) -> Optional[bytes]:
    if not path:
        return None
    with open(path, "rb") as file:
        return file.read()


@dataclass(frozen=True)
class TLSFiles:
    """PEM files: the CA that vouches for the peer, and this side's certificate and key (optional for a client)."""

    ca: Optional[str] = None
    cert: Optional[str] = None
    key: Optional[str] = None

    def channel_credentials(self) -> grpc.ChannelCredentials:
        """Credentials of a TLS client that checks the server against `ca` and offers `cert` when given."""
        return grpc.ssl_channel_credentials(root_certificates=_read(self.ca), private_key=_read(self.key),
                                            certificate_chain=_read(self.cert))

    def server_credentials(self) -> grpc.ServerCredentials:
        """Credentials of a TLS server with `cert` and `key`; with `ca`, clients must present a certificate it
        signed (mutual TLS)."""
        if not self.cert or not self.key:
            raise ValueError("a TLS server needs a certificate and a key")
        return grpc.ssl_server_credentials([(_read(self.key), _read(self.cert))], root_certificates=_read(self.ca),
                                           require_client_auth=self.ca is not None)


@dataclass(frozen=True)
class TransportSettings:
    """A harness's transport: its id and secret for the runner, and TLS (None: plaintext)."""

    worker_id: str
    secret: str = ""
    tls: Optional[TLSFiles] = None

    @classmethod
    def from_environment(cls, worker_id: str, environ: Optional[MutableMapping[str, str]] = None) -> "TransportSettings":
        """The settings in `environ` (os.environ by default); the secret variables are removed from it."""
        environ = os.environ if environ is None else environ
        secret = environ.pop(SECRET_VARIABLE, "")
        secret_file = environ.pop(SECRET_FILE_VARIABLE, "")
        if not secret and secret_file:
            secret = (_read(secret_file) or b"").decode("utf-8").strip()
        tls = None
        if environ.get(TLS_VARIABLE, "") in ("1", "true"):
            tls = TLSFiles(ca=environ.get(CA_VARIABLE) or None, cert=environ.get(CERT_VARIABLE) or None,
                           key=environ.get(KEY_VARIABLE) or None)
        return cls(worker_id=worker_id, secret=secret, tls=tls)

    @property
    def metadata(self) -> Tuple[Tuple[str, str], ...]:
        """The headers every call to the runner carries."""
        headers = ((WORKER_ID_HEADER, self.worker_id),)
        if self.secret:
            headers += ((SECRET_HEADER, self.secret),)
        return headers

    def channel(self, target: str) -> grpc.Channel:
        """A blocking channel to `target` (host:port), TLS or plaintext as configured (no headers added)."""
        if self.tls is None:
            return grpc.insecure_channel(target, options=CHANNEL_OPTIONS)
        return grpc.secure_channel(target, self.tls.channel_credentials(), options=CHANNEL_OPTIONS)

    def aio_channel(self, target: str) -> "grpc.aio.Channel":
        """A grpc.aio channel to `target`, TLS or plaintext as configured (no headers added)."""
        if self.tls is None:
            return grpc.aio.insecure_channel(target, options=CHANNEL_OPTIONS)
        return grpc.aio.secure_channel(target, self.tls.channel_credentials(), options=CHANNEL_OPTIONS)


def token_matches(expected: str, metadata: Sequence[Tuple[str, str]]) -> bool:
    """Whether `metadata` carries `expected` as its pool token, compared in constant time."""
    given = dict(metadata or ()).get(POOL_TOKEN_HEADER, "")
    return bool(expected) and hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def tls_environment(tls: Optional[TLSFiles]) -> Mapping[str, str]:
    """The environment variables that give a harness `tls` as its TLS to the runner (empty for plaintext)."""
    if tls is None:
        return {}
    environment = {TLS_VARIABLE: "1"}
    for variable, value in ((CA_VARIABLE, tls.ca), (CERT_VARIABLE, tls.cert), (KEY_VARIABLE, tls.key)):
        if value:
            environment[variable] = value
    return environment
