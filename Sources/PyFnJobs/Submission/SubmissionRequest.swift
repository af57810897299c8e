// The JSON document a Python program sends to `pyfn submit` on stdin (docs/job-submission.md, "Request").
import Foundation

/// A job built by a Python program: settings, functions shipped by value, statements and an optional query whose
/// rows go back to the program. Field names are the contract's (snake_case).
public struct SubmissionRequest: Decodable, Sendable {
    /// Where in the program something was made: its file and line.
    public struct Location: Decodable, Sendable, Hashable {
        /// The program's file (absolute).
        public var file: String?
        /// The 1-based line.
        public var line: Int?

        /// A location.
        public init(file: String?, line: Int?) {
            self.file = file
            self.line = line
        }
    }

    /// A function defined in the program, sent as `cloudpickle.dumps` of its `udf`/`udtf`/`udaf` wrapper.
    public struct Function: Decodable, Sendable {
        /// The name SQL calls it by.
        public var name: String
        /// `SCALAR`, `PANDAS_SCALAR`, `TABLE` or `AGGREGATE` (as `pyfn.describe` prints them).
        public var kind: String
        /// The result type as `CREATE TABLE` spells types.
        public var result_type: String
        /// Declared argument types, if the function declares them.
        public var input_types: [String]?
        /// Whether the same inputs always give the same result (default true).
        public var deterministic: Bool?
        /// Base64 of the cloudpickle payload.
        public var pickle: String
        /// Where the program registered it.
        public var location: Location?
    }

    /// One SQL statement with the program line that made it.
    public struct Statement: Decodable, Sendable {
        /// `CREATE TABLE`, `CREATE FUNCTION`, `SET`, `INSERT INTO … SELECT …` (or, for `collect`, a `SELECT`).
        public var sql: String
        /// Where the program made it.
        public var location: Location?
    }

    /// The contract's version; 1.
    public var version: Int
    /// The job's name (metrics, logs).
    public var name: String?
    /// The folder relative paths in table options and `python.files` are resolved against.
    public var base_directory: String?
    /// The program's configuration, with the meaning of `SET` in a job file.
    public var settings: [String: String]?
    /// Functions shipped by value.
    public var functions: [Function]?
    /// The statements, in order.
    public var statements: [Statement]?
    /// The query whose rows are streamed back on stdout.
    public var collect: Statement?

    /// Decodes a request; throws ``SubmissionError`` (validation) for malformed JSON or another version.
    public static func decode(_ data: Data) throws -> SubmissionRequest {
        let request: SubmissionRequest
        do { request = try JSONDecoder().decode(SubmissionRequest.self, from: data) } catch {
            throw SubmissionError(.validation, "the job request is not valid JSON for pyfn submit: \(Self.describe(error))")
        }
        guard request.version == 1 else {
            throw SubmissionError(.validation, "the job request has version \(request.version); this runner reads version 1")
        }
        return request
    }

    /// A decoding error as a short sentence naming the field.
    private static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        }
        switch error {
        case .keyNotFound(let key, let context): return "missing field '\(path(context)).\(key.stringValue)'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "\(context.debugDescription) at '\(path(context))'"
        @unknown default: return "\(error)"
        }
    }
}
