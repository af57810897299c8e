// The last line `pyfn submit` writes to stderr: `PYFN-STATUS {json}` (docs/job-submission.md, "Process").
import Foundation

/// How a submitted job ended, as the status line's JSON object.
public enum SubmissionStatus: Sendable {
    /// The job ran to its end.
    case succeeded(seconds: Double, rowsIn: Int, rowsOut: Int, rowsSkipped: Int)
    /// The job failed.
    case failed(SubmissionError)

    /// The prefix of the status line.
    public static let prefix = "PYFN-STATUS "

    /// The JSON object: `{"ok": true, "seconds": …, "rows_in": …, "rows_out": …, "rows_skipped": …}` or
    /// `{"ok": false, "kind": …, "message": …, "file": …, "line": …}` (file and line only when known).
    public var json: String {
        var object: [String: Any]
        switch self {
        case .succeeded(let seconds, let rowsIn, let rowsOut, let rowsSkipped):
            object = ["ok": true, "seconds": (seconds * 1000).rounded() / 1000, "rows_in": rowsIn, "rows_out": rowsOut,
                      "rows_skipped": rowsSkipped]
        case .failed(let error):
            object = ["ok": false, "kind": error.kind.rawValue, "message": error.message]
            if let file = error.location?.file { object["file"] = file }
            if let line = error.location?.line { object["line"] = line }
        }
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    /// The whole line, with its line break.
    public var line: String { Self.prefix + json + "\n" }

    /// Whether the job succeeded.
    public var ok: Bool {
        if case .succeeded = self { return true }
        return false
    }
}
