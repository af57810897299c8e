import Foundation
import PyFnArrow
import PyFnRunner

/// `add(a, b)` on BIGINT over 10,000,000 rows through a ScalarFunctionOperator and a process-mode worker, beside
/// plain Python running the same function with `list(map(add, A, B))`; embedded mode's rate on the line before.
func runScalarAddBenchmark() async throws {
    let rows = benchmarkRows(default: 10_000_000)
    var bundle = BundleOptions()
    bundle.bundleSize = 100_000
    let add = PythonFunction.reference("bench_udfs.add", returns: .bigint)
    let batches = try bigintPairs(rows: rows, batchRows: 100_000)
    func measure(embedded: Bool) async throws -> OperatorRun {
        let run = try await OperatorRun.measure(over: batches, bundle: bundle, embedded: embedded) { environment, bundle, python in
            try ScalarFunctionOperator(calls: [FunctionCall(add, [.column(0), .column(1)])], inputSchema: batches[0].schema,
                                       forwardedColumns: [], environment: environment, bundle: bundle, python: python)
        }
        guard run.outputRows == rows else { throw BenchmarkError("expected \(rows) rows, got \(run.outputRows)") }
        return run
    }
    let run = try await measure(embedded: false)
    let embedded = try await measure(embedded: true)
    print(String(format: "embedded (python.execution-mode thread): %.2f M rows/s", Double(rows) / embedded.elapsedSeconds / 1e6))
    let python = try reading("rows_per_second", in: runPython("benchmarks/python/scalar_add_baseline.py", [String(rows)]))
    run.report("scalar_add", rows: rows, baseline: python)
}
