import PyFnArrow
import Synchronization

/// Discards every row, counting them (`'connector' = 'blackhole'`): for measuring a job without the cost of output.
public final class BlackholeSink: TableSink {
    private let discarded = Atomic<Int>(0)

    /// The sink declared by `table`; it takes no options besides `'connector'`.
    public init(_ table: TableDefinition) throws {
        try TableOptions(table).checkNoneLeft()
    }

    /// The rows discarded so far.
    public var rowCount: Int { discarded.load(ordering: .relaxed) }

    /// Nothing to prepare.
    public func open(schema: ArrowSchema, upsertKey: [Int]?) async throws {}

    /// Counts the batch's rows.
    public func write(_ batch: RecordBatch) async throws {
        discarded.add(batch.length, ordering: .relaxed)
    }

    /// Nothing to release.
    public func close() async throws {}
}
