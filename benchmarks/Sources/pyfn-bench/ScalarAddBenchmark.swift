import Foundation
import PyFnArrow
import PyFnRunner

/// `add(a, b)` on BIGINT over 10,000,000 rows through a ScalarFunctionOperator and a process-mode worker, beside
/// plain Python running the same function with `list(map(add, A, B))`.
func runScalarAddBenchmark() async throws {
    let rows = benchmarkRows(default: 10_000_000)
    var bundle = BundleOptions()
    bundle.bundleSize = 100_000
    let add = PythonFunction.reference("bench_udfs.add", returns: .bigint)
    let run = try await OperatorRun.measure(over: try bigintPairs(rows: rows, batchRows: 100_000), bundle: bundle) { environment, bundle, python in
        try ScalarFunctionOperator(calls: [FunctionCall(add, [.column(0), .column(1)])], inputSchema: ArrowSchema([ArrowField("a", .int64), ArrowField("b", .int64)]),
                                   forwardedColumns: [], environment: environment, bundle: bundle, python: python)
    }
    guard run.outputRows == rows else { throw BenchmarkError("expected \(rows) rows, got \(run.outputRows)") }
    let python = try reading("rows_per_second", in: runPython("benchmarks/python/scalar_add_baseline.py", [String(rows)]))
    run.report("scalar_add", rows: rows, baseline: python)
}
