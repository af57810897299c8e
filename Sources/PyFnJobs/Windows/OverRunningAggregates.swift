import PyFnArrow
import PyFnRunner

/// General Python aggregates over an UNBOUNDED PRECEDING OVER frame, as Flink keeps them: one accumulator per
/// partition key in the runner's state (the commit-on-success rule of ``AggregateFunctionOperator``, so a bundle
/// replayed after a lost worker never applies twice), each row accumulated once and `get_value` sent back per row
/// (the per-row mode of `aggregate_function:v1`: the `__pyfn_emit__` column). One lane (one worker) per
/// partition; a key always goes to the same lane, its rows in time order.
final class OverRunningAggregates: Sendable {
    /// The flag column that asks the worker for a row's value after it.
    static let emitColumn = "__pyfn_emit__"

    /// The stage's input columns sent to the worker: the PARTITION BY keys, then the calls' argument columns.
    private let sentColumns: [Int]
    private let sentSchema: ArrowSchema
    private let keyCount: Int
    private let lanes: [GroupAggregateLane]

    /// Running accumulators for `calls` (general aggregates; arguments are columns of `inputSchema`, the stage's
    /// input), keyed by the `keys` columns, over `partitions` workers.
    init(calls: [FunctionCall], keys: Range<Int>, inputSchema: ArrowSchema, partitions: Int, environment: any WorkerEnvironment,
         bundle: BundleOptions, python: PythonOptions, metrics: RunnerMetrics?) throws {
        var sent = Array(keys)
        let projected = calls.map { call in
            FunctionCall(call.function, call.arguments.map { argument -> FunctionArgument in
                guard case .column(let index) = argument else { return argument }
                if let at = sent.firstIndex(of: index) { return .column(at) }
                sent.append(index)
                return .column(sent.count - 1)
            })
        }
        sentColumns = sent
        keyCount = keys.count
        let schema = ArrowSchema(sent.map { inputSchema.fields[$0] } + [ArrowField(Self.emitColumn, .boolean, nullable: false)])
        sentSchema = schema
        let grouping = Array(0..<keys.count)
        lanes = try GroupAggregateLane.lanes(count: partitions, metrics: metrics) { metrics in
            try AggregateFunctionOperator(calls: projected, grouping: grouping, inputSchema: schema, environment: environment,
                                          bundle: bundle, python: python, metrics: metrics)
        }
    }

    /// The calls' values after each row of `rows` (the stage's input schema, each key's rows in time order) whose
    /// `emits` flag is set, in the order of those rows; every row is accumulated. `partitionOf[i]` picks row i's
    /// worker (by its key).
    func values(after rows: RecordBatch, emits: [Bool], partitionOf: [Int]) async throws -> [[ArrowValue]] {
        var laneRows: [[Int32]] = Array(repeating: [], count: lanes.count)
        // Each lane's emitted rows, numbered in `rows`' order.
        var order: [[Int]] = Array(repeating: [], count: lanes.count)
        var emitCount = 0
        for row in 0..<rows.length {
            let lane = lanes.count == 1 ? 0 : partitionOf[row] % lanes.count
            laneRows[lane].append(Int32(row))
            if emits[row] {
                order[lane].append(emitCount)
                emitCount += 1
            }
        }
        let sent = sentColumns
        let keyCount = self.keyCount
        let schema = sentSchema
        let lanes = self.lanes
        var values: [[ArrowValue]] = Array(repeating: [], count: emitCount)
        try await withThrowingTaskGroup(of: (Int, [RecordBatch]).self) { tasks in
            for (lane, picks) in laneRows.enumerated() where !picks.isEmpty {
                let batch = try RecordBatch(schema: schema,
                                            columns: sent.map { rows.columns[$0].take(picks) } + [.boolean(picks.map { emits[Int($0)] })],
                                            length: picks.count)
                tasks.addTask { (lane, try await lanes[lane].aggregate(batch)) }
            }
            for try await (lane, results) in tasks {
                var next = 0
                for batch in results {
                    for row in 0..<batch.length {
                        guard next < order[lane].count else {
                            throw WindowError("a Python aggregate's worker gave more rows than the OVER window's rows asked for")
                        }
                        values[order[lane][next]] = batch.columns.dropFirst(keyCount).map { $0.value(at: row) }
                        next += 1
                    }
                }
                guard next == order[lane].count else {
                    throw WindowError("a Python aggregate's worker gave \(next) rows where the OVER window's rows asked for \(order[lane].count)")
                }
            }
        }
        return values
    }

    /// Stops the Python workers.
    func close() async {
        for lane in lanes { await lane.close() }
    }
}
