import PyFnArrow
import PyFnRunner

/// Turns a job's INSERT statements into plans: resolves tables, columns and functions, types every expression,
/// and decides which work runs in Python (one operator per function kind per clause, nested calls in one pass)
/// and which in Swift. Errors name the file, line and column of what is wrong.
struct Planner {
    let tables: [String: TableDefinition]
    let functions: [String: RegisteredFunction]

    private static let aggregateNames: Set = ["COUNT", "SUM", "MIN", "MAX", "AVG"]

    func plan(_ insert: InsertStatement) throws -> InsertPlan {
        guard let sink = tables[insert.table.lowercased()] else {
            throw SQLError("unknown table '\(insert.table)'\(known(tables.keys))", at: insert.location)
        }
        return try plan(InsertStatement(table: sink.name, query: insert.query, location: insert.location), into: sink)
    }

    /// Plans a query without INSERT (a Python program's `collect()`): its sink is a table named `collect` whose
    /// columns are the query's own output columns (names and types), so nothing is cast.
    func plan(collect query: SelectStatement) throws -> InsertPlan {
        var scratch: [PlanStep] = []
        let columns = try planQuery(query, steps: &scratch).1
        let sink = TableDefinition(name: "collect", columns: columns.map { SQLField($0.name, $0.type) }, options: [:], baseDirectory: "/")
        return try plan(InsertStatement(table: sink.name, query: query, location: query.location), into: sink)
    }

    private func plan(_ insert: InsertStatement, into sink: TableDefinition) throws -> InsertPlan {
        var steps: [PlanStep] = []
        let (source, columns, grouping) = try planQuery(insert.query, steps: &steps)
        if source.columns.contains(where: { $0.name == ChangelogTable.rowKindColumn }),
           !steps.contains(where: { if case .pythonAggregate = $0 { return true } else { return false } }) {
            throw ChangelogTable.refusal(source: source, sink: sink, at: insert.query.location)
        }
        if let aggregate = steps.firstIndex(where: \.groups) {
            // After a GROUP BY: Swift steps, and further GROUP BYs with Python aggregates (they take back what changes).
            for step in steps[(aggregate + 1)...] {
                switch step {
                case .python, .lateral, .aggregate, .window, .over, .tableAggregate:
                    throw SQLError("Python functions over grouped rows are not supported yet; group last", at: insert.query.location)
                case .pythonAggregate:
                    switch steps[aggregate] {
                    case .aggregate, .pythonAggregate: break
                    default: throw SQLError("a GROUP BY over windowed rows is not supported yet", at: insert.query.location)
                    }
                default: break
                }
            }
        }
        guard columns.count == sink.columns.count else {
            throw SQLError("the query gives \(columns.count) columns but '\(sink.name)' has \(sink.columns.count) (\(sink.columns.map(\.name).joined(separator: ", ")))",
                           at: insert.query.location)
        }
        // Columns go to the sink by position, cast to the sink's types where they differ.
        var casts: [BoundExpression] = []
        var needsCast = false
        for (index, (column, target)) in zip(columns, sink.columns).enumerated() {
            if column.type.fits(into: target.type) {
                casts.append(.column(index, column.type))
            } else if column.type.isNumeric && target.type.isNumeric || target.type.kind == .string
                        || column.type.isOtherPrecision(of: target.type) {
                casts.append(.cast(.column(index, column.type), target.type))
                needsCast = true
            } else {
                throw SQLError("column \(index + 1) ('\(column.name)') is \(column.type) but '\(sink.name).\(target.name)' is \(target.type)",
                               at: insert.query.location)
            }
        }
        if needsCast { steps.append(.project(casts, names: sink.columns.map(\.name))) }
        let output = zip(columns, sink.columns).map { PlanColumn(name: $1.name, qualifier: nil, type: $1.type) }
        let upsertKey: [Int]? = grouping.map { keys in
            if !sink.primaryKey.isEmpty {
                return sink.primaryKey.compactMap { key in sink.columns.firstIndex { $0.name.lowercased() == key.lowercased() } }
            }
            return keys
        }
        return InsertPlan(source: source, sink: sink, steps: steps, output: output, upsertKey: upsertKey, location: insert.location)
    }

