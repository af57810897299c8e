import PyFnArrow
import PyFnRunner

/// Planning of OVER windows: `aggregate(…) OVER (PARTITION BY k ORDER BY ts ROWS BETWEEN n PRECEDING AND CURRENT
/// ROW)`, `RANGE BETWEEN INTERVAL … PRECEDING AND CURRENT ROW`, or UNBOUNDED PRECEDING for either (also written
/// `ROWS UNBOUNDED PRECEDING`; no frame is RANGE UNBOUNDED), inline or named (`OVER w … WINDOW w AS (…)`), with
/// built-in, general Python and Pandas aggregates; every OVER of a query shares one window (as Flink requires). One ``PlanStep/over(_:)`` step
/// forwards every column and appends the aggregates; the select items are computed after it.
extension Planner {
    /// True when the expression holds an OVER aggregate.
    func containsOver(_ expression: SQLExpression) -> Bool {
        if expression.functionName == OverWindowSyntax.overName { return true }
        return expression.children.contains(where: containsOver)
    }

    private func overCalls(in expression: SQLExpression) -> [SQLExpression] {
        if expression.functionName == OverWindowSyntax.overName { return [expression] }
        return expression.children.flatMap(overCalls)
    }

    /// Plans a SELECT whose items use OVER aggregates.
    func planOver(_ select: SelectStatement, items: [(expression: SQLExpression, name: String)], columns: inout [PlanColumn],
                  steps: inout [PlanStep], source: TableDefinition) throws -> (TableDefinition, [PlanColumn], [Int]?) {
        guard select.groupBy.isEmpty else {
            throw SQLError("OVER aggregates and GROUP BY cannot be in one query; aggregate in a subquery", at: select.location)
        }
        var overs: [SQLExpression] = []
        for call in items.flatMap({ overCalls(in: $0.expression) }) where !overs.contains(where: { $0.sqlText == call.sqlText }) {
            overs.append(call)
        }
        guard case .call(_, let first, _, let location) = overs[0], first.count == 4,
              case .call(_, let partition, _, _) = first[1], case .call(_, let frameParts, _, let frameLocation) = first[3] else {
            preconditionFailure("the parser builds $over(call, $partition(…), order, $frame(…))")
        }
        for other in overs.dropFirst() {
            guard case .call(_, let arguments, _, _) = other, arguments.dropFirst().map(\.sqlText) == first.dropFirst().map(\.sqlText) else {
                // Flink's words (StreamPhysicalOverAggregateRule); the location points at the OVER that differs.
                throw SQLError("Over Agg: Unsupported use of OVER windows. All aggregates must be computed on the same window. please re-check the over window statement.",
                               at: other.location)
            }
        }
        guard let eventTime = source.eventTime, case .column(let orderName, _, _) = first[2],
              orderName.lowercased() == eventTime.column.lowercased() else {
            let what = source.eventTime.map { "its event-time column '\($0.column)'" } ?? (select.from.isSubquery
                ? "an event-time column: the subquery must select \(source.name)'s event-time column as it is (ts or ts AS name)"
                : "an event-time column, declared with WATERMARK FOR ts AS ts - INTERVAL '5' SECOND in CREATE TABLE \(source.name)")
            throw SQLError("OVER windows ORDER BY the event time: '\(first[2].sqlText)' is not \(what)", at: first[2].location)
        }
        let frame: OverAggregation.Frame
        switch (frameParts[0], frameParts[1]) {
        case (.literal(.string("ROWS"), _), .literal(.integer(let n), _)) where n >= 0:
            frame = .rows(Int(n))
        case (.literal(.string("RANGE"), _), let bound) where bound.intervalMicroseconds != nil:
            frame = .range(bound.intervalMicroseconds!)
        case (.literal(.string("ROWS"), _), .literal(.string("UNBOUNDED"), _)):
            frame = .unboundedRows
        case (.literal(.string("RANGE"), _), .literal(.string("UNBOUNDED"), _)):
            frame = .unboundedRange
        default:
            throw SQLError("PyFn's OVER windows take ROWS BETWEEN n PRECEDING AND CURRENT ROW, RANGE BETWEEN INTERVAL 'n' SECOND PRECEDING AND CURRENT ROW, or UNBOUNDED PRECEDING for either, not '\(frameParts[0].sqlText) \(frameParts[1].sqlText) PRECEDING'",
                           at: frameLocation)
        }
        let aggregates = overs.map { over -> SQLExpression in
            guard case .call(_, let arguments, _, _) = over else { preconditionFailure("an OVER call") }
            return arguments[0]
        }
        var builtIn: [SQLExpression] = []
        var python: [SQLExpression] = []
        for call in aggregates {
            guard case .call(let name, let args, let distinct, let callLocation) = call else {
                throw SQLError("OVER applies to an aggregate call", at: call.location)
            }
            if let registered = functions[name.lowercased()] {
                guard registered.function.kind == .aggregate || registered.function.kind == .pandasAggregate else {
                    throw SQLError("'\(name)' is not an aggregate function; OVER applies to aggregates", at: callLocation)
                }
                guard !distinct else { throw SQLError("DISTINCT is not supported for the Python aggregate '\(name)'", at: callLocation) }
                if let declared = registered.inputTypes, declared.count != args.count {
                    throw SQLError("'\(name)' takes \(declared.count) arguments, \(args.count) given", at: callLocation)
                }
                python.append(call)
            } else {
                builtIn.append(call)
            }
        }
        let builtInArguments: [SQLExpression] = builtIn.compactMap { call in
            guard case .call(_, let args, _, _) = call, let first = args.first else { return nil }
            if case .star = first { return nil }
            return first
        }
        let pythonArguments = python.flatMap { call -> [SQLExpression] in
            guard case .call(_, let args, _, _) = call else { return [] }
            return args
        }
        let time = SQLExpression.column(name: eventTime.column, qualifier: nil, location: location)
        let mark = SQLExpression.column(name: EventTimeSource.watermarkColumn, qualifier: nil, location: location)
        let bound = try bindWithPython(partition + [time, mark] + builtInArguments + pythonArguments, columns: &columns, steps: &steps)
        let forwarded = columns
        steps.append(.project(forwarded.indices.map { BoundExpression.column($0, forwarded[$0].type) } + bound,
                              names: forwarded.map(\.name) + bound.indices.map { "$\($0)" }))
        let forwardCount = forwarded.count
        let argumentsStart = forwardCount + partition.count + 2
        var builtInBound = Array(bound[(partition.count + 2)..<(partition.count + 2 + builtInArguments.count)])
        let specs = try builtInSpecs(builtIn, arguments: &builtInBound, firstPosition: argumentsStart)
        var position = argumentsStart + builtInArguments.count
        let calls = python.map { call -> FunctionCall in
            guard case .call(let name, let args, _, _) = call else { preconditionFailure("not a call") }
            defer { position += args.count }
            return FunctionCall(functions[name.lowercased()]!.function, args.indices.map { .column(position + $0) })
        }
        // Built-ins come out first, then the Python calls: the OVER texts in that order.
        let overTexts = builtIn.map { call in overs[aggregates.firstIndex(of: call)!].sqlText }
            + python.map { call in overs[aggregates.firstIndex(of: call)!].sqlText }
        steps.append(.over(OverAggregation(frame: frame, forwardCount: forwardCount, keyCount: partition.count, builtIns: specs,
                                           pythonCalls: calls, pythonNames: python.map(\.sqlText))))
        let outputColumns = forwarded + zip(overTexts, specs.map(\.type) + calls.map(\.function.resultType)).map {
            PlanColumn(name: $0, qualifier: nil, type: $1)
        }
        func bindItem(_ expression: SQLExpression) throws -> BoundExpression {
            if let index = overTexts.firstIndex(of: expression.sqlText) {
                return .column(forwardCount + index, outputColumns[forwardCount + index].type)
            }
            return try ExpressionBinder(columns: outputColumns, functions: [:]).bind(expression) { try bindItem($0) }
        }
        let output = try items.map { try bindItem($0.expression) }
        let names = items.map(\.name)
        steps.append(.project(output, names: names))
        return (source, zip(names, output).map { PlanColumn(name: $0, qualifier: nil, type: $1.type) }, nil)
    }
}
