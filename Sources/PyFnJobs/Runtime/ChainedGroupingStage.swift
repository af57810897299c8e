import PyFnArrow
import PyFnRunner

/// A GROUP BY over the rows of another GROUP BY (an aggregate of an aggregate): the first grouping's results are an
/// updating stream — a group's new row replaces its old one — so each new row reaches the second grouping as a
/// retraction of the group's previous row (flagged in the ``retractColumn``, the Python aggregates' `retract`
/// runs for it) followed by the new row. The first grouping streams its changes even over bounded input, so the
/// second one takes back every intermediate value, as Flink's streaming mode does.
final class ChainedGroupingStage: GroupingStage {
    /// The BOOLEAN column that flags the rows taken back (`pyfn.worker.aggregate_operation.RETRACT_COLUMN`).
    static let retractColumn = "__pyfn_retract__"

    private let first: any GroupingStage
    private let feed: ChangelogFeed
    private let second: PythonGroupingStage

    init(first: any GroupingStage, feed: ChangelogFeed, second: PythonGroupingStage) {
        self.first = first
        self.feed = feed
        self.second = second
    }

    func add(_ batch: RecordBatch) async throws { try await first.add(batch) }

    func emitChanges() async throws {
        try await first.emitChanges()
        try await second.emitChanges()
    }

    func finish() async throws {
        try await first.finish()
        try await second.finish(dropping: await feed.emptiedKeys())
    }

    func close() async {
        await first.close()
        await second.close()
    }
}

/// Where the first grouping of a ``ChainedGroupingStage`` writes: keeps each group's latest row (its key is the
/// first `keyCount` columns) and hands the second grouping, for every new row, the group's previous row flagged
/// as taken back, then the new one — both through the steps between the groupings. It counts the rows each
/// second-grouping key holds, so the groups left with none can be dropped from the result, as Flink deletes them.
actor ChangelogFeed: TableSink {
    private let keyCount: Int
    private let schema: ArrowSchema
    private let between: [PlanStep]
    private let next: PythonGroupingStage
    private let nextKeyCount: Int
    private var latest: [AggregateKey: [ArrowValue]] = [:]
    private var liveRows: [AggregateKey: Int] = [:]

    /// A feed of the rows of `schema` (key: the first `keyCount` columns) through `between` into `next`, whose key
    /// is the first `nextKeyCount` columns.
    init(keyCount: Int, schema: ArrowSchema, between: [PlanStep], next: PythonGroupingStage, nextKeyCount: Int) {
        self.keyCount = keyCount
        self.schema = schema
        self.between = between
        self.next = next
        self.nextKeyCount = nextKeyCount
    }

    func open(schema: ArrowSchema, upsertKey: [Int]?) async throws {}

    func close() async throws {}

    func write(_ batch: RecordBatch) async throws {
        var taken: [[ArrowValue]] = []
        var added: [Int32] = []
        var keysInRound: Set<AggregateKey> = []
        for row in 0..<batch.length {
            let values = batch.columns.map { $0.value(at: row) }
            let key = AggregateKey(values.prefix(keyCount))
            // A group twice in one batch: its first change goes on before the second is taken back.
            if keysInRound.contains(key) {
                try await send(taken: taken, added: added, of: batch)
                (taken, added, keysInRound) = ([], [], [])
            }
            keysInRound.insert(key)
            if let previous = latest[key] { taken.append(previous) }
            latest[key] = values
            added.append(Int32(row))
        }
        try await send(taken: taken, added: added, of: batch)
    }

    /// The second grouping's keys that hold no row any more.
    func emptiedKeys() -> Set<AggregateKey> {
        Set(liveRows.filter { $0.value == 0 }.keys)
    }

    private func send(taken: [[ArrowValue]], added: [Int32], of batch: RecordBatch) async throws {
        if !taken.isEmpty {
            var builders = schema.fields.map { ArrowArrayBuilder(type: $0.type) }
            for row in taken {
                for (index, value) in row.enumerated() { try builders[index].append(value) }
            }
            let old = try RecordBatch(schema: schema, columns: builders.indices.map { builders[$0].finish() })
            try await forward(old, retract: true)
        }
        if !added.isEmpty {
            let new = added.count == batch.length
                ? batch : try RecordBatch(schema: batch.schema, columns: batch.columns.map { $0.take(added) }, length: added.count)
            try await forward(new, retract: false)
        }
    }

    private func forward(_ rows: RecordBatch, retract: Bool) async throws {
        let batch = try StepChain.apply(between, to: rows)
        guard batch.length > 0 else { return }
        for row in 0..<batch.length {
            liveRows[AggregateKey(batch.columns.prefix(nextKeyCount).map { $0.value(at: row) }), default: 0] += retract ? -1 : 1
        }
        let flags = ArrowArray.boolean(Array(repeating: retract, count: batch.length))
        let flagged = ArrowSchema(batch.schema.fields + [ArrowField(ChainedGroupingStage.retractColumn, .boolean, nullable: false)])
        try await next.add(try RecordBatch(schema: flagged, columns: batch.columns + [flags], length: batch.length))
    }
}
