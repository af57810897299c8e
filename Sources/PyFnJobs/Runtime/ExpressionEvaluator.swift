import Foundation
import PyFnArrow
import PyFnRunner

/// Evaluates bound expressions over whole batches. Plain columns are passed through untouched; everything else
/// is computed row by row with SQL's NULL rules (NULL in, NULL out; AND/OR three-valued).
enum ExpressionEvaluator {
    /// The column `expression` gives for every row of `batch`.
    static func evaluate(_ expression: BoundExpression, over batch: RecordBatch) throws -> ArrowArray {
        if case .column(let index, _) = expression { return batch.columns[index] }
        if let column = try VectorEvaluator.column(expression, over: batch) { return column }
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
        if case .booleans(let values, let nulls)? = try VectorEvaluator.vector(condition, over: batch) {
            for row in 0..<batch.length where values[row] && !(nulls?[row] ?? false) { keep.append(Int32(row)) }
        } else {
            for row in 0..<batch.length where try value(of: condition, row: row, in: batch) == .bool(true) {
                keep.append(Int32(row))
            }
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
            let operandValue = try value(of: operand, row: row, in: batch)
            if operandValue != .null, let zoned = LocalZonedCast.cast(operandValue, from: operand.type, to: type) { return zoned }
            if operandValue != .null, type.kind == .string, operand.type.isTemporal {
                // Flink writes a TIMESTAMP(p) or TIME(p) with its own p digits: CAST(TIMESTAMP(3) AS STRING) ends in .000.
                return TextValueCodec.displayText(operandValue, as: operand.type).map(ArrowValue.string) ?? .null
            }
            return try cast(operandValue, to: type)
        case .isNull(let operand, let negated):
            return .bool((try value(of: operand, row: row, in: batch) == .null) != negated)
        }
    }

    static func integer(_ op: SQLBinaryOperator, _ a: Int64, _ b: Int64) throws -> ArrowValue {
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

    static func floating(_ op: SQLBinaryOperator, _ a: Double, _ b: Double) -> Double {
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
        case .date, .time, .timestamp:
            return TemporalCast.cast(value, to: type)
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
        case .date, .time, .timestamp: return TextValueCodec.format(self, as: SQLType(.string)) ?? "NULL"
        default: return "\(self)"
        }
    }
}

/// Whole-column evaluation of numeric and boolean expressions (columns of integers and floats, literals,
/// arithmetic, numeric CASTs, comparisons, AND/OR/NOT, IS NULL) with exactly the row-by-row results, NULLs and
/// errors of ``ExpressionEvaluator/value(of:row:in:)``; nil for anything else, which then goes row by row.
enum VectorEvaluator {
    /// Values with their NULL flags (nil: no NULLs).
    enum Vector {
        case integers([Int64], [Bool]?)
        case floats([Double], [Bool]?)
        case booleans([Bool], [Bool]?)
        /// The same value (or NULL) on every row.
        case constant(ArrowValue)
    }

    /// The column of a numeric expression whose result type is BIGINT or DOUBLE; nil when not handled here.
    static func column(_ expression: BoundExpression, over batch: RecordBatch) throws -> ArrowArray? {
        let type = expression.type.arrowType
        guard type == .int64 || type == .float64 || type == .boolean else { return nil }
        guard let vector = try vector(expression, over: batch) else { return nil }
        let rows = batch.length
        switch (type, vector) {
        case (.int64, .integers(let values, let nulls)):
            var builder = PrimitiveColumnBuilder<Int64>(type: .int64)
            for row in 0..<rows { if nulls?[row] ?? false { builder.appendNull() } else { builder.append(values[row]) } }
            return builder.finish()
        case (.float64, .integers(let values, let nulls)):
            var builder = PrimitiveColumnBuilder<Double>(type: .float64)
            for row in 0..<rows { if nulls?[row] ?? false { builder.appendNull() } else { builder.append(Double(values[row])) } }
            return builder.finish()
        case (.float64, .floats(let values, let nulls)):
            var builder = PrimitiveColumnBuilder<Double>(type: .float64)
            for row in 0..<rows { if nulls?[row] ?? false { builder.appendNull() } else { builder.append(values[row]) } }
            return builder.finish()
        case (.boolean, .booleans(let values, let nulls)):
            var builder = BooleanColumnBuilder()
            for row in 0..<rows { if nulls?[row] ?? false { builder.appendNull() } else { builder.append(values[row]) } }
            return builder.finish()
        default:
            return nil
        }
    }

