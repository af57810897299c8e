import Logging
import PyFnRunner

/// Where a job's Python functions run, from its settings: `python.execution-mode` is `process` (the default: a
/// worker process per operator lane) or `thread` (PyFlink's name for CPython embedded in this process; `embedded`
/// also works); `python.worker-pool` = host:port makes process mode use an external pool's workers.
public enum WorkerMode: Sendable, Equatable {
    /// A child `python -m pyfn.worker` per worker.
    case process
    /// Workers started by the pool at host:port.
    case external(pool: String)
    /// CPython inside this process.
    case embedded

    /// The mode `settings` ask for; throws naming the setting when its value is not one of the modes, or when
    /// embedded mode is asked for together with a pool.
    public init(settings: [String: String]) throws {
        let pool = settings["python.worker-pool"]
        switch settings["python.execution-mode"]?.trimmingCharacters(in: .whitespaces).lowercased() ?? "process" {
        case "process":
            self = pool.map { .external(pool: $0) } ?? .process
        case "thread", "embedded":
            guard pool == nil else {
                throw PyFnError.invalidDescriptor("'python.execution-mode' = '\(settings["python.execution-mode"]!)' runs Python in this process, so 'python.worker-pool' cannot be used with it")
            }
            self = .embedded
        case let other:
            throw PyFnError.invalidDescriptor("'python.execution-mode' must be 'process' or 'thread' (embedded), not '\(other)'")
        }
    }

    /// The environment that starts this mode's workers.
    func environment(server: FnAPIServer, python: PythonOptions, logger: Logger) throws -> any WorkerEnvironment {
        if python.harness == .pyflink {
            guard self == .process else {
                throw PyFnError.invalidDescriptor("'python.harness' = 'pyflink' runs PyFlink's worker as a process; it cannot be used with 'python.worker-pool' or 'python.execution-mode' = 'thread'")
            }
            return PyFlinkEnvironment(server: server, options: python, logger: logger)
        }
        switch self {
        case .process: return ProcessEnvironment(server: server, options: python, logger: logger)
        case .external(let pool): return try ExternalEnvironment(server: server, pool: pool, options: python)
        case .embedded: return EmbeddedEnvironment(options: python, logger: logger)
        }
    }
}
