import Foundation
import PyFnArrow
import PyFnRunner

/// `add(a, b)` on BIGINT over 10,000,000 rows through a ScalarFunctionOperator and a process-mode worker, beside
/// plain Python running the same function with `list(map(add, A, B))`.
func runScalarAddBenchmark() async throws {
    let rows = Int(ProcessInfo.processInfo.environment["PYFN_BENCH_ROWS"] ?? "") ?? 10_000_000
    let batchRows = 100_000
    let batches = try (0..<(rows / batchRows)).map { index -> RecordBatch in
        let first = index * batchRows
        let a = ArrowArray.int64((first..<first + batchRows).map { Int64($0 + 1) })
        let b = ArrowArray.int64((first..<first + batchRows).map { Int64(($0 * 7919) % 1_000_003) })
        return try RecordBatch(schema: ArrowSchema([ArrowField("a", .int64), ArrowField("b", .int64)]), columns: [a, b])
    }
    let server = try await FnAPIServer.start()
    var python = PythonOptions()
    python.executable = benchmarkPython
    python.files = [repositoryRoot.appendingPathComponent("benchmarks/python").path]
    var bundle = BundleOptions()
    bundle.bundleSize = 100_000
    let add = PythonFunction.reference("bench_udfs.add", returns: .bigint)
    let op = try ScalarFunctionOperator(calls: [FunctionCall(add, [.column(0), .column(1)])], inputSchema: batches[0].schema,
                                        forwardedColumns: [], environment: ProcessEnvironment(server: server, options: python),
                                        bundle: bundle, python: python)
    try await op.open()
    var outputRows = 0
    var checksum: Int64 = 0
    let elapsed = try await seconds {
        for batch in batches {
            for out in try await op.process(batch) { outputRows += out.length; checksum &+= out.columns[0].withValues(as: Int64.self) { $0[0] } }
        }
        for out in try await op.finish() { outputRows += out.length; checksum &+= out.columns[0].withValues(as: Int64.self) { $0[0] } }
    }
    await op.close()
    await server.shutdown()
    guard outputRows == rows else { throw BenchmarkError("expected \(rows) rows, got \(outputRows)") }
    let pyfnRate = Double(rows) / elapsed
    let memory = peakMemoryMB()
    let pythonRate = try reading("rows_per_second", in: runPython("benchmarks/python/scalar_add_baseline.py", [String(rows)]))
    print(String(format: "pyfn: %d rows in %.2f s; peak RSS runner %.0f MB, worker %.0f MB", rows, elapsed, memory.runner, memory.worker))
    print(String(format: "scalar_add: pyfn %.2f M rows/s, python %.2f M rows/s, ratio %.2f", pyfnRate / 1e6, pythonRate / 1e6, pyfnRate / pythonRate))
}
