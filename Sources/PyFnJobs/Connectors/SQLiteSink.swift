import Foundation
import GRDB
import PyFnArrow
import PyFnRunner

/// Writes rows to a table of an SQLite database through GRDB (`'connector' = 'sqlite'`, PyFn's own).
///
/// Options: `'path'` (the database file, relative to the job file's folder; created with its folders if missing)
/// and `'table-name'` (default: the table's name). The table is created if missing, with SQLite column types:
/// BOOLEAN (0/1) and integers as INTEGER, FLOAT/DOUBLE as REAL, BYTES as BLOB, everything else as TEXT in the text
/// forms of ``TextValueCodec`` (DECIMAL keeps its exact digits, TIMESTAMP reads `yyyy-mm-dd hh:mm:ss.ffffff`), and
/// ARRAY/MAP/ROW as JSON text. With an upsert key (or a declared PRIMARY KEY) the key is the table's
/// `PRIMARY KEY` and rows are written with `INSERT … ON CONFLICT (key) DO UPDATE`, so the table keeps the latest
/// row per key. Each batch is written in one transaction.
public actor SQLiteSink: TableSink {
    /// The resolved database path.
    public nonisolated let path: String
    /// The database table written to.
    public nonisolated let tableName: String
    private let table: TableDefinition
    private var database: DatabaseQueue?
    private var statements: SQLTableStatements?

    /// The sink declared by `table`; throws ``ConnectorError`` for missing or bad options.
    public init(_ table: TableDefinition) throws {
        let options = TableOptions(table)
        path = try options.path("path")
        tableName = options.string("table-name") ?? table.name
        try options.checkNoneLeft()
        self.table = table
    }

    /// Opens the database and creates the table if it is missing.
    public func open(schema: ArrowSchema, upsertKey: [Int]?) async throws {
        let statements = try SQLTableStatements.forSink(table: table, tableName: tableName, schema: schema, upsertKey: upsertKey,
                                                        columnType: Self.columnType, failure: failure)
        self.statements = statements
        do {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            let database = try DatabaseQueue(path: path)
            try await database.write { db in try db.execute(sql: statements.createTable) }
            self.database = database
        } catch {
            throw failure("\(error)")
        }
    }

    /// Inserts (or upserts) the batch's rows in one transaction.
    public func write(_ batch: RecordBatch) async throws {
        guard let database, let statements else { throw failure("write before open") }
        let rows = statements.latestRows(of: batch).map { row in
            zip(row, table.columns).map { Self.databaseValue($0, as: $1.type) }
        }
        guard !rows.isEmpty else { return }
        let sql = statements.insert(rows: 1) { _, _ in "?" }
        do {
            try await database.write { db in
                let statement = try db.cachedStatement(sql: sql)
                for row in rows { try statement.execute(arguments: StatementArguments(row)) }
            }
        } catch {
            throw failure("\(error)")
        }
    }

    /// Closes the database.
    public func close() async throws {
        guard let database else { return }
        self.database = nil
        do { try database.close() } catch { throw failure("\(error)") }
    }

    private func failure(_ message: String) -> ConnectorError {
        ConnectorError("table '\(table.name)': sqlite \(path) table \(tableName): \(message)")
    }

    /// The SQLite column type of a SQL type.
    static func columnType(_ type: SQLType) -> String {
        switch type.kind {
        case .boolean, .tinyint, .smallint, .int, .bigint: return "INTEGER"
        case .float, .double: return "REAL"
        case .bytes: return "BLOB"
        default: return "TEXT"
        }
    }

    /// The SQLite value stored for `value`.
    static func databaseValue(_ value: ArrowValue, as type: SQLType) -> DatabaseValue {
        switch value {
        case .null: return .null
        case .bool(let b): return (b ? 1 : 0).databaseValue
        case .int(let x): return x.databaseValue
        case .float(let x): return x.databaseValue
        case .binary(let bytes): return Data(bytes).databaseValue
        default: return SQLTableStatements.text(value, as: type)?.databaseValue ?? .null
        }
    }
}
