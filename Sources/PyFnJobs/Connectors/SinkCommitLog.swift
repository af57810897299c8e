// The marker table database sinks keep next to the tables they write, `pyfn_sink_commits`: one row per job
// identity and table, written in the same transaction as the rows it counts, so it says exactly what is committed.
import Foundation

/// The SQL of the commit marker table (the same in SQLite and PostgreSQL):
/// `pyfn_sink_commits(job TEXT, table_name TEXT, row_count BIGINT, commits BIGINT, complete BOOLEAN-as-integer,
/// committed_at TEXT)`, keyed by `(job, table_name)`. `job` is the ``SinkJobIdentity`` digest, `complete` is 1 once
/// the job finished (0 after a streaming job's interval commits), `committed_at` is UTC ISO 8601.
struct SinkCommitLog: Sendable {
    /// The marker table's unquoted name.
    static let tableName = "pyfn_sink_commits"
    /// The marker table, quoted, in the schema of the written table (`schema.table` → `schema.pyfn_sink_commits`).
    let quotedTable: String
    /// The written table's name as recorded.
    let writtenTable: String

    /// The log next to `tableName` (possibly schema-qualified).
    init(besides tableName: String) {
        let parts = tableName.split(separator: ".").map(String.init)
        quotedTable = (parts.dropLast() + [Self.tableName]).map(SQLTableStatements.quote).joined(separator: ".")
        writtenTable = tableName
    }

    /// Creates the marker table if it is missing.
    var createTable: String {
        "CREATE TABLE IF NOT EXISTS \(quotedTable) (job TEXT NOT NULL, table_name TEXT NOT NULL, row_count BIGINT NOT NULL, "
            + "commits BIGINT NOT NULL, complete INTEGER NOT NULL, committed_at TEXT NOT NULL, PRIMARY KEY (job, table_name))"
    }

    /// Selects `row_count, commits, committed_at` of a complete job; parameters: job, table name.
    func selectComplete(_ p: (Int) -> String) -> String {
        "SELECT row_count, commits, committed_at FROM \(quotedTable) WHERE job = \(p(1)) AND table_name = \(p(2)) AND complete = 1"
    }

    /// Records a commit; parameters: job, table name, row count, commits, complete (0/1), committed at.
    func record(_ p: (Int) -> String) -> String {
        "INSERT INTO \(quotedTable) (job, table_name, row_count, commits, complete, committed_at) VALUES "
            + "(\(p(1)), \(p(2)), \(p(3)), \(p(4)), \(p(5)), \(p(6))) ON CONFLICT (job, table_name) DO UPDATE SET "
            + "row_count = excluded.row_count, commits = excluded.commits, complete = excluded.complete, committed_at = excluded.committed_at"
    }

    /// What the runner reports when it skips an INSERT an earlier run committed.
    func earlierRun(job: SinkJobIdentity, rows: Int64, committedAt: String) -> String {
        "\(writtenTable) already holds the \(rows) rows of this job (identity \(job.digest)), committed at \(committedAt) "
            + "by an earlier run; delete its row from \(Self.tableName) to write them again"
    }

    /// The current time as recorded.
    static func now() -> String {
        ISO8601DateFormatter().string(from: Date())
    }
}
