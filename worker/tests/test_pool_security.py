"""The worker pool refuses strangers: StartWorker/StopWorker need the pool's token, the pool will not run without
one, listens on loopback unless told, warns when told to listen widely without TLS, and serves TLS / mutual TLS.
The attacker's "payload" is a real StartWorker whose harness would dial the attacker's runner and run a function
that writes a marker file."""

import os
import stat

import grpc
import pyarrow as pa
import pytest

from descriptors import call_message as call, functions
from fake_runner import SCALAR_URN, FakeRunner, ipc_bytes
from pyfn.proto.beam import beam_fn_api_pb2, beam_fn_api_pb2_grpc
from pyfn.worker.pool import load_token
from pyfn.worker.transport import POOL_TOKEN_HEADER
from security_fixtures import PoolProcess, make_certs, marker_function, wait_for


def start_worker(channel, runner: FakeRunner, token=None):
    """Calls StartWorker as a runner would, asking for a harness that dials `runner`; returns the answer's error."""
    request = beam_fn_api_pb2.StartWorkerRequest(worker_id=runner.worker_id)
    request.provision_endpoint.url = runner.url
    request.params["pyfn.worker-secret"] = runner.secret
    metadata = [(POOL_TOKEN_HEADER, token)] if token is not None else None
    return beam_fn_api_pb2_grpc.BeamFnExternalWorkerPoolStub(channel).StartWorker(request, metadata=metadata,
                                                                                  timeout=10).error


def run_payload(runner: FakeRunner, marker: str) -> None:
    """Has the connected harness run the marker function (pickled by value, as an attacker would send it)."""
    runner.register("payload", SCALAR_URN, functions(call(marker_function(marker), 0, by_value=True)))
    runner.run("payload", ipc_bytes([pa.RecordBatch.from_arrays([pa.array([1], pa.int64())], names=["x"])]))


@pytest.fixture()
def pool():
    process = PoolProcess([])
    yield process
    process.stop()


@pytest.mark.parametrize("token", [None, "", "wrong-token", "pool-token-for-tests-but-longer"])
def test_start_worker_without_the_token_runs_nothing(pool, tmp_path, token):
    attacker = FakeRunner(worker_id="attacker-1")
    marker = str(tmp_path / "marker")
    try:
        with grpc.insecure_channel(pool.address) as channel:
            with pytest.raises(grpc.RpcError) as refused:
                start_worker(channel, attacker, token)
        assert refused.value.code() == grpc.StatusCode.UNAUTHENTICATED
        assert "needs this pool's token" in refused.value.details()
        assert not attacker.control_connected.wait(3.0), "a harness dialled the attacker's runner"
        assert not os.path.exists(marker)
    finally:
        attacker.stop()


def test_start_worker_with_the_token_runs_the_job(pool, tmp_path):
    # The same call with the token: the harness dials in and runs the function, so the refusals above are real.
    runner = FakeRunner(worker_id="runner-1")
    marker = str(tmp_path / "marker")
    try:
        with grpc.insecure_channel(pool.address) as channel:
            assert start_worker(channel, runner, pool.token) == ""
            runner.wait_connected()
            run_payload(runner, marker)
            assert os.path.exists(marker)
            stop = beam_fn_api_pb2.StopWorkerRequest(worker_id=runner.worker_id)
            with pytest.raises(grpc.RpcError) as refused:
                beam_fn_api_pb2_grpc.BeamFnExternalWorkerPoolStub(channel).StopWorker(stop, timeout=10)
            assert refused.value.code() == grpc.StatusCode.UNAUTHENTICATED
            assert beam_fn_api_pb2_grpc.BeamFnExternalWorkerPoolStub(channel).StopWorker(
                stop, metadata=[(POOL_TOKEN_HEADER, pool.token)], timeout=10).error == ""
    finally:
        runner.stop()


def test_the_harness_gets_its_secret_in_its_environment_not_on_its_command_line(pool):
    runner = FakeRunner(worker_id="runner-2")
    try:
        with grpc.insecure_channel(pool.address) as channel:
            assert start_worker(channel, runner, pool.token) == ""
            runner.wait_connected()  # the fake runner refuses calls without the right secret
        command_lines = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open("/proc/%s/cmdline" % entry, "rb") as file:
                        command_lines.append(file.read().decode(errors="replace"))
                except OSError:
                    pass
        assert any("--id=runner-2" in line for line in command_lines)
        assert not any(runner.secret in line for line in command_lines)
        assert not any(pool.token in line for line in command_lines)
    finally:
        runner.stop()


def test_a_pool_without_a_token_does_not_start():
    pool = PoolProcess([], token=None)
    try:
        assert pool.address is None
        assert pool.process.wait(10) == 2
        assert "needs a token" in pool.stderr()
    finally:
        pool.stop()


def test_a_missing_token_file_is_made_with_a_random_token_only_its_owner_reads(tmp_path):
    path = str(tmp_path / "pool.token")
    token = load_token(path, environ={})
    assert len(token) == 64 and int(token, 16) >= 0
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert load_token(path, environ={}) == token


def test_the_pool_listens_on_loopback_unless_told():
    pool = PoolProcess([])
    try:
        assert pool.address.startswith("127.0.0.1:")
    finally:
        pool.stop()


def test_listening_widely_without_tls_is_warned_about():
    pool = PoolProcess(["--host", "0.0.0.0"])
    try:
        assert pool.address.startswith("0.0.0.0:")
    finally:
        pool.stop()
    assert "WITHOUT TLS" in pool.stderr()


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    return make_certs(str(tmp_path_factory.mktemp("certs")), "pool", "runner")


def test_a_plaintext_client_cannot_talk_to_a_tls_pool(certs):
    pool = PoolProcess(["--tls-cert", certs["pool"].cert, "--tls-key", certs["pool"].key])
    runner = FakeRunner(worker_id="runner-3")
    try:
        with grpc.insecure_channel(pool.address) as channel:
            with pytest.raises(grpc.RpcError) as failed:
                start_worker(channel, runner, pool.token)
        assert failed.value.code() == grpc.StatusCode.UNAVAILABLE
        with grpc.secure_channel(pool.address, certs["runner"].channel_credentials()) as channel:
            assert start_worker(channel, runner, pool.token) == ""
            runner.wait_connected()
    finally:
        runner.stop()
        pool.stop()


def test_a_client_without_a_certificate_cannot_talk_to_a_mutual_tls_pool(certs):
    pool = PoolProcess(["--tls-cert", certs["pool"].cert, "--tls-key", certs["pool"].key,
                        "--tls-client-ca", certs["pool"].ca])
    runner = FakeRunner(worker_id="runner-4")
    try:
        without = grpc.ssl_channel_credentials(root_certificates=open(certs["runner"].ca, "rb").read())
        with grpc.secure_channel(pool.address, without) as channel:
            with pytest.raises(grpc.RpcError) as failed:
                start_worker(channel, runner, pool.token)
        assert failed.value.code() == grpc.StatusCode.UNAVAILABLE
        assert not runner.control_connected.wait(1.0)
        with grpc.secure_channel(pool.address, certs["runner"].channel_credentials()) as channel:
            assert start_worker(channel, runner, pool.token) == ""
            runner.wait_connected()
    finally:
        runner.stop()
        pool.stop()
