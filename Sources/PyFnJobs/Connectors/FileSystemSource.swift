import PyFnArrow
import PyFnRunner

/// Reads a CSV or JSON Lines file (`'connector' = 'filesystem'`).
///
/// Options: `'path'` (the file, relative to the job file's folder), `'format'` (`csv` | `json`, see ``CSVFormat``
/// and ``JSONLinesFormat``), `'<format>.ignore-parse-errors'` (or `'format.ignore-parse-errors'`), and
/// `'source.monitor-interval'` (a duration such as `'100ms'` or `'1s'`). Without a monitor interval the source is
/// bounded: it reads the file once. With one it is unbounded: it tails the file, sending the complete lines
/// appended since the last poll as they come (a file that does not exist yet is waited for).
///
/// A line that cannot be read ends the stream with a ``ConnectorError`` `path:line: what (column 'c', value 'v')`,
/// or, with ignore-parse-errors, is skipped and counted in ``skippedRows``.
public final class FileSystemSource: TableSource {
    /// The table's columns as Arrow fields.
    public let schema: ArrowSchema
    /// The resolved file path.
    public let path: String
    /// How often a watched file is polled; nil for a bounded read.
    public let monitorInterval: Duration?
    private let settings: LineFormatSettings
    private let skipped = SkippedRowCounter()

    /// The source declared by `table`; throws ``ConnectorError`` for missing or bad options.
    public init(_ table: TableDefinition) throws {
        let options = TableOptions(table)
        schema = table.schema
        path = try options.path("path")
        settings = try LineFormatSettings(options)
        monitorInterval = try options.duration("source.monitor-interval")
        if let monitorInterval, monitorInterval <= .zero {
            throw options.error("option 'source.monitor-interval' must be longer than zero")
        }
        try options.checkNoneLeft()
    }

    /// False when the file is watched (`'source.monitor-interval'`).
    public var isBounded: Bool { monitorInterval == nil }

    /// Rows skipped as unreadable.
    public var skippedRows: Int { skipped.value }

    /// The file's rows (then, when watched, the rows appended to it) in batches of at most `batchSize` rows.
    public func batches(batchSize: Int) -> AsyncThrowingStream<RecordBatch, any Error> {
        let input = FileByteInput(path: path, waitForFile: monitorInterval != nil)
        return LineBatchReader(input: input, settings: settings, schema: schema, sourceName: path, batchSize: batchSize,
                               pollInterval: monitorInterval, flushEachRead: false, skipped: skipped).stream()
    }
}
