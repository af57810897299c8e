import Foundation
import GRDB
import PyFnArrow
import PyFnRunner

/// Reads every row of a table of an SQLite database through GRDB (`'connector' = 'sqlite'`, PyFn's own).
///
/// Options as for ``SQLiteSink``: `'path'` and `'table-name'`. The table's columns are selected by name and
/// converted to the declared types: INTEGER and REAL values directly, TEXT in the text forms of ``TextValueCodec``
/// (JSON for ARRAY, MAP and ROW), BLOB as BYTES. The source is bounded; a value that does not convert ends the
/// stream with an error naming the row, or is skipped with `'sqlite.ignore-parse-errors' = 'true'`.
public final class SQLiteSource: TableSource {
    /// The table's columns as Arrow fields.
    public let schema: ArrowSchema
    /// The resolved database path.
    public let path: String
    /// The database table read.
    public let tableName: String
    private let columns: [SQLField]
    private let ignoreParseErrors: Bool
    private let skipped = SkippedRowCounter()

    /// The source declared by `table`; throws ``ConnectorError`` for missing or bad options.
    public init(_ table: TableDefinition) throws {
        let options = TableOptions(table)
        schema = table.schema
        columns = table.columns
        path = try options.path("path")
        tableName = options.string("table-name") ?? table.name
        ignoreParseErrors = try options.bool("sqlite.ignore-parse-errors", default: false)
        try options.checkNoneLeft()
    }

    /// Always true: a table has a number of rows.
    public var isBounded: Bool { true }

    /// Rows skipped as unconvertible.
    public var skippedRows: Int { skipped.value }

    /// The table's rows (read in one transaction when the stream is first asked) in batches of at most
    /// `batchSize` rows.
    public func batches(batchSize: Int) -> AsyncThrowingStream<RecordBatch, any Error> {
        let reader = BatchQueue()
        return AsyncThrowingStream(unfolding: {
            if !reader.loaded { reader.load(try await self.readAll(batchSize: max(1, batchSize))) }
            return reader.next()
        })
    }

    private func readAll(batchSize: Int) async throws -> [RecordBatch] {
        guard FileManager.default.fileExists(atPath: path) else {
            throw ConnectorError("\(path): no such SQLite database")
        }
        let sql = "SELECT " + columns.map { SQLTableStatements.quote($0.name) }.joined(separator: ", ")
            + " FROM " + tableName.split(separator: ".").map { SQLTableStatements.quote(String($0)) }.joined(separator: ".")
        let (schema, columns, ignore, skipped, path, tableName) = (self.schema, self.columns, ignoreParseErrors, self.skipped, self.path, self.tableName)
        do {
            let database = try DatabaseQueue(path: path, configuration: { var c = Configuration(); c.readonly = true; return c }())
            defer { try? database.close() }
            return try await database.read { db in
                var batches: [RecordBatch] = []
                var builder = RowBatchBuilder(schema: schema)
                var rowNumber = 0
                let cursor = try Row.fetchCursor(db, sql: sql)
                while let dbRow = try cursor.next() {
                    rowNumber += 1
                    do {
                        var values: [ArrowValue] = []
                        for (i, column) in columns.enumerated() {
                            let value: DatabaseValue = dbRow[i]
                            do throws(ValueParseError) { values.append(try Self.arrowValue(value, as: column.type)) } catch {
                                throw RowDecodeError(message: error.message, column: column.name, value: value.description)
                            }
                        }
                        try builder.append(values)
                    } catch let error as RowDecodeError {
                        if ignore { skipped.add(); continue }
                        throw ConnectorError("\(path) table \(tableName) row \(rowNumber): \(error.message)"
                                             + (error.column.map { " (column '\($0)', value \(error.value ?? ""))" } ?? ""))
                    }
                    if builder.count >= batchSize { batches.append(builder.finish()) }
                }
                if builder.count > 0 { batches.append(builder.finish()) }
                return batches
            }
        } catch let error as ConnectorError {
            throw error
        } catch {
            throw ConnectorError("\(path) table \(tableName): \(error)")
        }
    }

    /// The Arrow value of an SQLite value in a column of `type`.
    static func arrowValue(_ value: DatabaseValue, as type: SQLType) throws(ValueParseError) -> ArrowValue {
        switch value.storage {
        case .null:
            return .null
        case .int64(let x):
            switch type.kind {
            case .boolean: return .bool(x != 0)
            case .tinyint, .smallint, .int, .bigint:
                guard TextValueCodec.integerRange(type.kind).contains(x) else {
                    throw ValueParseError(message: "out of range for \(TextValueCodec.typeName(type))")
                }
                return .int(x)
            case .float, .double: return .float(Double(x))
            default: return try TextValueCodec.parse(String(x), as: type)
            }
        case .double(let x):
            switch type.kind {
            case .float, .double: return .float(x)
            default: return try TextValueCodec.parse(x.description, as: type)
            }
        case .string(let text):
            if type.isNested {
                do { return try JSONLinesFormat.value(try JSONValue.parse(ArraySlice(text.utf8)), as: type) } catch let error as JSONSyntaxError {
                    throw ValueParseError(message: "invalid JSON: \(error.message) at character \(error.offset + 1)")
                } catch let error as ValueParseError {
                    throw error
                } catch {
                    throw ValueParseError(message: "\(error)")
                }
            }
            return try TextValueCodec.parse(text, as: type)
        case .blob(let data):
            switch type.kind {
            case .bytes: return .binary([UInt8](data))
            case .string: return .string(String(decoding: data, as: UTF8.self))
            default: throw ValueParseError(message: "a BLOB is not a valid \(TextValueCodec.typeName(type))")
            }
        }
    }
}

/// Batches read ahead, handed out one at a time.
private final class BatchQueue: @unchecked Sendable {
    private(set) var loaded = false
    private var batches: [RecordBatch] = []
    private var position = 0

    func load(_ batches: [RecordBatch]) {
        self.batches = batches
        loaded = true
    }

    func next() -> RecordBatch? {
        guard position < batches.count else { return nil }
        defer { position += 1 }
        return batches[position]
    }
}
