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
    /// its last output when it cannot start or exits first.
    public func startWorker() async throws -> any PythonWorker {
        let workerID = "worker-\(getpid())-\(Self.counter.add(1, ordering: .relaxed).newValue)"
        let python = options.resolvedExecutable
        let executable = try Self.locate(python)
        let (connection, secret) = await server.registry.expect(workerID: workerID, options: options.pipelineOptions,
                                                                capabilities: options.workerCapabilities,
                                                                bundleTimeout: options.bundleTimeout)
        var environment = server.transport.workerTLSEnvironment
        environment[WorkerTLSVariables.secret] = secret.value
        let process: WorkerProcess
        do {
            process = try WorkerProcess(
                executable: executable,
                arguments: ["-m", "pyfn.worker", "--id=\(workerID)", "--provision_endpoint=\(server.endpoint)",
                            "--control_endpoint=\(server.endpoint)", "--logging_endpoint=\(server.endpoint)"],
                environment: environment, workerID: workerID, logger: logger,
                onExit: { status, output in
                    Task { await connection.markLost("its process exited with status \(status)\(output.isEmpty ? "" : "; its last output:\n\(output)")") }
                })
        } catch {
            await server.registry.forget(workerID: workerID)
            throw PyFnError.workerStartFailed("cannot run '\(python)' (python.executable): \(error)")
        }
        await connection.killOnHang(process, workerID: workerID, logger: logger)
        let stopGrace = options.stopTimeout
        let worker = RemoteWorker(id: workerID, connection: connection, registry: server.registry,
                                  terminate: { await process.stop(grace: stopGrace) },
                                  explainLoss: { await process.exitDescription(waiting: .seconds(1)) })
        try await worker.awaitConnection(within: options.startTimeout, starting: "'\(python) -m pyfn.worker'")
        return worker
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
