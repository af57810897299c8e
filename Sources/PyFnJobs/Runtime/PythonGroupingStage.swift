import Foundation
import PyFnArrow
import PyFnRunner
import Synchronization

/// A GROUP BY whose aggregates are Python functions. Each key's rows go to one of `partitions` partitions, and
/// each partition is an ``AggregateFunctionOperator`` with a worker of its own, fed from its own queue by its own
/// task; the accumulators live in the runner's state. The partitions' rows — the new value of every key a bundle
/// touched — leave through the steps after the aggregation: as they come when streaming (upserts), or the latest
/// per key at the end of bounded input. `perRecord` (see ``HashGroupingStage``): bundles of one row, each key's new
/// value handed on as it comes, so the changelog has a change per row as Flink's unbatched aggregation.
final class PythonGroupingStage: GroupingStage {
    private let keyCount: Int
    private let inboxes: [SourceFeed]
    private let results: AggregateResults
    private let tasks = Mutex<[Task<Void, any Error>]>([])

    init(keyCount: Int, calls: [FunctionCall], names: [String], inputSchema: ArrowSchema, after: [PlanStep], partitions: Int,
         streaming: Bool, perRecord: Bool = false, idleAfter: Duration?, environment: any WorkerEnvironment, bundle: BundleOptions,
         python: PythonOptions, metrics: RunnerMetrics?, writer: SinkWriter, progress: JobProgress) throws {
        self.keyCount = keyCount
        var sized = bundle
        if perRecord { sized.bundleSize = 1 }
        let bundle = sized
        let make = { @Sendable in
            try AggregateFunctionOperator(calls: calls, grouping: Array(0..<keyCount), inputSchema: inputSchema, resultNames: names,
                                          environment: environment, bundle: bundle, python: python, metrics: metrics)
        }
        let outputSchema = AggregateFunctionOperator.outputSchema(calls: calls, grouping: Array(0..<keyCount),
                                                                  inputSchema: inputSchema, resultNames: names)
        let results = AggregateResults(keyCount: keyCount, schema: outputSchema, after: after, streaming: streaming || perRecord,
                                       writer: writer, progress: progress)
        let inboxes = (0..<max(1, partitions)).map { _ in SourceFeed(capacity: 2) }
        self.results = results
        self.inboxes = inboxes
        tasks.withLock { tasks in
            tasks = inboxes.map { inbox in
                Task { try await Self.drive(try make(), from: inbox, idleAfter: idleAfter, to: results) }
            }
        }
    }

    /// Runs one partition's operator over its queue until the queue ends.
    private static func drive(_ op: AggregateFunctionOperator, from inbox: SourceFeed, idleAfter: Duration?,
                              to results: AggregateResults) async throws {
        do {
            try await op.open()
            loop: while true {
                switch try await inbox.next(idleAfter: idleAfter) {
                case .batch(let batch, _): try await results.add(try await op.process(batch))
                case .idle: try await results.add(try await op.sendIfDue())
                case .end:
                    try await results.add(try await op.finish())
                    break loop
                }
            }
            await op.close()
        } catch {
            // The lanes feeding this partition stop first; closing the operator may take a while.
            await inbox.fail(error)
            await op.close()
            throw error
        }
    }

    func add(_ batch: RecordBatch) async throws {
        guard inboxes.count > 1 else { return try await inboxes[0].push(batch) }
        var rows = Array(repeating: [Int32](), count: inboxes.count)
        for row in 0..<batch.length {
            let key = AggregateKey((0..<keyCount).map { batch.columns[$0].value(at: row) })
            rows[Int(UInt(bitPattern: key.hashValue) % UInt(inboxes.count))].append(Int32(row))
        }
        for (partition, taken) in rows.enumerated() where !taken.isEmpty {
            let part = taken.count == batch.length
                ? batch : try RecordBatch(schema: batch.schema, columns: batch.columns.map { $0.take(taken) }, length: taken.count)
            try await inboxes[partition].push(part)
        }
    }

    /// Partitions write their rows as their bundles complete; nothing waits here.
    func emitChanges() async throws {}

    func finish() async throws {
        try await finish(dropping: [])
    }

    /// Ends the input and writes what is left, leaving out the groups in `emptied` (every row they had was taken
    /// back) when the input is bounded.
    func finish(dropping emptied: Set<AggregateKey>) async throws {
        for inbox in inboxes { await inbox.close() }
        for task in tasks.withLock({ $0 }) { try await task.value }
        try await results.finish(dropping: emptied)
    }

    func close() async {
        for inbox in inboxes { await inbox.fail(CancellationError()) }
        for task in tasks.withLock({ $0 }) {
            task.cancel()
            _ = await task.result
        }
    }
}

