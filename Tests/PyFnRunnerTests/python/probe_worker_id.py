"""Calls the runner's services as an impostor: without a worker_id header, then with an unknown one.
Prints one line per call: `<call> <grpc status code name>`."""
import sys

import grpc

from pyfn.proto.beam import beam_fn_api_pb2 as fn, beam_fn_api_pb2_grpc as fn_grpc
from pyfn.proto.beam import beam_provision_api_pb2 as prov, beam_provision_api_pb2_grpc as prov_grpc

endpoint = sys.argv[1]
with grpc.insecure_channel(endpoint) as channel:
    provision = prov_grpc.ProvisionServiceStub(channel)
    control = fn_grpc.BeamFnControlStub(channel)
    calls = {
        "provision-no-id": lambda: provision.GetProvisionInfo(prov.GetProvisionInfoRequest(), timeout=5),
        "provision-unknown-id": lambda: provision.GetProvisionInfo(
            prov.GetProvisionInfoRequest(), metadata=[("worker_id", "impostor")], timeout=5),
        "descriptor-unknown-id": lambda: control.GetProcessBundleDescriptor(
            fn.GetProcessBundleDescriptorRequest(process_bundle_descriptor_id="x"),
            metadata=[("worker_id", "impostor")], timeout=5),
    }
    for name, call in calls.items():
        try:
            call()
            print(name, "OK")
        except grpc.RpcError as error:
            print(name, error.code().name, error.details())
