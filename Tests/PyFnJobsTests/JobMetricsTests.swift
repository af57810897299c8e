import Foundation
import PyFnJobs
import PyFnRunner
import PyFnTestSupport
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// UDF metrics through real workers with two-way parallelism: the runner adds them up, serves them to
/// Prometheus (checked with `promtool`), and profiles the functions when asked.
@Suite(.serialized) struct JobMetricsTests {
    static let udfs = TestPython.repositoryRoot.appendingPathComponent("Tests/PyFnJobsTests/python").path

    static func job(rows: Int, rowsPerSecond: Int?, function: String = "measured", settings: String = "") throws -> Job {
        let pacing = rowsPerSecond.map { ", 'rows-per-second' = '\($0)'" } ?? ""
        let sql = """
            SET 'python.files' = '\(udfs)';
            \(settings)
            CREATE TABLE gen (x BIGINT) WITH ('connector' = 'datagen', 'fields.x.kind' = 'sequence',
                                              'fields.x.start' = '1', 'fields.x.end' = '\(rows)'\(pacing));
            CREATE TABLE out (y BIGINT) WITH ('connector' = 'blackhole');
            CREATE FUNCTION \(function) AS 'metric_udfs.\(function)' LANGUAGE PYTHON;
            INSERT INTO out SELECT \(function)(x) FROM gen;
            """
        let folder = try TestPython.temporaryFolder()
        let path = folder.appendingPathComponent("metrics_job.sql").path
        try sql.write(toFile: path, atomically: true, encoding: .utf8)
        return try Job.load(path: path, overrides: ["python.executable": TestPython.executable])
    }

    static func metric(_ snapshot: MetricsSnapshot, _ name: String, group: String = "") -> UserMetricSnapshot? {
        snapshot.userMetrics.first { $0.key.name == name && $0.key.group == group }
    }

    @Test func metricsAddUpAcrossTwoWorkersAndPrometheusServesThemWhileTheJobRuns() async throws {
        let rows = 2_400, rate = 400
        let job = try Self.job(rows: rows, rowsPerSecond: rate)
        let (registry, factory) = PrometheusMetricsEndpoint.makeFactory()
        let metrics = RunnerMetrics(job: job.name, factory: factory)
        let endpoint = try await PrometheusMetricsEndpoint.start(host: "127.0.0.1", port: 0, registry: registry, metrics: metrics)
        let running = Task { try await job.run(parallelism: 2, metrics: metrics) }
        // Scrape while the job runs (about rows / rate = 6 s once the workers are up): as soon as the first UDF
        // metrics arrive, not after a fixed time, since starting two workers can take seconds on a busy machine.
        let deadline = ContinuousClock.now + .seconds(60)
        while (Self.metric(metrics.snapshot(), "rows_seen")?.value ?? 0) == 0 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        let (body, response) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(endpoint.port)/metrics")!)
        let scrape = String(decoding: body, as: UTF8.self)
        let during = metrics.snapshot()
        try await running.value
        await endpoint.stop()

        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        #expect(scrape.contains("pyfn_udf_rows_seen_total{"), "\(scrape)")
        #expect(scrape.contains("pyfn_operator_rows_in_total{"), "\(scrape)")
        #expect(scrape.contains("pyfn_bundle_duration_seconds_bucket{"), "\(scrape)")
        #expect(scrape.contains("job=\"metrics_job\""), "\(scrape)")
        #expect(scrape.contains("group=\"region.eu\""), "\(scrape)")
        let seenDuring = Self.metric(during, "rows_seen")?.value ?? 0
        #expect(seenDuring > 0 && seenDuring < rows, "a counter moves while the job runs: \(seenDuring)")

        let final = metrics.snapshot()
        #expect(Self.metric(final, "rows_seen")?.value == Int64(rows), "\(final.userMetrics)")
        #expect(Self.metric(final, "rows_seen")?.key.function == "measured")
        #expect(Self.metric(final, "hits", group: "region.eu")?.value == Int64(2 * rows))
        let gauge = Self.metric(final, "last_value")
        #expect(gauge?.key.kind == .gauge)
        #expect((1...Int64(rows)).contains(gauge?.value ?? 0), "\(String(describing: gauge))")
        #expect(Self.metric(final, "values")?.distribution
                == DistributionValue(count: Int64(rows), sum: Int64(rows * (rows + 1) / 2), min: 1, max: Int64(rows)))
        let meter = Self.metric(final, "events")
        #expect(meter?.key.kind == .meter && meter?.value == Int64(rows))
        let measured = meter?.ratePerSecond ?? 0
        #expect(abs(measured - Double(rate)) <= 0.2 * Double(rate), "meter rate \(measured)/s for a source paced at \(rate)/s")
        let op = try #require(final.operators.first)
        #expect(op.rowsIn == rows && op.rowsOut == rows && op.workerStarts == 2 && op.bundles >= 2, "\(op)")

