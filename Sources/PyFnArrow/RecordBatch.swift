/// Equal-length columns under a schema.
public struct RecordBatch: Sendable {
    /// The column names and types.
    public let schema: ArrowSchema
    /// The number of rows.
    public let length: Int
    /// One array per schema field.
    public let columns: [ArrowArray]

    /// A batch of `columns`; throws unless they match the schema's count and types, have equal lengths,
    /// and non-nullable fields hold no nulls.
    public init(schema: ArrowSchema, columns: [ArrowArray]) throws {
        try self.init(schema: schema, columns: columns, length: columns.first?.length ?? 0)
    }

    /// A batch with an explicit row count (needed when there are no columns).
    public init(schema: ArrowSchema, columns: [ArrowArray], length: Int) throws {
        guard columns.count == schema.fields.count else {
            throw ArrowError("record batch has \(columns.count) columns, its schema has \(schema.fields.count) fields")
        }
        for (field, column) in zip(schema.fields, columns) {
            guard column.type == field.type else {
                throw ArrowError("column '\(field.name)' is \(column.type), its field says \(field.type)")
            }
            guard column.length == length else {
                throw ArrowError("column '\(field.name)' has \(column.length) rows, the batch has \(length)")
            }
            guard field.nullable || column.nullCount == 0 else {
                throw ArrowError("column '\(field.name)' is not nullable but holds \(column.nullCount) nulls")
            }
        }
        self.init(unchecked: schema, columns: columns, length: length)
    }

    init(unchecked schema: ArrowSchema, columns: [ArrowArray], length: Int) {
        self.schema = schema
        self.columns = columns
        self.length = length
    }

    /// The column named `name`, if any.
    public func column(named name: String) -> ArrowArray? {
        schema.fields.firstIndex { $0.name == name }.map { columns[$0] }
    }

    /// Rows `range`, sharing buffers.
    public func slice(_ range: Range<Int>) -> RecordBatch {
        precondition(range.lowerBound >= 0 && range.upperBound <= length, "slice \(range) out of range 0..<\(length)")
        return RecordBatch(unchecked: schema, columns: columns.map { $0.slice(range) }, length: range.count)
    }

    /// The rows at `indices`, in that order.
    public func take(_ indices: [Int32]) -> RecordBatch {
        RecordBatch(unchecked: schema, columns: columns.map { $0.take(indices) }, length: indices.count)
    }

    /// The rows of `batches` in order; all must have the same column types (the first batch's schema is kept).
    public static func concatenate(_ batches: [RecordBatch]) throws -> RecordBatch {
        guard let first = batches.first else { throw ArrowError("concatenate needs at least one record batch") }
        for batch in batches.dropFirst() where batch.schema.fields.map(\.type) != first.schema.fields.map(\.type) {
            throw ArrowError("cannot concatenate record batches with different column types")
        }
        let columns = try first.columns.indices.map { k in try ArrowArray.concatenate(batches.map { $0.columns[k] }) }
        return RecordBatch(unchecked: first.schema, columns: columns, length: batches.reduce(0) { $0 + $1.length })
    }
}
