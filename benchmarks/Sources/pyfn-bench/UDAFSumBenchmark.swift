import Foundation
import PyFnArrow
import PyFnRunner

/// A general aggregate function (`total`, a per-key sum) over 2,000,000 BIGINT rows and 1,000 keys through an
/// AggregateFunctionOperator (accumulators in the runner's state, over the State service), beside plain Python
/// keeping the same AggregateFunction's accumulators in a dict.
func runUDAFSumBenchmark() async throws {
    let rows = benchmarkRows(default: 2_000_000)
    let keys = benchmarkSetting("PYFN_BENCH_KEYS", default: 1_000)
    let schema = ArrowSchema([ArrowField("k", .int64), ArrowField("v", .int64)])
    let batches = try stride(from: 0, to: rows, by: 100_000).map { first in
        let range = first..<min(first + 100_000, rows)
        return try RecordBatch(schema: schema, columns: [.int64(range.map { Int64($0 % keys) }),
                                                         .int64(range.map { Int64(($0 * 7919) % 1_000_003) })])
    }
    var bundle = BundleOptions()
    bundle.bundleSize = 100_000
    let total = PythonFunction.reference("bench_udfs.total", kind: .aggregate, returns: .bigint)
    var latest: [Int64: Int64] = [:]
    let run = try await OperatorRun.measure(over: batches, bundle: bundle, onOutput: { batch in
        for row in 0..<batch.length {
            if case .int(let key) = batch.columns[0].value(at: row), case .int(let sum) = batch.columns[1].value(at: row) { latest[key] = sum }
        }
    }) { environment, bundle, python in
        try AggregateFunctionOperator(calls: [FunctionCall(total, [.column(1)])], grouping: [0], inputSchema: schema,
                                      environment: environment, bundle: bundle, python: python)
    }
    var expected: [Int64: Int64] = [:]
    for row in 0..<rows { expected[Int64(row % keys), default: 0] += Int64((row * 7919) % 1_000_003) }
    guard latest == expected else { throw BenchmarkError("the per-key sums differ from the ones computed here") }
    let python = try reading("rows_per_second", in: runPython("benchmarks/python/udaf_sum_baseline.py", [String(rows), String(keys)]))
    run.report("udaf_sum", rows: rows, baseline: python)
}
