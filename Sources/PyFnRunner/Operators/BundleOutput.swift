import PyFnArrow

/// The kind-specific part of a Python operator: the schema of the rows it hands on, and how one bundle's input
/// and the batches the worker returned for it make those rows. ``PythonFunctionOperator`` does everything else
/// (bundling, bundles in flight, supervision, replay).
protocol BundleOutput: Sendable {
    /// The schema of the batches handed on.
    var schema: ArrowSchema { get }
    /// The output rows of one bundle: its input and what the worker returned for it, checked against the
    /// contract (a worker that broke it throws ``PyFnError/protocolViolation(_:)``).
    func combine(input: RecordBatch, results: [RecordBatch]) throws -> [RecordBatch]
}

extension BundleOutput {
    /// The worker's non-empty batches as output rows under ``schema``, once each has the schema's column count
    /// (else the error says the worker returned so many columns for `expected`) and types.
    func passedThrough(_ results: [RecordBatch], expected: @autoclosure () -> String) throws -> [RecordBatch] {
        try results.filter { $0.length > 0 }.map { batch in
            guard batch.columns.count == schema.fields.count else {
                throw PyFnError.protocolViolation("the worker returned \(batch.columns.count) columns for \(expected())")
            }
            for (column, field) in zip(batch.columns, schema.fields) where column.type != field.type {
                throw PyFnError.protocolViolation("the worker returned \(column.type) for '\(field.name)', declared \(field.type)")
            }
            return try RecordBatch(schema: schema, columns: batch.columns)
        }
    }
}
