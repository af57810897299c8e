import PyFnArrow
import PyFnRunner

/// The aggregates of a window or OVER stage over whole groups of rows: built-in ones (COUNT, SUM, …) computed
/// here, Python ones (general and Pandas) by one ``GroupAggregateLane`` per partition, each partition's groups in
/// bundles of about `python.fn-execution.bundle.size` rows (a group is never split), the partitions at once.
final class GroupAggregates: Sendable {
    private let builtIns: [AggregateSpec]
    private let lanes: [GroupAggregateLane]
    private let bundleRows: Int
    /// The columns of `groupSchema` the Python workers are sent: `__group`, the calls' argument columns and the
    /// columns that describe a group.
    private let laneColumns: [Int]
    private let laneSchema: ArrowSchema
    /// The input columns any aggregate reads or a group's description names, in input order: the columns of the
    /// batches the stage holds (``reading(_:)``). Holding whole input rows measured about half the bytes of
    /// `pyfn-bench pandas_udaf_window`'s windows for nothing (its time and watermark columns), each taken and
    /// concatenated at every firing.
    let readColumns: [Int]
    /// `__group` (int64), then the ``readColumns``: the batches ``values(of:groups:firstRow:partitionOf:)`` takes.
    let groupSchema: ArrowSchema
    /// The schema of ``reading(_:)``'s batches, made once (not per batch).
    private let readSchema: ArrowSchema

    /// Aggregates over groups of rows of `inputSchema`; argument positions of `builtIns` and `pythonCalls` are
    /// columns of `inputSchema`, and `describedBy` columns name a group in Python errors.
    init(builtIns: [AggregateSpec], pythonCalls: [FunctionCall], inputSchema: ArrowSchema, describedBy: [Int], partitions: Int,
         environment: any WorkerEnvironment, bundle: BundleOptions, python: PythonOptions, metrics: RunnerMetrics?) throws {
        var laneRead = Set(describedBy)
        for call in pythonCalls {
            for case .column(let index) in call.arguments { laneRead.insert(index) }
        }
        let readColumns = laneRead.union(builtIns.compactMap(\.argument)).sorted()
        self.readColumns = readColumns
        // An input column's place in `groupSchema`: `__group` leads.
        let place = Dictionary(uniqueKeysWithValues: readColumns.enumerated().map { ($1, $0 + 1) })
        let groupSchema = ArrowSchema([ArrowField("__group", .int64, nullable: false)] + readColumns.map { inputSchema.fields[$0] })
        self.groupSchema = groupSchema
        self.readSchema = ArrowSchema(readColumns.map { inputSchema.fields[$0] })
        self.bundleRows = bundle.bundleSize
        self.builtIns = builtIns.map { spec in
            var spec = spec
            spec.argument = spec.argument.map { place[$0]! }
            return spec
        }
        let laneColumns = [0] + laneRead.map { place[$0]! }.sorted()
        let position = Dictionary(uniqueKeysWithValues: laneColumns.enumerated().map { ($1, $0) })
        let laneSchema = ArrowSchema(laneColumns.map { groupSchema.fields[$0] })
        self.laneColumns = laneColumns
        self.laneSchema = laneSchema
        let calls = pythonCalls.map { call in
            FunctionCall(call.function, call.arguments.map { argument -> FunctionArgument in
                if case .column(let index) = argument { return .column(position[place[index]!]!) }
                return argument
            })
        }
        let described = describedBy.map { position[place[$0]!]! }
        if calls.isEmpty {
            lanes = []
        } else {
            lanes = try GroupAggregateLane.lanes(count: partitions, metrics: metrics) { metrics in
                try GroupAggregateOperator(calls: calls, inputSchema: laneSchema, describedBy: described, environment: environment,
                                           bundle: bundle, python: python, metrics: metrics)
            }
        }
    }

    /// The ``readColumns`` of a batch of the stage's input (no rows are copied).
    func reading(_ batch: RecordBatch) throws -> RecordBatch {
        try RecordBatch(schema: readSchema, columns: readColumns.map { batch.columns[$0] }, length: batch.length)
    }

