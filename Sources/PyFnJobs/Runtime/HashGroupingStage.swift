import Foundation
import PyFnArrow
import PyFnRunner

/// A GROUP BY with built-in aggregates (COUNT, SUM, MIN, MAX, AVG), computed in Swift: rows from every lane go to
/// their key's partition; results leave through the steps after the aggregation — all at the end of bounded input,
/// or the changed groups as they change when streaming.
actor HashGroupingStage: GroupingStage {
    private var aggregator: HashAggregator
    private let schema: ArrowSchema
    private let after: [PlanStep]
    private let streaming: Bool
    private let writer: SinkWriter
    private let progress: JobProgress
    private var lastEmit = ContinuousClock.now
    private static let emitInterval: Duration = .milliseconds(200)

    init(keys: [Int], aggregates: [AggregateSpec], inputSchema: ArrowSchema, after: [PlanStep], partitions: Int,
         streaming: Bool, writer: SinkWriter, progress: JobProgress) throws {
        aggregator = HashAggregator(keyCount: keys.count, aggregates: aggregates, partitions: partitions)
        schema = ArrowSchema(keys.map { inputSchema.fields[$0] } + aggregates.map { $0.type.arrowField(named: $0.text) })
        self.after = after
        self.streaming = streaming
        self.writer = writer
        self.progress = progress
    }

    func add(_ batch: RecordBatch) async throws {
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

    /// Writes the final state of every group (bounded input) or the last changes (streaming).
    func finish() async throws {
        let rows = streaming ? try aggregator.changedGroups(schema: schema) : try aggregator.allGroups(schema: schema)
        if rows.length > 0 { try await writer.write(try applyAfter(rows)) }
    }

    private func applyAfter(_ batch: RecordBatch) throws -> RecordBatch {
        try StepChain.apply(after, to: batch)
    }

    func close() async {}
}
