// A `python -m pyfn.worker` started before its job asks for a worker (`pyfn run` starts one while Python describes
// the job's functions and the job is planned), so that the interpreter's start and the harness's imports — pyarrow,
// numpy, grpc, protobuf: about 0.3 s of CPU, most of a small job's time — run beside that work instead of after it.
// It imports, then waits for one line on its standard input: the arguments and the environment an ordinary worker
// is started with (the worker's secret among them: a pipe, like the environment, is private to this user, the
// command line is not). Then it boots as any worker does. Measured with `benchmarks/run job_overhead`.
import Foundation
import Logging
import Synchronization

/// A worker process started ahead of its job, waiting for its boot line; at most one per process waits.
final class HeadStartedWorker: Sendable {
    /// The interpreter it runs.
    let executable: String
    /// The process, its output already going to the log.
    let process: WorkerProcess
    private let input: Pipe
    private let relay: ExitRelay

    /// The worker that waits to be claimed, if any.
    private static let waiting = Mutex<HeadStartedWorker?>(nil)

    private init(executable: String, process: WorkerProcess, input: Pipe, relay: ExitRelay) {
        self.executable = executable
        self.process = process
        self.input = input
        self.relay = relay
    }

    /// Starts `executable -m pyfn.worker --await-boot` unless a worker already waits. Never fails: a worker that cannot
    /// start here is started the ordinary way when the job asks for one (and that start reports why). Ignores SIGPIPE
    /// in this process, so that telling a worker that died meanwhile is an error, not the runner's death.
    static func start(executable: String, logger: Logger = Logger(label: "pyfn.worker")) {
        signal(SIGPIPE, SIG_IGN)
        waiting.withLock { waiting in
            if let current = waiting, !current.process.hasExited { return }
            let relay = ExitRelay()
            let input = Pipe()
            guard let process = try? WorkerProcess(
                executable: executable, arguments: ["-m", "pyfn.worker", "--await-boot"], workerID: "head-start-\(getpid())",
                logger: logger, input: input, onExit: { status, output in relay.report(status, output) }) else { return }
            waiting = HeadStartedWorker(executable: executable, process: process, input: input, relay: relay)
        }
    }

    /// The waiting worker if it runs `executable`, told to boot with `arguments` (those after `-m pyfn.worker`) and
    /// `environment` (over the runner's), its exit reported to `onExit` from now on (an exit before this call too).
    /// Nil when none waits, it runs another interpreter, or it has died: the caller then starts a worker itself.
    static func claim(executable: String, arguments: [String], environment: [String: String],
                      onExit: @escaping @Sendable (Int32, String) -> Void) -> WorkerProcess? {
        guard let worker = waiting.withLock({ waiting -> HeadStartedWorker? in
            defer { waiting = nil }
            return waiting
        }) else { return nil }
        let input = worker.input.fileHandleForWriting
        guard worker.executable == executable, !worker.process.hasExited,
              let line = try? JSONSerialization.data(withJSONObject: ["arguments": arguments, "environment": environment]) else {
            try? input.close()  // it exits at the end of its input
            return nil
        }
        do {
            try input.write(contentsOf: line + Data("\n".utf8))
            try input.close()
        } catch {
            return nil  // it died before it could read: nothing reached it
        }
        worker.relay.deliver(to: onExit)
        return worker.process
    }
}

/// Holds a head-started worker's exit report until it is claimed (a report before then is kept, not lost).
private final class ExitRelay: Sendable {
    private struct State {
        var target: (@Sendable (Int32, String) -> Void)?
        var pending: (status: Int32, output: String)?
    }
    private let state = Mutex(State())

    /// The process exited: tells the target, or keeps the report for it.
    func report(_ status: Int32, _ output: String) {
        let target = state.withLock { state -> (@Sendable (Int32, String) -> Void)? in
            if state.target == nil { state.pending = (status, output) }
            return state.target
        }
        target?(status, output)
    }

    /// Sends reports to `target` from now on, and the one kept, if any.
    func deliver(to target: @escaping @Sendable (Int32, String) -> Void) {
        let pending = state.withLock { state -> (status: Int32, output: String)? in
            state.target = target
            return state.pending
        }
        if let pending { target(pending.status, pending.output) }
    }
}
