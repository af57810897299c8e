import Foundation
import PyFnArrow
import PyFnRunner

/// `sink_to(JdbcSink.sink("INSERT INTO t (a, b) VALUES (?, ?)", type_info, options))`: a DataStream's typed records
/// written into a table through one of the project's SQL sinks (``Connectors/sink(_:)``: SQLite and PostgreSQL
/// behind a `jdbc:` URL, or any other sink connector's options). A ROW record's fields are the table's columns, in
/// the order the spec names them; any other record is the one column. Subtasks write one batch at a time, each
/// batch in the order it arrives (the connectors write a batch as one transaction).
actor TableStreamSink: StreamSink {
    private let sink: any TableSink
    private let schema: ArrowSchema
    /// The sink's one `open`, started by the first batch. Every subtask awaits this same task: the actor is reentrant
    /// at `await`, and a second `open` (a second SQLite connection) would wait on the first one's write lock until
    /// SQLite gave up with "database is locked" (seen in CI with a rebalanced stream at parallelism 2).
    private var opening: Task<Void, any Error>?

    /// A sink writing records whose `value` field is `valueField` into the table `name` with `columns` under the
    /// connector `options`; throws naming the table when the columns do not fit the records or the options are bad.
    init(name: String, columns: [String], options: [String: String], valueField: ArrowField, baseDirectory: String) throws {
        let types = try Self.columnTypes(valueField)
        guard types.count == columns.count else {
            throw ConnectorError("table '\(name)': the sink names \(columns.count) columns (\(columns.joined(separator: ", "))) "
                                 + "but the stream's records have \(types.count) fields (\(valueField.type))")
        }
        let fields = zip(columns, types).map { SQLField($0, $1) }
        self.schema = ArrowSchema(columns: fields)
        self.sink = try Connectors.sink(TableDefinition(name: name, columns: fields, options: options, baseDirectory: baseDirectory))
    }

    /// The SQL types of a record's fields: a struct's children, or the value itself.
    private static func columnTypes(_ valueField: ArrowField) throws -> [SQLType] {
        guard case .struct = valueField.type else { return [try SQLType(arrow: valueField)] }
        return try valueField.type.children.map { try SQLType(arrow: $0) }
    }

    func write(_ batch: RecordBatch, subtask: Int, parallelism: Int) async throws {
        guard let values = batch.column(named: DataStreamOperator.valueColumn) else {
            throw PyFnError.protocolViolation("a table sink takes a '\(DataStreamOperator.valueColumn)' column")
        }
        let columns: [ArrowArray]
        if case .struct = values.type {
            guard values.nullCount == 0 else {
                throw ConnectorError("a table sink got a null record (a ROW record must not be None)")
            }
            columns = (0..<schema.fields.count).map { values.structField($0) }
        } else {
            columns = [values]
        }
        if opening == nil {
            let sink = self.sink, schema = self.schema
            opening = Task { try await sink.open(schema: schema, upsertKey: nil) }
        }
        try await opening?.value
        try await sink.write(try RecordBatch(schema: schema, columns: columns))
    }

    func close() async throws {
        guard let opening else { return }  // no records came: nothing was opened
        try await opening.value
        try await sink.close()
    }
}