    /// Plans a SELECT into `steps`; returns the table read, the output columns, and for grouped queries the output
    /// positions of the grouping keys.
    /// A subquery (`passingWatermark`) that passes its event-time column through also passes the hidden
    /// arrival-watermark column (see ``rowtimeName(of:)``).
    private func planQuery(_ select: SelectStatement, steps: inout [PlanStep], passingWatermark: Bool = false) throws -> (TableDefinition, [PlanColumn], [Int]?) {
        var columns: [PlanColumn]
        let source: TableDefinition
        switch select.from {
        case .table(let name, let alias, let location):
            guard let table = tables[name.lowercased()] else {
                throw SQLError("unknown table '\(name)'\(known(tables.keys))", at: location)
            }
            source = table
            columns = table.columns.map { PlanColumn(name: $0.name, qualifier: alias ?? table.name, type: $0.type) }
            if let processing = table.processingTime {
                columns.append(PlanColumn(name: processing, qualifier: alias ?? table.name, type: SQLType(.timestamp(precision: 3)).notNull))
            }
            if table.eventTime != nil {
                columns.append(PlanColumn(name: EventTimeSource.watermarkColumn, qualifier: alias ?? table.name, type: SQLType.bigint.notNull))
            }
        case .subquery(let inner, let alias, _):
            let (table, innerColumns, _) = try planQuery(inner, steps: &steps, passingWatermark: true)
            source = table
            columns = innerColumns.map { PlanColumn(name: $0.name, qualifier: alias, type: $0.type) }
        case .values(let rows, let alias, let names, let location):
            source = try valuesTable(rows, alias: alias, names: names, at: location)
            columns = source.columns.map { PlanColumn(name: $0.name, qualifier: alias, type: $0.type) }
        }
        if let lateral = select.lateral {
            try planLateral(lateral, columns: &columns, steps: &steps)
        }
        if let condition = select.condition {
            let bound = try bindWithPython([condition], columns: &columns, steps: &steps)[0]
            guard bound.type.kind == .boolean else {
                throw SQLError("WHERE needs a BOOLEAN condition, not \(bound.type)", at: condition.location)
            }
            steps.append(.filter(bound))
        }
        let items = try expandStars(select.items, columns: columns)
        if items.contains(where: { containsOver($0.expression) }) {
            let output = try planOver(select, items: items, columns: &columns, steps: &steps, source: timeScope(of: select, source: source))
            return (source, output.1, output.2)
        }
        let aggregates = items.flatMap { aggregateCalls(in: $0.expression) }
        if let window = try windowClause(of: select) {
            let output = try planWindowed(select, window: window, items: items, aggregates: aggregates, columns: &columns, steps: &steps,
                                          source: timeScope(of: select, source: source))
            return (source, output.1, output.2)
        }
        if select.groupBy.isEmpty && aggregates.isEmpty {
            var expressions = items.map(\.expression)
            var names = items.map(\.name)
            if passingWatermark && rowtimeName(of: select) != nil,
               let mark = columns.last(where: { $0.name == EventTimeSource.watermarkColumn }) {
                expressions.append(.column(name: mark.name, qualifier: mark.qualifier, location: select.location))
                names.append(EventTimeSource.watermarkColumn)
            }
            if passingWatermark, let rowKind = ChangelogTable.rowKind(in: columns) {
                // A subquery over a changelog table (a view of it) hands its row kinds on.
                expressions.append(.column(name: rowKind.column.name, qualifier: rowKind.column.qualifier, location: select.location))
                names.append(ChangelogTable.rowKindColumn)
            }
            let bound = try bindWithPython(expressions, columns: &columns, steps: &steps)
            steps.append(.project(bound, names: names))
            return (source, zip(names, bound).map { PlanColumn(name: $0, qualifier: nil, type: $1.type) }, nil)
        }
        return try planGrouped(select, items: items, aggregates: aggregates, columns: &columns, steps: &steps, source: source)
    }

