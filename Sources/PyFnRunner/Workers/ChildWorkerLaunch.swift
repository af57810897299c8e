// Starting a harness as a child process of this runner, whatever its kind (PyFn's `python -m pyfn.worker`,
// PyFlink's boot script): the worker is announced to the registry with a fresh secret that reaches it in its
// environment, it is killed (its Python stacks logged first) when a bundle hangs, and it is handed back once it has
// dialed in. The environments differ only in the command line, the environment and the capabilities.
import Logging

enum ChildWorkerLaunch {
    /// Starts `options.resolvedExecutable` with `arguments` and `environment` (plus the worker's secret) as worker
    /// `workerID` of `server`, whose harness declares `capabilities`; returns once it has dialed in. Errors name
    /// the interpreter and, for a worker that exits first, its last output; `description` names what was started.
    static func start(server: FnAPIServer, options: PythonOptions, logger: Logger, workerID: String,
                      capabilities: Set<String>, arguments: [String], environment: [String: String],
                      description: String) async throws -> RemoteWorker {
        let python = options.resolvedExecutable
        let executable = try ProcessEnvironment.locate(python)
        let (connection, secret) = await server.registry.expect(workerID: workerID, options: options.pipelineOptions,
                                                                capabilities: capabilities,
                                                                bundleTimeout: options.bundleTimeout)
        var environment = environment
        environment[WorkerTLSVariables.secret] = secret.value
        let onExit: @Sendable (Int32, String) -> Void = { status, output in
            Task { await connection.markLost("its process exited with status \(status)\(output.isEmpty ? "" : "; its last output:\n\(output)")") }
        }
        let process: WorkerProcess
        do {
            // A PyFn worker started ahead of the job (HeadStartedWorker), when one waits; else one forked by this
            // user's fork server (python.worker.fork-server), when one answers; else a new one. The head start
            // comes first: a job that made one found no server answering, and one it started may still be importing.
            let harness = ["-m", "pyfn.worker"]
            let pyfnWorker = arguments.starts(with: harness)
            if pyfnWorker, let waiting = HeadStartedWorker.claim(executable: executable, arguments: Array(arguments.dropFirst(harness.count)),
                                                                   environment: environment, onExit: onExit) {
                process = waiting
            } else if pyfnWorker, let idle = options.forkServerIdleTimeout,
                      let server = ForkServer(python: executable, idleTimeout: idle),
                      let forked = WorkerProcess(forkedBy: server, arguments: Array(arguments.dropFirst(harness.count)),
                                                 environment: environment, workerID: workerID, logger: logger, onExit: onExit) {
                process = forked
            } else {
                process = try WorkerProcess(executable: executable, arguments: arguments, environment: environment, workerID: workerID,
                                            logger: logger, onExit: onExit)
            }
        } catch {
            await server.registry.forget(workerID: workerID)
            throw PyFnError.workerStartFailed("cannot run '\(python)' (python.executable): \(error)")
        }
        await connection.killOnHang(process, workerID: workerID, logger: logger)
        if let limit = options.memoryLimit {
            process.enforceMemoryLimit(limit) { reason in await connection.markLost(reason, explained: true) }
        }
        let stopGrace = options.stopTimeout
        let worker = RemoteWorker(id: workerID, connection: connection, registry: server.registry,
                                  terminate: { await process.stop(grace: stopGrace) },
                                  explainLoss: { await process.exitDescription(waiting: .seconds(1)) })
        try await worker.awaitConnection(within: options.startTimeout, starting: description)
        return worker
    }
}
