import Foundation
import PyFnJobs

/// The CDN log analysis example job (`examples/cdn/cdn_log_analysis.sql`: CSV → Python UDF ip_to_province →
/// GROUP BY province → SQLite) over a 1,000,000-line access log, run through `Job.load(path:).run()` on a copy of
/// the example folder, beside pandas doing the same analysis (`benchmarks/python/cdn_pandas_baseline.py`,
/// read_csv + compute).
///
/// The log is generated once into `$TMPDIR/pyfn-bench-cdn/access_log.csv` (`PYFN_BENCH_ROWS` lines, default
/// 1,000,000) with `examples/cdn/generate_access_log.py`.
func runCDNJobBenchmark() async throws {
    let rows = Int(ProcessInfo.processInfo.environment["PYFN_BENCH_ROWS"] ?? "") ?? 1_000_000
    let files = FileManager.default
    let benchFolder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("pyfn-bench-cdn")
    try files.createDirectory(at: benchFolder, withIntermediateDirectories: true)
    let log = benchFolder.appendingPathComponent("access_log_\(rows).csv")
    let example = repositoryRoot.appendingPathComponent("examples/cdn")
    let generated = !files.fileExists(atPath: log.path)
    if generated {
        print("generating \(rows) log lines into \(log.path)")
        _ = try runPython("examples/cdn/generate_access_log.py", [log.path, "--rows", String(rows)])
    }

    // A copy of the example folder whose data/access_log.csv is the generated log; the job writes output/ there.
    let jobFolder = benchFolder.appendingPathComponent("job")
    try? files.removeItem(at: jobFolder)
    try files.createDirectory(at: jobFolder.appendingPathComponent("data"), withIntermediateDirectories: true)
    for name in ["cdn_log_analysis.sql", "cdn_udfs.py", "ip_ranges.csv"] {
        try files.copyItem(at: example.appendingPathComponent(name), to: jobFolder.appendingPathComponent(name))
    }
    try files.createSymbolicLink(at: jobFolder.appendingPathComponent("data/access_log.csv"), withDestinationURL: log)

    setenv("PYFN_PYTHON", benchmarkPython, 0)
    let job = try Job.load(path: jobFolder.appendingPathComponent("cdn_log_analysis.sql").path)
    let progress = JobProgress()
    let elapsed = try await seconds { try await job.run(progress: progress) }
    let counts = progress.snapshot
    guard counts.rowsIn == rows else { throw BenchmarkError("expected \(rows) rows read, got \(counts.rowsIn)") }
    let memory = peakMemoryMB()

    let baseline = try runPython("benchmarks/python/cdn_pandas_baseline.py", [log.path, example.appendingPathComponent("ip_ranges.csv").path])
    let pandasRead = try reading("read_seconds", in: baseline)
    let pandasCompute = try reading("compute_seconds", in: baseline)
    let pandasGroups = try reading("groups", in: baseline)
    guard Int(pandasGroups) == counts.rowsOut else {
        throw BenchmarkError("pyfn wrote \(counts.rowsOut) groups, pandas found \(Int(pandasGroups))")
    }
    let pyfnRate = Double(rows) / elapsed
    let pandasRate = Double(rows) / (pandasRead + pandasCompute)
    print(String(format: "pyfn:   %.2f s for %d rows (CSV scan, Python UDF, GROUP BY, SQLite upsert), %d groups", elapsed, rows, counts.rowsOut))
    print(String(format: "pandas: %.2f s = read_csv %.2f s + compute %.2f s (best of 3; compute alone %.0f rows/s)",
                 pandasRead + pandasCompute, pandasRead, pandasCompute, Double(rows) / pandasCompute))
    print(String(format: "peak RSS: runner %.0f MB, Python worker %.0f MB (measured before the pandas run%@)", memory.runner, memory.worker,
                 generated ? "; includes the log generator, run again for the worker alone" : ""))
    print(String(format: "cdn_job: pyfn %.0f rows/s, pandas %.0f rows/s, ratio %.2f", pyfnRate, pandasRate, pyfnRate / pandasRate))
}
