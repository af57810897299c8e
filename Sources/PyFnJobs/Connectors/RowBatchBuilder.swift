import PyFnArrow
import PyFnRunner

/// Collects rows of values into record batches of a table's schema, one Arrow builder per column.
struct RowBatchBuilder {
    let schema: ArrowSchema
    private var builders: [ArrowArrayBuilder]

    /// A builder for rows of `schema`.
    init(schema: ArrowSchema) {
        self.schema = schema
        builders = schema.fields.map { ArrowArrayBuilder(type: $0.type) }
    }

    /// Rows appended since the last ``finish()``.
    var count: Int { builders.first?.count ?? rowsWithoutColumns }
    private var rowsWithoutColumns = 0

    /// Appends one row. A NULL in a NOT NULL column is a ``RowDecodeError`` (nothing is stored); a value of the
    /// wrong type is a bug of the reader and a ``ConnectorError``.
    mutating func append(_ row: [ArrowValue]) throws {
        for (i, field) in schema.fields.enumerated() where row[i].isNull && !field.nullable {
            throw RowDecodeError(message: "NULL in NOT NULL column", column: field.name, value: "")
        }
        for i in builders.indices {
            do {
                try builders[i].append(row[i])
            } catch {
                throw ConnectorError("column '\(schema.fields[i].name)': \(error)")
            }
        }
        rowsWithoutColumns += 1
    }

    /// The rows appended so far as a batch; the builder starts over.
    mutating func finish() -> RecordBatch {
        let length = count
        let columns = builders.indices.map { builders[$0].finish() }
        rowsWithoutColumns = 0
        // The columns were built for the schema's types and nullability was checked row by row.
        return try! RecordBatch(schema: schema, columns: columns, length: length)
    }
}

extension RecordBatch {
    /// Row `i` as one value per column (row-at-a-time access for sinks).
    func row(_ i: Int) -> [ArrowValue] {
        columns.map { $0.value(at: i) }
    }
}
