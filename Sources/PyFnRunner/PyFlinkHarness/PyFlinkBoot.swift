// How PyFlink's unmodified worker is started so that it meets this runner's rules: a small bootstrap adds the
// worker's secret to every call it makes, dumps its Python stacks on SIGUSR1 (for a runner that finds it hung),
// lets SIGTERM through, then runs PyFlink's own boot module as `python -m` would.

/// The `python -c` bootstrap around `pyflink.fn_execution.beam.beam_boot`.
enum PyFlinkBoot {
    /// The module PyFlink's Java runner starts in process mode.
    static let module = "pyflink.fn_execution.beam.beam_boot"

    /// The interpreter arguments before Beam's boot flags.
    static var arguments: [String] { ["-c", bootstrap] }

    /// PyFlink's worker sends only `worker_id`; every channel it opens (Provision in the boot, then Control,
    /// Logging, Data and State in Beam's harness, all made with `grpc.insecure_channel`) is wrapped so each call
    /// also carries `pyfn-worker-secret`, read once from `PYFN_WORKER_SECRET` and removed from the environment.
    static let bootstrap = #"""
import collections, faulthandler, os, runpy, signal, sys
import grpc

secret = os.environ.pop("PYFN_WORKER_SECRET", "")
# `python -c` puts the working directory first on sys.path; python.files (PYTHONPATH) must win over it.
if sys.path and sys.path[0] == "":
    sys.path.append(sys.path.pop(0))

class _Details(collections.namedtuple("_Details", ("method", "timeout", "metadata", "credentials",
                                                   "wait_for_ready", "compression")), grpc.ClientCallDetails):
    pass

class _Secret(grpc.UnaryUnaryClientInterceptor, grpc.UnaryStreamClientInterceptor,
              grpc.StreamUnaryClientInterceptor, grpc.StreamStreamClientInterceptor):
    def _call(self, continuation, details, request):
        metadata = list(details.metadata or []) + [("pyfn-worker-secret", secret)]
        return continuation(_Details(details.method, details.timeout, metadata, details.credentials,
                                     getattr(details, "wait_for_ready", None), getattr(details, "compression", None)),
                            request)
    intercept_unary_unary = intercept_unary_stream = _call
    intercept_stream_unary = intercept_stream_stream = _call

_insecure_channel = grpc.insecure_channel

def _channel(target, options=None, compression=None):
    return grpc.intercept_channel(_insecure_channel(target, options, compression), _Secret())

grpc.insecure_channel = _channel
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
faulthandler.register(signal.SIGUSR1, file=sys.__stderr__, all_threads=True, chain=False)
sys.argv = ["beam_boot"] + sys.argv[1:]
runpy.run_module("pyflink.fn_execution.beam.beam_boot", run_name="__main__", alter_sys=True)
"""#
}
