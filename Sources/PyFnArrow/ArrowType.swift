/// The resolution of a time or timestamp value.
public enum ArrowTimeUnit: Sendable, Hashable, CaseIterable {
    /// Seconds.
    case second
    /// Milliseconds.
    case millisecond
    /// Microseconds.
    case microsecond
    /// Nanoseconds.
    case nanosecond
}

/// The logical type of an Arrow column. Nested types carry their child fields.
public indirect enum ArrowType: Sendable, Hashable {
    /// Every value is null; no buffers.
    case null
    /// One bit per value.
    case boolean
    /// Signed 8-bit integers.
    case int8
    /// Signed 16-bit integers.
    case int16
    /// Signed 32-bit integers.
    case int32
    /// Signed 64-bit integers.
    case int64
    /// IEEE 754 single precision.
    case float32
    /// IEEE 754 double precision.
    case float64
    /// 128-bit two's complement unscaled integers with a fixed precision and scale.
    case decimal128(precision: Int, scale: Int)
    /// UTF-8 strings with 32-bit offsets.
    case utf8
    /// Byte strings with 32-bit offsets.
    case binary
    /// Days since the UNIX epoch as a 32-bit integer.
    case date32
    /// Time of day as a 32-bit integer (seconds or milliseconds).
    case time32(ArrowTimeUnit)
    /// Time of day as a 64-bit integer (microseconds or nanoseconds).
    case time64(ArrowTimeUnit)
    /// Time since the UNIX epoch as a 64-bit integer, with an optional time zone name.
    case timestamp(ArrowTimeUnit, timezone: String?)
    /// Variable-length lists of the child field's type, 32-bit offsets.
    case list(ArrowField)
    /// Maps; the field is the entries struct `struct<key, value>` (key not nullable).
    case map(ArrowField, keysSorted: Bool)
    /// Named child fields, one child array each.
    case `struct`([ArrowField])

    /// A map type with the conventional field names `entries`, `key` and `value`.
    public static func map(key: ArrowType, value: ArrowType, valueNullable: Bool = true, keysSorted: Bool = false) -> ArrowType {
        let entries = ArrowField("entries", .struct([ArrowField("key", key, nullable: false),
                                                     ArrowField("value", value, nullable: valueNullable)]),
                                 nullable: false)
        return .map(entries, keysSorted: keysSorted)
    }

    /// The child fields of a nested type (the list item, the map entries, the struct fields); empty otherwise.
    public var children: [ArrowField] {
        switch self {
        case .list(let item): return [item]
        case .map(let entries, _): return [entries]
        case .struct(let fields): return fields
        default: return []
        }
    }
}

/// A named, typed column or child of a nested type.
public struct ArrowField: Sendable, Hashable {
    /// The column name.
    public var name: String
    /// The logical type.
    public var type: ArrowType
    /// Whether values may be null.
    public var nullable: Bool
    /// Custom key/value metadata.
    public var metadata: [String: String]

    /// Creates a field.
    public init(_ name: String, _ type: ArrowType, nullable: Bool = true, metadata: [String: String] = [:]) {
        self.name = name
        self.type = type
        self.nullable = nullable
        self.metadata = metadata
    }
}

/// The fields of a record batch plus schema-level metadata.
public struct ArrowSchema: Sendable, Hashable {
    /// The columns, in order.
    public var fields: [ArrowField]
    /// Custom key/value metadata.
    public var metadata: [String: String]

    /// Creates a schema.
    public init(_ fields: [ArrowField], metadata: [String: String] = [:]) {
        self.fields = fields
        self.metadata = metadata
    }
}

/// How a type's values are laid out in buffers (validity bitmap not included).
enum PhysicalLayout: Equatable {
    /// No buffers.
    case null
    /// One buffer of bits.
    case bitmap
    /// One buffer of `byteWidth`-byte values.
    case fixedWidth(byteWidth: Int)
    /// An Int32 offsets buffer and a data buffer.
    case variableBinary
    /// An Int32 offsets buffer and one child (list, map).
    case list
    /// One child per field.
    case `struct`
}

extension ArrowType {
    var layout: PhysicalLayout {
        switch self {
        case .null: return .null
        case .boolean: return .bitmap
        case .int8: return .fixedWidth(byteWidth: 1)
        case .int16: return .fixedWidth(byteWidth: 2)
        case .int32, .float32, .date32, .time32: return .fixedWidth(byteWidth: 4)
        case .int64, .float64, .time64, .timestamp: return .fixedWidth(byteWidth: 8)
        case .decimal128: return .fixedWidth(byteWidth: 16)
        case .utf8, .binary: return .variableBinary
        case .list, .map: return .list
        case .struct: return .struct
        }
    }

    /// The number of bytes per value of a fixed-width type, nil otherwise.
    public var byteWidth: Int? {
        if case .fixedWidth(let width) = layout { return width }
        return nil
    }
}

extension ArrowType: CustomStringConvertible {
    /// A short readable rendering, e.g. `list<item: int64>`.
    public var description: String {
        switch self {
        case .null: return "null"
        case .boolean: return "bool"
        case .int8: return "int8"
        case .int16: return "int16"
        case .int32: return "int32"
        case .int64: return "int64"
        case .float32: return "float32"
        case .float64: return "float64"
        case .decimal128(let p, let s): return "decimal128(\(p), \(s))"
        case .utf8: return "utf8"
        case .binary: return "binary"
        case .date32: return "date32"
        case .time32(let unit): return "time32[\(unit.symbol)]"
        case .time64(let unit): return "time64[\(unit.symbol)]"
        case .timestamp(let unit, let zone):
            return zone.map { "timestamp[\(unit.symbol), tz=\($0)]" } ?? "timestamp[\(unit.symbol)]"
        case .list(let item): return "list<\(item.name): \(item.type)>"
        case .map(let entries, let sorted):
            let kv = entries.type.children.map { "\($0.type)" }.joined(separator: ", ")
            return "map<\(kv)\(sorted ? ", keys_sorted" : "")>"
        case .struct(let fields): return "struct<" + fields.map { "\($0.name): \($0.type)" }.joined(separator: ", ") + ">"
        }
    }
}

extension ArrowTimeUnit {
    /// `s`, `ms`, `us` or `ns`.
    public var symbol: String {
        switch self {
        case .second: return "s"
        case .millisecond: return "ms"
        case .microsecond: return "us"
        case .nanosecond: return "ns"
        }
    }
}
