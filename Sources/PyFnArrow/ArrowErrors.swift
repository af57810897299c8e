/// A malformed, truncated or unsupported Arrow IPC stream (or C Data Interface import).
/// The description says what is wrong and where: message index, byte offset and field path, when known.
public struct ArrowIPCError: Error, CustomStringConvertible, Sendable {
    /// What is wrong.
    public var reason: String
    /// The index of the message in the stream (0 = the schema message).
    public var messageIndex: Int?
    /// The byte offset in the stream where the offending message starts (or the bad bytes are).
    public var byteOffset: Int?
    /// The dotted path of the field being decoded, e.g. `orders.item.price`.
    public var field: String?

    /// Creates an error.
    public init(_ reason: String, messageIndex: Int? = nil, byteOffset: Int? = nil, field: String? = nil) {
        self.reason = reason
        self.messageIndex = messageIndex
        self.byteOffset = byteOffset
        self.field = field
    }

    /// `Arrow IPC: <reason> (message M at byte B, field 'F')`.
    public var description: String {
        var location: [String] = []
        if let messageIndex { location.append("message \(messageIndex)") }
        if let byteOffset { location.append("byte offset \(byteOffset)") }
        if let field { location.append("field '\(field)'") }
        return "Arrow IPC: \(reason)" + (location.isEmpty ? "" : " (" + location.joined(separator: ", ") + ")")
    }

    /// The same error with missing location parts filled in.
    func locating(messageIndex: Int? = nil, byteOffset: Int? = nil, field: String? = nil) -> ArrowIPCError {
        var error = self
        error.messageIndex = error.messageIndex ?? messageIndex
        error.byteOffset = error.byteOffset ?? byteOffset
        error.field = error.field ?? field
        return error
    }
}

/// A value or array that does not fit what an operation expects (builder type mismatch,
/// concatenating different types, record batch columns that disagree with the schema).
public struct ArrowError: Error, CustomStringConvertible, Sendable {
    /// What is wrong.
    public var reason: String

    /// Creates an error.
    public init(_ reason: String) { self.reason = reason }

    /// `Arrow: <reason>`.
    public var description: String { "Arrow: \(reason)" }
}
