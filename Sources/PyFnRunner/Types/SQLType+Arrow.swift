import PyFnArrow

extension SQLType {
    /// The zone an LTZ column's Arrow type names: its values are instants (microseconds since the epoch), and
    /// the zone they are shown in is the session's, not the batch's.
    public static let instantZone = "UTC"

    /// The Arrow type batches carry for this SQL type (see docs/wire-contract.md).
    public var arrowType: ArrowType {
        switch kind {
        case .boolean: return .boolean
        case .tinyint: return .int8
        case .smallint: return .int16
        case .int: return .int32
        case .bigint: return .int64
        case .float: return .float32
        case .double: return .float64
        case .decimal(let p, let s): return .decimal128(precision: p, scale: s)
        case .string: return .utf8
        case .bytes: return .binary
        case .date: return .date32
        case .time: return .time64(.microsecond)
        case .timestamp: return .timestamp(.microsecond, timezone: nil)
        case .timestampLTZ: return .timestamp(.microsecond, timezone: SQLType.instantZone)
        case .array(let element): return .list(element.arrowField(named: "item"))
        case .map(let key, let value):
            let entries = ArrowField("entries", .struct([key.notNull.arrowField(named: "key"), value.arrowField(named: "value")]), nullable: false)
            return .map(entries, keysSorted: false)
        case .row(let fields): return .struct(fields.map { $0.type.arrowField(named: $0.name) })
        }
    }

    /// An Arrow field of this type, nullable as the SQL type is.
    public func arrowField(named name: String) -> ArrowField {
        ArrowField(name, arrowType, nullable: nullable)
    }
}

extension SQLField {
    /// This field as an Arrow field.
    public var arrowField: ArrowField { type.arrowField(named: name) }
}

extension ArrowSchema {
    /// The Arrow schema of a table with these SQL columns.
    public init(columns: [SQLField]) {
        self.init(columns.map(\.arrowField))
    }
}

extension SQLType {
    /// The SQL type of an Arrow field; throws for Arrow types with no SQL counterpart here (null). A timestamp with a
    /// time zone, any zone, is an instant: TIMESTAMP_LTZ.
    public init(arrow field: ArrowField) throws {
        let kind: Kind
        switch field.type {
        case .boolean: kind = .boolean
        case .int8: kind = .tinyint
        case .int16: kind = .smallint
        case .int32: kind = .int
        case .int64: kind = .bigint
        case .float32: kind = .float
        case .float64: kind = .double
        case .decimal128(let p, let s): kind = .decimal(precision: p, scale: s)
        case .utf8: kind = .string
        case .binary: kind = .bytes
        case .date32: kind = .date
        case .time32(let unit), .time64(let unit): kind = .time(precision: unit.fractionalDigits)
        case .timestamp(let unit, nil): kind = .timestamp(precision: unit.fractionalDigits)
        case .timestamp(let unit, .some): kind = .timestampLTZ(precision: unit.fractionalDigits)
        case .list(let element): kind = .array(try SQLType(arrow: element))
        case .map(let entries, _):
            guard case .struct(let keyValue) = entries.type, keyValue.count == 2 else {
                throw PyFnError.invalidDescriptor("column '\(field.name)': a map whose entries are not key/value pairs")
            }
            kind = .map(key: try SQLType(arrow: keyValue[0]), value: try SQLType(arrow: keyValue[1]))
        case .struct(let fields): kind = .row(try fields.map { SQLField($0.name, try SQLType(arrow: $0)) })
        case .null:
            throw PyFnError.invalidDescriptor("column '\(field.name)' has Arrow type \(field.type), which has no SQL type here")
        }
        self.init(kind, nullable: field.nullable)
    }
}

extension ArrowTimeUnit {
    /// Digits after the second's point: 0, 3, 6 or 9.
    var fractionalDigits: Int {
        switch self {
        case .second: return 0
        case .millisecond: return 3
        case .microsecond: return 6
        case .nanosecond: return 9
        }
    }
}
