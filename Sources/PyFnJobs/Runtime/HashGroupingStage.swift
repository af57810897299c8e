import Foundation
import PyFnArrow
import PyFnRunner

/// A GROUP BY with built-in aggregates (COUNT, SUM, MIN, MAX, AVG), computed in Swift: rows from every lane go to
/// their key's partition; results leave through the steps after the aggregation — all at the end of bounded input,
/// or the changed groups as they change when streaming. `perRecord` (a changelog collect with
/// `table.exec.mini-batch.enabled = false`): the changed group after every input row, as Flink's unbatched
/// GroupAggFunction emits them, so the changelog has each `-U`/`+U` pair Flink's has.
actor HashGroupingStage: GroupingStage {
    private var aggregator: HashAggregator
    private let schema: ArrowSchema
    private let after: [PlanStep]
    private let streaming: Bool
    private let perRecord: Bool
    private let writer: SinkWriter
    private let progress: JobProgress
    private var lastEmit = ContinuousClock.now
    private static let emitInterval: Duration = .milliseconds(200)

    init(keys: [Int], aggregates: [AggregateSpec], inputSchema: ArrowSchema, after: [PlanStep], partitions: Int,
         streaming: Bool, perRecord: Bool = false, writer: SinkWriter, progress: JobProgress) throws {
        aggregator = HashAggregator(keyCount: keys.count, aggregates: aggregates, partitions: partitions)
        schema = ArrowSchema(keys.map { inputSchema.fields[$0] } + aggregates.map { $0.type.arrowField(named: $0.text) })
        self.after = after
        self.streaming = streaming
        self.perRecord = perRecord
        self.writer = writer
        self.progress = progress
    }

    func add(_ batch: RecordBatch) async throws {
        if perRecord { return try await addRowByRow(batch) }
        aggregator.add(batch)
        let groups = aggregator.groupCount
        progress.update { $0.groups = groups }
        if streaming && ContinuousClock.now - lastEmit >= Self.emitInterval { try await emitChanges() }
    }

    /// Writes the groups that changed since the last write (streaming).
    func emitChanges() async throws {
        guard streaming else { return }
        lastEmit = .now
        let changed = try aggregator.changedGroups(schema: schema)
        if changed.length > 0 { try await writer.write(try applyAfter(changed)) }
    }

    /// One row at a time, the changed group after each; written at once after the batch (no `await` between
    /// rows, so another lane's batch cannot come in between and the changes stay in the order they were made).
    private func addRowByRow(_ batch: RecordBatch) async throws {
        var changes: [RecordBatch] = []
        for row in 0..<batch.length {
            aggregator.add(batch.slice(row..<(row + 1)))
            let changed = try aggregator.changedGroups(schema: schema)
            if changed.length > 0 { changes.append(changed) }
        }
        let groups = aggregator.groupCount
        progress.update { $0.groups = groups }
        guard !changes.isEmpty else { return }
        try await writer.write(try applyAfter(try RecordBatch.concatenate(changes)))
    }

    /// Writes the final state of every group (bounded input) or the last changes (streaming, or row by row).
    func finish() async throws {
        let rows = streaming || perRecord ? try aggregator.changedGroups(schema: schema) : try aggregator.allGroups(schema: schema)
        if rows.length > 0 { try await writer.write(try applyAfter(rows)) }
    }

    private func applyAfter(_ batch: RecordBatch) throws -> RecordBatch {
        try StepChain.apply(after, to: batch)
    }

    func close() async {}
}
