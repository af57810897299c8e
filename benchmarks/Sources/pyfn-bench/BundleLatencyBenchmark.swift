import Foundation
import PyFnArrow
import PyFnRunner

/// Round trips of one-row bundles through a ScalarFunctionOperator and a process-mode worker: p50 and p99 of
/// 2,000 bundles after 200 of warm-up, beside the same round trip done by Python on both ends with grpcio's
/// ordinary blocking API (benchmarks/python/bundle_latency_baseline.py), and beside embedded mode
/// (`python.execution-mode: thread`: CPython in this process, no RPC).
func runBundleLatencyBenchmark() async throws {
    let python = benchmarkPythonOptions()
    let server = try await FnAPIServer.start()
    let process = try await oneRowLatencies(ProcessEnvironment(server: server, options: python), python: python)
    await server.shutdown()
    let embedded = try await oneRowLatencies(EmbeddedEnvironment(options: python), python: python)
    let baseline = try runPython("benchmarks/python/bundle_latency_baseline.py", [String(process.count)])
    print(String(format: "embedded (python.execution-mode thread): p50 %.3f ms, p99 %.3f ms",
                 percentile(embedded, 50), percentile(embedded, 99)))
    print(String(format: "python to python over gRPC: p50 %.3f ms, p99 %.3f ms",
                 try reading("p50_ms", in: baseline), try reading("p99_ms", in: baseline)))
    print(String(format: "bundle_latency: p50 %.3f ms, p99 %.3f ms over %d one-row bundles",
                 percentile(process, 50), percentile(process, 99), process.count))
}

/// The round trips, in milliseconds and sorted, of 2,000 one-row bundles after 200 of warm-up through a worker of
/// `environment`; each result is checked.
private func oneRowLatencies(_ environment: any WorkerEnvironment, python: PythonOptions) async throws -> [Double] {
    var bundle = BundleOptions()
    bundle.bundleSize = 1
    let add = PythonFunction.reference("bench_udfs.add", returns: .bigint)
    let schema = ArrowSchema([ArrowField("a", .int64), ArrowField("b", .int64)])
    let op = try ScalarFunctionOperator(calls: [FunctionCall(add, [.column(0), .column(1)])], inputSchema: schema,
                                        environment: environment, bundle: bundle, python: python)
    try await op.open()
    var latencies: [Double] = []
    for i in 0..<2200 {
        let row = try RecordBatch(schema: schema, columns: [.int64([Int64(i)]), .int64([1])])
        let elapsed = try await seconds {
            var out = try await op.process(row)
            out += try await op.finish()
            guard out.count == 1, out[0].columns[2].value(at: 0) == .int(Int64(i) + 1) else { throw BenchmarkError("wrong result for row \(i)") }
        }
        if i >= 200 { latencies.append(elapsed * 1000) }
    }
    await op.close()
    return latencies.sorted()
}

/// The `p`th percentile of sorted values.
private func percentile(_ sorted: [Double], _ p: Int) -> Double {
    sorted[min(sorted.count - 1, sorted.count * p / 100)]
}
