import PyFnArrow
import PyFnProto

/// A SQL type as Flink spells it (`BIGINT`, `DECIMAL(10, 2)`, `ARRAY<STRING>`, `ROW<a INT>` …), nullable or NOT NULL.
///
/// It is what users declare for UDF results and table columns; it maps one to one onto the
/// `pyfn.v1.DataType` proto the worker reads and onto the Arrow type the batches carry.
public struct SQLType: Sendable, Hashable, CustomStringConvertible {
    /// The shape of a SQL type, without nullability.
    public indirect enum Kind: Sendable, Hashable {
        /// Booleans and numbers: BOOLEAN, TINYINT, SMALLINT, INT, BIGINT, FLOAT, DOUBLE.
        case boolean, tinyint, smallint, int, bigint, float, double
        /// DECIMAL(p, s).
        case decimal(precision: Int, scale: Int)
        /// STRING, BYTES, DATE.
        case string, bytes, date
        /// TIME(p): fractional-second digits.
        case time(precision: Int)
        /// TIMESTAMP(p): fractional-second digits; no time zone.
        case timestamp(precision: Int)
        /// TIMESTAMP_LTZ(p) (= TIMESTAMP(p) WITH LOCAL TIME ZONE): an instant, shown in the session time zone.
        case timestampLTZ(precision: Int)
        /// ARRAY<T>.
        case array(SQLType)
        /// MAP<K, V>.
        case map(key: SQLType, value: SQLType)
        /// ROW<name type, …>.
        case row([SQLField])
    }

    /// The shape.
    public var kind: Kind
    /// False for NOT NULL.
    public var nullable: Bool

    /// A type of the given shape, nullable unless told otherwise.
    public init(_ kind: Kind, nullable: Bool = true) {
        self.kind = kind
        self.nullable = nullable
    }

    /// The same type, NOT NULL.
    public var notNull: SQLType { SQLType(kind, nullable: false) }

    /// BOOLEAN, nullable.
    public static let boolean = SQLType(.boolean)
    /// TINYINT, nullable.
    public static let tinyint = SQLType(.tinyint)
    /// SMALLINT, nullable.
    public static let smallint = SQLType(.smallint)
    /// INT, nullable.
    public static let int = SQLType(.int)
    /// BIGINT, nullable.
    public static let bigint = SQLType(.bigint)
    /// FLOAT, nullable.
    public static let float = SQLType(.float)
    /// DOUBLE, nullable.
    public static let double = SQLType(.double)
    /// STRING, nullable.
    public static let string = SQLType(.string)
    /// BYTES, nullable.
    public static let bytes = SQLType(.bytes)
    /// DATE, nullable.
    public static let date = SQLType(.date)
    /// DECIMAL(p, s).
    public static func decimal(_ precision: Int, _ scale: Int) -> SQLType { SQLType(.decimal(precision: precision, scale: scale)) }
    /// TIME(p); Flink's default precision is 0.
    public static func time(_ precision: Int = 0) -> SQLType { SQLType(.time(precision: precision)) }
    /// TIMESTAMP(p); Flink's default precision is 6.
    public static func timestamp(_ precision: Int = 6) -> SQLType { SQLType(.timestamp(precision: precision)) }
    /// TIMESTAMP_LTZ(p); Flink's default precision is 6.
    public static func timestampLTZ(_ precision: Int = 6) -> SQLType { SQLType(.timestampLTZ(precision: precision)) }
    /// ARRAY<T>.
    public static func array(_ element: SQLType) -> SQLType { SQLType(.array(element)) }
    /// MAP<K, V>.
    public static func map(_ key: SQLType, _ value: SQLType) -> SQLType { SQLType(.map(key: key, value: value)) }
    /// ROW<name type, …>.
    public static func row(_ fields: [SQLField]) -> SQLType { SQLType(.row(fields)) }

    /// The type in Flink SQL syntax, e.g. `MAP<STRING, BIGINT> NOT NULL`.
    public var description: String {
        let base: String
        switch kind {
        case .boolean: base = "BOOLEAN"
        case .tinyint: base = "TINYINT"
        case .smallint: base = "SMALLINT"
        case .int: base = "INT"
        case .bigint: base = "BIGINT"
        case .float: base = "FLOAT"
        case .double: base = "DOUBLE"
        case .decimal(let p, let s): base = "DECIMAL(\(p), \(s))"
        case .string: base = "STRING"
        case .bytes: base = "BYTES"
        case .date: base = "DATE"
        case .time(let p): base = "TIME(\(p))"
        case .timestamp(let p): base = "TIMESTAMP(\(p))"
        case .timestampLTZ(let p): base = "TIMESTAMP_LTZ(\(p))"
        case .array(let e): base = "ARRAY<\(e)>"
        case .map(let k, let v): base = "MAP<\(k), \(v)>"
        case .row(let fields): base = "ROW<\(fields.map { "\($0.name) \($0.type)" }.joined(separator: ", "))>"
        }
        return nullable ? base : base + " NOT NULL"
    }
}

/// A named field of a ROW type or a column of a table.
public struct SQLField: Sendable, Hashable {
    /// The field's name.
    public var name: String
    /// The field's type.
    public var type: SQLType

    /// A field called `name` of type `type`.
    public init(_ name: String, _ type: SQLType) {
        self.name = name
        self.type = type
    }
}
