import Foundation
import PyFnArrow
import PyFnRunner

/// 10,000 rows through an async scalar function whose every call awaits `asyncio.sleep(0.01)` (a 10 ms lookup),
/// 500 calls in flight (`table.exec.async-scalar.max-concurrent-operations`), beside the same calls awaited one
/// by one in plain Python (over `PYFN_BENCH_BASELINE_ROWS`, 300 by default: at 10 ms a row the rate is the same,
/// and all 10,000 would take 100 s).
func runAsyncLookupBenchmark() async throws {
    let rows = benchmarkRows(default: 10_000)
    var python = benchmarkPythonOptions()
    python.asyncScalar.maxConcurrentOperations = benchmarkSetting("PYFN_BENCH_CONCURRENCY", default: 500)
    let bundle = BundleOptions()
    let lookup = PythonFunction.reference("function_kinds_udfs.lookup", kind: .asyncScalar, returns: .bigint)
    let schema = ArrowSchema([ArrowField("key", .int64)])
    let batches = try stride(from: 0, to: rows, by: 1000).map { first in
        try RecordBatch(schema: schema, columns: [.int64((first..<min(first + 1000, rows)).map { Int64($0) })])
    }
    var wrong = 0
    var next: Int64 = 0
    let run = try await OperatorRun.measure(over: batches, bundle: bundle, python: python, onOutput: { batch in
        for row in 0..<batch.length {
            if batch.columns[0].value(at: row) != .int(next + 1) { wrong += 1 }
            next += 1
        }
    }) { environment, bundle, python in
        try ScalarFunctionOperator(calls: [FunctionCall(lookup, [.column(0)])], inputSchema: schema, forwardedColumns: [],
                                   environment: environment, bundle: bundle, python: python)
    }
    guard run.outputRows == rows, wrong == 0 else { throw BenchmarkError("expected \(rows) rows in order, got \(run.outputRows) (\(wrong) wrong)") }
    let baselineRows = benchmarkSetting("PYFN_BENCH_BASELINE_ROWS", default: 300)
    let sequential = try reading("rows_per_second", in: runPython("benchmarks/python/async_lookup_baseline.py", [String(baselineRows)]))
    let rate = Double(rows) / run.elapsedSeconds
    print(String(format: "pyfn: %d rows in %.2f s, %d in flight; sequential baseline over %d rows; peak RSS runner %.0f MB, worker %.0f MB",
                 rows, run.elapsedSeconds, python.asyncScalar.maxConcurrentOperations, baselineRows, run.memory.runner, run.memory.worker))
    print(String(format: "async_lookup: pyfn %.0f rows/s, sequential %.0f rows/s", rate, sequential))
}
