import PyFnArrow
import PyFnRunner

/// A query's time window as written: the window table function in FROM, or a group window in GROUP BY.
struct WindowClause {
    /// The window kind and sizes.
    var kind: WindowKind
    /// The event-time column it reads.
    var timeColumn: String
    /// The GROUP BY expressions other than the window (window_start/window_end, or the TUMBLE(…) call).
    var keys: [SQLExpression]
    /// Where the window is written.
    var location: SourceLocation
    /// True for a group window (`GROUP BY TUMBLE(ts, …)`), whose `TUMBLE_START(…)`/`_END`/`_ROWTIME` calls in the
    /// select items stand for the window's columns; false for a window table function.
    var isGroupWindow: Bool
}

/// Planning of time windows: window TVFs (`TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), …))` grouped by
/// `window_start, window_end`) and group windows (`GROUP BY TUMBLE(ts, …)`, `HOP(ts, slide, size)`,
/// `SESSION(ts, gap)` with `TUMBLE_START`/`_END`/`_ROWTIME` and the like), with built-in, general Python and
/// Pandas aggregates. Both become one ``PlanStep/window(_:)`` step.
extension Planner {
    /// The names the window's columns go by after grouping.
    static let windowColumns = ["window_start", "window_end", "window_time"]

    /// The query's window, if it has one.
    func windowClause(of select: SelectStatement) throws -> WindowClause? {
        if let tvf = select.window {
            let sizes = try tvf.intervals.map { try interval($0, in: tvf.kind) }
            let kind: WindowKind
            switch (tvf.kind, sizes.count) {
            case ("TUMBLE", 1): kind = .tumble(size: sizes[0])
            case ("HOP", 2): kind = .hop(slide: sizes[0], size: sizes[1])
            case ("CUMULATE", 2):
                guard sizes[1] % sizes[0] == 0 else {
                    throw SQLError("CUMULATE's size must be a whole number of steps", at: tvf.location)
                }
                kind = .cumulate(step: sizes[0], size: sizes[1])
            default:
                throw SQLError("\(tvf.kind) takes \(tvf.kind == "TUMBLE" ? "one interval (size)" : tvf.kind == "HOP" ? "two intervals (slide, size)" : "two intervals (step, size)") after the DESCRIPTOR, \(sizes.count) given",
                               at: tvf.location)
            }
            let names = select.groupBy.compactMap { key -> String? in
                if case .column(let name, _, _) = key { return name.lowercased() }
                return nil
            }
            guard names.contains("window_start"), names.contains("window_end") else {
                throw SQLError("a query over \(tvf.kind)(…) must GROUP BY window_start, window_end (and any keys)", at: select.location)
            }
            let keys = select.groupBy.filter { key in
                if case .column(let name, _, _) = key { return !Self.windowColumns.contains(name.lowercased()) }
                return true
            }
            return WindowClause(kind: kind, timeColumn: tvf.timeColumn, keys: keys, location: tvf.location, isGroupWindow: false)
        }
        let windows = select.groupBy.filter { ["TUMBLE", "HOP", "SESSION"].contains($0.functionName?.uppercased() ?? "") && functions[$0.functionName!] == nil }
        guard let window = windows.first, case .call(let name, let arguments, _, let location) = window else { return nil }
        guard windows.count == 1 else { throw SQLError("a GROUP BY can have only one window", at: windows[1].location) }
        guard let first = arguments.first, case .column(let timeColumn, _, _) = first else {
            throw SQLError("\(name.uppercased())'s first argument is the event-time column", at: location)
        }
        let sizes = try arguments.dropFirst().map { try interval($0, in: name.uppercased()) }
        let kind: WindowKind
        switch (name.uppercased(), sizes.count) {
        case ("TUMBLE", 1): kind = .tumble(size: sizes[0])
        case ("HOP", 2): kind = .hop(slide: sizes[0], size: sizes[1])
        case ("SESSION", 1): kind = .session(gap: sizes[0])
        default:
            throw SQLError("\(name.uppercased())(time, …) takes \(name.uppercased() == "HOP" ? "two intervals (slide, size)" : "one interval") after the time column, \(sizes.count) given",
                           at: location)
        }
        return WindowClause(kind: kind, timeColumn: timeColumn, keys: select.groupBy.filter { $0 != window }, location: location, isGroupWindow: true)
    }

    private func interval(_ expression: SQLExpression, in function: String) throws -> Int64 {
        guard let micros = expression.intervalMicroseconds, micros > 0 else {
            throw SQLError("\(function) needs positive intervals such as INTERVAL '10' SECOND, not '\(expression.sqlText)'", at: expression.location)
        }
        return micros
    }

