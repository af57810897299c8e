import PyFnArrow

/// Runs a Python table function (`@udtf`) once per input row: each output row is the forwarded columns of the row
/// it came from followed by the function's columns, in input order. Inner semantics drop input rows the function
/// yields nothing for; left-outer semantics (`LEFT JOIN LATERAL … ON TRUE`) keep them once, with NULLs.
public final class TableFunctionOperator: PythonFunctionOperator {
    /// The table function's call.
    public let call: FunctionCall
    /// The input columns copied to the output, in order.
    public let forwardedColumns: [Int]
    /// Whether input rows without output come out once with NULLs.
    public let leftOuter: Bool

    /// An operator that calls `call` (a table function whose result type is a ROW) on each row of `inputSchema`,
    /// keeping `forwardedColumns` (all by default) and naming the function's columns `resultNames` (the ROW's
    /// field names by default). With `metrics`, it reports there as `operatorName` (by default `table(f)`).
    public init(call: FunctionCall, inputSchema: ArrowSchema, forwardedColumns: [Int]? = nil, resultNames: [String]? = nil,
                leftOuter: Bool = false, environment: any WorkerEnvironment, bundle: BundleOptions = BundleOptions(),
                python: PythonOptions = PythonOptions(), metrics: RunnerMetrics? = nil, operatorName: String? = nil) throws {
        guard call.function.kind == .table else {
            throw PyFnError.invalidDescriptor("'\(call.function.name)' is a \(call.function.kind) function; a table operator runs a table function")
        }
        guard case .row(let fields) = call.function.resultType.kind else {
            throw PyFnError.invalidDescriptor("table function '\(call.function.name)' must return a ROW, not \(call.function.resultType)")
        }
        let names = resultNames ?? fields.map(\.name)
        guard names.count == fields.count else {
            throw PyFnError.invalidDescriptor("table function '\(call.function.name)' returns \(fields.count) columns but \(names.count) names were given")
        }
        for argument in call.arguments {
            switch argument {
            case .column(let index): try inputSchema.validateColumns([index], role: "'\(call.function.name)' reads column")
            case .call(let nested): try nested.validate(kind: .scalar, inputSchema: inputSchema)
            case .constant: break
            }
        }
        let forwarded = forwardedColumns ?? Array(inputSchema.fields.indices)
        try inputSchema.validateColumns(forwarded, role: "forwarded column")
        self.call = call
        self.forwardedColumns = forwarded
        self.leftOuter = leftOuter
        // Under left-outer semantics every function column can be NULL.
        let resultFields = zip(names, fields).map { name, field in
            var arrowField = field.type.arrowField(named: name)
            if leftOuter { arrowField.nullable = true }
            return arrowField
        }
        let output = TableBundleOutput(schema: ArrowSchema(forwarded.map { inputSchema.fields[$0] } + resultFields),
                                       forwardedColumns: forwarded, resultFields: resultFields, leftOuter: leftOuter)
        try super.init(operation: .table,
                       functions: FunctionSet(calls: [call], inputSchema: inputSchema, bundle: bundle, python: python),
                       output: output, environment: environment, bundle: bundle, metrics: metrics, operatorName: operatorName)
        sizesBundlesByOutput = true
    }
}

extension BundleDescriptor.Operation {
    /// Table functions (`@udtf`).
    static let table = Self(urn: "pyfn:transform:table_function:v1", name: "table")
}

/// A table-function bundle's output: each result row joined with the forwarded columns of the input row it names
/// in `__row`, in input order; under left-outer semantics an input row without results comes once with NULLs.
struct TableBundleOutput: BundleOutput {
    let schema: ArrowSchema
    let forwardedColumns: [Int]
    let resultFields: [ArrowField]
    let leftOuter: Bool

    func combine(input: RecordBatch, results: [RecordBatch]) throws -> [RecordBatch] {
        var batches = results.filter { $0.length > 0 }
        guard !batches.isEmpty || leftOuter else { return [] }
        for batch in batches {
            guard batch.columns.count == resultFields.count + 1, batch.columns[0].type == .int32 else {
                throw PyFnError.protocolViolation("table function output must be __row (int32) and \(resultFields.count) columns")
            }
        }
        if leftOuter { batches.append(try nullRow()) }
        let columns = try (0...resultFields.count).map { index in try ArrowArray.concatenate(batches.map { $0.columns[index] }) }
        let (inputRows, resultRows) = try pairRows(origins: columns[0], inputLength: input.length)
        let forwarded = forwardedColumns.map { input.columns[$0].take(inputRows) }
        let produced = columns.dropFirst().map { $0.take(resultRows) }
        return [try RecordBatch(schema: schema, columns: forwarded + produced)]
    }

    /// Which input row and which result row make each output row, in input order; under left-outer semantics an
    /// input row with no result pairs with the last result row (the NULL row).
    private func pairRows(origins column: ArrowArray, inputLength: Int) throws -> ([Int32], [Int32]) {
        let produced = leftOuter ? column.length - 1 : column.length
        let origins = column.withValues(as: Int32.self) { Array($0.prefix(produced)) }
        var inputRows: [Int32] = []
        var resultRows: [Int32] = []
        inputRows.reserveCapacity(produced)
        resultRows.reserveCapacity(produced)
        var next = 0
        for row in 0..<Int32(inputLength) {
            let first = next
            while next < produced && origins[next] == row {
                inputRows.append(row)
                resultRows.append(Int32(next))
                next += 1
            }
            if leftOuter && next == first {
                inputRows.append(row)
                resultRows.append(Int32(produced))
            }
        }
        guard next == produced else {
            throw PyFnError.protocolViolation("table function output row \(next) names input row \(origins[next]), out of order or out of range")
        }
        return (inputRows, resultRows)
    }

    /// One row of NULLs in the result layout.
    private func nullRow() throws -> RecordBatch {
        let fields = [ArrowField("__row", .int32)] + resultFields
        return try RecordBatch(schema: ArrowSchema(fields), columns: fields.map { field in
            var builder = ArrowArrayBuilder(type: field.type)
            builder.appendNull()
            return builder.finish()
        })
    }
}
