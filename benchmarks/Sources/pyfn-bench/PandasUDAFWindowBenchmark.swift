import Foundation
import PyFnJobs

/// A Pandas UDAF (`bench_udfs.pandas_mean`) over 1-minute tumbling windows per key — a SQL job reading
/// `PYFN_BENCH_ROWS` rows (default 10,000,000; `PYFN_BENCH_KEYS` keys, default 1,000) from an Arrow file, the
/// window table function TUMBLE, GROUP BY key and window, a blackhole sink — beside pandas'
/// `groupby("k").resample("1min").mean()` over the same rows in memory (`benchmarks/python/pandas_udaf_window_baseline.py`).
///
/// The rows are generated once into `$TMPDIR/pyfn-bench-pandas-udaf/` (`pandas_udaf_window_data.py`).
func runPandasUDAFWindowBenchmark() async throws {
    let rows = benchmarkRows(default: 10_000_000)
    let keys = benchmarkSetting("PYFN_BENCH_KEYS", default: 1_000)
    let files = FileManager.default
    let folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("pyfn-bench-pandas-udaf")
    try files.createDirectory(at: folder, withIntermediateDirectories: true)
    let data = folder.appendingPathComponent("rows_\(rows)_\(keys).arrow")
    if !files.fileExists(atPath: data.path) {
        print("generating \(rows) rows into \(data.path)")
        _ = try runPython("benchmarks/python/pandas_udaf_window_data.py", [data.path, String(rows), String(keys)])
    }
    let sql = """
        SET 'python.files' = '\(repositoryRoot.appendingPathComponent("benchmarks/python").path)';
        CREATE TABLE src (ts TIMESTAMP(6), k BIGINT, v DOUBLE, WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
            WITH ('connector' = 'arrow', 'path' = '\(data.path)');
        CREATE TABLE out (k BIGINT, window_start TIMESTAMP(6), m DOUBLE) WITH ('connector' = 'blackhole');
        CREATE FUNCTION pandas_mean AS 'bench_udfs.pandas_mean' LANGUAGE PYTHON;
        INSERT INTO out SELECT k, window_start, pandas_mean(v)
            FROM TABLE(TUMBLE(TABLE src, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY k, window_start, window_end;
        """
    let jobFile = folder.appendingPathComponent("pandas_udaf_window.sql")
    try sql.write(to: jobFile, atomically: true, encoding: .utf8)
    setenv("PYFN_PYTHON", benchmarkPython, 0)
    let job = try Job.load(path: jobFile.path)
    let progress = JobProgress()
    let elapsed = try await seconds { try await job.run(progress: progress) }
    let counts = progress.snapshot
    guard counts.rowsIn == rows else { throw BenchmarkError("expected \(rows) rows read, got \(counts.rowsIn)") }
    let baseline = try runPython("benchmarks/python/pandas_udaf_window_baseline.py", [data.path])
    let pandasRate = try reading("rows_per_second", in: baseline)
    let groups = try reading("groups", in: baseline)
    guard Int(groups) == counts.rowsOut else { throw BenchmarkError("pyfn wrote \(counts.rowsOut) key-windows, pandas found \(Int(groups))") }
    let pyfnRate = Double(rows) / elapsed
    print(String(format: "pyfn:   %.2f s for %d rows (Arrow file, TUMBLE 1 minute, Pandas UDAF mean per key), %d key-windows", elapsed, rows, counts.rowsOut))
    print(String(format: "pandas: groupby(\"k\").resample(\"1min\").mean() in memory, best of 3"))
    print(String(format: "pandas_udaf_window: pyfn %.0f rows/s, pandas %.0f rows/s, ratio %.2f", pyfnRate, pandasRate, pyfnRate / pandasRate))
}