    /// The values of `expression` for every row; nil when not handled here.
    static func vector(_ expression: BoundExpression, over batch: RecordBatch) throws -> Vector? {
        let rows = batch.length
        switch expression {
        case .column(let index, _):
            let column = batch.columns[index]
            let nulls = column.nullCount > 0 ? column.nullFlags() : nil
            switch column.type {
            case .int64: return .integers(column.withValues(as: Int64.self) { Array($0) }, nulls)
            case .int32: return .integers(column.withValues(as: Int32.self) { $0.map(Int64.init) }, nulls)
            case .int16: return .integers(column.withValues(as: Int16.self) { $0.map(Int64.init) }, nulls)
            case .int8: return .integers(column.withValues(as: Int8.self) { $0.map(Int64.init) }, nulls)
            case .float64: return .floats(column.withValues(as: Double.self) { Array($0) }, nulls)
            case .float32: return .floats(column.withValues(as: Float.self) { $0.map(Double.init) }, nulls)
            case .boolean: return .booleans((0..<rows).map { column.value(at: $0) == .bool(true) }, nulls)
            default: return nil
            }
        case .literal(let value, _):
            switch value {
            case .null, .int, .float, .bool: return .constant(value)
            default: return nil
            }
        case .arithmetic(let op, let lhs, let rhs, let type):
            guard [.plus, .minus, .times, .divide, .modulo].contains(op),
                  let left = try vector(lhs, over: batch), let right = try vector(rhs, over: batch) else { return nil }
            return try arithmetic(op, left, right, integerResult: type.isInteger, rows: rows)
        case .cast(let operand, let type):
            guard let inner = try vector(operand, over: batch) else { return nil }
            switch type.kind {
            case .tinyint, .smallint, .int, .bigint:
                switch inner {
                case .integers: return inner
                case .floats(let values, let nulls):
                    var flags = nulls ?? [Bool](repeating: false, count: rows)
                    var result = [Int64](repeating: 0, count: rows)
                    for row in 0..<rows where !flags[row] {
                        if values[row].isFinite { result[row] = Int64(values[row].rounded(.towardZero)) } else { flags[row] = true }
                    }
                    return .integers(result, flags)
                case .constant(let value):
                    return .constant(try ExpressionEvaluator.cast(value, to: type))
                case .booleans:
                    return nil
                }
            case .float, .double:
                switch inner {
                case .integers(let values, let nulls): return .floats(values.map(Double.init), nulls)
                case .floats: return inner
                case .constant(let value): return .constant(try ExpressionEvaluator.cast(value, to: type))
                case .booleans: return nil
                }
            default:
                return nil
            }
        case .comparison(let op, let lhs, let rhs):
            guard [.equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual].contains(op),
                  let left = try vector(lhs, over: batch), let right = try vector(rhs, over: batch) else { return nil }
            return comparison(op, left, right, rows: rows)
        case .logical(let op, let lhs, let rhs):
            // The row path skips the right side where the left decides, so an error there falls back to it.
            guard op == .and || op == .or, let left = try vector(lhs, over: batch), let right = try? vector(rhs, over: batch),
                  let (a, aNull) = booleans(left, rows: rows), let (b, bNull) = booleans(right, rows: rows) else { return nil }
            var values = [Bool](repeating: false, count: rows)
            var nulls = [Bool](repeating: false, count: rows)
            let decisive = op == .or  // FALSE decides AND, TRUE decides OR
            for row in 0..<rows {
                if (!aNull[row] && a[row] == decisive) || (!bNull[row] && b[row] == decisive) {
                    values[row] = decisive
                } else if aNull[row] || bNull[row] {
                    nulls[row] = true
                } else {
                    values[row] = op == .and
                }
            }
            return .booleans(values, nulls)
        case .not(let operand):
            guard let inner = try vector(operand, over: batch), let (a, aNull) = booleans(inner, rows: rows) else { return nil }
            return .booleans(a.map { !$0 }, aNull)
        case .isNull(let operand, let negated):
            guard let inner = try vector(operand, over: batch) else { return nil }
            let nulls: [Bool]
            switch inner {
            case .integers(_, let n), .floats(_, let n), .booleans(_, let n): nulls = n ?? [Bool](repeating: false, count: rows)
            case .constant(let value): nulls = [Bool](repeating: value == .null, count: rows)
            }
            return .booleans(nulls.map { $0 != negated }, nil)
        default:
            return nil
        }
    }

