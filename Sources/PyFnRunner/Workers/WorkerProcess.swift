import Foundation
import Logging
import Synchronization

/// A Python worker as a child process: its output goes to the log (and the last lines are kept for error
/// messages), its exit is reported once, and stopping it escalates from waiting to SIGTERM to SIGKILL.
final class WorkerProcess: Sendable {
    private let process: Mutex<Process>
    private let pid: Int32
    private let exit: Mutex<ExitState>
    private let outputTail: Mutex<[String]>
    private static let tailLines = 30

    private struct ExitState {
        var status: Int32?
        var outputClosed = false
        var reported = false
    }

    /// Starts `executable` with `arguments`; `onExit` is called once, with the exit status and the last lines of
    /// output, after the process has exited and its output is read to the end.
    init(executable: String, arguments: [String], workerID: String, logger: Logger,
         onExit: @escaping @Sendable (Int32, String) -> Void) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["PYTHONUNBUFFERED"] = "1"
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        let exit = Mutex(ExitState())
        let outputTail = Mutex<[String]>([])
        let finishIfDone: @Sendable () -> Void = {
            let status: Int32? = exit.withLock { state in
                guard let status = state.status, state.outputClosed, !state.reported else { return nil }
                state.reported = true
                return status
            }
            guard let status else { return }
            onExit(status, outputTail.withLock { $0.joined(separator: "\n") })
        }
        process.terminationHandler = { finished in
            exit.withLock { $0.status = finished.terminationStatus }
            finishIfDone()
        }
        try process.run()
        self.process = Mutex(process)
        self.pid = process.processIdentifier
        self.exit = exit
        self.outputTail = outputTail
        let reader = pipe.fileHandleForReading
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
                    outputTail.withLock {
                        $0.append(line)
                        if $0.count > Self.tailLines { $0.removeFirst() }
                    }
                }
            }
            if !pending.isEmpty {
                let line = String(decoding: pending, as: UTF8.self)
                outputTail.withLock { $0.append(line) }
            }
            exit.withLock { $0.outputClosed = true }
            finishIfDone()
        }
    }

    /// Whether the process has exited and its output has been read to the end.
    var hasExited: Bool {
        exit.withLock { $0.status != nil && $0.outputClosed }
    }

    /// Waits until the process has exited and its output is read, for at most `timeout`; true if it has.
    func waitForExit(timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while !hasExited && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        return hasExited
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
