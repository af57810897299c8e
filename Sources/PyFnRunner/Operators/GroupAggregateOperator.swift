import PyFnArrow

/// Runs Python aggregate functions — general (`udaf(AggregateFunction)`) and Pandas (`udaf(f, func_type="pandas")`)
/// — over whole groups: every row of a group (a fired time window, an OVER frame) is sent in one bundle, and the
/// worker answers one row per group. Nothing is kept between bundles, so a lost worker's bundle is just replayed.
///
/// Input batches start with the int64 column `__group` numbering the groups (a group's rows together); the
/// `describedBy` columns name a group in error messages (its key, window start and end). Output: `__group`, then
/// one column per call. Callers hand whole groups to ``aggregate(_:)``, which never splits a batch.
public final class GroupAggregateOperator: PythonFunctionOperator {
    /// The calls, one result column each.
    public let calls: [FunctionCall]

    /// An operator that computes `calls` (aggregate or pandas aggregate kinds) over batches of `inputSchema`,
    /// whose column 0 is `__group` (int64).
    public init(calls: [FunctionCall], inputSchema: ArrowSchema, describedBy: [Int] = [], environment: any WorkerEnvironment,
                bundle: BundleOptions = BundleOptions(), python: PythonOptions = PythonOptions(), metrics: RunnerMetrics? = nil,
                operatorName: String? = nil) throws {
        guard !calls.isEmpty else { throw PyFnError.invalidDescriptor("a group aggregate operator needs at least one call") }
        guard inputSchema.fields.first?.type == .int64 else {
            throw PyFnError.invalidDescriptor("a group aggregate operator's input starts with the int64 column __group")
        }
        for call in calls {
            try call.validate(kind: call.function.kind == .pandasAggregate ? .pandasAggregate : .aggregate, inputSchema: inputSchema)
            for case .call(let nested) in call.arguments {
                throw PyFnError.invalidDescriptor("'\(call.function.name)' takes the result of '\(nested.function.name)'; aggregate arguments must be columns or constants")
            }
        }
        try inputSchema.validateColumns(describedBy, role: "group description column")
        self.calls = calls
        // Bundles are cut only where the caller cuts them (whole groups): never by size or time.
        var whole = bundle
        whole.bundleSize = Int.max
        whole.bundleTime = .seconds(86_400 * 365)
        var functions = FunctionSet(calls: calls, inputSchema: inputSchema, bundle: whole, python: python)
        functions.grouping = describedBy
        let schema = Self.outputSchema(calls: calls)
        try super.init(operation: .groupAggregate, functions: functions,
                       output: GroupAggregateBundleOutput(schema: schema, callCount: calls.count),
                       environment: environment, bundle: whole, metrics: metrics, operatorName: operatorName)
    }

    /// The rows such an operator hands back: `__group` (int64, not null), then one column per call, `f0`, `f1`, ….
    public static func outputSchema(calls: [FunctionCall]) -> ArrowSchema {
        ArrowSchema([ArrowField("__group", .int64, nullable: false)]
            + calls.enumerated().map { $1.function.resultType.arrowField(named: "f\($0)") })
    }

    /// Aggregates whole groups as one bundle; returns one row per group, in input order.
    public func aggregate(_ groups: RecordBatch) async throws -> [RecordBatch] {
        guard groups.length > 0 else { return [] }
        return try await process(groups) + finish()
    }
}

extension BundleDescriptor.Operation {
    /// General and Pandas aggregate functions over whole groups (time windows, OVER frames), no state.
    static let groupAggregate = Self(urn: "pyfn:transform:group_aggregate:v1", name: "group-aggregate")
}

/// A group aggregate bundle's output: the worker's rows (one per group), checked against the declared schema.
struct GroupAggregateBundleOutput: BundleOutput {
    let schema: ArrowSchema
    let callCount: Int

    func combine(input: RecordBatch, results batches: [RecordBatch]) throws -> [RecordBatch] {
        try passedThrough(batches, expected: "__group and \(callCount) calls")
    }
}
