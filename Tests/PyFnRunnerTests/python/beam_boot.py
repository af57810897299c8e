"""Boots an unmodified Apache Beam Python SDK harness as a PyFn worker, as Beam's container boot program does.

Run by a `python.executable` wrapper with the runner's boot flags (`--id=W --provision_endpoint=H:P ...`) and
an interpreter that has apache-beam installed: it asks the runner's Provision service for the job's options and
endpoints (with the `worker_id` header, as every call must carry), then execs
`python -m apache_beam.runners.worker.sdk_worker_main` with the environment that program reads: WORKER_ID,
CONTROL_API_SERVICE_DESCRIPTOR and LOGGING_API_SERVICE_DESCRIPTOR (text-format ApiServiceDescriptors),
PIPELINE_OPTIONS (JSON), SEMI_PERSISTENT_DIRECTORY and RUNNER_CAPABILITIES.
"""

import argparse
import json
import os
import sys
import tempfile

import grpc
from google.protobuf import json_format, text_format

from apache_beam.portability.api import beam_provision_api_pb2, beam_provision_api_pb2_grpc, endpoints_pb2


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--id", required=True)
    parser.add_argument("--provision_endpoint", required=True)
    parser.add_argument("--control_endpoint", default="")
    parser.add_argument("--logging_endpoint", default="")
    parser.add_argument("--semi_persist_dir", default="")
    args, _ = parser.parse_known_args()
    with grpc.insecure_channel(args.provision_endpoint) as channel:
        info = beam_provision_api_pb2_grpc.ProvisionServiceStub(channel).GetProvisionInfo(
            beam_provision_api_pb2.GetProvisionInfoRequest(), metadata=(("worker_id", args.id),), timeout=30).info

    def descriptor(url: str) -> str:
        return text_format.MessageToString(endpoints_pb2.ApiServiceDescriptor(url=url))

    environment = dict(os.environ)
    environment.update({
        "WORKER_ID": args.id,
        "CONTROL_API_SERVICE_DESCRIPTOR": descriptor(info.control_endpoint.url or args.control_endpoint),
        "LOGGING_API_SERVICE_DESCRIPTOR": descriptor(info.logging_endpoint.url or args.logging_endpoint),
        "PIPELINE_OPTIONS": json.dumps({"options": json_format.MessageToDict(info.pipeline_options)}),
        "SEMI_PERSISTENT_DIRECTORY": args.semi_persist_dir or tempfile.mkdtemp(prefix="beam-worker-"),
        "RUNNER_CAPABILITIES": " ".join(info.runner_capabilities),
    })
    os.execve(sys.executable, [sys.executable, "-m", "apache_beam.runners.worker.sdk_worker_main"], environment)


if __name__ == "__main__":
    main()