        try Self.checkWithPromtool(scrape)
    }

    /// Runs `promtool check metrics` on a scrape; records a known issue only when promtool cannot be installed.
    static func checkWithPromtool(_ scrape: String) throws {
        let script = TestPython.repositoryRoot.appendingPathComponent("scripts/promtool.sh").path
        let find = try Self.run("/bin/bash", [script], input: nil)
        if find.status == 3 {
            withKnownIssue("promtool could not be installed (apt unreachable): \(find.output)") { throw PromtoolUnavailable() }
            return
        }
        try #require(find.status == 0, "scripts/promtool.sh failed: \(find.output)")
        let promtool = find.output.split(separator: "\n").last.map(String.init) ?? "promtool"
        let check = try Self.run(promtool, ["check", "metrics"], input: scrape)
        #expect(check.status == 0, "promtool check metrics:\n\(check.output)\n--- scrape ---\n\(scrape)")
    }

    struct PromtoolUnavailable: Error {}

    static func run(_ executable: String, _ arguments: [String], input: String?) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        let stdin = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = input == nil ? FileHandle.nullDevice : stdin
        try process.run()
        if let input {
            stdin.fileHandleForWriting.write(Data(input.utf8))
            try stdin.fileHandleForWriting.close()
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    @Test func aGaugeShowsTheLastValueAndMetricsCanBeSwitchedOff() async throws {
        let job = try Self.job(rows: 5_000, rowsPerSecond: nil)
        let metrics = RunnerMetrics(job: job.name)
        try await job.run(parallelism: 1, metrics: metrics)
        #expect(Self.metric(metrics.snapshot(), "last_value")?.value == 5_000)

        // With metrics off a UDF that asks for its metric group fails (as in PyFlink: JobParameterTests), so the
        // quiet job runs one that does not.
        let off = try Self.job(rows: 5_000, rowsPerSecond: nil, function: "profiled", settings: "SET 'python.metric.enabled' = 'false';")
        let quiet = RunnerMetrics(job: off.name)
        try await off.run(parallelism: 2, metrics: quiet)
        #expect(quiet.snapshot().userMetrics.isEmpty)
        #expect(quiet.snapshot().operators.first?.rowsIn == 5_000, "the runner's own figures stay on")
    }

    @Test(arguments: ["process", "thread"]) func profilingNamesTheFunctionWhereTheTimeWent(mode: String) async throws {
        let job = try Self.job(rows: 20_000, rowsPerSecond: nil, function: "profiled",
                           settings: "SET 'python.profile.enabled' = 'true'; SET 'python.fn-execution.arrow.batch.size' = '500'; SET 'python.execution-mode' = '\(mode)';")
        let metrics = RunnerMetrics(job: job.name)
        try await job.run(parallelism: 2, metrics: metrics)
        let report = try #require(metrics.snapshot().profile)
        #expect(!report.workers.isEmpty && report.bundles >= 1, "\(report.workers)")
        let table = report.table(limit: 15)
        #expect(table.contains("burn_cpu_for_the_profiler"), "\(table)")
        #expect(table.contains("metric_udfs.py"), "\(table)")
    }
}