    /// Plans a windowed aggregation: keys, event time, watermark and arguments projected, then the window step,
    /// then the select items over keys, window columns and aggregates.
    func planWindowed(_ select: SelectStatement, window: WindowClause, items: [(expression: SQLExpression, name: String)],
                      aggregates: [SQLExpression], columns: inout [PlanColumn], steps: inout [PlanStep],
                      source: TableDefinition) throws -> (TableDefinition, [PlanColumn], [Int]?) {
        let wholeInput = window.kind == .wholeInput
        let eventTime = wholeInput ? nil : source.eventTime
        guard wholeInput || (eventTime != nil && eventTime!.column.lowercased() == window.timeColumn.lowercased()) else {
            if select.from.isSubquery && source.eventTime == nil {
                throw SQLError("the window reads '\(window.timeColumn)' of a subquery that does not pass \(source.name)'s event-time column through: select it as it is (ts or ts AS name) in the subquery, without GROUP BY",
                               at: window.location)
            }
            let hint = source.eventTime.map { " (its event-time column is '\($0.column)')" } ?? ""
            throw SQLError("the window reads '\(window.timeColumn)' of '\(source.name)', which has no watermark\(hint): declare WATERMARK FOR \(window.timeColumn) AS \(window.timeColumn) - INTERVAL '5' SECOND in CREATE TABLE \(source.name)",
                           at: window.location)
        }
        var unique: [SQLExpression] = []
        for call in aggregates where !unique.contains(where: { $0.sqlText == call.sqlText }) { unique.append(call) }
        let python = unique.filter { functions[$0.functionName ?? ""] != nil }
        let builtIn = unique.filter { functions[$0.functionName ?? ""] == nil }
        for call in python {
            guard case .call(let name, let args, let distinct, let location) = call, let registered = functions[name.lowercased()] else { continue }
            guard !distinct else { throw SQLError("DISTINCT is not supported for the Python aggregate '\(name)'", at: location) }
            if let declared = registered.inputTypes, declared.count != args.count {
                throw SQLError("'\(name)' takes \(declared.count) arguments, \(args.count) given", at: location)
            }
            if case .session = window.kind, registered.function.kind == .aggregate, registered.hasMerge == false {
                throw SQLError("the Python aggregate '\(name)' has no merge method, which a SESSION window needs: define merge(self, accumulator, accumulators) in its AggregateFunction",
                               at: location)
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
        var bound: [BoundExpression]
        if let eventTime {
            let time = SQLExpression.column(name: eventTime.column, qualifier: nil, location: window.location)
            let mark = SQLExpression.column(name: EventTimeSource.watermarkColumn, qualifier: nil, location: window.location)
            bound = try bindWithPython(window.keys + [time, mark] + builtInArguments + pythonArguments, columns: &columns, steps: &steps)
        } else {
            // The whole input is one window: every row at time 0, never late.
            bound = try bindWithPython(window.keys + builtInArguments + pythonArguments, columns: &columns, steps: &steps)
            bound.insert(contentsOf: [.literal(.timestamp(0, .microsecond), SQLType(.timestamp(precision: 3)).notNull),
                                      .literal(.int(Int64.min), SQLType.bigint.notNull)], at: window.keys.count)
        }
        steps.append(.project(bound, names: bound.indices.map { "$\($0)" }))
        let keyCount = window.keys.count
        var builtInBound = Array(bound[(keyCount + 2)..<(keyCount + 2 + builtInArguments.count)])
        let specs = try builtInSpecs(builtIn, arguments: &builtInBound, firstPosition: keyCount + 2)
        var position = keyCount + 2 + builtInArguments.count
        let calls = python.map { call -> FunctionCall in
            guard case .call(let name, let args, _, _) = call else { preconditionFailure("not a call") }
            defer { position += args.count }
            return FunctionCall(functions[name.lowercased()]!.function, args.indices.map { .column(position + $0) })
        }
        let texts = python.map(\.sqlText)
        steps.append(.window(WindowAggregation(kind: window.kind, keyCount: keyCount, builtIns: specs, pythonCalls: calls, pythonNames: texts,
                                               processingTime: eventTime?.isProcessingTime ?? false)))
        let timeType = SQLType(.timestamp(precision: 3)).notNull
        let rewritten = items.map { (expression: window.isGroupWindow ? windowFunctionsReplaced(in: $0.expression) : $0.expression, name: $0.name) }
        let (output, _) = try projectGrouped(rewritten,
                                             keys: zip(window.keys, bound).map { ($0.sqlText, $1.type) } + Self.windowColumns.map { name in
                                                 // Flink: window_time over a TIMESTAMP_LTZ rowtime is TIMESTAMP_LTZ(3).
                                                 (name, name == "window_time" && bound[keyCount].type.isLocalZoned ? SQLType(.timestampLTZ(precision: 3)).notNull : timeType)
                                             },
                                             aggregates: specs.map { ($0.text, $0.type) } + zip(texts, calls).map { ($0, $1.function.resultType) },
                                             steps: &steps)
        // A window's row is final when it fires: the result is appended, not upserted.
        return (source, output, nil)
    }

    /// `TUMBLE_START(ts, …)`, `HOP_END(…)`, `SESSION_ROWTIME(…)` and the like replaced by the window's columns.
    private func windowFunctionsReplaced(in expression: SQLExpression) -> SQLExpression {
        switch expression {
        case .call(let name, let arguments, let distinct, let location):
            let upper = name.uppercased()
            for prefix in ["TUMBLE_", "HOP_", "SESSION_"] where upper.hasPrefix(prefix) && functions[name.lowercased()] == nil {
                switch upper.dropFirst(prefix.count) {
                case "START": return .column(name: "window_start", qualifier: nil, location: location)
                case "END": return .column(name: "window_end", qualifier: nil, location: location)
                case "ROWTIME": return .column(name: "window_time", qualifier: nil, location: location)
                default: break
                }
            }
            return .call(name: name, arguments: arguments.map(windowFunctionsReplaced), distinct: distinct, location: location)
        case .binary(let op, let lhs, let rhs, let location):
            return .binary(op, windowFunctionsReplaced(in: lhs), windowFunctionsReplaced(in: rhs), location: location)
        case .unary(let op, let operand, let location):
            return .unary(op, windowFunctionsReplaced(in: operand), location: location)
        case .cast(let operand, let type, let location):
            return .cast(windowFunctionsReplaced(in: operand), type, location: location)
        case .isNull(let operand, let negated, let location):
            return .isNull(windowFunctionsReplaced(in: operand), negated: negated, location: location)
        case .column, .literal, .star:
            return expression
        }
    }
}
