/// Named OVER windows: `SELECT SUM(v) OVER w, … FROM t WINDOW w AS (PARTITION BY k ORDER BY ts ROWS …)`. The
/// parser keeps `agg(…) OVER w` as `$over(agg, $window('w'))` until the WINDOW clause is read, then puts each
/// named window's specification in, so the planner sees the same `$over(agg, $partition(…), ts, $frame(…))` as
/// for a window written inline (and two aggregates over one name share one window).

extension OverWindowSyntax {
    /// The call that stands for `OVER name` until the WINDOW clause is read.
    static let windowReferenceName = "$window"
}

extension SQLExpression {
    /// This expression with every call for which `replacement` returns an expression replaced by it (its
    /// arguments are not visited then); other calls and operators are rebuilt around replaced children.
    func replacingCalls(_ replacement: (SQLExpression) throws -> SQLExpression?) rethrows -> SQLExpression {
        switch self {
        case .call(let name, let arguments, let distinct, let location):
            if let replaced = try replacement(self) { return replaced }
            return .call(name: name, arguments: try arguments.map { try $0.replacingCalls(replacement) }, distinct: distinct, location: location)
        case .binary(let op, let lhs, let rhs, let location):
            return .binary(op, try lhs.replacingCalls(replacement), try rhs.replacingCalls(replacement), location: location)
        case .unary(let op, let operand, let location):
            return .unary(op, try operand.replacingCalls(replacement), location: location)
        case .cast(let operand, let type, let location):
            return .cast(try operand.replacingCalls(replacement), type, location: location)
        case .isNull(let operand, let negated, let location):
            return .isNull(try operand.replacingCalls(replacement), negated: negated, location: location)
        case .column, .literal, .star:
            return self
        }
    }
}

extension SQLGrammar {
    /// Reads `WINDOW name AS (spec)[, name AS (spec)…]` if it comes next and returns `items` with each
    /// `OVER name` replaced by that window; `OVER name` without such a window is an error at the name.
    func namedWindowsResolved(in items: [SelectItem]) throws -> [SelectItem] {
        var windows: [String: [SQLExpression]] = [:]
        if accept(keyword: "WINDOW") {
            repeat {
                let name = try identifier("a window name")
                guard windows[name.name.lowercased()] == nil else {
                    throw SQLError("the window '\(name.name)' is defined twice", at: name.location)
                }
                try expect(keyword: "AS")
                windows[name.name.lowercased()] = try windowSpecification(at: name.location)
            } while accept(.comma)
        }
        return try items.map { item in
            guard case .expression(let expression, let alias) = item else { return item }
            let resolved = try expression.replacingCalls { call in
                guard case .call(OverWindowSyntax.overName, let arguments, let distinct, let location) = call, arguments.count == 2,
                      case .call(OverWindowSyntax.windowReferenceName, let reference, _, let referenceLocation) = arguments[1],
                      case .literal(.string(let name), _)? = reference.first else { return nil }
                guard let specification = windows[name.lowercased()] else {
                    let known = windows.isEmpty ? "the query has no WINDOW clause" : "known: " + windows.keys.sorted().joined(separator: ", ")
                    throw SQLError("unknown window '\(name)' (\(known))", at: referenceLocation)
                }
                return .call(name: OverWindowSyntax.overName, arguments: [arguments[0]] + specification, distinct: distinct, location: location)
            }
            return .expression(resolved, alias: alias)
        }
    }
}
