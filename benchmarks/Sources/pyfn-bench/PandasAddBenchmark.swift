import Foundation
import PyFnArrow
import PyFnRunner

/// `add(a, b)` as a Pandas UDF on BIGINT over 10,000,000 rows through a ScalarFunctionOperator, beside numpy's
/// `A + B` on the same data in plain Python.
func runPandasAddBenchmark() async throws {
    let rows = benchmarkRows(default: 10_000_000)
    var bundle = BundleOptions()
    bundle.bundleSize = benchmarkSetting("PYFN_BENCH_BUNDLE_SIZE", default: 500_000)
    bundle.arrowBatchSize = bundle.bundleSize
    let add = PythonFunction.reference("bench_udfs.pandas_add", kind: .pandasScalar, returns: .bigint)
    let run = try await OperatorRun.measure(over: try bigintPairs(rows: rows, batchRows: bundle.bundleSize), bundle: bundle) { environment, bundle, python in
        try ScalarFunctionOperator(calls: [FunctionCall(add, [.column(0), .column(1)])], inputSchema: ArrowSchema([ArrowField("a", .int64), ArrowField("b", .int64)]),
                                   forwardedColumns: [], environment: environment, bundle: bundle, python: python)
    }
    guard run.outputRows == rows else { throw BenchmarkError("expected \(rows) rows, got \(run.outputRows)") }
    let numpy = try reading("rows_per_second", in: runPython("benchmarks/python/pandas_add_baseline.py", [String(rows)]))
    run.report("pandas_add", rows: rows, baseline: numpy)
}
