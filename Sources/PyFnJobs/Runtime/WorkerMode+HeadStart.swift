// Which head start a worker mode gets when `pyfn run` loads a job it is about to run (see PyFnRunner's HeadStart).
import PyFnRunner

extension WorkerMode {
    /// Starts the Python this mode's workers run in with `interpreter` (located), without waiting: a waiting
    /// worker process in process mode, the embedded interpreter and harness in embedded mode; nothing for a pool.
    func startAhead(interpreter: String) {
        switch self {
        case .process: ProcessEnvironment.startAhead(python: interpreter)
        case .embedded: EmbeddedEnvironment.startAhead(python: interpreter)
        case .external: break
        }
    }
}
