"""Calls the runner's services as a stranger would: `probe_fn_api.py ENDPOINT WORKER_ID SECRET DESCRIPTOR_ID`
(an empty WORKER_ID sends no worker_id header, an empty SECRET no secret header), over TLS when PYFN_FN_API_TLS
says so (pyfn.worker.transport). Each call prints one line: `<call> OK` or `<call> <gRPC status> <details>`.
The Logging call writes an ERROR record 'IMPOSTOR WROTE THIS'; the Data call opens a stream, sends a piece for a
bundle and drops the stream."""
import sys

import grpc

from pyfn.proto.beam import beam_fn_api_pb2 as fn, beam_fn_api_pb2_grpc as fn_grpc
from pyfn.proto.beam import beam_provision_api_pb2 as prov, beam_provision_api_pb2_grpc as prov_grpc
from pyfn.worker.transport import TransportSettings

endpoint, worker_id, secret, descriptor_id = sys.argv[1:5]
settings = TransportSettings.from_environment(worker_id)
metadata = []
if worker_id:
    metadata.append(("worker_id", worker_id))
if secret:
    metadata.append(("pyfn-worker-secret", secret))


def log_entries():
    entry = fn.LogEntry(severity=fn.LogEntry.Severity.ERROR, message="IMPOSTOR WROTE THIS", log_location="udf")
    yield fn.LogEntry.List(log_entries=[entry])


def data_pieces():
    yield fn.Elements(data=[fn.Elements.Data(instruction_id="bundle-1", transform_id="sink", data=b"junk",
                                             is_last=True)])


with settings.channel(endpoint) as channel:
    provision = prov_grpc.ProvisionServiceStub(channel)
    control = fn_grpc.BeamFnControlStub(channel)
    calls = {
        "provision": lambda: provision.GetProvisionInfo(prov.GetProvisionInfoRequest(), metadata=metadata, timeout=5),
        "descriptor": lambda: control.GetProcessBundleDescriptor(
            fn.GetProcessBundleDescriptorRequest(process_bundle_descriptor_id=descriptor_id), metadata=metadata,
            timeout=5),
        "logging": lambda: list(fn_grpc.BeamFnLoggingStub(channel).Logging(log_entries(), metadata=metadata, timeout=5)),
        "data": lambda: list(fn_grpc.BeamFnDataStub(channel).Data(data_pieces(), metadata=metadata, timeout=2)),
    }
    for name, call in calls.items():
        try:
            call()
            print(name, "OK", flush=True)
        except grpc.RpcError as error:
            print(name, error.code().name, error.details(), flush=True)