    private func planGrouped(_ select: SelectStatement, items: [(expression: SQLExpression, name: String)], aggregates: [SQLExpression],
                             columns: inout [PlanColumn], steps: inout [PlanStep], source: TableDefinition) throws -> (TableDefinition, [PlanColumn], [Int]?) {
        // GROUP BY may name a select alias (when no column has that name).
        let keys: [SQLExpression] = select.groupBy.map { key in
            if case .column(let name, nil, _) = key, !columns.contains(where: { $0.name.lowercased() == name.lowercased() }),
               let item = items.first(where: { $0.name.lowercased() == name.lowercased() }) {
                return item.expression
            }
            return key
        }
        var uniqueAggregates: [SQLExpression] = []
        for call in aggregates where !uniqueAggregates.contains(where: { $0.sqlText == call.sqlText }) { uniqueAggregates.append(call) }
        if let call = uniqueAggregates.first(where: { functions[$0.functionName ?? ""]?.function.kind == .tableAggregate }) {
            return try planTableAggregate(call, keys: keys, aggregates: uniqueAggregates, items: items, columns: &columns, steps: &steps, source: source)
        }
        // Built-ins beside a Python aggregate, or over the updating rows of an earlier GROUP BY, run as Python
        // aggregates in the same operator (pyfn.worker.builtin_aggregates).
        let updating = ChangelogTable.rowKind(in: columns) != nil || steps.contains { step in
            switch step {
            case .aggregate, .pythonAggregate: return true
            default: return false
            }
        }
        if let pandas = uniqueAggregates.first(where: { functions[$0.functionName ?? ""]?.function.kind == .pandasAggregate }) {
            return try planPandasGrouped(select, pandas: pandas, keys: keys, updating: updating, items: items, aggregates: aggregates,
                                         columns: &columns, steps: &steps, source: source)
        }
        if updating || uniqueAggregates.contains(where: { functions[$0.functionName ?? ""]?.function.kind == .aggregate }) {
            return try planPythonGrouped(keys: keys, calls: uniqueAggregates, updating: updating, items: items, columns: &columns,
                                         steps: &steps, source: source)
        }
        let arguments: [SQLExpression] = uniqueAggregates.compactMap { call in
            guard case .call(_, let args, _, _) = call, let first = args.first else { return nil }
            if case .star = first { return nil }
            return first
        }
        let bound = try bindWithPython(keys + arguments, columns: &columns, steps: &steps)
        let keyBound = Array(bound.prefix(keys.count))
        var argumentBound = Array(bound.dropFirst(keys.count))
        let specs = try builtInSpecs(uniqueAggregates, arguments: &argumentBound, firstPosition: keys.count)
        let inputs = keyBound + bound.dropFirst(keys.count)
        steps.append(.project(inputs, names: inputs.indices.map { "$\($0)" }))
        steps.append(.aggregate(keys: Array(keys.indices), aggregates: specs))
        let (output, keyPositions) = try projectGrouped(items, keys: zip(keys, keyBound).map { ($0.sqlText, $1.type) },
                                                        aggregates: specs.map { ($0.text, $0.type) }, steps: &steps)
        return (source, output, keyPositions)
    }

