import Foundation
import PyFnArrow
import PyFnRunner

/// Evaluates bound expressions over whole batches. Plain columns are passed through untouched; everything else
/// is computed row by row with SQL's NULL rules (NULL in, NULL out; AND/OR three-valued).
enum ExpressionEvaluator {
    /// The column `expression` gives for every row of `batch`.
    static func evaluate(_ expression: BoundExpression, over batch: RecordBatch) throws -> ArrowArray {
        if case .column(let index, _) = expression { return batch.columns[index] }
        var builder = ArrowArrayBuilder(type: expression.type.arrowType)
        for row in 0..<batch.length {
            let value = try value(of: expression, row: row, in: batch)
            if value == .null { builder.appendNull() } else { try builder.append(value) }
        }
        return builder.finish()
    }

    /// The rows of `batch` where `condition` is TRUE.
    static func filter(_ batch: RecordBatch, where condition: BoundExpression) throws -> RecordBatch {
        var keep: [Int32] = []
        for row in 0..<batch.length where try value(of: condition, row: row, in: batch) == .bool(true) {
            keep.append(Int32(row))
        }
        return keep.count == batch.length ? batch : batch.take(keep)
    }

    /// The value of `expression` at `row`.
    static func value(of expression: BoundExpression, row: Int, in batch: RecordBatch) throws -> ArrowValue {
        switch expression {
        case .column(let index, _):
            return batch.columns[index].value(at: row)
        case .literal(let value, _):
            return value
        case .arithmetic(let op, let lhs, let rhs, let type):
            let left = try value(of: lhs, row: row, in: batch)
            let right = try value(of: rhs, row: row, in: batch)
            if left == .null || right == .null { return .null }
            if type.isInteger, case .int(let a) = left, case .int(let b) = right { return try integer(op, a, b) }
            return .float(floating(op, left.number, right.number))
        case .comparison(let op, let lhs, let rhs):
            let left = try value(of: lhs, row: row, in: batch)
            let right = try value(of: rhs, row: row, in: batch)
            if left == .null || right == .null { return .null }
            return .bool(compare(op, left, right))
        case .logical(let op, let lhs, let rhs):
            let left = try value(of: lhs, row: row, in: batch)
            if op == .and && left == .bool(false) { return .bool(false) }
            if op == .or && left == .bool(true) { return .bool(true) }
            let right = try value(of: rhs, row: row, in: batch)
            if op == .and && right == .bool(false) { return .bool(false) }
            if op == .or && right == .bool(true) { return .bool(true) }
            return left == .null || right == .null ? .null : .bool(op == .and)
        case .not(let operand):
            guard case .bool(let v) = try value(of: operand, row: row, in: batch) else { return .null }
            return .bool(!v)
        case .negate(let operand, _):
            switch try value(of: operand, row: row, in: batch) {
            case .int(let v): return .int(-v)
            case .float(let v): return .float(-v)
            default: return .null
            }
        case .concat(let lhs, let rhs):
            let left = try value(of: lhs, row: row, in: batch)
            let right = try value(of: rhs, row: row, in: batch)
            if left == .null || right == .null { return .null }
            return .string(left.text + right.text)
        case .cast(let operand, let type):
            return try cast(try value(of: operand, row: row, in: batch), to: type)
        case .isNull(let operand, let negated):
            return .bool((try value(of: operand, row: row, in: batch) == .null) != negated)
        }
    }

    private static func integer(_ op: SQLBinaryOperator, _ a: Int64, _ b: Int64) throws -> ArrowValue {
        switch op {
        case .plus: return .int(a &+ b)
        case .minus: return .int(a &- b)
        case .times: return .int(a &* b)
        case .divide, .modulo:
            guard b != 0 else { throw ConnectorError("division by zero") }
            return .int(op == .divide ? a / b : a % b)
        default: return .null
        }
    }

    private static func floating(_ op: SQLBinaryOperator, _ a: Double, _ b: Double) -> Double {
        switch op {
        case .plus: return a + b
        case .minus: return a - b
        case .times: return a * b
        case .divide: return a / b
        case .modulo: return a.truncatingRemainder(dividingBy: b)
        default: return .nan
        }
    }

    private static func compare(_ op: SQLBinaryOperator, _ left: ArrowValue, _ right: ArrowValue) -> Bool {
        let order: Int
        switch (left, right) {
        case (.string(let a), .string(let b)): order = a < b ? -1 : (a == b ? 0 : 1)
        case (.bool(let a), .bool(let b)): order = a == b ? 0 : (!a ? -1 : 1)
        case (.int(let a), .int(let b)): order = a < b ? -1 : (a == b ? 0 : 1)
        default:
            let a = left.number, b = right.number
            order = a < b ? -1 : (a == b ? 0 : 1)
        }
        switch op {
        case .equal: return order == 0
        case .notEqual: return order != 0
        case .less: return order < 0
        case .lessOrEqual: return order <= 0
        case .greater: return order > 0
        case .greaterOrEqual: return order >= 0
        default: return false
        }
    }

    /// `value` as a value of `type` (numbers, strings and booleans convert among each other).
    static func cast(_ value: ArrowValue, to type: SQLType) throws -> ArrowValue {
        if value == .null { return .null }
        switch type.kind {
        case .string: return .string(value.text)
        case .boolean:
            switch value {
            case .bool: return value
            case .string(let s): return s.lowercased() == "true" ? .bool(true) : s.lowercased() == "false" ? .bool(false) : .null
            default: return .bool(value.number != 0)
            }
        case .tinyint, .smallint, .int, .bigint:
            if case .string(let s) = value { return Int64(s.trimmingCharacters(in: .whitespaces)).map { .int($0) } ?? .null }
            if case .int = value { return value }
            let number = value.number
            return number.isFinite ? .int(Int64(number.rounded(.towardZero))) : .null
        case .float, .double:
            if case .string(let s) = value { return Double(s.trimmingCharacters(in: .whitespaces)).map { .float($0) } ?? .null }
            return .float(value.number)
        case .decimal(_, let scale):
            let scaled = (value.number * pow(10, Double(scale))).rounded()
            return .decimal(unscaled: Int128(scaled), scale: scale)
        default:
            return value
        }
    }
}

extension ArrowValue {
    /// A numeric value as a Double (NaN for non-numbers).
    var number: Double {
        switch self {
        case .int(let v): return Double(v)
        case .float(let v): return v
        case .decimal(let unscaled, let scale): return Double(unscaled) / pow(10, Double(scale))
        case .bool(let v): return v ? 1 : 0
        default: return .nan
        }
    }

    /// The value as SQL prints it.
    var text: String {
        switch self {
        case .null: return "NULL"
        case .bool(let v): return v ? "TRUE" : "FALSE"
        case .int(let v): return String(v)
        case .float(let v): return v == v.rounded() && abs(v) < 1e15 ? String(format: "%.1f", v) : String(v)
        case .decimal: return String(number)
        case .string(let v): return v
        case .binary(let v): return v.map { String(format: "%02x", $0) }.joined()
        default: return "\(self)"
        }
    }
}
