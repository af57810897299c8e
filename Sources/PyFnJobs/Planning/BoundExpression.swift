import PyFnArrow
import PyFnRunner

/// An expression whose columns are resolved to positions of a batch and whose type is known; the runtime
/// evaluates it over whole batches. Python calls never appear here: the planner runs them in operators first and
/// refers to their result columns.
indirect enum BoundExpression: Sendable, Hashable {
    case column(Int, SQLType)
    case literal(ArrowValue, SQLType)
    case arithmetic(SQLBinaryOperator, BoundExpression, BoundExpression, SQLType)
    case comparison(SQLBinaryOperator, BoundExpression, BoundExpression)
    case logical(SQLBinaryOperator, BoundExpression, BoundExpression)
    case not(BoundExpression)
    case negate(BoundExpression, SQLType)
    case concat(BoundExpression, BoundExpression)
    case cast(BoundExpression, SQLType)
    case isNull(BoundExpression, negated: Bool)

    /// The result's type.
    var type: SQLType {
        switch self {
        case .column(_, let t), .literal(_, let t), .arithmetic(_, _, _, let t), .negate(_, let t), .cast(_, let t): return t
        case .comparison, .logical, .not, .isNull: return .boolean
        case .concat: return .string
        }
    }

    /// The column this expression is, if it is just a column.
    var columnIndex: Int? {
        if case .column(let index, _) = self { return index }
        return nil
    }
}

extension SQLType {
    /// Whether values of this type are numbers.
    var isNumeric: Bool {
        switch kind {
        case .tinyint, .smallint, .int, .bigint, .float, .double, .decimal: return true
        default: return false
        }
    }

    /// Whether values of this type are whole numbers.
    var isInteger: Bool {
        switch kind {
        case .tinyint, .smallint, .int, .bigint: return true
        default: return false
        }
    }

    /// Whether a value of this type goes into a `target` column of the same time type at another precision
    /// (`TIMESTAMP(3)` into `TIMESTAMP(6)` and back, `TIME`, `TIMESTAMP_LTZ` likewise): Flink casts it implicitly.
    func isOtherPrecision(of target: SQLType) -> Bool {
        switch (kind, target.kind) {
        case (.timestamp, .timestamp), (.timestampLTZ, .timestampLTZ), (.time, .time): return true
        default: return false
        }
    }

    /// The same shape, ignoring nullability.
    func sameKind(as other: SQLType) -> Bool { kind == other.kind }

    /// Whether values of this type can go into a column of `target` as they are: the same shape, where a nested
    /// element, key, value or field may be NOT NULL here and nullable in the target (Flink's nullability
    /// widening, e.g. `MAP<STRING NOT NULL, STRING>` into `MAP<STRING, STRING>`), not the other way round. The
    /// top level's nullability is not compared.
    func fits(into target: SQLType) -> Bool {
        func nested(_ source: SQLType, _ target: SQLType) -> Bool {
            (!source.nullable || target.nullable) && source.fits(into: target)
        }
        switch (kind, target.kind) {
        case (.array(let element), .array(let targetElement)):
            return nested(element, targetElement)
        case (.map(let key, let value), .map(let targetKey, let targetValue)):
            return nested(key, targetKey) && nested(value, targetValue)
        case (.row(let fields), .row(let targetFields)):
            return fields.count == targetFields.count
                && zip(fields, targetFields).allSatisfy { nested($0.type, $1.type) }
        default:
            return kind == target.kind
        }
    }
}
