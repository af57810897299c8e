import Foundation
import Logging
import Synchronization

/// Embedded mode (`python.execution-mode: thread`, as PyFlink calls it): the functions run in CPython inside
/// this process, loaded from the configured interpreter's libpython (see ``EmbeddedInterpreter``). No worker
/// process, no RPC: batches cross as Arrow C Data Interface structs, without a copy.
///
/// One Python per process evaluates every embedded worker's bundles, one bundle at a time (the GIL allows no
/// more), so embedded workers suit small, latency-bound work; process mode runs each worker on a core of its own.
/// A Python crash takes the runner down with it, and a bundle's progress cannot be asked while it runs.
public struct EmbeddedEnvironment: WorkerEnvironment {
    /// The interpreter and what workers are told (`python.files`, `python.log.level`, metrics, profiling).
    public let options: PythonOptions
    /// Where the functions' log records and printed lines go.
    public let logger: Logger
    private static let counter = Atomic<Int>(0)

    /// An environment that runs functions in this process with `options.executable`'s Python.
    public init(options: PythonOptions = PythonOptions(), logger: Logger = Logger(label: "pyfn.worker")) {
        self.options = options
        self.logger = logger
    }

    /// Starts the embedded interpreter if needed and makes a worker in it; throws naming the interpreter when
    /// it cannot load or start, or when the harness does not import in it.
    public func startWorker() async throws -> any PythonWorker {
        let python = options.resolvedExecutable
        let interpreter = try EmbeddedInterpreter.shared(for: try ProcessEnvironment.locate(python))
        let workerID = "embedded-\(getpid())-\(Self.counter.add(1, ordering: .relaxed).newValue)"
        // One interpreter serves every embedded worker of the process: each says its level, INFO by default.
        var pipelineOptions = options.pipelineOptions
        pipelineOptions["python.log.level"] = pipelineOptions["python.log.level"] ?? "INFO"
        let settings = try JSONSerialization.data(withJSONObject: pipelineOptions)
        do {
            let worker = try await interpreter.run { python in
                let module = try python.importModule("pyfn.worker.embedded")
                defer { python.release(module) }
                python.release(try python.call(module, "start", [.string(String(decoding: settings, as: UTF8.self))]))
                return try python.call(module, "EmbeddedWorker", [.string(workerID)])
            }
            return EmbeddedWorker(id: workerID, interpreter: interpreter, worker: worker, logger: logger)
        } catch PyFnError.functionFailed(let message) {
            throw PyFnError.workerStartFailed("'\(python)' (python.executable) embedded in this process: \(message)")
        }
    }

    /// Drops the aggregate state the embedded interpreter keeps for the descriptor (`pyfn.worker.embedded_state`),
    /// once its operator has closed.
    public func forget(descriptorID: String) async {
        guard let path = try? ProcessEnvironment.locate(options.resolvedExecutable),
              let interpreter = try? EmbeddedInterpreter.shared(for: path) else { return }
        _ = try? await interpreter.run { python in
            let module = try python.importModule("pyfn.worker.embedded_state")
            defer { python.release(module) }
            python.release(try python.call(module, "forget", [.string(descriptorID)]))
        }
    }
}
