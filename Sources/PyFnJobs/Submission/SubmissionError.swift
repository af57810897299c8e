// A failed submission as the program sees it: PyFlink's ValidationException or a failure while running, with
// the program's file and line.
import Foundation

/// Why a submitted job failed, with the location in the program that made the statement concerned.
public struct SubmissionError: Error, Sendable, CustomStringConvertible {
    /// `validation`: found before rows move; `execution`: failed while running.
    public enum Kind: String, Sendable {
        case validation, execution
    }

    /// Which kind of failure.
    public var kind: Kind
    /// The runner's message.
    public var message: String
    /// The program's location of the statement or function concerned, when known.
    public var location: SubmissionRequest.Location?

    /// A failure of `kind`.
    public init(_ kind: Kind, _ message: String, at location: SubmissionRequest.Location? = nil) {
        self.kind = kind
        self.message = message
        self.location = location
    }

    /// `file:line: message` (or the message alone).
    public var description: String {
        guard let file = location?.file else { return message }
        return "\(file):\(location?.line.map(String.init) ?? "?"): \(message)"
    }
}
