import Foundation
import PyFnJobs
import PyFnRunner
import PyFnTestSupport
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Late rows in the metrics: a tumbling-window job over a CSV whose last rows arrive after their window fired
/// counts them as Flink's `numLateRecordsDropped`, in the snapshot and on the Prometheus endpoint (checked with
/// promtool), at parallelism 1 and 2, beside the job's own late-row count.
@Suite(.serialized) struct WindowLateMetricsTests {
    /// 30 rows one second apart, then rows at 2 s and 9 s (late: with a 3 s delay the watermark is at 26 s and
    /// [0 s, 10 s) has fired) and one at 25 s (on time: [20 s, 30 s) is still open).
    static func job(withLateRows: Bool = true) throws -> Job {
        let folder = try TestPython.temporaryFolder()
        var lines = (0..<30).map { String(format: "a,%d,2026-01-01 10:00:%02d.000", $0, $0) }
        if withLateRows { lines += ["a,1000,2026-01-01 10:00:02.000", "a,2000,2026-01-01 10:00:09.000", "a,100,2026-01-01 10:00:25.000"] }
        try (lines.joined(separator: "\n") + "\n").write(to: folder.appendingPathComponent("in.csv"), atomically: true, encoding: .utf8)
        let sql = """
            CREATE TABLE src (k STRING, v BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '3' SECOND)
              WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv');
            CREATE TABLE out (k STRING, ws TIMESTAMP(3), c BIGINT) WITH ('connector' = 'blackhole');
            INSERT INTO out SELECT k, window_start, COUNT(*) FROM TABLE(TUMBLE(TABLE src, DESCRIPTOR(ts), INTERVAL '10' SECOND))
            GROUP BY window_start, window_end, k;
            """
        let path = folder.appendingPathComponent("late_job.sql").path
        try sql.write(toFile: path, atomically: true, encoding: .utf8)
        return try Job.load(path: path, overrides: ["python.executable": TestPython.executable])
    }

    @Test(arguments: [1, 2]) func lateRowsAreCountedAsNumLateRecordsDroppedForPrometheus(parallelism: Int) async throws {
        let job = try Self.job()
        let (registry, factory) = PrometheusMetricsEndpoint.makeFactory()
        let metrics = RunnerMetrics(job: job.name, factory: factory)
        let endpoint = try await PrometheusMetricsEndpoint.start(host: "127.0.0.1", port: 0, registry: registry, metrics: metrics)
        let progress = JobProgress()
        try await job.run(parallelism: parallelism, progress: progress, metrics: metrics)
        let (body, _) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(endpoint.port)/metrics")!)
        await endpoint.stop()
        let scrape = String(decoding: body, as: UTF8.self)

        #expect(progress.snapshot.lateRows == 2)
        #expect(metrics.snapshot().numLateRecordsDropped == ["window": 2])
        let line = scrape.split(separator: "\n").first { $0.hasPrefix("pyfn_operator_num_late_records_dropped_total{") }
        #expect(line?.contains("operator=\"window\"") == true && line?.contains("job=\"late_job\"") == true, "\(scrape)")
        #expect(line?.hasSuffix(" 2.0") == true || line?.hasSuffix(" 2") == true, "\(String(describing: line))")
        try JobMetricsTests.checkWithPromtool(scrape)
    }

    @Test func aJobWithoutLateRowsShowsTheMetricAtZero() async throws {
        let job = try Self.job(withLateRows: false)
        let metrics = RunnerMetrics(job: job.name)
        try await job.run(parallelism: 1, metrics: metrics)
        #expect(metrics.snapshot().numLateRecordsDropped == ["window": 0])
    }
}
