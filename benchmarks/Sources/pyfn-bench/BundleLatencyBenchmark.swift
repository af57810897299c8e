import Foundation
import PyFnArrow
import PyFnRunner

/// Round trips of one-row bundles through a ScalarFunctionOperator and a process-mode worker: p50 and p99 of
/// 2,000 bundles after 200 of warm-up, beside the same round trip done by Python on both ends with grpcio's
/// ordinary blocking API (benchmarks/python/bundle_latency_baseline.py).
func runBundleLatencyBenchmark() async throws {
    let server = try await FnAPIServer.start()
    let python = benchmarkPythonOptions()
    var bundle = BundleOptions()
    bundle.bundleSize = 1
    let add = PythonFunction.reference("bench_udfs.add", returns: .bigint)
    let schema = ArrowSchema([ArrowField("a", .int64), ArrowField("b", .int64)])
    let op = try ScalarFunctionOperator(calls: [FunctionCall(add, [.column(0), .column(1)])], inputSchema: schema,
                                        environment: ProcessEnvironment(server: server, options: python), bundle: bundle, python: python)
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
    await server.shutdown()
    latencies.sort()
    let p50 = latencies[latencies.count / 2]
    let p99 = latencies[latencies.count * 99 / 100]
    let baseline = try runPython("benchmarks/python/bundle_latency_baseline.py", [String(latencies.count)])
    print(String(format: "python to python over gRPC: p50 %.3f ms, p99 %.3f ms",
                 try reading("p50_ms", in: baseline), try reading("p99_ms", in: baseline)))
    print(String(format: "bundle_latency: p50 %.3f ms, p99 %.3f ms over %d one-row bundles", p50, p99, latencies.count))
}
