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
/// row per key.
///
/// Rows are written in one transaction per commit point: the job's end, and in a streaming job each
/// `execution.checkpointing.interval`, so a killed runner leaves the rows of its last commit and nothing after it
/// (SQLite rolls the rest back from its journal on next open). Each commit also records, in the same transaction,
/// the job's ``SinkJobIdentity`` in `pyfn_sink_commits` (``SinkCommitLog``); a rerun of a bounded job that finds
/// its identity there writes nothing.
public actor SQLiteSink: CommittingSink {
    /// The resolved database path.
    public nonisolated let path: String
    /// The database table written to.
    public nonisolated let tableName: String
    private let table: TableDefinition
    private var database: DatabaseQueue?
    private var statements: SQLTableStatements?
    private let log: SinkCommitLog
    private var job: SinkJobIdentity?
    private var earlier: String?
    private var inTransaction = false
    private var rowCount: Int64 = 0
    private var commits: Int64 = 0

    /// The sink declared by `table`; throws ``ConnectorError`` for missing or bad options.
    public init(_ table: TableDefinition) throws {
        let options = TableOptions(table)
        path = try options.path("path")
        tableName = options.string("table-name") ?? table.name
        try options.checkNoneLeft()
        self.table = table
        log = SinkCommitLog(besides: tableName)
    }

    /// Notes the job whose commits are recorded.
    public func identify(_ job: SinkJobIdentity) async {
        self.job = job
    }

    /// The earlier run of this job that committed its rows, found by ``open(schema:upsertKey:)``.
    public func committedEarlier() async -> String? { earlier }

    /// Opens the database, creates the table (and the commit log) if missing, looks for an earlier run of the same
    /// job, and begins the transaction the rows go into.
    public func open(schema: ArrowSchema, upsertKey: [Int]?) async throws {
        let statements = try SQLTableStatements.forSink(table: table, tableName: tableName, schema: schema, upsertKey: upsertKey,
                                                        columnType: Self.columnType, failure: failure)
        self.statements = statements
        let job = self.job, log = self.log
        do {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            var configuration = GRDB.Configuration()
            // The transaction stays open between calls, from one commit point to the next.
            configuration.allowsUnsafeTransactions = true
            // A reader of the same file (a SQLite source of this job) may hold its lock for a moment.
            configuration.busyMode = .timeout(30)
            let database = try DatabaseQueue(path: path, configuration: configuration)
            self.database = database
            earlier = try await database.writeWithoutTransaction { db -> String? in
                try db.execute(sql: statements.createTable)
                var earlier: String?
                if let job {
                    try db.execute(sql: log.createTable)
                    if job.boundedInput, let row = try Row.fetchOne(db, sql: log.selectComplete { _ in "?" },
                                                                    arguments: [job.digest, tableName]) {
                        earlier = log.earlierRun(job: job, rows: row[0], committedAt: row[2])
                    }
                }
                if earlier == nil { try db.execute(sql: "BEGIN IMMEDIATE") }
                return earlier
            }
            inTransaction = earlier == nil
        } catch {
            throw failure("\(error)")
        }
    }

    /// Inserts (or upserts) the batch's rows in the open transaction.
    public func write(_ batch: RecordBatch) async throws {
        guard let database, let statements, inTransaction else { throw failure("write before open") }
        let rows = statements.latestRows(of: batch).map { row in
            zip(row, table.columns).map { Self.databaseValue($0, as: $1.type) }
        }
        guard !rows.isEmpty else { return }
        let sql = statements.insert(rows: 1) { _, _ in "?" }
        do {
            try await database.writeWithoutTransaction { db in
                let statement = try db.cachedStatement(sql: sql)
                for row in rows { try statement.execute(arguments: StatementArguments(row)) }
            }
        } catch {
            throw failure("\(error)")
        }
        rowCount += Int64(batch.length)
    }

    /// Commits the rows written so far (with their record in the commit log) and begins the next transaction.
    public func commit() async throws {
        try await commitTransaction(complete: false)
    }

    /// Commits the rows and closes the database.
    public func close() async throws {
        guard let database else { return }
        do {
            try await commitTransaction(complete: true)
        } catch {
            await abort()
            throw error
        }
        self.database = nil
        do { try database.close() } catch { throw failure("\(error)") }
    }

    /// Rolls back the rows written since the last commit and closes the database.
    public func abort() async {
        guard let database else { return }
        self.database = nil
        if inTransaction { try? await database.writeWithoutTransaction { db in try db.execute(sql: "ROLLBACK") } }
        inTransaction = false
        try? database.close()
    }

    private func commitTransaction(complete: Bool) async throws {
        guard let database, inTransaction else { return }
        let record = job.map { job -> (String, StatementArguments) in
            commits += 1
            return (log.record { _ in "?" }, [job.digest, tableName, rowCount, commits, complete ? 1 : 0, SinkCommitLog.now()])
        }
        do {
            try await database.writeWithoutTransaction { db in
                if let record { try db.execute(sql: record.0, arguments: record.1) }
                try db.execute(sql: "COMMIT")
                if !complete { try db.execute(sql: "BEGIN IMMEDIATE") }
            }
        } catch {
            throw failure("commit failed: \(error)")
        }
        inTransaction = !complete
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
