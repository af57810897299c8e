/// One value of any Arrow type, for row-at-a-time access and building.
/// Integers of every width are `.int`, both float widths are `.float`.
public indirect enum ArrowValue: Sendable, Hashable {
    /// A null of any type.
    case null
    /// A boolean.
    case bool(Bool)
    /// An integer of any width.
    case int(Int64)
    /// A float32 or float64.
    case float(Double)
    /// A decimal: `unscaled × 10^-scale`.
    case decimal(unscaled: Int128, scale: Int)
    /// A UTF-8 string.
    case string(String)
    /// A byte string.
    case binary([UInt8])
    /// Days since 1970-01-01.
    case date(days: Int32)
    /// Time of day in the given unit.
    case time(Int64, ArrowTimeUnit)
    /// Time since the UNIX epoch in the given unit (the zone belongs to the type).
    case timestamp(Int64, ArrowTimeUnit)
    /// The items of a list value.
    case list([ArrowValue])
    /// The entries of a map value, in order.
    case map([ArrowMapEntry])
    /// The field values of a struct value, in field order.
    case `struct`([ArrowValue])

    /// Whether this is `.null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}

/// One key/value pair of a map value.
public struct ArrowMapEntry: Sendable, Hashable {
    /// The key (never null).
    public var key: ArrowValue
    /// The value.
    public var value: ArrowValue

    /// Creates an entry.
    public init(key: ArrowValue, value: ArrowValue) {
        self.key = key
        self.value = value
    }
}

extension ArrowValue {
    /// What kind of value this is, for error messages.
    var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "bool"
        case .int: return "int"
        case .float: return "float"
        case .decimal: return "decimal"
        case .string: return "string"
        case .binary: return "binary"
        case .date: return "date"
        case .time: return "time"
        case .timestamp: return "timestamp"
        case .list: return "list"
        case .map: return "map"
        case .struct: return "struct"
        }
    }
}
