// Process mode with PyFlink's own worker (python.harness = pyflink): each worker is PyFlink 2.3's unmodified
// `python -m pyflink.fn_execution.beam.beam_boot`, dialing this runner's FnAPIServer like PyFn's harness does.
import Foundation
import Logging
import Synchronization

/// Starts PyFlink's worker, as Flink's Java runner does in process mode: Beam's boot flags, the job's Python
/// files on `PYTHONPATH`, and the session time zone in `TABLE_LOCAL_TIME_ZONE`.
public struct PyFlinkEnvironment: WorkerEnvironment {
    /// The server the workers dial.
    public let server: FnAPIServer
    /// How workers are started; `executable` must have `apache-flink` installed.
    public let options: PythonOptions
    /// Where worker output goes.
    public let logger: Logger
    private static let counter = Atomic<Int>(0)

    /// An environment that starts PyFlink workers for `server`.
    public init(server: FnAPIServer, options: PythonOptions, logger: Logger = Logger(label: "pyfn.worker")) {
        self.server = server
        self.options = options
        self.logger = logger
    }

    /// Starts PyFlink's boot script and returns once its harness has dialed in; throws with the interpreter's
    /// path and its last output when it cannot start (e.g. `apache-flink` is not installed there).
    public func startWorker() async throws -> any PythonWorker {
        guard server.transport.tls == nil else {
            throw PyFnError.workerStartFailed("python.harness = pyflink: PyFlink's worker dials plaintext gRPC, so it cannot reach a Fn API server that speaks TLS; run it on this host's loopback")
        }
        let workerID = "pyflink-\(getpid())-\(Self.counter.add(1, ordering: .relaxed).newValue)"
        // PyFlink's worker declares none of the capabilities the runner uses (no embedded elements).
        let remote = try await ChildWorkerLaunch.start(
            server: server, options: options, logger: logger, workerID: workerID, capabilities: [],
            arguments: PyFlinkBoot.arguments + ["--id=\(workerID)", "--provision_endpoint=\(server.endpoint)"],
            environment: workerEnvironment,
            description: "PyFlink's worker ('\(options.resolvedExecutable)' running \(PyFlinkBoot.module); python.executable needs apache-flink 2.3)")
        return PyFlinkWorker(remote: remote)
    }

    /// Drops the descriptor from the server's registry.
    public func forget(descriptorID: String) async {
        await server.registry.forget(descriptorID: descriptorID)
    }

    /// What PyFlink's worker finds in its environment besides the runner's own: the job's Python files first on
    /// `PYTHONPATH` (PyFlink's worker does not read `python.files` itself) and the time zone its coders use for
    /// local times.
    var workerEnvironment: [String: String] {
        let inherited = ProcessInfo.processInfo.environment
        var environment: [String: String] = [:]
        let path = options.files + [inherited["PYTHONPATH"]].compactMap { $0 }.filter { !$0.isEmpty }
        if !path.isEmpty { environment["PYTHONPATH"] = path.joined(separator: ":") }
        environment["TABLE_LOCAL_TIME_ZONE"] = options.sessionTimeZone.identifier
        return environment
    }
}
