import PyFnRunner

/// Plans `SELECT k1, …, f(args) FROM … GROUP BY k1, …` where `f` is a Python table aggregate function (`udtaf`,
/// what the Table API's `group_by(…).flat_aggregate(f(…))` renders): the keys, then every column of the rows
/// `emit_value` yields, several rows per key.
extension Planner {
    func planTableAggregate(_ call: SQLExpression, keys: [SQLExpression], aggregates: [SQLExpression],
                            items: [(expression: SQLExpression, name: String)], columns: inout [PlanColumn], steps: inout [PlanStep],
                            source: TableDefinition) throws -> (TableDefinition, [PlanColumn], [Int]?) {
        guard case .call(let name, let args, _, let location) = call, let registered = functions[name.lowercased()] else {
            preconditionFailure("not a Python call: \(call)")
        }
        guard aggregates.count == 1 else {
            throw SQLError("the table aggregate function '\(name)' (flat_aggregate) must be the only aggregate of its SELECT", at: location)
        }
        guard !steps.contains(where: \.groups) else {
            throw SQLError("flat_aggregate over the rows of another GROUP BY or window is not supported yet", at: location)
        }
        // The SELECT lists the keys in GROUP BY order, then the call: what flat_aggregate renders.
        let expected = keys.map(\.sqlText) + [call.sqlText]
        guard items.map(\.expression.sqlText) == expected else {
            throw SQLError("a table aggregate function's SELECT lists the GROUP BY keys, then '\(call.sqlText)' alone (\(expected.joined(separator: ", ")))",
                           at: location)
        }
        if let declared = registered.inputTypes, declared.count != args.count {
            throw SQLError("'\(name)' takes \(declared.count) arguments, \(args.count) given", at: location)
        }
        let bound = try bindWithPython(keys + args, columns: &columns, steps: &steps)
        steps.append(.project(bound, names: bound.indices.map { "$\($0)" }))
        let function = FunctionCall(registered.function, args.indices.map { .column(keys.count + $0) })
        guard case .row(let fields) = registered.function.resultType.kind else { preconditionFailure("a table aggregate returns a ROW") }
        steps.append(.tableAggregate(keyCount: keys.count, call: function, names: fields.map(\.name)))
        let output = zip(items.prefix(keys.count), bound).map { PlanColumn(name: $0.name, qualifier: nil, type: $1.type) }
            + fields.map { PlanColumn(name: $0.name, qualifier: nil, type: $0.type) }
        return (source, output, nil)
    }
}
