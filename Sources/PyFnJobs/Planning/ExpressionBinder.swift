import PyFnArrow
import PyFnRunner

/// Resolves the columns of an expression against a plan's columns and types its operators (Flink's rules,
/// simplified: integer arithmetic is BIGINT, any other numeric arithmetic DOUBLE).
struct ExpressionBinder {
    let columns: [PlanColumn]
    let functions: [String: RegisteredFunction]

    /// Binds `expression`'s top node, binding its children with `child` (so callers can substitute sub-trees).
    func bind(_ expression: SQLExpression, child: (SQLExpression) throws -> BoundExpression) throws -> BoundExpression {
        switch expression {
        case .column(let name, let qualifier, let location):
            let matches = columns.indices.filter { index in
                columns[index].name.lowercased() == name.lowercased()
                    && (qualifier == nil || columns[index].qualifier?.lowercased() == qualifier?.lowercased())
            }
            if matches.isEmpty && qualifier == nil && name.uppercased() == "CURRENT_TIMESTAMP" { return currentTimestamp() }
            guard let index = matches.first else {
                let available = columns.filter { !$0.name.hasPrefix("$") }.map(\.name).joined(separator: ", ")
                throw SQLError("unknown column '\(qualifier.map { "\($0)." } ?? "")\(name)' (columns: \(available))", at: location)
            }
            guard matches.count == 1 else { throw SQLError("column '\(name)' is ambiguous; qualify it", at: location) }
            return .column(index, columns[index].type)
        case .literal(let value, _):
            switch value {
            case .integer(let v): return .literal(.int(v), SQLType.bigint.notNull)
            case .decimal(let text): return .literal(.float(Double(text) ?? .nan), SQLType.double.notNull)
            case .string(let v): return .literal(.string(v), SQLType.string.notNull)
            case .boolean(let v): return .literal(.bool(v), SQLType.boolean.notNull)
            case .null: return .literal(.null, .string)
            }
        case .star(let location):
            throw SQLError("* is only allowed in COUNT(*) and SELECT *", at: location)
        case .call(let name, let arguments, _, let location):
            if Self.isCurrentTimestamp(name, arguments: arguments.count) && functions[name.lowercased()] == nil {
                return currentTimestamp()
            }
            if name.uppercased() == "TO_TIMESTAMP_LTZ" && functions[name.lowercased()] == nil {
                return try toTimestampLTZ(arguments.map(child), at: location)
            }
            if let registered = functions[name.lowercased()] {
                switch registered.function.kind {
                case .table: throw SQLError("'\(name)' is a table function; call it with LATERAL TABLE(…)", at: location)
                case .aggregate, .pandasAggregate: throw SQLError("aggregate '\(name)' is not allowed here", at: location)
                default: throw SQLError("'\(name)' cannot be called here", at: location)
                }
            }
            if ["COUNT", "SUM", "MIN", "MAX", "AVG"].contains(name.uppercased()) {
                throw SQLError("aggregate \(name.uppercased()) is not allowed here", at: location)
            }
            throw SQLError("unknown function '\(name)'\(functions.isEmpty ? "" : " (registered: \(functions.keys.sorted().joined(separator: ", ")))")",
                           at: location)
        case .binary(let op, let lhs, let rhs, let location):
            let left = try child(lhs)
            let right = try child(rhs)
            return try binary(op, left, right, at: location)
        case .unary(.not, let operand, let location):
            let bound = try child(operand)
            guard bound.type.kind == .boolean else { throw SQLError("NOT needs a BOOLEAN, not \(bound.type)", at: location) }
            return .not(bound)
        case .unary(.negate, let operand, let location):
            let bound = try child(operand)
            guard bound.type.isNumeric else { throw SQLError("cannot negate \(bound.type)", at: location) }
            return .negate(bound, bound.type)
        case .cast(.literal(.string(let text), _), let type, let location) where type.isTemporal && !type.isLocalZoned:
            // A typed literal or a CAST of a constant text: checked now, so a bad one stops the job before it runs.
            do {
                return .literal(try TextValueCodec.parse(text, as: type), type.notNull)
            } catch {
                throw SQLError("'\(text)' is not a valid \(TextValueCodec.typeName(type)): \(error.message)", at: location)
            }
        case .cast(let operand, let type, let location):
            let bound = try child(operand)
            guard bound.type.canCast(to: type) else { throw SQLError("cannot CAST \(bound.type) AS \(type)", at: location) }
            return .cast(bound, type)
        case .isNull(let operand, let negated, _):
            return .isNull(try child(operand), negated: negated)
        }
    }

