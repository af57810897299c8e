import Foundation

/// `pyfn-bench NAME`: runs one side-by-side benchmark; `benchmarks/run NAME` builds and calls it.
let benchmarks: [String: () async throws -> Void] = [
    "arrow_ipc": { try runArrowIPCBenchmark() },
    "scalar_add": { try await runScalarAddBenchmark() },
    "bundle_latency": { try await runBundleLatencyBenchmark() },
    "pandas_add": { try await runPandasAddBenchmark() },
    "udtf_split": { try await runUDTFSplitBenchmark() },
    "udaf_sum": { try await runUDAFSumBenchmark() },
    "pandas_udaf_window": { try await runPandasUDAFWindowBenchmark() },
    "cdn_job": { try await runCDNJobBenchmark() },
    "datastream_map": { try await runDataStreamMapBenchmark() },
    "async_lookup": { try await runAsyncLookupBenchmark() },
    "arrow_add": { try await runArrowAddBenchmark() },
]

let arguments = CommandLine.arguments.dropFirst()
guard let name = arguments.first, let benchmark = benchmarks[name] else {
    print("usage: pyfn-bench NAME   (NAME: \(benchmarks.keys.sorted().joined(separator: ", ")))")
    exit(2)
}
do {
    try await benchmark()
} catch {
    print("\(name) failed: \(error)")
    exit(1)
}
