import PyFnArrow

/// Runs Python scalar functions (`@udf`, `@udf(func_type="pandas")`, `func_type="arrow"` or async — one kind per
/// operator) over a stream of
/// batches: each output row is an input row's forwarded columns followed by one column per call, in input order.
/// Calls may nest (`f(g(x), 1)`); the worker evaluates a nest in one pass, each function once per row.
public final class ScalarFunctionOperator: PythonFunctionOperator {
    /// The calls, one output column each.
    public let calls: [FunctionCall]
    /// The input columns copied to the output, in order.
    public let forwardedColumns: [Int]

    /// An operator that evaluates `calls` on batches of `inputSchema`, keeping `forwardedColumns` (all by default)
    /// and naming the result columns `resultNames` (`f0`, `f1`, … by default). With `metrics`, it reports there as
    /// `operatorName` (by default `scalar(f,g)` after its functions).
    public init(calls: [FunctionCall], inputSchema: ArrowSchema, forwardedColumns: [Int]? = nil, resultNames: [String]? = nil,
                environment: any WorkerEnvironment, bundle: BundleOptions = BundleOptions(), python: PythonOptions = PythonOptions(),
                metrics: RunnerMetrics? = nil, operatorName: String? = nil) throws {
        let forwarded = forwardedColumns ?? Array(inputSchema.fields.indices)
        let names = resultNames ?? calls.indices.map { "f\($0)" }
        guard let kind = calls.first?.function.kind else { throw PyFnError.invalidDescriptor("a scalar operator needs at least one call") }
        let operation: BundleDescriptor.Operation
        var python = python
        switch kind {
        case .scalar: operation = .scalar
        case .pandasScalar: operation = .pandasScalar
        case .arrowScalar: operation = .arrowScalar
        case .asyncScalar:
            operation = .asyncScalar
            python.jobParameters.merge(python.asyncScalar.jobParameters) { _, asyncSetting in asyncSetting }
        case .table:
            throw PyFnError.invalidDescriptor("'\(calls[0].function.name)' is a table function; use a TableFunctionOperator")
        case .aggregate, .pandasAggregate:
            throw PyFnError.invalidDescriptor("'\(calls[0].function.name)' is an aggregate function; use an AggregateFunctionOperator")
        case .tableAggregate:
            throw PyFnError.invalidDescriptor("'\(calls[0].function.name)' is a table aggregate function; use a TableAggregateOperator")
        }
        guard names.count == calls.count else { throw PyFnError.invalidDescriptor("\(calls.count) calls but \(names.count) result names") }
        for call in calls { try call.validate(kind: kind, inputSchema: inputSchema) }
        try inputSchema.validateColumns(forwarded, role: "forwarded column")
        self.calls = calls
        self.forwardedColumns = forwarded
        let outputSchema = ArrowSchema(forwarded.map { inputSchema.fields[$0] }
            + zip(names, calls).map { $1.function.resultType.arrowField(named: $0) })
        let workerInput = WorkerInputColumns(calls: calls, inputSchema: inputSchema)
        try super.init(operation: operation,
                       functions: FunctionSet(calls: workerInput.calls, inputSchema: workerInput.schema, bundle: bundle, python: python),
                       output: ScalarBundleOutput(schema: outputSchema, forwardedColumns: forwarded, callCount: calls.count),
                       environment: environment, bundle: bundle, metrics: metrics, operatorName: operatorName,
                       workerInput: workerInput)
    }
}

extension BundleDescriptor.Operation {
    /// Scalar functions (`@udf`).
    static let scalar = Self(urn: "pyfn:transform:scalar_function:v1", name: "scalar")
    /// Pandas scalar functions (`@udf(func_type="pandas")`).
    static let pandasScalar = Self(urn: "pyfn:transform:pandas_scalar_function:v1", name: "pandas")
}

/// A scalar bundle's output: the forwarded input columns, then the worker's one column per call, row for row.
struct ScalarBundleOutput: BundleOutput {
    let schema: ArrowSchema
    let forwardedColumns: [Int]
    let callCount: Int

    func combine(input: RecordBatch, results batches: [RecordBatch]) throws -> [RecordBatch] {
        let results = batches.count == 1 ? batches[0] : try RecordBatch.concatenate(batches)
        guard results.columns.count == callCount, results.length == input.length else {
            throw PyFnError.protocolViolation(
                "the worker returned \(results.columns.count) columns × \(results.length) rows for \(callCount) calls on \(input.length) rows")
        }
        let resultFields = schema.fields.suffix(callCount)
        for (column, field) in zip(results.columns, resultFields) where column.type != field.type {
            throw PyFnError.protocolViolation("the worker returned \(column.type) for '\(field.name)', declared \(field.type)")
        }
        return [try RecordBatch(schema: schema, columns: forwardedColumns.map { input.columns[$0] } + results.columns)]
    }
}

extension FunctionCall {
    /// The names of the functions this call runs: its nested calls' first, then its own, each once.
    var functionNames: [String] {
        var names: [String] = []
        for case .call(let nested) in arguments {
            for name in nested.functionNames where !names.contains(name) { names.append(name) }
        }
        if !names.contains(function.name) { names.append(function.name) }
        return names
    }

    /// Checks that this call and its nested calls are all of `kind` and read only columns of `inputSchema`.
    func validate(kind: PythonFunction.Kind, inputSchema: ArrowSchema) throws {
        guard function.kind == kind else {
            throw PyFnError.invalidDescriptor("'\(function.name)' is a \(function.kind) function, but this operator runs \(kind) functions")
        }
        for argument in arguments {
            switch argument {
            case .column(let index): try inputSchema.validateColumns([index], role: "'\(function.name)' reads column")
            case .call(let nested): try nested.validate(kind: kind, inputSchema: inputSchema)
            case .constant: break
            }
        }
    }
}

extension ArrowSchema {
    /// Throws unless every index names a column of this schema.
    func validateColumns(_ indices: [Int], role: String) throws {
        for index in indices where !fields.indices.contains(index) {
            throw PyFnError.invalidDescriptor("\(role) \(index) is not in the input (\(fields.count) columns)")
        }
    }
}
