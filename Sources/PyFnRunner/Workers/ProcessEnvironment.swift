import Foundation
import Logging
import Synchronization

/// Process mode, the default: each worker is a child `python -m pyfn.worker` that dials this runner's
/// ``FnAPIServer`` with Beam's boot flags, its secret (and the server's TLS trust, when it speaks TLS) in its
/// environment. Workers never outlive the runner: they exit when their Control stream
/// ends, and ``PythonWorker/stop()`` kills one that does not.
public struct ProcessEnvironment: WorkerEnvironment {
    /// The server the workers dial.
    public let server: FnAPIServer
    /// How workers are started and what they are told.
    public let options: PythonOptions
    /// Where worker output goes.
    public let logger: Logger
    private static let counter = Atomic<Int>(0)

    /// An environment that starts workers for `server`.
    public init(server: FnAPIServer, options: PythonOptions = PythonOptions(), logger: Logger = Logger(label: "pyfn.worker")) {
        self.server = server
        self.options = options
        self.logger = logger
    }

    /// Starts `python -m pyfn.worker` and returns once it has dialed in; throws with the interpreter's path and
    /// its last output when it cannot start (``PyFnError/workerStartFailed(_:)``) or exits first
    /// (``PyFnError/workerLost(_:)``, which its supervisor answers with a restart).
    public func startWorker() async throws -> any PythonWorker {
        let workerID = "worker-\(getpid())-\(Self.counter.add(1, ordering: .relaxed).newValue)"
        return try await ChildWorkerLaunch.start(
            server: server, options: options, logger: logger, workerID: workerID, capabilities: options.workerCapabilities,
            arguments: ["-m", "pyfn.worker", "--id=\(workerID)", "--provision_endpoint=\(server.endpoint)",
                        "--control_endpoint=\(server.endpoint)", "--logging_endpoint=\(server.endpoint)"],
            environment: server.transport.workerTLSEnvironment,
            description: "'\(options.resolvedExecutable) -m pyfn.worker'")
    }

    /// Drops the descriptor and its aggregate state from the server's registry.
    public func forget(descriptorID: String) async {
        await server.registry.forget(descriptorID: descriptorID)
    }

    /// The absolute path of `python`: itself if it has a slash, else found on the PATH; throws a message naming
    /// python.executable when there is none.
    public static func locate(_ python: String) throws -> String {
        if python.contains("/") {
            guard FileManager.default.isExecutableFile(atPath: python) else {
                throw PyFnError.workerStartFailed("the Python interpreter '\(python)' does not exist or is not executable (python.executable)")
            }
            return python
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            let candidate = "\(folder)/\(python)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw PyFnError.workerStartFailed("the Python interpreter '\(python)' is not on the PATH (python.executable)")
    }
}
