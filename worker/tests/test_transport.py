"""The harness's transport (pyfn.worker.transport): every channel, the grpc.aio Control channel included, carries
the worker's secret and speaks TLS when told to, from settings in the environment."""

import grpc
import pyarrow as pa
import pytest

from descriptors import call_message as call, functions
from fake_runner import SCALAR_URN, FakeRunner, ipc_bytes, read_ipc, stop_process
from pyfn import DataTypes, udf
from pyfn.proto.beam import beam_provision_api_pb2, beam_provision_api_pb2_grpc
from pyfn.worker.channels import ChannelFactory
from pyfn.worker.transport import TLSFiles, TransportSettings
from security_fixtures import make_certs


def test_settings_come_from_the_environment_and_the_secret_leaves_it(tmp_path):
    secret_file = tmp_path / "secret"
    secret_file.write_text("s3cret\n")
    environ = {"PYFN_WORKER_SECRET_FILE": str(secret_file), "PYFN_FN_API_TLS": "1", "PYFN_TLS_CA": "/ca.pem"}
    settings = TransportSettings.from_environment("w1", environ)
    assert settings.metadata == (("worker_id", "w1"), ("pyfn-worker-secret", "s3cret"))
    assert settings.tls == TLSFiles(ca="/ca.pem")
    assert "PYFN_WORKER_SECRET_FILE" not in environ
    plain = TransportSettings.from_environment("w2", {"PYFN_WORKER_SECRET": "x"})
    assert plain.tls is None and plain.metadata[1] == ("pyfn-worker-secret", "x")


def run_add_one(runner: FakeRunner):
    add_one = udf(lambda x: x + 1, result_type=DataTypes.BIGINT())
    runner.register("add-one", SCALAR_URN, functions(call(add_one, 0, by_value=True)))
    batch = pa.RecordBatch.from_arrays([pa.array(list(range(3000)), pa.int64())], names=["x"])
    return runner.run("add-one", ipc_bytes([batch]))


def test_a_worker_without_its_secret_is_refused_everything():
    runner = FakeRunner(worker_id="w-secret")
    process = runner.start_worker(env={"PYFN_WORKER_SECRET": "not-the-secret"})
    try:
        assert process.wait(90) != 0
        assert not runner.control_connected.is_set()
        assert "GetProvisionInfo" in runner.refused
    finally:
        runner.stop()
        stop_process(process)


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    return make_certs(str(tmp_path_factory.mktemp("certs")), "runner", "worker")


@pytest.mark.parametrize("mutual", [False, True])
def test_the_harness_speaks_tls_on_every_channel(certs, mutual):
    server = certs["runner"] if mutual else TLSFiles(cert=certs["runner"].cert, key=certs["runner"].key)
    runner = FakeRunner(worker_id="w-tls", tls=server)
    env = {"PYFN_FN_API_TLS": "1", "PYFN_TLS_CA": certs["worker"].ca}
    if mutual:
        env.update({"PYFN_TLS_CERT": certs["worker"].cert, "PYFN_TLS_KEY": certs["worker"].key})
    process = runner.start_worker(env=env)
    try:
        runner.wait_connected()
        result = run_add_one(runner)  # Provision, Logging, Control (grpc.aio), descriptor fetch and Data
        assert result.error == ""
        assert read_ipc(result.output).column(0).to_pylist() == list(range(1, 3001))
    finally:
        runner.stop()
        stop_process(process)


def provision_call(runner: FakeRunner, settings: TransportSettings):
    """GetProvisionInfo over the harness's own channel with `settings`, failing fast rather than waiting."""
    factory = ChannelFactory(runner.worker_id, settings)
    try:
        stub = beam_provision_api_pb2_grpc.ProvisionServiceStub(factory.channel(runner.url))
        return stub.GetProvisionInfo(beam_provision_api_pb2.GetProvisionInfoRequest(), timeout=10)
    finally:
        factory.close()


def test_a_plaintext_harness_cannot_reach_a_tls_runner(certs):
    runner = FakeRunner(worker_id="w-plain", tls=TLSFiles(cert=certs["runner"].cert, key=certs["runner"].key))
    try:
        with pytest.raises(grpc.RpcError) as failed:
            provision_call(runner, TransportSettings(worker_id=runner.worker_id, secret=runner.secret))
        assert failed.value.code() == grpc.StatusCode.UNAVAILABLE
        tls = TransportSettings(worker_id=runner.worker_id, secret=runner.secret, tls=TLSFiles(ca=certs["worker"].ca))
        assert provision_call(runner, tls).info.control_endpoint.url == runner.url
    finally:
        runner.stop()


def test_a_harness_without_a_certificate_cannot_reach_a_mutual_tls_runner(certs):
    runner = FakeRunner(worker_id="w-nocert", tls=certs["runner"])
    try:
        without = TransportSettings(worker_id=runner.worker_id, secret=runner.secret, tls=TLSFiles(ca=certs["worker"].ca))
        with pytest.raises(grpc.RpcError) as failed:
            provision_call(runner, without)
        assert failed.value.code() == grpc.StatusCode.UNAVAILABLE
        assert provision_call(runner, TransportSettings(worker_id=runner.worker_id, secret=runner.secret,
                                                        tls=certs["worker"])).info.control_endpoint.url == runner.url
    finally:
        runner.stop()
