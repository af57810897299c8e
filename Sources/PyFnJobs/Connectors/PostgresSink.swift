import Foundation
import Logging
import PostgresNIO
import PyFnArrow
import PyFnRunner

/// Writes rows to a PostgreSQL table through PostgresNIO (`'connector' = 'postgres'`, PyFn's own, or Flink's
/// `'connector' = 'jdbc'` with a `jdbc:postgresql://host:port/database` `'url'`).
///
/// Options: `'hostname'` (default 127.0.0.1), `'port'` (5432), `'username'`, `'password'`, `'database-name'`
/// (default: the user name) — or `'url'` for `jdbc` — and `'table-name'` (default: the table's name; may be
/// schema-qualified). The connection is plain TCP (no TLS): meant for a server on loopback or a trusted network.
///
/// The table is created if missing (BOOLEAN, SMALLINT for TINYINT, INTEGER, BIGINT, REAL, DOUBLE PRECISION,
/// NUMERIC(p, s), TEXT, BYTEA, DATE, TIME(p), TIMESTAMP(p), JSONB for ARRAY/MAP/ROW). With an upsert key (or a
/// declared PRIMARY KEY) the key is the table's `PRIMARY KEY` and rows are written with
/// `INSERT … ON CONFLICT (key) DO UPDATE SET …`, so the table keeps the latest row per key. Rows go in multi-row
/// inserts; values travel as text and are cast to the column types by the server.
///
/// Rows are written in one transaction per commit point: the job's end, and in a streaming job each
/// `execution.checkpointing.interval`; a killed runner's connection drops and the server rolls back what followed
/// the last commit. Each commit also records the job's ``SinkJobIdentity`` in `pyfn_sink_commits` (in the table's
/// schema, ``SinkCommitLog``) in the same transaction; a rerun of a bounded job that finds it there writes nothing.
public actor PostgresSink: CommittingSink {
    /// Where and as whom the sink connects.
    public struct Endpoint: Sendable, Hashable {
        /// The server's host name or address.
        public var host: String
        /// The server's port.
        public var port: Int
        /// The user name.
        public var username: String
        /// The password, if the server asks for one.
        public var password: String?
        /// The database.
        public var database: String
    }

    /// The server, user and database.
    public nonisolated let endpoint: Endpoint
    /// The database table written to.
    public nonisolated let tableName: String
    private let table: TableDefinition
    private let logger = Logger(label: "pyfn.connector.postgres")
    private var connection: PostgresConnection?
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
        let username = try options.required("username")
        let password = options.string("password")
        if options.connector.lowercased() == "jdbc" {
            let url = try options.required("url")
            guard let parsed = Self.parseJDBC(url) else {
                throw options.error("option 'url' must be 'jdbc:postgresql://host[:port]/database', not '\(url)'")
            }
            endpoint = Endpoint(host: parsed.host, port: parsed.port, username: username, password: password, database: parsed.database)
        } else {
            let port = try options.int("port", minimum: 1) ?? 5432
            guard port <= 65535 else { throw options.error("option 'port' must be at most 65535, not \(port)") }
            endpoint = Endpoint(host: options.string("hostname") ?? "127.0.0.1", port: Int(port), username: username,
                                password: password, database: options.string("database-name") ?? username)
        }
        tableName = options.string("table-name") ?? table.name
        try options.checkNoneLeft()
        self.table = table
        log = SinkCommitLog(besides: tableName)
    }

    /// `(host, port, database)` of `jdbc:postgresql://host[:port]/database[?…]`.
    static func parseJDBC(_ url: String) -> (host: String, port: Int, database: String)? {
        let prefix = "jdbc:postgresql://"
        guard url.lowercased().hasPrefix(prefix) else { return nil }
        let rest = url.dropFirst(prefix.count).split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0]
        guard let slash = rest.firstIndex(of: "/") else { return nil }
        let authority = rest[..<slash], database = rest[rest.index(after: slash)...]
        guard !database.isEmpty, !authority.isEmpty else { return nil }
        if authority.hasPrefix("[") {  // [IPv6]:port
            guard let close = authority.firstIndex(of: "]") else { return nil }
            let host = authority[authority.index(after: authority.startIndex)..<close]
            let tail = authority[authority.index(after: close)...]
            if tail.isEmpty { return (String(host), 5432, String(database)) }
            guard tail.hasPrefix(":"), let port = Int(tail.dropFirst()) else { return nil }
            return (String(host), port, String(database))
        }
        let parts = authority.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count <= 2, !parts[0].isEmpty else { return nil }
        if parts.count == 1 { return (String(parts[0]), 5432, String(database)) }
        guard let port = Int(parts[1]), (1...65535).contains(port) else { return nil }
        return (String(parts[0]), port, String(database))
    }

    /// Connects and creates the table if it is missing.
    public func open(schema: ArrowSchema, upsertKey: [Int]?) async throws {
        let statements = try SQLTableStatements.forSink(table: table, tableName: tableName, schema: schema, upsertKey: upsertKey,
                                                        columnType: Self.columnType, failure: failure)
        self.statements = statements
        let configuration = PostgresConnection.Configuration(host: endpoint.host, port: endpoint.port, username: endpoint.username,
                                                             password: endpoint.password, database: endpoint.database, tls: .disable)
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
        } catch {
            throw failure("cannot connect: \(Self.describe(error))")
        }
        self.connection = connection
        do {
            try await connection.query(PostgresQuery(unsafeSQL: statements.createTable), logger: logger)
        } catch {
            throw failure("cannot create the table: \(Self.describe(error))")
        }
        do {
            if let job {
                try await connection.query(PostgresQuery(unsafeSQL: log.createTable), logger: logger)
                if job.boundedInput {
                    var binds = PostgresBindings()
                    binds.append(job.digest)
                    binds.append(tableName)
                    let rows = try await connection.query(PostgresQuery(unsafeSQL: log.selectComplete { "$\($0)" }, binds: binds), logger: logger)
                    for try await (count, _, at) in rows.decode((Int64, Int64, String).self) {
                        earlier = log.earlierRun(job: job, rows: count, committedAt: at)
                    }
                }
            }
            if earlier == nil {
                try await connection.query("BEGIN", logger: logger)
                inTransaction = true
            }
        } catch {
            throw failure("cannot begin: \(Self.describe(error))")
        }
    }

    /// Notes the job whose commits are recorded.
    public func identify(_ job: SinkJobIdentity) async {
        self.job = job
    }

    /// The earlier run of this job that committed its rows, found by ``open(schema:upsertKey:)``.
    public func committedEarlier() async -> String? { earlier }

    /// Inserts (or upserts) the batch's rows in the open transaction.
    public func write(_ batch: RecordBatch) async throws {
        guard let connection, let statements, inTransaction else { throw failure("write before open") }
        let rows = statements.latestRows(of: batch)
        guard !rows.isEmpty else { return }
        let columns = table.columns
        // PostgreSQL takes at most 65535 parameters per statement.
        let rowsPerStatement = max(1, 65535 / max(1, columns.count))
        do {
            for start in stride(from: 0, to: rows.count, by: rowsPerStatement) {
                let chunk = rows[start..<min(rows.count, start + rowsPerStatement)]
                let sql = statements.insert(rows: chunk.count) { i, column in "$\(i + 1)::\(Self.columnType(column.type))" }
                var bindings = PostgresBindings(capacity: chunk.count * columns.count)
                for row in chunk {
                    for (value, column) in zip(row, columns) {
                        if let text = Self.text(value, as: column.type) { bindings.append(text) } else { bindings.appendNull() }
                    }
                }
                try await connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger)
            }
        } catch {
            throw failure("write failed: \(Self.describe(error))")
        }
        rowCount += Int64(batch.length)
    }

    /// Commits the rows written so far (with their record in the commit log) and begins the next transaction.
    public func commit() async throws {
        try await commitTransaction(complete: false)
    }

    /// Commits the rows and closes the connection.
    public func close() async throws {
        guard let connection else { return }
        do {
            try await commitTransaction(complete: true)
        } catch {
            await abort()
            throw error
        }
        self.connection = nil
        do { try await connection.close() } catch { throw failure("close failed: \(Self.describe(error))") }
    }

    /// Rolls back the rows written since the last commit and closes the connection.
    public func abort() async {
        guard let connection else { return }
        self.connection = nil
        if inTransaction { _ = try? await connection.query("ROLLBACK", logger: logger) }
        inTransaction = false
        try? await connection.close()
    }

    private func commitTransaction(complete: Bool) async throws {
        guard let connection, inTransaction else { return }
        do {
            if let job {
                commits += 1
                var binds = PostgresBindings()
                binds.append(job.digest)
                binds.append(tableName)
                binds.append(rowCount)
                binds.append(commits)
                binds.append(complete ? 1 : 0)
                binds.append(SinkCommitLog.now())
                try await connection.query(PostgresQuery(unsafeSQL: log.record { "$\($0)" }, binds: binds), logger: logger)
            }
            try await connection.query("COMMIT", logger: logger)
            inTransaction = false
            if !complete {
                try await connection.query("BEGIN", logger: logger)
                inTransaction = true
            }
        } catch {
            throw failure("commit failed: \(Self.describe(error))")
        }
    }

    private func failure(_ message: String) -> ConnectorError {
        ConnectorError("table '\(table.name)': postgres \(endpoint.host):\(endpoint.port)/\(endpoint.database) table \(tableName): \(message)")
    }

    /// The server's message for a PostgreSQL error (PostgresNIO hides it from `description`).
    static func describe(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] { return message }
            return "\(error.code)" + (error.underlying.map { ": \($0)" } ?? "")
        }
        return "\(error)"
    }

    /// The PostgreSQL column type of a SQL type.
    static func columnType(_ type: SQLType) -> String {
        switch type.kind {
        case .boolean: return "BOOLEAN"
        case .tinyint, .smallint: return "SMALLINT"
        case .int: return "INTEGER"
        case .bigint: return "BIGINT"
        case .float: return "REAL"
        case .double: return "DOUBLE PRECISION"
        case .decimal(let p, let s): return "NUMERIC(\(p), \(s))"
        case .string: return "TEXT"
        case .bytes: return "BYTEA"
        case .date: return "DATE"
        case .time(let p): return "TIME(\(min(p, 6)))"
        case .timestamp(let p): return "TIMESTAMP(\(min(p, 6)))"
        case .timestampLTZ(let p): return "TIMESTAMPTZ(\(min(p, 6)))"
        case .array, .map, .row: return "JSONB"
        }
    }

    /// The text PostgreSQL reads for `value` (BYTEA in hex form `\x…`).
    static func text(_ value: ArrowValue, as type: SQLType) -> String? {
        if case .binary(let bytes) = value {
            return "\\x" + bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
        }
        return SQLTableStatements.text(value, as: type)
    }
}
