import Foundation
import PyFnArrow
import PyFnRunner

/// `add(a, b)` on BIGINT over 10,000,000 rows through a ScalarFunctionOperator and a process-mode worker, beside
/// plain Python running the same function with `list(map(add, A, B))`; embedded mode's rate on the line before.
/// With `--harness pyflink`, first the same operator driving PyFlink 2.3's own worker (the function written against
/// pyflink, benchmarks/python/pyflink_bench_udfs.py), beside PyFn's harness in the same run.
func runScalarAddBenchmark() async throws {
    let rows = benchmarkRows(default: 10_000_000)
    var bundle = BundleOptions()
    bundle.bundleSize = 100_000
    let add = PythonFunction.reference("bench_udfs.add", returns: .bigint)
    let batches = try bigintPairs(rows: rows, batchRows: 100_000)
    func measure(_ add: PythonFunction, embedded: Bool = false, python: PythonOptions = benchmarkPythonOptions()) async throws -> OperatorRun {
        let run = try await OperatorRun.measure(over: batches, bundle: bundle, embedded: embedded, python: python) { environment, bundle, python in
            try ScalarFunctionOperator(calls: [FunctionCall(add, [.column(0), .column(1)])], inputSchema: batches[0].schema,
                                       forwardedColumns: [], environment: environment, bundle: bundle, python: python)
        }
        guard run.outputRows == rows else { throw BenchmarkError("expected \(rows) rows, got \(run.outputRows)") }
        return run
    }
    if try requestedHarness() == .pyflink {
        let options = try pyflinkBenchmarkOptions()
        let pyflinkAdd = try pyflinkFunction("pyflink_bench_udfs", "add", returns: .bigint, options: options)
        let pyflink = try await measure(pyflinkAdd, python: options)
        let pyfn = try await measure(add)
        print(String(format: "pyflink worker: %d rows in %.2f s; peak RSS runner %.0f MB, worker %.0f MB",
                     rows, pyflink.elapsedSeconds, pyflink.memory.runner, pyflink.memory.worker))
        print(String(format: "scalar_add --harness pyflink: PyFn operators + PyFlink's worker %.2f M rows/s, PyFn's harness %.2f M rows/s, ratio %.3f (PyFlink worker / PyFn harness)",
                     Double(rows) / pyflink.elapsedSeconds / 1e6, Double(rows) / pyfn.elapsedSeconds / 1e6,
                     pyfn.elapsedSeconds / pyflink.elapsedSeconds))
        return
    }
    let run = try await measure(add)
    let embedded = try await measure(add, embedded: true)
    print(String(format: "embedded (python.execution-mode thread): %.2f M rows/s", Double(rows) / embedded.elapsedSeconds / 1e6))
    let python = try reading("rows_per_second", in: runPython("benchmarks/python/scalar_add_baseline.py", [String(rows)]))
    run.report("scalar_add", rows: rows, baseline: python)
}