    /// The built-in aggregates `calls` (COUNT, SUM, AVG, MIN, MAX) as specs; `arguments` are their bound
    /// arguments in order (COUNT(*) has none), which the aggregation reads from `firstPosition` on.
    func builtInSpecs(_ calls: [SQLExpression], arguments: inout [BoundExpression], firstPosition: Int) throws -> [AggregateSpec] {
        var specs: [AggregateSpec] = []
        for call in calls {
            guard case .call(let name, let args, let distinct, let location) = call else { continue }
            guard let function = AggregateSpec.Function(rawValue: name.uppercased()) else {
                throw SQLError("'\(call.sqlText)' is not a built-in aggregate (COUNT, SUM, AVG, MIN, MAX)", at: location)
            }
            guard args.count == 1 else { throw SQLError("\(name.uppercased()) takes one argument", at: location) }
            if case .star = args[0] {
                guard function == .count else { throw SQLError("only COUNT takes *", at: location) }
                specs.append(AggregateSpec(function: .count, argument: nil, distinct: false, type: SQLType.bigint.notNull, text: call.sqlText))
                continue
            }
            let argument = arguments.removeFirst()
            let position = firstPosition + specs.filter { $0.argument != nil }.count
            let type: SQLType
            switch function {
            case .count: type = SQLType.bigint.notNull
            case .sum:
                guard argument.type.isNumeric else { throw SQLError("SUM needs a number, not \(argument.type)", at: location) }
                type = argument.type.isInteger ? .bigint : .double
            case .avg:
                guard argument.type.isNumeric else { throw SQLError("AVG needs a number, not \(argument.type)", at: location) }
                type = .double
            case .min, .max: type = SQLType(argument.type.kind)
            }
            specs.append(AggregateSpec(function: function, argument: position, distinct: distinct, type: type, text: call.sqlText))
        }
        return specs
    }

    /// The select items over grouped rows — the keys, then the aggregates, each named by its text — as the last
    /// step: the output columns, and the output positions of the keys when all of them are selected.
    func projectGrouped(_ items: [(expression: SQLExpression, name: String)], keys: [(text: String, type: SQLType)],
                                aggregates: [(text: String, type: SQLType)], steps: inout [PlanStep]) throws -> ([PlanColumn], [Int]?) {
        // After grouping, items may use the keys and the aggregates only.
        let grouped = keys.enumerated().map { PlanColumn(name: "$key\($0.offset)", qualifier: nil, type: $0.element.type) }
            + aggregates.map { PlanColumn(name: $0.text, qualifier: nil, type: $0.type) }
        let output = try items.map { item in
            try bindGrouped(item.expression, keyTexts: keys.map(\.text), aggregateTexts: aggregates.map(\.text), columns: grouped)
        }
        let names = items.map(\.name)
        steps.append(.project(output, names: names))
        let keyPositions = keys.indices.compactMap { key in output.firstIndex { $0.columnIndex == key } }
        return (zip(names, output).map { PlanColumn(name: $0, qualifier: nil, type: $1.type) },
                keyPositions.count == keys.count ? keyPositions : nil)
    }

