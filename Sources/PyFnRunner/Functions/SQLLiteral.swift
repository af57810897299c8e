import Foundation

/// A literal argument of a function call, with its SQL type.
public struct SQLLiteral: Sendable, Hashable {
    /// The literal's value in the encoding its type uses on the wire.
    public enum Value: Sendable, Hashable {
        /// SQL NULL.
        case null
        /// BOOLEAN.
        case bool(Bool)
        /// Integers; DATE as days since the epoch, TIME as microseconds of the day, TIMESTAMP as microseconds since
        /// the epoch.
        case int(Int64)
        /// FLOAT and DOUBLE.
        case double(Double)
        /// STRING, and DECIMAL as its decimal text.
        case string(String)
        /// BYTES.
        case bytes(Data)
    }

    /// The literal's type.
    public var type: SQLType
    /// Its value.
    public var value: Value

    /// A literal of `type` holding `value`.
    public init(_ value: Value, type: SQLType) {
        self.value = value
        self.type = type
    }

    /// A BIGINT literal.
    public static func bigint(_ v: Int64) -> SQLLiteral { SQLLiteral(.int(v), type: .bigint.notNull) }
    /// An INT literal.
    public static func int(_ v: Int32) -> SQLLiteral { SQLLiteral(.int(Int64(v)), type: .int.notNull) }
    /// A DOUBLE literal.
    public static func double(_ v: Double) -> SQLLiteral { SQLLiteral(.double(v), type: .double.notNull) }
    /// A STRING literal.
    public static func string(_ v: String) -> SQLLiteral { SQLLiteral(.string(v), type: .string.notNull) }
    /// A BOOLEAN literal.
    public static func bool(_ v: Bool) -> SQLLiteral { SQLLiteral(.bool(v), type: .boolean.notNull) }
    /// NULL of the given type.
    public static func null(_ type: SQLType) -> SQLLiteral { SQLLiteral(.null, type: type) }
}
