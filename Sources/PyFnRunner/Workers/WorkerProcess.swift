import Foundation
import Logging
import Synchronization

/// A Python worker as a child process: its output goes to the log (and the last lines are kept for error
/// messages), its exit is reported once, and stopping it escalates from waiting to SIGTERM to SIGKILL.
final class WorkerProcess: Sendable {
    let pid: Int32
    private let state: State

    /// What the process, its output reader and its owner share.
    private final class State: Sendable {
        struct Exit {
            var status: Int32?
            var outputClosed = false
            var reported = false
            var description: String?
        }
        let exit = Mutex(Exit())
        let outputTail = Mutex<[String]>([])
        /// Output lines gathered while a stack dump is asked for (nil when none is).
        let capture = Mutex<[String]?>(nil)
        /// When the last output line arrived.
        let lastOutput = Mutex(ContinuousClock.now)
        let onExit: @Sendable (Int32, String) -> Void
        static let tailLines = 30

        init(onExit: @escaping @Sendable (Int32, String) -> Void) {
            self.onExit = onExit
        }

        var hasExited: Bool { exit.withLock { $0.status != nil && $0.outputClosed } }

        func keep(_ line: String) {
            outputTail.withLock {
                $0.append(line)
                if $0.count > Self.tailLines { $0.removeFirst() }
            }
            capture.withLock { $0?.append(line) }
            lastOutput.withLock { $0 = .now }
        }

        /// Reports the exit once both the status and the end of the output are in.
        func reportIfDone() {
            let output = outputTail.withLock { $0.joined(separator: "\n") }
            let status: Int32? = exit.withLock { exit in
                guard let status = exit.status, exit.outputClosed, !exit.reported else { return nil }
                exit.reported = true
                exit.description = "its process exited with status \(status)" + (output.isEmpty ? "" : "; its last output:\n\(output)")
                return status
            }
            if let status { onExit(status, output) }
        }
    }

    /// Starts `executable` with `arguments` and this process's environment plus `environment` (where secrets go:
    /// a process's environment is readable only by its user, its command line by everyone); `onExit` is called
    /// once, with the exit status and the last lines of output, after the process has exited and its output is
    /// read to the end. Its standard input is `input` (a head-started worker reads its boot line there), else empty.
    convenience init(executable: String, arguments: [String], environment extra: [String: String] = [:], workerID: String,
                     logger: Logger, input: Pipe? = nil, onExit: @escaping @Sendable (Int32, String) -> Void) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = Self.childEnvironment(extra)
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = input ?? FileHandle.nullDevice
        let state = State(onExit: onExit)
        process.terminationHandler = { finished in
            state.exit.withLock { $0.status = finished.terminationStatus }
            state.reportIfDone()
        }
        try process.run()
        self.init(pid: process.processIdentifier, state: state, output: pipe.fileHandleForReading, workerID: workerID, logger: logger)
    }

    /// A `python -m pyfn.worker` with `arguments` forked by `server` (see ``ForkServer``), or nil when no server
    /// answers; otherwise as the other initializer (its exit reported by the server).
    convenience init?(forkedBy server: ForkServer, arguments: [String], environment extra: [String: String], workerID: String,
                      logger: Logger, onExit: @escaping @Sendable (Int32, String) -> Void) {
        let pipe = Pipe()
        let output = pipe.fileHandleForWriting
        let child = server.launch(.worker, arguments: arguments, environment: Self.childEnvironment(extra), output: output, errors: output)
        try? output.close()  // the child has its own copy: the end of its output is the end of the child
        guard let child else {
            try? pipe.fileHandleForReading.close()
            return nil
        }
        let state = State(onExit: onExit)
        Thread.detachNewThread {
            let status = child.waitForExit()
            state.exit.withLock { $0.status = status }
            state.reportIfDone()
        }
        self.init(pid: child.pid, state: state, output: pipe.fileHandleForReading, workerID: workerID, logger: logger)
    }

    /// A worker's environment: this process's, without the pool token (for this runner's calls to pools; the job's
    /// Python code has no use for it), unbuffered output unless `extra` says otherwise, and `extra` over it.
    static func childEnvironment(_ extra: [String: String]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment[FnAPITransport.poolTokenVariable] = nil
        environment["PYTHONUNBUFFERED"] = "1"
        environment.merge(extra) { $1 }
        return environment
    }

    /// Reads the process's output (to the log, the last lines kept) until it ends.
    private init(pid: Int32, state: State, output reader: FileHandle, workerID: String, logger: Logger) {
        self.pid = pid
        self.state = state
        Thread.detachNewThread {
            var pending = Data()
            while true {
                let chunk = reader.availableData
                if chunk.isEmpty { break }
                pending.append(chunk)
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                    pending.removeSubrange(pending.startIndex...newline)
                    logger.info("\(line)", metadata: ["worker": "\(workerID)", "stream": "output"])
                    state.keep(line)
                }
            }
            if !pending.isEmpty { state.keep(String(decoding: pending, as: UTF8.self)) }
            state.exit.withLock { $0.outputClosed = true }
            state.reportIfDone()
        }
    }

    /// Whether the process has exited and its output has been read to the end.
    var hasExited: Bool { state.hasExited }

    /// How the process ended (status and last output), waiting at most `timeout` for it to end; nil if it still runs.
    func exitDescription(waiting timeout: Duration) async -> String? {
        _ = await waitForExit(timeout: timeout)
        return state.exit.withLock { $0.description }
    }

    /// Waits until the process has exited and its output is read, for at most `timeout`; true if it has.
    func waitForExit(timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while !hasExited && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        return hasExited
    }

    /// Asks the harness for its Python stacks (it writes every thread's to stderr on SIGUSR1, with `faulthandler`)
    /// and returns the lines it wrote until its output went quiet for `quiet`, waiting at most `limit`. A process
    /// with no handler for SIGUSR1 dies of it, which is no loss: it is about to be killed as hung.
    func dumpPythonStacks(quiet: Duration = .milliseconds(300), limit: Duration = .seconds(3)) async -> String {
        state.capture.withLock { $0 = [] }
        let asked = ContinuousClock.now
        kill(pid, SIGUSR1)
        while ContinuousClock.now - asked < limit && !hasExited {
            try? await Task.sleep(for: .milliseconds(20))
            let lines = state.capture.withLock { $0?.count ?? 0 }
            let silent = ContinuousClock.now - state.lastOutput.withLock { $0 }
            if lines > 0 && silent >= quiet { break }
        }
        return state.capture.withLock { lines in
            defer { lines = nil }
            return (lines ?? []).joined(separator: "\n")
        }
    }

    /// Waits `grace` for the process to exit by itself, then sends SIGTERM, then SIGKILL; returns when it is gone.
    func stop(grace: Duration) async {
        if await waitForExit(timeout: grace) { return }
        kill(pid, SIGTERM)
        if await waitForExit(timeout: .seconds(2)) { return }
        kill(pid, SIGKILL)
        _ = await waitForExit(timeout: .seconds(5))
    }
}