    /// A GROUP BY with Python aggregates (and built-ins beside them, as Python aggregates too), or any GROUP BY over
    /// the `updating` rows of an earlier one: keys and arguments are projected, then one aggregate operator per
    /// partition computes the calls.
    private func planPythonGrouped(keys: [SQLExpression], calls: [SQLExpression], updating: Bool,
                                   items: [(expression: SQLExpression, name: String)],
                                   columns: inout [PlanColumn], steps: inout [PlanStep], source: TableDefinition) throws -> (TableDefinition, [PlanColumn], [Int]?) {
        var arguments: [SQLExpression] = []
        var positions: [[Int]] = []
        for call in calls {
            guard case .call(let name, var args, let distinct, let location) = call else { continue }
            if let registered = functions[name.lowercased()] {
                if let declared = registered.inputTypes, declared.count != args.count {
                    throw SQLError("'\(name)' takes \(declared.count) arguments, \(args.count) given", at: location)
                }
                if updating && !registered.canRetract {
                    throw SQLError("the Python aggregate '\(name)'\(registered.definedAt.map { " (\($0))" } ?? "") has no retract(), but '\(call.sqlText)' "
                                   + "aggregates the updating rows of another GROUP BY, which it must take back; define retract(accumulator, *args)",
                                   at: location)
                }
            } else {
                guard !distinct else {
                    throw SQLError("'\(call.sqlText)': DISTINCT is not supported yet beside a Python aggregate or over grouped rows", at: location)
                }
                guard args.count == 1 else { throw SQLError("\(name.uppercased()) takes one argument", at: location) }
                if case .star = args[0] {
                    guard name.uppercased() == "COUNT" else { throw SQLError("only COUNT takes *", at: location) }
                    args = []
                }
            }
            positions.append(args.indices.map { keys.count + arguments.count + $0 })
            arguments += args
        }
        let bound = try bindWithPython(keys + arguments, columns: &columns, steps: &steps)
        var projected = bound
        var projectedNames = bound.indices.map { "$\($0)" }
        let rowKind = ChangelogTable.rowKind(in: columns)
        if let rowKind {
            // A changelog table's `-U` / `-D` rows reach the aggregates as take-backs.
            projected.append(ChangelogTable.retractFlag(kindAt: rowKind.index, type: rowKind.column.type))
            projectedNames.append(ChainedGroupingStage.retractColumn)
        }
        steps.append(.project(projected, names: projectedNames))
        var functionCalls = try zip(calls, positions).map { call, positions in
            guard case .call(let name, _, let distinct, let location) = call else { preconditionFailure("not a call: \(call)") }
            if let registered = functions[name.lowercased()] {
                return FunctionCall(registered.function, positions.map { .column($0) }, distinct: distinct)
            }
            let function = try BuiltinPythonAggregate.function(name, text: call.sqlText, argument: positions.first.map { bound[$0].type },
                                                                updating: updating, at: location)
            return FunctionCall(function, positions.map { .column($0) })
        }
        let texts = calls.map(\.sqlText)
        let aggregateColumns = zip(texts, functionCalls).map { ($0, $1.function.resultType) }
        var names = texts
        if rowKind != nil {
            // Last, after the columns the select items read: the group's live rows (0: the group is deleted).
            let count = try BuiltinPythonAggregate.function("COUNT", text: ChangelogTable.liveRowsName, argument: nil, updating: true,
                                                            at: SourceLocation(file: source.name, line: 0, column: 0))
            functionCalls.append(FunctionCall(count, []))
            names.append(ChangelogTable.liveRowsName)
        }
        steps.append(.pythonAggregate(keyCount: keys.count, calls: functionCalls, names: names))
        let (output, keyPositions) = try projectGrouped(items, keys: zip(keys, bound).map { ($0.sqlText, $1.type) },
                                                        aggregates: aggregateColumns, steps: &steps)
        return (source, output, keyPositions)
    }

    private func bindGrouped(_ expression: SQLExpression, keyTexts: [String], aggregateTexts: [String], columns: [PlanColumn]) throws -> BoundExpression {
        if let key = keyTexts.firstIndex(of: expression.sqlText) { return .column(key, columns[key].type) }
        if let aggregate = aggregateTexts.firstIndex(of: expression.sqlText) {
            let index = keyTexts.count + aggregate
            return .column(index, columns[index].type)
        }
        if case .column(let name, _, let location) = expression {
            throw SQLError("column '\(name)' must be in GROUP BY or inside an aggregate", at: location)
        }
        return try ExpressionBinder(columns: columns, functions: [:]).bind(expression) { nested in
            try bindGrouped(nested, keyTexts: keyTexts, aggregateTexts: aggregateTexts, columns: columns)
        }
    }

    private func planLateral(_ lateral: LateralJoin, columns: inout [PlanColumn], steps: inout [PlanStep]) throws {
        guard let registered = functions[lateral.function.lowercased()] else {
            throw SQLError("unknown function '\(lateral.function)'\(known(functions.keys))", at: lateral.location)
        }
        guard registered.function.kind == .table else {
            throw SQLError("'\(lateral.function)' is not a table function (declare it with @udtf)", at: lateral.location)
        }
        guard case .row(let fields) = registered.function.resultType.kind else { return }
        let names = lateral.columnNames.isEmpty ? fields.map(\.name) : lateral.columnNames
        guard names.count == fields.count else {
            throw SQLError("'\(lateral.function)' returns \(fields.count) columns but \(names.count) names are given", at: lateral.location)
        }
        let call = try pythonCall(registered, arguments: lateral.arguments, location: lateral.location, columns: &columns, steps: &steps)
        steps.append(.lateral(call: call, names: names, leftOuter: lateral.leftOuter))
        for (name, field) in zip(names, fields) {
            var type = field.type
            if lateral.leftOuter { type.nullable = true }
            columns.append(PlanColumn(name: name, qualifier: lateral.alias, type: type))
        }
    }

