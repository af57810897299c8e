import Foundation
import PyFnArrow
import PyFnRunner

/// `pc.add(a, b)` as an Arrow UDF over 10,000,000 BIGINT rows, beside `a + b` as a Pandas UDF, each in embedded
/// mode (the runner's buffers handed to pyarrow, no copy) and in process mode (Arrow IPC over gRPC). Target: at
/// least 100 M rows/s for the Arrow UDF in embedded mode.
func runArrowAddBenchmark() async throws {
    let rows = benchmarkRows(default: 10_000_000)
    var bundle = BundleOptions()
    bundle.bundleSize = benchmarkSetting("PYFN_BENCH_BUNDLE_SIZE", default: 500_000)
    bundle.arrowBatchSize = bundle.bundleSize
    let batches = try bigintPairs(rows: rows, batchRows: bundle.bundleSize)
    let schema = ArrowSchema([ArrowField("a", .int64), ArrowField("b", .int64)])
    let arrow = PythonFunction.reference("function_kinds_udfs.arrow_add", kind: .arrowScalar, returns: .bigint)
    let pandas = PythonFunction.reference("bench_udfs.pandas_add", kind: .pandasScalar, returns: .bigint)
    var rates: [String: Double] = [:]
    for (label, function) in [("arrow", arrow), ("pandas", pandas)] {
        for embedded in [true, false] {
            let run = try await OperatorRun.measure(over: batches, bundle: bundle, embedded: embedded) { environment, bundle, python in
                try ScalarFunctionOperator(calls: [FunctionCall(function, [.column(0), .column(1)])], inputSchema: schema,
                                           forwardedColumns: [], environment: environment, bundle: bundle, python: python)
            }
            guard run.outputRows == rows else { throw BenchmarkError("\(label): expected \(rows) rows, got \(run.outputRows)") }
            let mode = embedded ? "embedded" : "process"
            rates["\(label) \(mode)"] = Double(rows) / run.elapsedSeconds
            print(String(format: "%@ UDF, %@ mode: %d rows in %.3f s", label, mode, rows, run.elapsedSeconds))
        }
    }
    func m(_ key: String) -> Double { rates[key, default: 0] / 1e6 }
    print(String(format: "arrow_add: arrow %.1f M rows/s embedded, %.1f M rows/s process; pandas %.1f M rows/s embedded, %.1f M rows/s process",
                 m("arrow embedded"), m("arrow process"), m("pandas embedded"), m("pandas process")))
}
