"""Boots an unmodified Apache Beam Python SDK harness as a PyFn worker, as Beam's container boot program does.

Run by a `python.executable` wrapper with the runner's boot flags (`--id=W --provision_endpoint=H:P ...`) and
an interpreter that has apache-beam installed: it asks the runner's Provision service for the job's options and
endpoints, then runs `apache_beam.runners.worker.sdk_worker_main` (as `python -m` would, in this process) with
the environment that program reads: WORKER_ID, CONTROL_API_SERVICE_DESCRIPTOR and LOGGING_API_SERVICE_DESCRIPTOR
(text-format ApiServiceDescriptors), PIPELINE_OPTIONS (JSON), SEMI_PERSISTENT_DIRECTORY and RUNNER_CAPABILITIES.

Every call to the runner must carry the worker's secret (`pyfn-worker-secret`, given in PYFN_WORKER_SECRET) as
well as `worker_id`. Beam's harness sends only `worker_id`, from its WorkerIdInterceptor; this boot program makes
that interceptor send the secret too. Nothing else of the harness changes.
"""

import argparse
import json
import os
import runpy
import tempfile

import grpc
from google.protobuf import json_format, text_format

from apache_beam.portability.api import beam_provision_api_pb2, beam_provision_api_pb2_grpc, endpoints_pb2

SECRET_HEADER = "pyfn-worker-secret"


def send_secret_with_worker_id(secret: str) -> None:
    """Makes Beam's WorkerIdInterceptor add the secret header beside `worker_id` on every call."""
    from apache_beam.runners.worker import worker_id_interceptor

    intercept = worker_id_interceptor.WorkerIdInterceptor._intercept

    def with_secret(self, continuation, client_call_details, request):
        def call(details, request):
            metadata = list(details.metadata or []) + [(SECRET_HEADER, secret)]
            return continuation(details._replace(metadata=metadata), request)
        return intercept(self, call, client_call_details, request)

    worker_id_interceptor.WorkerIdInterceptor._intercept = with_secret


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--id", required=True)
    parser.add_argument("--provision_endpoint", required=True)
    parser.add_argument("--control_endpoint", default="")
    parser.add_argument("--logging_endpoint", default="")
    parser.add_argument("--semi_persist_dir", default="")
    args, _ = parser.parse_known_args()
    secret = os.environ.get("PYFN_WORKER_SECRET", "")
    with grpc.insecure_channel(args.provision_endpoint) as channel:
        info = beam_provision_api_pb2_grpc.ProvisionServiceStub(channel).GetProvisionInfo(
            beam_provision_api_pb2.GetProvisionInfoRequest(),
            metadata=(("worker_id", args.id), (SECRET_HEADER, secret)), timeout=30).info

    def descriptor(url: str) -> str:
        return text_format.MessageToString(endpoints_pb2.ApiServiceDescriptor(url=url))

    os.environ.update({
        "WORKER_ID": args.id,
        "CONTROL_API_SERVICE_DESCRIPTOR": descriptor(info.control_endpoint.url or args.control_endpoint),
        "LOGGING_API_SERVICE_DESCRIPTOR": descriptor(info.logging_endpoint.url or args.logging_endpoint),
        "PIPELINE_OPTIONS": json.dumps({"options": json_format.MessageToDict(info.pipeline_options)}),
        "SEMI_PERSISTENT_DIRECTORY": args.semi_persist_dir or tempfile.mkdtemp(prefix="beam-worker-"),
        "RUNNER_CAPABILITIES": " ".join(info.runner_capabilities),
    })
    send_secret_with_worker_id(secret)
    runpy.run_module("apache_beam.runners.worker.sdk_worker_main", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
