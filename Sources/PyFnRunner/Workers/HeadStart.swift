// Head starts for `pyfn run`: the Python a job will need is started while Python describes the job's functions in
// another process and the job is planned, instead of when the first operator opens — in embedded mode libpython is
// loaded and the embedded harness imported (pyarrow, numpy, the bundle machinery: about 0.3 s of CPU), in process
// mode a worker is started that imports and then waits (HeadStartedWorker). Measured with `benchmarks/run job_overhead`.
import Foundation

extension EmbeddedEnvironment {
    /// Starts the embedded interpreter for `python` (a located interpreter path) and imports `pyfn.worker.embedded`
    /// in it, without waiting. Never fails: a failure here is met again, and reported, when a worker starts.
    public static func startAhead(python: String) {
        guard let interpreter = try? EmbeddedInterpreter.shared(for: python) else { return }
        Task {
            _ = try? await interpreter.run { python in python.release(try python.importModule("pyfn.worker.embedded")) }
        }
    }
}

extension ProcessEnvironment {
    /// Starts a PyFn worker with `python` (a located interpreter path) that imports the harness and then waits for
    /// the first worker this process starts with that interpreter, which it becomes (``HeadStartedWorker``).
    public static func startAhead(python: String) {
        HeadStartedWorker.start(executable: python)
    }
}
