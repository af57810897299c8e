// Runs the built `pyfn submit` as a Python program does: request on stdin, the Arrow stream read from stdout as it
// comes, stderr collected, the status line parsed, and the runner's peak memory sampled.
import Foundation
import PyFnArrow
import PyFnTestSupport

/// One finished `pyfn submit` run.
struct SubmitOutcome {
    /// The exit status.
    var status: Int32
    /// Everything on stderr.
    var errors: String
    /// The PYFN-STATUS object.
    var report: [String: Any]
    /// The collected stream's schema, if one came.
    var schema: ArrowSchema?
    /// The collected rows (unless dropped by `keepRows: false`).
    var rows: [[ArrowValue]]
    /// Rows received.
    var rowCount: Int
    /// Whether the stream ended with its end-of-stream marker.
    var streamFinished: Bool
    /// The stream's raw bytes (when `keepBytes`).
    var bytes: Data
    /// The runner's VmHWM (kB) once `sampleAfterRows` rows had been read, and the last one seen before its stream ended.
    var peakKilobytesEarly: Int?
    var peakKilobytesAtEnd: Int?

    /// A field of the status object as text.
    func field(_ key: String) -> String? { report[key].map { "\($0)" } }
}

enum SubmitProcess {
    /// Runs `pyfn submit` on `request` (a JSON object); `environment` entries are added to this process's. Rows are
    /// read as they come; `whenRowsReach.action` runs once that many have arrived, and the runner is stopped
    /// (SIGTERM) once `stopAfterRows` have.
    static func run(_ request: [String: Any], environment extra: [String: String] = [:], keepRows: Bool = true, keepBytes: Bool = false,
                    sampleAfterRows: Int? = nil, whenRowsReach: (count: Int, action: () throws -> Void)? = nil,
                    stopAfterRows: Int? = nil) throws -> SubmitOutcome {
        var pendingAction = whenRowsReach
        let process = Process()
        process.executableURL = URL(fileURLWithPath: PyFnBinary.path)
        process.arguments = ["submit"]
        var environment = ProcessInfo.processInfo.environment
        environment["PYFN_PYTHON"] = TestPython.executable
        environment.merge(extra) { $1 }
        process.environment = environment
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        try input.fileHandleForWriting.write(contentsOf: try JSONSerialization.data(withJSONObject: request))
        try input.fileHandleForWriting.close()

        let errorText = ErrorCollector()
        let errorThread = Thread { errorText.set(errors.fileHandleForReading.readDataToEndOfFile()) }
        errorThread.start()

        var reader = ArrowStreamReader()
        var outcome = SubmitOutcome(status: 0, errors: "", report: [:], schema: nil, rows: [], rowCount: 0, streamFinished: false, bytes: Data())
        let handle = output.fileHandleForReading
        while true {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            if keepBytes { outcome.bytes.append(chunk) }
            reader.append(chunk)
            while let batch = try reader.nextBatch() {
                outcome.rowCount += batch.length
                if keepRows { for i in 0..<batch.length { outcome.rows.append(batch.columns.map { $0.value(at: i) }) } }
            }
            if let sampleAfterRows, outcome.rowCount >= sampleAfterRows, let peak = peakKilobytes(of: process.processIdentifier) {
                if outcome.peakKilobytesEarly == nil { outcome.peakKilobytesEarly = peak }
                outcome.peakKilobytesAtEnd = peak
            }
            if let action = pendingAction, outcome.rowCount >= action.count {
                pendingAction = nil
                try action.action()
            }
            if let stopAfterRows, outcome.rowCount >= stopAfterRows {
                process.terminate()
                break
            }
        }
        outcome.schema = reader.schema
        outcome.streamFinished = reader.isFinished
        process.waitUntilExit()
        outcome.status = process.terminationStatus
        while !errorText.done { usleep(10_000) }
        outcome.errors = errorText.text
        if let line = outcome.errors.split(separator: "\n").last, line.hasPrefix("PYFN-STATUS "),
           let object = try? JSONSerialization.jsonObject(with: Data(line.dropFirst("PYFN-STATUS ".count).utf8)) as? [String: Any] {
            outcome.report = object
        }
        return outcome
    }

    /// VmHWM of a running process in kB.
    static func peakKilobytes(of pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return nil }
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
    }

    /// The `functions` entries the fixtures script pickles (shout, fail_on_three, letters).
    static func pickledFunctions() throws -> [[String: Any]] {
        let outcome = try TestPython.run("Tests/PyFnJobsTests/python/submit_fixtures.py", ["functions"])
        guard outcome.status == 0, let list = try JSONSerialization.jsonObject(with: Data(outcome.output.utf8)) as? [[String: Any]] else {
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "submit_fixtures.py functions: \(outcome.output)"])
        }
        return list
    }

    /// A statement entry with a program location.
    static func statement(_ sql: String, line: Int) -> [String: Any] {
        ["sql": sql, "location": ["file": "/programs/job.py", "line": line]]
    }
}

/// stderr of the runner, read on another thread.
private final class ErrorCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var data: Data?

    func set(_ value: Data) { lock.withLock { data = value } }
    var done: Bool { lock.withLock { data != nil } }
    var text: String { lock.withLock { String(decoding: data ?? Data(), as: UTF8.self) } }
}
