import PyFnArrow

/// Runs Python aggregate functions (`@udaf`, AggregateFunction) over a stream of batches, grouped by key columns.
/// The accumulators live in the runner's state (``StateStore``), reached by the worker over the State service, so
/// a replaced worker goes on from where the lost one was, and replayed rows are not counted twice.
///
/// Each bundle gives one output row per key it touched: the key columns, then one column per call holding the
/// aggregate over every row of that key so far. The latest row of a key is its current value (an upsert stream);
/// after the last input, the latest rows are the result. Bundles run one at a time, so each reads the state
/// the one before it wrote. The operator itself does not partition: run one per key range (hash the key).
public final class AggregateFunctionOperator: PythonFunctionOperator {
    /// The calls, one result column each.
    public let calls: [FunctionCall]
    /// The input columns that form the key, in output order.
    public let grouping: [Int]

    /// An operator that aggregates `calls` on batches of `inputSchema` grouped by the `grouping` columns, naming
    /// the result columns `resultNames` (`f0`, `f1`, … by default). With `metrics`, it reports there as
    /// `operatorName` (by default `aggregate(f,g)` after its functions).
    public init(calls: [FunctionCall], grouping: [Int], inputSchema: ArrowSchema, resultNames: [String]? = nil,
                environment: any WorkerEnvironment, bundle: BundleOptions = BundleOptions(), python: PythonOptions = PythonOptions(),
                metrics: RunnerMetrics? = nil, operatorName: String? = nil) throws {
        let names = resultNames ?? calls.indices.map { "f\($0)" }
        guard !calls.isEmpty else { throw PyFnError.invalidDescriptor("an aggregate operator needs at least one call") }
        guard names.count == calls.count else { throw PyFnError.invalidDescriptor("\(calls.count) calls but \(names.count) result names") }
        for call in calls {
            try call.validate(kind: .aggregate, inputSchema: inputSchema)
            for case .call(let nested) in call.arguments {
                throw PyFnError.invalidDescriptor("'\(call.function.name)' takes the result of '\(nested.function.name)'; aggregate arguments must be columns or constants")
            }
        }
        try inputSchema.validateColumns(grouping, role: "grouping column")
        self.calls = calls
        self.grouping = grouping
        var oneAtATime = bundle
        oneAtATime.maxBundlesInFlight = 1
        var functions = FunctionSet(calls: calls, inputSchema: inputSchema, bundle: oneAtATime, python: python)
        functions.grouping = grouping
        let outputSchema = Self.outputSchema(calls: calls, grouping: grouping, inputSchema: inputSchema, resultNames: names)
        try super.init(operation: .aggregate, functions: functions,
                       output: AggregateBundleOutput(schema: outputSchema, keyCount: grouping.count, callCount: calls.count),
                       environment: environment, bundle: oneAtATime, metrics: metrics, operatorName: operatorName)
    }

    /// The rows such an operator hands back: the grouping columns (nullable), then a column per call named by
    /// `resultNames` (`f0`, `f1`, … by default).
    public static func outputSchema(calls: [FunctionCall], grouping: [Int], inputSchema: ArrowSchema,
                                    resultNames: [String]? = nil) -> ArrowSchema {
        let names = resultNames ?? calls.indices.map { "f\($0)" }
        let keyFields = grouping.map { index -> ArrowField in
            var field = inputSchema.fields[index]
            field.nullable = true
            return field
        }
        return ArrowSchema(keyFields + zip(names, calls).map { $1.function.resultType.arrowField(named: $0) })
    }
}

extension BundleDescriptor.Operation {
    /// Aggregate functions (`@udaf`), their accumulators in the runner's state.
    static let aggregate = Self(urn: "pyfn:transform:aggregate_function:v1", name: "aggregate")
}

/// An aggregate bundle's output: the worker's rows (one per key touched), checked against the declared schema.
struct AggregateBundleOutput: BundleOutput {
    let schema: ArrowSchema
    let keyCount: Int
    let callCount: Int

    func combine(input: RecordBatch, results batches: [RecordBatch]) throws -> [RecordBatch] {
        try passedThrough(batches, expected: "\(keyCount) key columns and \(callCount) calls")
    }
}
