import PyFnArrow
import PyFnRunner

/// Reads CSV or JSON Lines rows from standard input until it ends (`'connector' = 'stdin'`, PyFn's own).
///
/// Options: `'format'` (`csv` | `json`) with the same format options as the filesystem connector, including
/// `'<format>.ignore-parse-errors'`. The source is unbounded: the rows of each read (what has been typed or piped
/// so far) go out at once, and the stream ends when standard input does. Errors name the line as `<stdin>:line`.
public final class StdinSource: TableSource {
    /// The table's columns as Arrow fields.
    public let schema: ArrowSchema
    private let settings: LineFormatSettings
    private let skipped = SkippedRowCounter()
    private let input: StandardInputBytes

    /// The source declared by `table`; throws ``ConnectorError`` for missing or bad options.
    public convenience init(_ table: TableDefinition) throws {
        try self.init(table, descriptor: 0)
    }

    /// A source reading `descriptor` instead of standard input (for tests).
    init(_ table: TableDefinition, descriptor: Int32) throws {
        let options = TableOptions(table)
        schema = table.schema
        settings = try LineFormatSettings(options)
        try options.checkNoneLeft()
        input = StandardInputBytes(descriptor: descriptor)
    }

    /// Always false: standard input has no known end.
    public var isBounded: Bool { false }

    /// Rows skipped as unreadable.
    public var skippedRows: Int { skipped.value }

    /// The rows read from standard input, in batches of at most `batchSize` rows.
    public func batches(batchSize: Int) -> AsyncThrowingStream<RecordBatch, any Error> {
        LineBatchReader(input: input, settings: settings, schema: schema, sourceName: "<stdin>", batchSize: batchSize,
                        pollInterval: nil, flushEachRead: true, skipped: skipped).stream()
    }
}
