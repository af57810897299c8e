// The worker memory cap (`python.fn-execution.memory.limit`): the runner reads a worker process's resident set
// size from /proc every 50 ms and kills the worker when it passes the limit; the bundle then fails with a message
// naming the limit, and ``WorkerSupervisor`` replays it once on a fresh worker before failing the job.
// Measured choice: a watchdog rather than RLIMIT_AS, because pyarrow, numpy and gRPC reserve far more address
// space than they touch (CPython 3.11 with pyfn.worker, pyarrow, numpy and a gRPC channel loaded: VmSize 1.55 GB,
// VmRSS 121 MB), so an address-space cap low enough to matter would break idle workers.
import Foundation

/// The text every memory-limit loss carries, so the supervisor can tell it from a crash.
public enum WorkerMemoryLimit {
    /// The setting's name, which every message about the limit names.
    public static let setting = "python.fn-execution.memory.limit"
    /// How often the resident size is read.
    static let pollInterval: Duration = .milliseconds(50)

    /// Whether a loss reason is a memory-limit kill.
    static func isMemoryLoss(_ reason: String) -> Bool { reason.contains("passed its memory limit") }

    /// The resident set size of process `pid` in bytes (from /proc/PID/statm); nil once it is gone.
    static func residentBytes(of pid: Int32) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/statm", encoding: .ascii) else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count >= 2, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}

extension WorkerProcess {
    /// Watches the process's resident size until it exits; when it passes `limit` bytes, calls `onExceeded`
    /// with the reason (to mark the worker lost) and kills the process.
    func enforceMemoryLimit(_ limit: Int, onExceeded: @escaping @Sendable (String) async -> Void) {
        let pid = self.pid
        Task.detached { [weak self] in
            while let process = self, !process.hasExited {
                if let resident = WorkerMemoryLimit.residentBytes(of: pid), resident > limit {
                    await onExceeded("its process passed its memory limit of \(FlinkMemorySize.describe(limit)) "
                                     + "(\(WorkerMemoryLimit.setting)) with \(FlinkMemorySize.describe(resident)) resident, and was killed")
                    kill(pid, SIGKILL)
                    return
                }
                try? await Task.sleep(for: WorkerMemoryLimit.pollInterval)
            }
        }
    }
}
