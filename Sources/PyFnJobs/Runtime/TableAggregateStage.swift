import Foundation
import PyFnArrow
import PyFnRunner

/// `group_by(keys).flat_aggregate(udtaf)` over bounded input: keeps every row (keys first, then the call's
/// arguments), and at the end sends each key's rows as one group to a ``TableAggregateOperator`` — one per
/// partition, a key's partition by its hash — and writes the keys beside every row `emit_value` yields.
/// Streaming input is refused when the stage is built: an unbounded group never ends.
actor TableAggregateStage: GroupingStage {
    private let keyCount: Int
    private let call: FunctionCall
    private let inputSchema: ArrowSchema
    private let outputSchema: ArrowSchema
    private let after: [PlanStep]
    private let partitions: Int
    private let makeOperator: @Sendable (ArrowSchema) throws -> TableAggregateOperator
    private let writer: SinkWriter
    private let progress: JobProgress
    private var batches: [RecordBatch] = []

    init(keyCount: Int, call: FunctionCall, names: [String], inputSchema: ArrowSchema, after: [PlanStep], partitions: Int, streaming: Bool,
         environment: any WorkerEnvironment, bundle: BundleOptions, python: PythonOptions, metrics: RunnerMetrics?,
         writer: SinkWriter, progress: JobProgress, location: SourceLocation) throws {
        guard !streaming else {
            throw SQLError("the table aggregate function '\(call.function.name)' (flat_aggregate) runs over bounded input only; this job's source is unbounded (streaming)",
                           at: location)
        }
        self.keyCount = keyCount
        self.call = call
        self.inputSchema = inputSchema
        self.after = after
        self.partitions = max(1, partitions)
        self.writer = writer
        self.progress = progress
        let emitted = TableAggregateOperator.outputSchema(call: FunctionCall(call.function, []))
        outputSchema = ArrowSchema(inputSchema.fields.prefix(keyCount)
            + zip(names, emitted.fields.dropFirst()).map { ArrowField($0, $1.type, nullable: $1.nullable) })
        // The operator sees `__group` first: arguments and key columns move one right.
        let shifted = FunctionCall(call.function, call.arguments.map { argument -> FunctionArgument in
            if case .column(let index) = argument { return .column(index + 1) }
            return argument
        })
        let described = (0..<keyCount).map { $0 + 1 }
        makeOperator = { schema in
            try TableAggregateOperator(call: shifted, inputSchema: schema, describedBy: described, environment: environment,
                                       bundle: bundle, python: python, metrics: metrics)
        }
        // Checks the call before any row is read.
        _ = try makeOperator(Self.groupSchema(inputSchema))
    }

    private static func groupSchema(_ inputSchema: ArrowSchema) -> ArrowSchema {
        ArrowSchema([ArrowField("__group", .int64, nullable: false)] + inputSchema.fields)
    }

    func add(_ batch: RecordBatch) async throws {
        batches.append(batch)
    }

    func emitChanges() async throws {}

    /// Groups the kept rows by key and runs the function over each partition's groups at once.
    func finish() async throws {
        let nonEmpty = batches.filter { $0.length > 0 }
        batches = []
        guard !nonEmpty.isEmpty else { return }
        let rows = try RecordBatch.concatenate(nonEmpty)
        var groupOf: [AggregateKey: Int] = [:]
        var keys: [[ArrowValue]] = []
        var members: [[Int32]] = []
        for row in 0..<rows.length {
            let key = (0..<keyCount).map { rows.columns[$0].value(at: row) }
            let id = AggregateKey(key)
            if let group = groupOf[id] {
                members[group].append(Int32(row))
            } else {
                groupOf[id] = keys.count
                keys.append(key)
                members.append([Int32(row)])
            }
        }
        progress.update { $0.groups = keys.count }
        // Each partition's groups, numbered in order, as one batch.
        var partitionGroups: [[Int]] = Array(repeating: [], count: partitions)
        for (group, key) in keys.enumerated() {
            let partition = partitions == 1 ? 0 : Int(UInt(bitPattern: AggregateKey(key).hashValue) % UInt(partitions))
            partitionGroups[partition].append(group)
        }
        let schema = Self.groupSchema(inputSchema)
        let makeOperator = self.makeOperator
        var emittedBy: [Int: [RecordBatch]] = [:]
        try await withThrowingTaskGroup(of: (Int, [RecordBatch]).self) { tasks in
            for (partition, groups) in partitionGroups.enumerated() where !groups.isEmpty {
                let picked = groups.flatMap { members[$0] }
                let numbers = groups.flatMap { group in repeatElement(Int64(group), count: members[group].count) }
                let taken = rows.take(picked)
                let batch = try RecordBatch(schema: schema, columns: [.int64(numbers)] + taken.columns, length: picked.count)
                tasks.addTask {
                    let op = try makeOperator(schema)
                    do {
                        try await op.open()
                        let out = try await op.aggregate(batch)
                        await op.close()
                        return (partition, out)
                    } catch {
                        await op.close()
                        throw error
                    }
                }
            }
            for try await (partition, out) in tasks { emittedBy[partition] = out }
        }
        var builders = outputSchema.fields.map { ArrowArrayBuilder(type: $0.type) }
        for partition in emittedBy.keys.sorted() {
            for batch in emittedBy[partition] ?? [] {
                for row in 0..<batch.length {
                    guard case .int(let group) = batch.columns[0].value(at: row) else { continue }
                    let values = keys[Int(group)] + batch.columns.dropFirst().map { $0.value(at: row) }
                    for (index, value) in values.enumerated() {
                        if value == .null { builders[index].appendNull() } else { try builders[index].append(value) }
                    }
                }
            }
        }
        let output = try RecordBatch(schema: outputSchema, columns: builders.indices.map { builders[$0].finish() })
        if output.length > 0 { try await writer.write(try StepChain.apply(after, to: output)) }
    }

    func close() async {}
}