    /// Binds expressions that may call Python scalar functions: the calls run first, in one operator per kind
    /// (appending their results), and the expressions then refer to those columns.
    func bindWithPython(_ expressions: [SQLExpression], columns: inout [PlanColumn], steps: inout [PlanStep]) throws -> [BoundExpression] {
        var calls: [SQLExpression] = []
        for expression in expressions { collectPythonCalls(expression, into: &calls) }
        var resultColumns: [String: Int] = [:]
        for kind in [PythonFunction.Kind.scalar, .pandasScalar, .arrowScalar, .asyncScalar] {
            let ofKind = calls.filter { functions[$0.functionName!]?.function.kind == kind }
            guard !ofKind.isEmpty else { continue }
            var built: [FunctionCall] = []
            for call in ofKind {
                guard case .call(let name, let arguments, _, let location) = call else { continue }
                built.append(try pythonCall(functions[name.lowercased()]!, arguments: arguments, location: location, columns: &columns, steps: &steps))
            }
            let names = ofKind.map(\.sqlText)
            steps.append(.python(calls: built, names: names))
            for (call, text) in zip(built, names) {
                resultColumns[text] = columns.count
                columns.append(PlanColumn(name: text, qualifier: nil, type: call.function.resultType))
            }
        }
        let binder = ExpressionBinder(columns: columns, functions: functions)
        return try expressions.map { expression in
            try bindReplacing(expression, results: resultColumns, binder: binder)
        }
    }

    private func bindReplacing(_ expression: SQLExpression, results: [String: Int], binder: ExpressionBinder) throws -> BoundExpression {
        if let index = results[expression.sqlText] { return .column(index, binder.columns[index].type) }
        return try binder.bind(expression) { try bindReplacing($0, results: results, binder: binder) }
    }

    /// The Python calls in `expression` that are not inside another Python call, each once.
    private func collectPythonCalls(_ expression: SQLExpression, into calls: inout [SQLExpression]) {
        if let name = expression.functionName, let registered = functions[name], registered.function.kind != .table {
            if !calls.contains(where: { $0.sqlText == expression.sqlText }) { calls.append(expression) }
            return
        }
        for child in expression.children { collectPythonCalls(child, into: &calls) }
    }

    /// A Python call whose arguments are columns, literals or nested Python calls of the same kind (one pass in
    /// one operator). Any other argument is computed first, as Flink evaluates it before the call: Python calls of
    /// another kind inside it run in their own operator before this one (a general UDF inside a Pandas UDF and the
    /// reverse), then the expression itself (`a + 1`, `CAST(x AS BIGINT)`, `(a + a) / 2`) in Swift, into a new column.
    private func pythonCall(_ registered: RegisteredFunction, arguments: [SQLExpression], location: SourceLocation,
                            columns: inout [PlanColumn], steps: inout [PlanStep]) throws -> FunctionCall {
        let nestedKind: PythonFunction.Kind = registered.function.kind == .table ? .scalar : registered.function.kind
        func isNestedCall(_ expression: SQLExpression) -> Bool {
            guard let name = expression.functionName, let nested = functions[name] else { return false }
            return nested.function.kind == nestedKind
        }
        // Pass 1: every argument (through nested calls of this kind) that is neither a literal nor such a call.
        var pending: [SQLExpression] = []
        func collect(_ expression: SQLExpression) {
            if isNestedCall(expression), case .call(_, let args, _, _) = expression { args.forEach(collect); return }
            if case .literal = expression { return }
            if !pending.contains(where: { $0.sqlText == expression.sqlText }) { pending.append(expression) }
        }
        arguments.forEach(collect)
        // Their values: Python calls of other kinds inside them become earlier steps; what remains is bound here.
        let bound = try bindWithPython(pending, columns: &columns, steps: &steps)
        var argumentColumns: [String: Int] = [:]
        var computed: [BoundExpression] = []
        var computedNames: [String] = []
        for (expression, value) in zip(pending, bound) {
            if let index = value.columnIndex {
                argumentColumns[expression.sqlText] = index
            } else {
                argumentColumns[expression.sqlText] = columns.count + computed.count
                computed.append(value)
                computedNames.append(expression.sqlText)
            }
        }
        let argumentTypes = Dictionary(zip(pending.map(\.sqlText), bound.map(\.type)), uniquingKeysWith: { first, _ in first })
        // Pass 2: the call tree.
        func argument(_ expression: SQLExpression) throws -> FunctionArgument {
            if isNestedCall(expression), let name = expression.functionName, case .call(_, let args, _, _) = expression {
                return .call(FunctionCall(functions[name]!.function, try args.map(argument)))
            }
            if case .literal(let value, let location) = expression { return .constant(try literal(value, at: location)) }
            return .column(argumentColumns[expression.sqlText]!)
        }
        let built = try arguments.map(argument)
        if let declared = registered.inputTypes {
            guard declared.count == built.count else {
                throw SQLError("'\(registered.sqlName)' takes \(declared.count) arguments, \(built.count) given", at: location)
            }
            for (position, (type, expression)) in zip(declared, arguments).enumerated() {
                guard let actual = argumentTypes[expression.sqlText] else { continue }
                guard actual.sameKind(as: type) || (actual.isNumeric && type.isNumeric && actual.isInteger == type.isInteger) else {
                    throw SQLError("argument \(position + 1) of '\(registered.sqlName)' is declared \(type) but is given \(actual)", at: location)
                }
            }
        }
        if !computed.isEmpty {
            steps.append(.compute(computed, names: computedNames))
            for (expression, name) in zip(computed, computedNames) { columns.append(PlanColumn(name: name, qualifier: nil, type: expression.type)) }
        }
        return FunctionCall(registered.function, built)
    }

