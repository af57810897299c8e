import PyFnArrow

/// The input columns a scalar operator's calls read, so that only those go to the worker (as PyFlink's operators
/// send only their functions' input fields). The CDN job's `ip_to_province(client_ip)` reads 1 of 6 columns:
/// sending all six made the runner encode and the worker receive ~95 bytes a row instead of ~14 (measured on
/// 1 M access-log lines: the worker's gRPC receive and the runner's Arrow encoding were in front of the UDF).
struct WorkerInputColumns {
    /// The input columns sent, in input order; nil when every column is sent (the calls read them all, or none).
    let sent: [Int]?
    /// The calls with their column arguments renumbered to positions among the sent columns.
    let calls: [FunctionCall]
    /// The schema of the batches the worker gets.
    let schema: ArrowSchema
    /// The schema of the operator's input (every column).
    let inputSchema: ArrowSchema

    /// The columns of `inputSchema` that `calls` (nested calls too) read.
    init(calls: [FunctionCall], inputSchema: ArrowSchema) {
        self.inputSchema = inputSchema
        let read = Set(calls.flatMap(\.columnsRead)).sorted()
        // A call of constants only reads no column: the batch still needs one to carry its row count.
        guard !read.isEmpty, read.count < inputSchema.fields.count else {
            self.sent = nil
            self.calls = calls
            self.schema = inputSchema
            return
        }
        let position = Dictionary(uniqueKeysWithValues: read.enumerated().map { ($1, $0) })
        self.sent = read
        self.calls = calls.map { $0.renumberingColumns(position) }
        self.schema = ArrowSchema(read.map { inputSchema.fields[$0] })
    }

    /// The part of `batch` the worker gets.
    func workerBatch(_ batch: RecordBatch) throws -> RecordBatch {
        guard let sent else { return batch }
        return try RecordBatch(schema: schema, columns: sent.map { batch.columns[$0] }, length: batch.length)
    }
}

extension FunctionCall {
    /// The input columns this call and its nested calls read.
    var columnsRead: [Int] {
        arguments.flatMap { argument -> [Int] in
            switch argument {
            case .column(let index): [index]
            case .call(let nested): nested.columnsRead
            case .constant: []
            }
        }
    }

    /// This call reading column `position[i]` wherever it read column `i`.
    func renumberingColumns(_ position: [Int: Int]) -> FunctionCall {
        var call = self
        call.arguments = arguments.map { argument in
            switch argument {
            case .column(let index): .column(position[index] ?? index)
            case .call(let nested): .call(nested.renumberingColumns(position))
            case .constant: argument
            }
        }
        return call
    }
}
