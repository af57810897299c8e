import Foundation

/// A running `python -m pyfn.worker pool` (external mode's worker pool) with a random token of its own, and the
/// address it listens on; stopped (with its harnesses) when released or ``kill()``ed.
public final class WorkerPoolProcess {
    private let process = Process()
    /// `host:port` the pool printed.
    public let address: String
    /// The token the pool requires (given to it in its environment, as PYFN_POOL_TOKEN).
    public let token: String
    /// The pool's process id.
    public var pid: Int32 { process.processIdentifier }

    /// Whether `pid` is a harness this pool started (its parent is the pool).
    public func started(_ pid: Int) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let afterName = stat.range(of: ") ", options: .backwards) else { return false }
        let fields = stat[afterName.upperBound...].split(separator: " ")
        return fields.count > 1 && Int32(fields[1]) == process.processIdentifier
    }

    /// Starts a pool whose harnesses see `pythonPath` on their `PYTHONPATH`, with `arguments` after
    /// `pool --port 0` (e.g. `--host`, `--tls-cert`), run through `launcher` when given (e.g.
    /// `["ip", "netns", "exec", "A"]` to run it in a network namespace), requiring `token` (random when nil).
    public init(pythonPath: [String] = [], arguments: [String] = [], launcher: [String] = [], token: String? = nil) throws {
        self.token = token ?? Self.randomToken()
        let command = launcher + [TestPython.executable, "-m", "pyfn.worker", "pool", "--port", "0"] + arguments
        process.executableURL = URL(fileURLWithPath: command[0].hasPrefix("/") ? command[0] : "/usr/bin/env")
        process.arguments = command[0].hasPrefix("/") ? Array(command.dropFirst()) : command
        var environment = ProcessInfo.processInfo.environment
        if !pythonPath.isEmpty { environment["PYTHONPATH"] = pythonPath.joined(separator: ":") }
        environment["PYFN_POOL_TOKEN"] = self.token
        process.environment = environment
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let address = text.split(separator: " ").last.map(String.init), address.contains(":") else {
            Foundation.kill(process.processIdentifier, SIGKILL)
            let complaint = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "the worker pool printed '\(text)'; its errors: \(complaint)"])
        }
        self.address = address
        // The pool's log (and its harnesses' errors) go to this process's stderr, read so the pipe never fills.
        let reader = errors.fileHandleForReading
        Thread.detachNewThread {
            while case let chunk = reader.availableData, !chunk.isEmpty { FileHandle.standardError.write(chunk) }
        }
    }

    /// A fresh random token (256 bits, hex).
    public static func randomToken() -> String {
        (0..<4).map { _ in String(UInt64.random(in: .min ... .max), radix: 16) }.joined()
    }

    /// Kills the pool at once (SIGKILL), as a host that goes away would; its harnesses notice and exit.
    public func kill() {
        guard process.isRunning else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit {
        guard process.isRunning else { return }
        process.terminate()
        for _ in 0..<50 where process.isRunning { usleep(100_000) }
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
    }
}