    private func literal(_ value: SQLLiteralValue, at location: SourceLocation) throws -> SQLLiteral {
        switch value {
        case .integer(let v): return .bigint(v)
        case .decimal(let text):
            guard let v = Double(text) else { throw SQLError("'\(text)' is not a number", at: location) }
            return .double(v)
        case .string(let v): return .string(v)
        case .boolean(let v): return .bool(v)
        case .null: return .null(.string)
        }
    }

    private func expandStars(_ items: [SelectItem], columns: [PlanColumn]) throws -> [(expression: SQLExpression, name: String)] {
        var expanded: [(expression: SQLExpression, name: String)] = []
        for (position, item) in items.enumerated() {
            switch item {
            case .star(let qualifier, let location):
                let matching = columns.filter {
                    (qualifier == nil || $0.qualifier?.lowercased() == qualifier?.lowercased())
                        && $0.name != EventTimeSource.watermarkColumn && $0.name != ChangelogTable.rowKindColumn
                }
                guard !matching.isEmpty else { throw SQLError("'\(qualifier ?? "")*' matches no columns", at: location) }
                expanded += matching.map { (.column(name: $0.name, qualifier: $0.qualifier, location: location), $0.name) }
            case .expression(let expression, let alias):
                if case .column(let name, _, _) = expression {
                    expanded.append((expression, alias ?? name))
                } else {
                    expanded.append((expression, alias ?? "EXPR$\(position)"))
                }
            }
        }
        return expanded
    }

    func aggregateCalls(in expression: SQLExpression) -> [SQLExpression] {
        if case .call(let name, _, _, _) = expression {
            if let registered = functions[name.lowercased()] {
                if [.aggregate, .pandasAggregate, .tableAggregate].contains(registered.function.kind) { return [expression] }
            } else if Self.aggregateNames.contains(name.uppercased()) {
                return [expression]
            }
        }
        return expression.children.flatMap(aggregateCalls)
    }

    func known(_ names: Dictionary<String, some Any>.Keys) -> String {
        names.isEmpty ? "" : " (known: \(names.sorted().joined(separator: ", ")))"
    }
}

extension SQLExpression {
    /// The lower-cased name of the function this expression calls, if it is a call.
    var functionName: String? {
        if case .call(let name, _, _, _) = self { return name.lowercased() }
        return nil
    }
}