/// The rows Python aggregate operators hand back: written through the steps after the aggregation at once when
/// streaming, else kept as the latest row per key and written at the end. Over a changelog table, a row whose
/// ``ChangelogTable/liveRowsName`` count is 0 deletes its group: when streaming the sink is told at once, else the
/// group is left out at the end.
actor AggregateResults {
    private let keyCount: Int
    private let schema: ArrowSchema
    private let after: [PlanStep]
    private let streaming: Bool
    private let writer: SinkWriter
    private let progress: JobProgress
    /// Streaming: the keys seen (their rows are written at once).
    private var seenKeys: Set<AggregateKey> = []
    /// Bounded input: the latest row of each key, and where it is among `rows`.
    private var rowOfKey: [AggregateKey: Int] = [:]
    private var rows: [[ArrowValue]] = []
    /// The column of a group's live rows (a GROUP BY over a changelog table).
    private let liveRows: Int?

    init(keyCount: Int, schema: ArrowSchema, after: [PlanStep], streaming: Bool, writer: SinkWriter, progress: JobProgress) {
        self.liveRows = schema.fields.firstIndex { $0.name == ChangelogTable.liveRowsName }
        self.keyCount = keyCount
        self.schema = schema
        self.after = after
        self.streaming = streaming
        self.writer = writer
        self.progress = progress
    }

    func add(_ batches: [RecordBatch]) async throws {
        for batch in batches where batch.length > 0 {
            if streaming, let liveRows {
                try await writeChanges(batch, liveRows: liveRows)
                continue
            }
            for row in 0..<batch.length {
                if streaming {
                    seenKeys.insert(AggregateKey(batch.columns.prefix(keyCount).map { $0.value(at: row) }))
                    continue
                }
                let values = batch.columns.map { $0.value(at: row) }
                let key = AggregateKey(values.prefix(keyCount))
                if let index = rowOfKey[key] {
                    rows[index] = values
                } else {
                    rowOfKey[key] = rows.count
                    rows.append(values)
                }
            }
            let groups = streaming ? seenKeys.count : rowOfKey.count
            progress.update { $0.groups = groups }
            if streaming { try await writer.write(try StepChain.apply(after, to: batch)) }
        }
    }

    func finish(dropping emptied: Set<AggregateKey> = []) async throws {
        guard !streaming, !rows.isEmpty else { return }
        var builders = schema.fields.map { ArrowArrayBuilder(type: $0.type) }
        for row in rows where (emptied.isEmpty || !emptied.contains(AggregateKey(row.prefix(keyCount))))
                                && liveRows.map({ row[$0] != .int(0) }) ?? true {
            for (index, value) in row.enumerated() { try builders[index].append(value) }
        }
        let batch = try RecordBatch(schema: schema, columns: builders.indices.map { builders[$0].finish() })
        try await writer.write(try StepChain.apply(after, to: batch))
    }

    /// Streaming over a changelog table: each row in turn, an upsert of its group or, with no live rows left, the
    /// group's deletion.
    private func writeChanges(_ batch: RecordBatch, liveRows: Int) async throws {
        // Runs of upserts go on together; each deletion between them on its own, in order.
        var upserts: [Int32] = []
        for row in 0..<batch.length {
            let key = AggregateKey(batch.columns.prefix(keyCount).map { $0.value(at: row) })
            guard batch.columns[liveRows].value(at: row) == .int(0) else {
                seenKeys.insert(key)
                upserts.append(Int32(row))
                continue
            }
            try await writeRows(upserts, of: batch, deleting: false)
            upserts = []
            if seenKeys.remove(key) != nil { try await writeRows([Int32(row)], of: batch, deleting: true) }
        }
        try await writeRows(upserts, of: batch, deleting: false)
        progress.update { [groups = seenKeys.count] in $0.groups = groups }
    }

    /// Writes `rows` of `batch` through the steps after the aggregation, as upserts or as deletions.
    private func writeRows(_ rows: [Int32], of batch: RecordBatch, deleting: Bool) async throws {
        guard !rows.isEmpty else { return }
        let taken = try RecordBatch(schema: batch.schema, columns: batch.columns.map { $0.take(rows) }, length: rows.count)
        let out = try StepChain.apply(after, to: taken)
        if deleting { try await writer.delete(out) } else { try await writer.write(out) }
    }
}

/// A grouping key told apart as the worker tells keys apart (by their Python `repr`): strings by their UTF-8
/// bytes (Swift would equate canonically equivalent ones), floating-point numbers by their bits (0.0 and -0.0
/// differ, every NaN is alike), everything else by value.
struct AggregateKey: Hashable {
    private enum Part: Hashable {
        case bytes([UInt8])
        case bits(UInt64)
        case value(ArrowValue)
    }
    private let parts: [Part]

    init(_ values: some Sequence<ArrowValue>) {
        parts = values.map { value in
            switch value {
            case .string(let text): return .bytes(Array(text.utf8))
            case .float(let number): return .bits(number.isNaN ? Double.nan.bitPattern : number.bitPattern)
            default: return .value(value)
            }
        }
    }
}
