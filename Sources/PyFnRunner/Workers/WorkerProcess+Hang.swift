// What a runner does with a worker process found hung: its Python stacks to the job's log, the process killed.
import Logging

extension WorkerConnection {
    /// When a bundle of this connection's worker hangs, logs the Python stacks of `process` (it dumps them on
    /// SIGUSR1) as worker `workerID`'s, kills it, and hands the bundle threads' stacks to the error.
    func killOnHang(_ process: WorkerProcess, workerID: String, logger: Logger) {
        onHang { what in
            let dump = await process.dumpPythonStacks()
            logger.error("worker \(workerID) is hung: \(what). Its Python stacks:\n\(dump)",
                         metadata: ["worker": "\(workerID)"])
            await process.stop(grace: .zero)
            return PythonStacks.bundleThreads(in: dump)
        }
    }
}
