extension SQLExpression {
    /// The expression as SQL text, without locations: two expressions that read the same are the same (used to
    /// match GROUP BY keys and select items, and to name columns in plans).
    public var sqlText: String {
        switch self {
        case .column(let name, let qualifier, _): return qualifier.map { "\($0).\(name)" } ?? name
        case .literal(let value, _):
            switch value {
            case .integer(let v): return String(v)
            case .decimal(let v): return v
            case .string(let v): return "'\(v.replacingOccurrences(of: "'", with: "''"))'"
            case .boolean(let v): return v ? "TRUE" : "FALSE"
            case .null: return "NULL"
            }
        case .call(let name, let arguments, let distinct, _):
            return "\(name.uppercased())(\(distinct ? "DISTINCT " : "")\(arguments.map(\.sqlText).joined(separator: ", ")))"
        case .star: return "*"
        case .binary(let op, let lhs, let rhs, _): return "(\(lhs.sqlText) \(op.rawValue) \(rhs.sqlText))"
        case .unary(let op, let operand, _): return op == .not ? "(NOT \(operand.sqlText))" : "(-\(operand.sqlText))"
        case .cast(let operand, let type, _): return "CAST(\(operand.sqlText) AS \(type))"
        case .isNull(let operand, let negated, _): return "(\(operand.sqlText) IS \(negated ? "NOT " : "")NULL)"
        }
    }

    /// The sub-expressions directly inside this one.
    var children: [SQLExpression] {
        switch self {
        case .column, .literal, .star: return []
        case .call(_, let arguments, _, _): return arguments
        case .binary(_, let lhs, let rhs, _): return [lhs, rhs]
        case .unary(_, let operand, _), .cast(let operand, _, _), .isNull(let operand, _, _): return [operand]
        }
    }
}