    /// Each group's values (built-ins, then Python calls): `grouped` has `groupSchema`, its `__group` numbering
    /// `groups` groups whose rows are together (group g's rows from `firstRow[g]` to `firstRow[g + 1]`);
    /// `partitionOf(g)` picks the Python worker of group g (by its key).
    func values(of grouped: RecordBatch, groups: Int, firstRow: [Int], partitionOf: (Int) -> Int) async throws -> [[ArrowValue]] {
        var values: [[ArrowValue]] = Array(repeating: [], count: groups)
        if !builtIns.isEmpty {
            var aggregator = HashAggregator(keyCount: 1, aggregates: builtIns, partitions: 1)
            aggregator.add(grouped)
            let schema = ArrowSchema([ArrowField("__group", .int64, nullable: false)] + builtIns.map { $0.type.arrowField(named: $0.text) })
            let result = try aggregator.allGroups(schema: schema)
            for row in 0..<result.length {
                guard case .int(let group) = result.columns[0].value(at: row) else { continue }
                values[Int(group)] = result.columns.dropFirst().map { $0.value(at: row) }
            }
        }
        guard !lanes.isEmpty else { return values }
        let projected = try RecordBatch(schema: laneSchema, columns: laneColumns.map { grouped.columns[$0] }, length: grouped.length)
        let bundles = lanes.count == 1
            ? [bundleSlices(of: projected, groups: groups, firstRow: firstRow)]
            : bundleTakes(of: projected, groups: groups, firstRow: firstRow, partitionOf: partitionOf)
        let lanes = self.lanes
        // Every bundle is handed to its lane at once: a lane pipelines them (see ``GroupAggregateLane``); each
        // answer names its groups, so the order they come back in does not matter.
        try await withThrowingTaskGroup(of: [RecordBatch].self) { tasks in
            for (partition, batches) in bundles.enumerated() {
                for batch in batches {
                    tasks.addTask { try await lanes[partition].aggregate(batch) }
                }
            }
            for try await results in tasks {
                for batch in results {
                    for row in 0..<batch.length {
                        guard case .int(let group) = batch.columns[0].value(at: row) else { continue }
                        values[Int(group)] += batch.columns.dropFirst().map { $0.value(at: row) }
                    }
                }
            }
        }
        return values
    }

    /// One worker's bundles: whole groups in order, about `bundleRows` rows each, as slices of `grouped` (its groups
    /// are in row order already, so no rows are copied).
    private func bundleSlices(of grouped: RecordBatch, groups: Int, firstRow: [Int]) -> [RecordBatch] {
        var bundles: [RecordBatch] = []
        var first = 0
        for group in 0..<groups where firstRow[group + 1] - firstRow[first] >= bundleRows || group == groups - 1 {
            bundles.append(grouped.slice(firstRow[first]..<firstRow[group + 1]))
            first = group + 1
        }
        return bundles
    }

    /// Each worker's bundles: its groups (`partitionOf`) in order, about `bundleRows` rows each, taken from `grouped`.
    private func bundleTakes(of grouped: RecordBatch, groups: Int, firstRow: [Int], partitionOf: (Int) -> Int) -> [[RecordBatch]] {
        var bundles: [[RecordBatch]] = Array(repeating: [], count: lanes.count)
        var pending: [[Int32]] = Array(repeating: [], count: lanes.count)
        for group in 0..<groups {
            let partition = partitionOf(group) % lanes.count
            pending[partition] += (firstRow[group]..<firstRow[group + 1]).map { Int32($0) }
            if pending[partition].count >= bundleRows {
                bundles[partition].append(grouped.take(pending[partition]))
                pending[partition] = []
            }
        }
        for partition in pending.indices where !pending[partition].isEmpty {
            bundles[partition].append(grouped.take(pending[partition]))
        }
        return bundles
    }

    /// Stops the Python workers.
    func close() async {
        for lane in lanes { await lane.close() }
    }
}