    /// Booleans and NULL flags of a boolean vector (a non-boolean non-NULL constant is not handled).
    private static func booleans(_ vector: Vector, rows: Int) -> ([Bool], [Bool])? {
        switch vector {
        case .booleans(let values, let nulls): return (values, nulls ?? [Bool](repeating: false, count: rows))
        case .constant(.bool(let b)): return ([Bool](repeating: b, count: rows), [Bool](repeating: false, count: rows))
        case .constant(.null): return ([Bool](repeating: false, count: rows), [Bool](repeating: true, count: rows))
        default: return nil
        }
    }

    /// A numeric vector as integers (nil when floating), doubles and NULL flags.
    private static func numbers(_ vector: Vector, rows: Int) -> (integers: [Int64]?, doubles: [Double], nulls: [Bool])? {
        switch vector {
        case .integers(let values, let nulls): return (values, values.map(Double.init), nulls ?? [Bool](repeating: false, count: rows))
        case .floats(let values, let nulls): return (nil, values, nulls ?? [Bool](repeating: false, count: rows))
        case .constant(.int(let x)): return ([Int64](repeating: x, count: rows), [Double](repeating: Double(x), count: rows), [Bool](repeating: false, count: rows))
        case .constant(.float(let x)): return (nil, [Double](repeating: x, count: rows), [Bool](repeating: false, count: rows))
        case .constant(.null): return ([Int64](repeating: 0, count: rows), [Double](repeating: 0, count: rows), [Bool](repeating: true, count: rows))
        default: return nil
        }
    }

    private static func arithmetic(_ op: SQLBinaryOperator, _ left: Vector, _ right: Vector, integerResult: Bool, rows: Int) throws -> Vector? {
        guard let l = numbers(left, rows: rows), let r = numbers(right, rows: rows) else { return nil }
        var nulls = [Bool](repeating: false, count: rows)
        for row in 0..<rows { nulls[row] = l.nulls[row] || r.nulls[row] }
        if integerResult {
            // Integer arithmetic only when both sides are integers (else the row path stores floats in an integer column).
            guard let a = l.integers, let b = r.integers else { return nil }
            var result = [Int64](repeating: 0, count: rows)
            for row in 0..<rows where !nulls[row] {
                guard case .int(let x) = try ExpressionEvaluator.integer(op, a[row], b[row]) else { return nil }
                result[row] = x
            }
            return .integers(result, nulls)
        }
        var result = [Double](repeating: 0, count: rows)
        for row in 0..<rows where !nulls[row] { result[row] = ExpressionEvaluator.floating(op, l.doubles[row], r.doubles[row]) }
        return .floats(result, nulls)
    }

    private static func comparison(_ op: SQLBinaryOperator, _ left: Vector, _ right: Vector, rows: Int) -> Vector? {
        guard let l = numbers(left, rows: rows), let r = numbers(right, rows: rows) else { return nil }
        var nulls = [Bool](repeating: false, count: rows)
        var values = [Bool](repeating: false, count: rows)
        for row in 0..<rows {
            if l.nulls[row] || r.nulls[row] { nulls[row] = true; continue }
            let order: Int
            if let a = l.integers, let b = r.integers {
                order = a[row] < b[row] ? -1 : (a[row] == b[row] ? 0 : 1)
            } else {
                let a = l.doubles[row], b = r.doubles[row]
                order = a < b ? -1 : (a == b ? 0 : 1)
            }
            switch op {
            case .equal: values[row] = order == 0
            case .notEqual: values[row] = order != 0
            case .less: values[row] = order < 0
            case .lessOrEqual: values[row] = order <= 0
            case .greater: values[row] = order > 0
            default: values[row] = order >= 0
            }
        }
        return .booleans(values, nulls)
    }
}
