import PyFnArrow
import PyFnRunner

/// Typing VALUES rows as Flink does: an integer literal is INT (BIGINT when it does not fit), a decimal literal
/// DECIMAL(p, s) with its own digits (`1.50` is DECIMAL(3, 2)), a string literal a string (Flink's CHAR(n), which
/// it widens to VARCHAR across rows; PyFn has one string type), other expressions as they bind. A column's type is
/// the least restrictive of its rows' types (INT and BIGINT give BIGINT, INT and DECIMAL(3, 2) DECIMAL(12, 2),
/// anything with DOUBLE DOUBLE), nullable when a row holds NULL. The rows are computed once, at planning; an INSERT
/// then casts them into the sink's columns as it casts any query's.
extension Planner {
    /// The source table of a VALUES clause: columns named `names` (Flink's `EXPR$0`, `EXPR$1`, … when none) and
    /// typed as above, its rows computed.
    func valuesTable(_ rows: [[SQLExpression]], alias: String?, names: [String], at location: SourceLocation) throws -> TableDefinition {
        let binder = ExpressionBinder(columns: [], functions: [:])
        let cells = try rows.map { row in try row.map { try valuesCell($0, binder: binder) } }
        var types: [SQLType] = []
        for column in rows[0].indices {
            var common: SQLType?
            var nullable = false
            for (row, rowCells) in cells.enumerated() {
                let cell = rowCells[column]
                if case .literal(.null, _) = cell {
                    nullable = true
                    continue
                }
                nullable = nullable || cell.type.nullable
                guard let known = common else {
                    common = cell.type
                    continue
                }
                guard let widened = Self.leastRestrictive(known, cell.type) else {
                    throw SQLError("VALUES column \(column + 1) holds \(known.notNull) and \(cell.type.notNull), which have no common type; CAST one of them",
                                   at: rows[row][column].location)
                }
                common = widened
            }
            guard let type = common else {
                throw SQLError("VALUES column \(column + 1) holds only NULLs, which have no type; write CAST(NULL AS type)",
                               at: rows[0][column].location)
            }
            types.append(SQLType(type.kind, nullable: nullable))
        }
        let oneRow = try RecordBatch(schema: ArrowSchema([]), columns: [], length: 1)
        let values = try cells.map { row in
            try zip(row, types).map { cell, type -> ArrowValue in
                if case .literal(.null, _) = cell { return .null }
                let typed = cell.type.notNull == type.notNull ? cell : .cast(cell, type)
                return try ExpressionEvaluator.evaluate(typed, over: oneRow).value(at: 0)
            }
        }
        let columnNames = names.isEmpty ? types.indices.map { "EXPR$\($0)" } : names
        var table = TableDefinition(name: alias ?? "VALUES", columns: zip(columnNames, types).map { SQLField($0, $1) },
                                    options: ["connector": "values"], baseDirectory: "/")
        table.inlineRows = values
        return table
    }

    /// A VALUES cell bound, literals typed as Flink types them.
    private func valuesCell(_ expression: SQLExpression, binder: ExpressionBinder) throws -> BoundExpression {
        switch expression {
        case .literal(.integer(let value), _):
            return Self.integerLiteral(value)
        case .unary(.negate, .literal(.integer(let value), _), _):
            return Self.integerLiteral(-value)
        case .literal(.decimal(let text), _):
            if let literal = Self.decimalLiteral(text) { return literal }
            return try binder.bind(expression)
        case .unary(.negate, .literal(.decimal(let text), _), _):
            if let literal = Self.decimalLiteral("-" + text) { return literal }
            return try binder.bind(expression)
        default:
            return try binder.bind(expression)
        }
    }

    private static func integerLiteral(_ value: Int64) -> BoundExpression {
        Int64(Int32.min)...Int64(Int32.max) ~= value ? .literal(.int(value), SQLType.int.notNull) : .literal(.int(value), SQLType.bigint.notNull)
    }

    /// `1.50` as DECIMAL(3, 2) (precision at least the scale, at most 38); nil for an exponent form or too many digits.
    private static func decimalLiteral(_ text: String) -> BoundExpression? {
        let negative = text.hasPrefix("-")
        let unsigned = negative ? String(text.dropFirst()) : text
        let parts = unsigned.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, unsigned.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }) else { return nil }
        let whole = String(parts[0]).drop { $0 == "0" }
        let fraction = parts.count == 2 ? String(parts[1]) : ""
        let precision = max(whole.count + fraction.count, fraction.count, 1)
        guard precision <= 38, let unscaled = Int128(String(whole) + fraction) ?? (whole.isEmpty && fraction.isEmpty ? 0 : nil) else { return nil }
        return .literal(.decimal(unscaled: negative ? -unscaled : unscaled, scale: fraction.count),
                        SQLType(.decimal(precision: precision, scale: fraction.count)).notNull)
    }

    /// The type both `a` and `b` go into without loss, as Flink's least restrictive type; nil when there is none.
    static func leastRestrictive(_ a: SQLType, _ b: SQLType) -> SQLType? {
        let nullable = a.nullable || b.nullable
        func integerDigits(_ type: SQLType) -> (Int, Int)? {
            switch type.kind {
            case .tinyint: return (3, 0)
            case .smallint: return (5, 0)
            case .int: return (10, 0)
            case .bigint: return (19, 0)
            case .decimal(let precision, let scale): return (precision - scale, scale)
            default: return nil
            }
        }
        let rank: [SQLType.Kind: Int] = [.tinyint: 0, .smallint: 1, .int: 2, .bigint: 3]
        switch (a.kind, b.kind) {
        case _ where a.kind == b.kind:
            return SQLType(a.kind, nullable: nullable)
        case (.timestamp(let p), .timestamp(let q)):
            return SQLType(.timestamp(precision: max(p, q)), nullable: nullable)
        case (.timestampLTZ(let p), .timestampLTZ(let q)):
            return SQLType(.timestampLTZ(precision: max(p, q)), nullable: nullable)
        case (.time(let p), .time(let q)):
            return SQLType(.time(precision: max(p, q)), nullable: nullable)
        case _ where a.isInteger && b.isInteger:
            return SQLType(rank[a.kind]! >= rank[b.kind]! ? a.kind : b.kind, nullable: nullable)
        case _ where a.isNumeric && b.isNumeric:
            if [a.kind, b.kind].contains(.double) || [a.kind, b.kind].contains(.float) {
                return SQLType(a.kind == .float && b.kind == .float ? .float : .double, nullable: nullable)
            }
            guard let (aWhole, aScale) = integerDigits(a), let (bWhole, bScale) = integerDigits(b) else { return nil }
            let scale = max(aScale, bScale)
            return SQLType(.decimal(precision: min(38, max(aWhole, bWhole) + scale), scale: scale), nullable: nullable)
        default:
            return nil
        }
    }
}
