import PyFnArrow
import PyFnRunner

/// The rows of a VALUES clause (`INSERT INTO t VALUES …`, `FROM (VALUES …) AS t(a, b)`) as a bounded source: the
/// planner has typed and computed them (``Planner/valuesTable(_:alias:names:at:)``); they come out in order, in
/// batches of at most the batch size.
final class ValuesSource: TableSource {
    let schema: ArrowSchema
    private let rows: [[ArrowValue]]

    /// The rows of `table` (its columns typed as the values are).
    init(_ table: TableDefinition, rows: [[ArrowValue]]) {
        schema = table.schema
        self.rows = rows
    }

    var isBounded: Bool { true }

    var skippedRows: Int { 0 }

    func batches(batchSize: Int) -> AsyncThrowingStream<RecordBatch, any Error> {
        let schema = schema
        let rows = rows
        return AsyncThrowingStream { continuation in
            do {
                for start in stride(from: 0, to: rows.count, by: max(1, batchSize)) {
                    let piece = rows[start..<min(rows.count, start + max(1, batchSize))]
                    var builders = schema.fields.map { ArrowArrayBuilder(type: $0.type) }
                    for row in piece {
                        for (index, value) in row.enumerated() {
                            if value == .null { builders[index].appendNull() } else { try builders[index].append(value) }
                        }
                    }
                    continuation.yield(try RecordBatch(schema: schema, columns: builders.indices.map { builders[$0].finish() }, length: piece.count))
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
    }
}
