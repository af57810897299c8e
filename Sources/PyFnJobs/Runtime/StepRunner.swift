import PyFnArrow
import PyFnRunner

/// Runs a chain of plan steps over batches: Swift steps at once, Python steps through their operators (which hold
/// rows back until a bundle completes). One chain per lane; use it from one task.
final class StepChain {
    private enum Stage {
        case swift(PlanStep)
        case python(PythonFunctionOperator)
    }
    private let stages: [Stage]

    /// Builds the chain's operators for `steps`, reading batches of `inputSchema`; they report to `metrics`.
    /// `inputName` (e.g. `table 'src'`) is what a Python function's error names when it can tell which input row
    /// failed (see ``process(_:firstRow:)``).
    init(steps: [PlanStep], inputSchema: ArrowSchema, environment: any WorkerEnvironment, bundle: BundleOptions, python: PythonOptions,
         metrics: RunnerMetrics? = nil, inputName: String? = nil) throws {
        var schema = inputSchema
        var stages: [Stage] = []
        for step in steps {
            switch step {
            case .python(let calls, let names):
                let op = try ScalarFunctionOperator(calls: calls, inputSchema: schema, resultNames: names,
                                                    environment: environment, bundle: bundle, python: python, metrics: metrics)
                stages.append(.python(op))
                schema = op.outputSchema
            case .lateral(let call, let names, let leftOuter):
                let op = try TableFunctionOperator(call: call, inputSchema: schema, resultNames: names, leftOuter: leftOuter,
                                                   environment: environment, bundle: bundle, python: python, metrics: metrics)
                stages.append(.python(op))
                schema = op.outputSchema
            case .compute(let expressions, let names):
                stages.append(.swift(step))
                schema = ArrowSchema(schema.fields + zip(names, expressions).map { $1.type.arrowField(named: $0) })
            case .project(let expressions, let names):
                stages.append(.swift(step))
                schema = ArrowSchema(zip(names, expressions).map { $1.type.arrowField(named: $0) })
            case .filter:
                stages.append(.swift(step))
            case .aggregate, .pythonAggregate, .window, .over, .tableAggregate:
                preconditionFailure("aggregation runs between chains, not in one")
            }
        }
        self.stages = stages
        self.outputSchema = schema
        // The first Python stage sees the input's rows one for one when only row-for-row Swift steps come before it.
        if let first = stages.firstIndex(where: { if case .python = $0 { true } else { false } }),
           stages[..<first].allSatisfy({ if case .swift(.filter) = $0 { false } else { true } }),
           case .python(let op) = stages[first] {
            op.inputName = inputName
            rowTrackingStage = first
        } else {
            rowTrackingStage = nil
        }
    }

    /// The stage whose bundles know the input rows they hold, if any.
    private let rowTrackingStage: Int?

    /// The schema of the batches the chain hands back.
    let outputSchema: ArrowSchema

    /// Rows the chain's Python operators hold (taken in, not yet handed back).
    var queuedRows: Int {
        stages.reduce(0) { total, stage in
            if case .python(let op) = stage { return total + op.queuedRows }
            return total
        }
    }

    /// Starts the chain's workers.
    func open() async throws {
        for case .python(let op) in stages { try await op.open() }
    }

    /// Stops the chain's workers.
    func close() async {
        for case .python(let op) in stages { await op.close() }
    }

    /// Runs a batch through the chain; returns what came out so far. `firstRow` is the input index of the batch's
    /// first row, so a Python function's error can name the input row that failed.
    func process(_ batch: RecordBatch, firstRow: Int? = nil) async throws -> [RecordBatch] {
        try await run([batch], from: 0, firstRow: firstRow)
    }

    /// Sends bundles whose time is up, everywhere in the chain.
    func sendIfDue() async throws -> [RecordBatch] {
        var output: [RecordBatch] = []
        for (index, stage) in stages.enumerated() {
            if case .python(let op) = stage { output += try await run(try await op.sendIfDue(), from: index + 1) }
        }
        return output
    }

    /// Ends the input: flushes every stage in order.
    func finish() async throws -> [RecordBatch] {
        var output: [RecordBatch] = []
        for (index, stage) in stages.enumerated() {
            if case .python(let op) = stage { output += try await run(try await op.finish(), from: index + 1) }
        }
        return output
    }

    private func run(_ batches: [RecordBatch], from first: Int, firstRow: Int? = nil) async throws -> [RecordBatch] {
        var current = batches
        for (index, stage) in stages.enumerated().dropFirst(first) {
            guard !current.isEmpty else { return [] }
            var next: [RecordBatch] = []
            for batch in current {
                switch stage {
                case .python(let op): next += try await op.process(batch, firstRow: index == rowTrackingStage ? firstRow : nil)
                case .swift(let step): next.append(try Self.apply(step, to: batch))
                }
            }
            current = next
        }
        return current
    }

    /// `steps` (Swift steps only) applied to `batch` in order.
    static func apply(_ steps: [PlanStep], to batch: RecordBatch) throws -> RecordBatch {
        try steps.reduce(batch) { try apply($1, to: $0) }
    }

    /// A Swift step applied to one batch.
    static func apply(_ step: PlanStep, to batch: RecordBatch) throws -> RecordBatch {
        switch step {
        case .compute(let expressions, let names):
            let columns = try expressions.map { try ExpressionEvaluator.evaluate($0, over: batch) }
            let schema = ArrowSchema(batch.schema.fields + zip(names, expressions).map { $1.type.arrowField(named: $0) })
            return try RecordBatch(schema: schema, columns: batch.columns + columns, length: batch.length)
        case .project(let expressions, let names):
            let columns = try expressions.map { try ExpressionEvaluator.evaluate($0, over: batch) }
            let schema = ArrowSchema(zip(names, zip(expressions, columns)).map { name, pair in
                ArrowField(name, pair.1.type, nullable: pair.0.type.nullable || pair.1.nullCount > 0)
            })
            return try RecordBatch(schema: schema, columns: columns, length: batch.length)
        case .filter(let condition):
            return try ExpressionEvaluator.filter(batch, where: condition)
        default:
            preconditionFailure("not a Swift step")
        }
    }
}
