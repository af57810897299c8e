import Foundation

/// The project's Python, for tests that check Swift against the real Python side (pyarrow, protobuf, the worker).
public enum TestPython {
    /// The repository's root folder.
    public static let repositoryRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }()

    /// `$PYFN_PYTHON`, else the repository's `.venv/bin/python`.
    public static let executable: String = {
        if let python = ProcessInfo.processInfo.environment["PYFN_PYTHON"], !python.isEmpty { return python }
        return repositoryRoot.appendingPathComponent(".venv/bin/python").path
    }()

    /// What a finished Python run printed and how it ended.
    public struct Outcome: Sendable {
        /// The exit status.
        public var status: Int32
        /// Standard output and standard error together.
        public var output: String

        /// An outcome.
        public init(status: Int32, output: String) {
            self.status = status
            self.output = output
        }
    }

    /// Runs `python script arguments…` (script relative to the repository root), with `environment` added to
    /// this process's, and waits for it.
    public static func run(_ script: String, _ arguments: [String] = [], environment: [String: String] = [:]) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = [repositoryRoot.appendingPathComponent(script).path] + arguments
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }

    /// A fresh temporary folder.
    public static func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("pyfn-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