    private func binary(_ op: SQLBinaryOperator, _ left: BoundExpression, _ right: BoundExpression, at location: SourceLocation) throws -> BoundExpression {
        switch op {
        case .and, .or:
            guard left.type.kind == .boolean, right.type.kind == .boolean else {
                throw SQLError("\(op.rawValue) needs BOOLEANs, not \(left.type) and \(right.type)", at: location)
            }
            return .logical(op, left, right)
        case .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual:
            guard left.type.isNumeric && right.type.isNumeric || left.type.sameKind(as: right.type)
                    || left.isNullLiteral || right.isNullLiteral else {
                throw SQLError("cannot compare \(left.type) with \(right.type)", at: location)
            }
            return .comparison(op, left, right)
        case .concat:
            return .concat(left, right)
        case .plus, .minus, .times, .divide, .modulo:
            guard left.type.isNumeric, right.type.isNumeric else {
                throw SQLError("cannot apply \(op.rawValue) to \(left.type) and \(right.type)", at: location)
            }
            let type: SQLType = left.type.isInteger && right.type.isInteger ? .bigint : .double
            return .arithmetic(op, left, right, type)
        }
    }
}

extension BoundExpression {
    /// Whether this is the NULL literal.
    var isNullLiteral: Bool {
        if case .literal(.null, _) = self { return true }
        return false
    }
}

extension ExpressionBinder {
    /// Binds a whole expression.
    func bind(_ expression: SQLExpression) throws -> BoundExpression {
        try bind(expression) { try bind($0) }
    }
}

extension SQLType {
    /// DATE, TIME, TIMESTAMP or TIMESTAMP_LTZ.
    var isTemporal: Bool {
        switch kind {
        case .date, .time, .timestamp, .timestampLTZ: return true
        default: return false
        }
    }

    /// TIMESTAMP_LTZ.
    var isLocalZoned: Bool {
        if case .timestampLTZ = kind { return true }
        return false
    }

    /// Whether Flink's CAST turns values of this type into `target`: numbers, strings and booleans among each other;
    /// strings to DATE, TIME and TIMESTAMP; temporal types to strings; TIMESTAMP to DATE and TIME, DATE to TIMESTAMP;
    /// TIMESTAMP_LTZ to and from STRING, TIMESTAMP and DATE, and to TIME (through the session zone).
    func canCast(to target: SQLType) -> Bool {
        if sameKind(as: target) { return true }
        let simple = isNumeric || kind == .string || kind == .boolean
        if simple && (target.isNumeric || target.kind == .string || target.kind == .boolean) { return true }
        switch (kind, target.kind) {
        case (.string, .date), (.string, .time), (.string, .timestamp): return true
        case (.date, .string), (.time, .string), (.timestamp, .string): return true
        case (.timestamp, .date), (.timestamp, .time), (.date, .timestamp), (.time, .time), (.timestamp, .timestamp): return true
        case (.string, .timestampLTZ), (.timestampLTZ, .string), (.timestamp, .timestampLTZ), (.timestampLTZ, .timestamp),
             (.timestampLTZ, .date), (.timestampLTZ, .time), (.date, .timestampLTZ), (.timestampLTZ, .timestampLTZ): return true
        default: return false
        }
    }
}
