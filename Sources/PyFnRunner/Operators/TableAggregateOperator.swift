import PyFnArrow

/// Runs one Python table aggregate function (`udtaf`, a TableAggregateFunction) over whole groups: every row of a
/// group is sent in one bundle, and the worker answers the rows `emit_value` yields for each group (zero or more).
/// Nothing is kept between bundles, so a lost worker's bundle is just replayed. Bounded input only: the caller
/// holds a group's rows until it is complete.
///
/// Input batches start with the int64 column `__group` numbering the groups (a group's rows together); the
/// `describedBy` columns name a group in error messages (its key). Output: `__group`, then the fields of the
/// function's ROW result. Callers hand whole groups to ``aggregate(_:)``, which never splits a batch.
public final class TableAggregateOperator: PythonFunctionOperator {
    /// The one call.
    public let call: FunctionCall

    /// An operator that runs `call` (a table aggregate function) over batches of `inputSchema`, whose column 0 is
    /// `__group` (int64).
    public init(call: FunctionCall, inputSchema: ArrowSchema, describedBy: [Int] = [], environment: any WorkerEnvironment,
                bundle: BundleOptions = BundleOptions(), python: PythonOptions = PythonOptions(), metrics: RunnerMetrics? = nil,
                operatorName: String? = nil) throws {
        guard inputSchema.fields.first?.type == .int64 else {
            throw PyFnError.invalidDescriptor("a table aggregate operator's input starts with the int64 column __group")
        }
        try call.validate(kind: .tableAggregate, inputSchema: inputSchema)
        for case .call(let nested) in call.arguments {
            throw PyFnError.invalidDescriptor("'\(call.function.name)' takes the result of '\(nested.function.name)'; table aggregate arguments must be columns or constants")
        }
        try inputSchema.validateColumns(describedBy, role: "group description column")
        self.call = call
        // Bundles are cut only where the caller cuts them (whole groups): never by size or time.
        var whole = bundle
        whole.bundleSize = Int.max
        whole.bundleTime = .seconds(86_400 * 365)
        var functions = FunctionSet(calls: [call], inputSchema: inputSchema, bundle: whole, python: python)
        functions.grouping = describedBy
        try super.init(operation: .tableAggregate, functions: functions,
                       output: TableAggregateBundleOutput(schema: Self.outputSchema(call: call), function: call.function.name),
                       environment: environment, bundle: whole, metrics: metrics, operatorName: operatorName)
    }

    /// The rows such an operator hands back: `__group` (int64, not null), then the fields of the call's ROW result
    /// (a non-ROW result is one column `f0`).
    public static func outputSchema(call: FunctionCall) -> ArrowSchema {
        let fields: [ArrowField]
        if case .row(let columns) = call.function.resultType.kind {
            fields = columns.map { $0.type.arrowField(named: $0.name) }
        } else {
            fields = [call.function.resultType.arrowField(named: "f0")]
        }
        return ArrowSchema([ArrowField("__group", .int64, nullable: false)] + fields)
    }

    /// Runs whole groups as one bundle; returns the emitted rows, groups in input order.
    public func aggregate(_ groups: RecordBatch) async throws -> [RecordBatch] {
        guard groups.length > 0 else { return [] }
        return try await process(groups) + finish()
    }
}

extension BundleDescriptor.Operation {
    /// Table aggregate functions over whole groups (bounded GROUP BY … flat_aggregate), no state.
    static let tableAggregate = Self(urn: "pyfn:transform:table_aggregate:v1", name: "table-aggregate")
}

/// A table aggregate bundle's output: the worker's rows (any number per group), checked against the declared schema.
struct TableAggregateBundleOutput: BundleOutput {
    let schema: ArrowSchema
    let function: String

    func combine(input: RecordBatch, results batches: [RecordBatch]) throws -> [RecordBatch] {
        try passedThrough(batches, expected: "__group and the rows '\(function)' emits")
    }
}
