import PyFnArrow
import PyFnRunner

/// A table rows are read from (the FROM of a query).
public protocol TableSource: Sendable {
    /// The rows' schema: the table's declared columns.
    var schema: ArrowSchema { get }
    /// False for sources that keep producing rows (stdin, a watched file) until the job is stopped.
    var isBounded: Bool { get }
    /// The table's rows in batches of at most `batchSize` rows. A row that cannot be read ends the stream with a
    /// ``ConnectorError`` naming the file and line, unless the table ignores parse errors (then it is counted in
    /// ``skippedRows``).
    func batches(batchSize: Int) -> AsyncThrowingStream<RecordBatch, any Error>
    /// Rows skipped because they could not be parsed (with `'*.ignore-parse-errors' = 'true'`).
    var skippedRows: Int { get }
}

/// A table rows are written to (the target of an INSERT).
public protocol TableSink: Sendable {
    /// Prepares for rows of `schema`. With an `upsertKey` (the grouping columns of a grouped query), a row whose key
    /// was written before replaces it: the table always holds the latest row per key.
    func open(schema: ArrowSchema, upsertKey: [Int]?) async throws
    /// Writes rows (inserts, or upserts by the key given to ``open(schema:upsertKey:)``).
    func write(_ batch: RecordBatch) async throws
    /// Flushes and releases what the sink holds.
    func close() async throws
}

/// A sink that takes deletions as well as upserts (a changelog collect).
public protocol DeletingSink: TableSink {
    /// Deletes the rows whose upsert keys are those of `batch`'s rows.
    func delete(_ batch: RecordBatch) async throws
}

/// A table's connector could not be set up or failed while running; the message names the table, the option or
/// the file and line.
public struct ConnectorError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public var message: String

    /// An error with `message`.
    public init(_ message: String) { self.message = message }

    /// The message.
    public var description: String { message }
}

/// Everything a connector is built from: the table's declaration.
public struct TableDefinition: Sendable {
    /// The table's name.
    public var name: String
    /// Its columns in order.
    public var columns: [SQLField]
    /// Its `WITH` options.
    public var options: [String: String]
    /// Its declared primary key columns.
    public var primaryKey: [String]
    /// The folder relative paths in options are resolved against (the job file's folder).
    public var baseDirectory: String
    /// The event-time column and its watermark delay (`WATERMARK FOR …`), if declared.
    public var eventTime: EventTime? = nil
    /// The `name AS PROCTIME()` column, if declared: computed when a row is read, after the declared columns.
    public var processingTime: String? = nil
    /// The rows of a VALUES clause (``ValuesSource``), typed as the columns; nil for a connector's table.
    public var inlineRows: [[ArrowValue]]? = nil

    /// A table definition.
    public init(name: String, columns: [SQLField], options: [String: String], primaryKey: [String] = [], baseDirectory: String) {
        self.name = name
        self.columns = columns
        self.options = options
        self.primaryKey = primaryKey
        self.baseDirectory = baseDirectory
    }

    /// The schema of the table's rows.
    public var schema: ArrowSchema { ArrowSchema(columns: columns) }
}
