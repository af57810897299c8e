import Foundation

/// A running `python -m pyfn.worker pool --port 0` (external mode's worker pool) and the address it listens on;
/// stopped when released.
public final class WorkerPoolProcess {
    private let process = Process()
    /// `host:port` the pool printed.
    public let address: String

    /// Starts a pool whose harnesses see `pythonPath` on their `PYTHONPATH`.
    public init(pythonPath: [String] = []) throws {
        process.executableURL = URL(fileURLWithPath: TestPython.executable)
        process.arguments = ["-m", "pyfn.worker", "pool", "--port", "0"]
        var environment = ProcessInfo.processInfo.environment
        if !pythonPath.isEmpty { environment["PYTHONPATH"] = pythonPath.joined(separator: ":") }
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let address = text.split(separator: " ").last.map(String.init), address.contains(":") else {
            kill(process.processIdentifier, SIGKILL)
            throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "the worker pool printed '\(text)'"])
        }
        self.address = address
    }

    deinit {
        guard process.isRunning else { return }
        process.terminate()
        for _ in 0..<50 where process.isRunning { usleep(100_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}
