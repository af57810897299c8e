import ArgumentParser
import Foundation
import Logging
import CoreMetrics
import PyFnArrow
import PyFnJobs
import PyFnRunner

/// `pyfn run JOB.sql`: runs a job with a live progress line on stderr and a summary at the end.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Run a job.")

    @OptionGroup var options: JobFileOptions

    @Option(name: .long, help: "Lowest level of runner and Python log records shown: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .warning

    @Flag(name: .long, help: "No progress line (it is shown only when stderr is a terminal).")
    var quiet = false

    @Option(name: .long, help: "Rows of each result table shown at the end (0: none).")
    var show = 40

    @Option(name: .long, help: "Serve the job's metrics in Prometheus text format at http://HOST:PORT/metrics while it runs.")
    var metricsPort: Int?

    @Option(name: .long, help: "The address the metrics endpoint listens on (default 127.0.0.1; 0.0.0.0 for every interface).")
    var metricsHost = "127.0.0.1"

    @Option(name: .long, help: "Write the job's final metrics (operators, user metrics, profile) to this JSON file.")
    var metricsOut: String?

    @Flag(name: .long, help: "Profile the Python functions (python.profile.enabled) and print where the time went.")
    var profile = false

    @Flag(name: .long, help: "No metrics table at the end.")
    var noMetricsSummary = false

    @Flag(name: .long, help: "Start Python only when the first Python operator opens, not while the job's functions are described (benchmarks/run job_overhead compares both).")
    var noHeadStart = false

    /// The Python logging level matching a swift-log level, so workers send only records that will be shown.
    static func pythonLevel(of level: Logger.Level) -> String {
        switch level {
        case .trace, .debug: return "DEBUG"
        case .info, .notice: return "INFO"
        case .warning: return "WARNING"
        case .error: return "ERROR"
        case .critical: return "CRITICAL"
        }
    }

    func run() async throws {
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var extra = ["python.log.level": Self.pythonLevel(of: level)]
        if profile { extra["python.profile.enabled"] = "true" }
        let job = try options.loadJob(extra: extra, headStart: !noHeadStart)
        let progress = JobProgress()
        let (registry, prometheus) = PrometheusMetricsEndpoint.makeFactory()
        let metrics = RunnerMetrics(job: job.name, factory: MultiplexMetricsHandler(factories: [prometheus, MetricsSystem.factory]))
        let endpoint: PrometheusMetricsEndpoint?
        if let metricsPort {
            do {
                endpoint = try await PrometheusMetricsEndpoint.start(host: metricsHost, port: metricsPort, registry: registry, metrics: metrics)
            } catch {
                FileHandle.standardError.write(Data("error: cannot serve metrics on \(metricsHost):\(metricsPort): \(error)\n".utf8))
                throw ExitCode.failure
            }
        } else {
            endpoint = nil
        }
        let live = !quiet && isatty(STDERR_FILENO) == 1
        let ticker = !live ? nil : Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(500))
                FileHandle.standardError.write(Data("\r\(Self.progressLine(progress, metrics))\u{1B}[K".utf8))
            }
        }
        do {
            try await job.run(parallelism: options.parallelism, progress: progress, metrics: metrics)
            ticker?.cancel()
        } catch {
            ticker?.cancel()
            await endpoint?.stop()
            FileHandle.standardError.write(Data("\nerror: \(error)\n".utf8))
            throw ExitCode.failure
        }
        await endpoint?.stop()
        metrics.publish()
        if live { FileHandle.standardError.write(Data("\r\(Self.progressLine(progress, metrics))\u{1B}[K\n".utf8)) }
        let counts = progress.snapshot
        print(String(format: "job finished in %.2f s: %d rows read, %d rows written%@", progress.elapsedSeconds, counts.rowsIn, counts.rowsOut,
                     (counts.rowsSkipped > 0 ? ", \(counts.rowsSkipped) unparsable rows skipped" : "")
                        + (counts.lateRows > 0 ? ", \(counts.lateRows) late rows dropped (the watermark had passed their windows)" : "")))
        for note in counts.notes { print(note) }
        let snapshot = metrics.snapshot()
        if !noMetricsSummary && !snapshot.operators.isEmpty { print("\n" + snapshot.summaryTable) }
        if let report = snapshot.profile { print("\n" + report.table(limit: 15)) }
        if let metricsOut {
            do { try snapshot.json().write(to: URL(fileURLWithPath: metricsOut)) } catch {
                FileHandle.standardError.write(Data("error: cannot write --metrics-out \(metricsOut): \(error)\n".utf8))
                throw ExitCode.failure
            }
        }
        if show > 0 {
            for plan in job.plans { try await printTable(plan.sink, zone: job.python.sessionTimeZone) }
        }
    }

    /// The live line: the job's counts, then the operators' figures and the first user metrics.
    static func progressLine(_ progress: JobProgress, _ metrics: RunnerMetrics) -> String {
        let extra = metrics.snapshot().progressText
        return extra.isEmpty ? progress.line : progress.line + "  |  " + extra
    }

    /// Reads a result table back (where its connector can) and prints it as a text table.
    private func printTable(_ table: TableDefinition, zone: SessionTimeZone) async throws {
        guard ["sqlite", "filesystem"].contains(Job.connectorName(table)), let source = try? Connectors.source(table) else { return }
        var rows: [[String]] = []
        var total = 0
        for try await batch in source.batches(batchSize: 10_000) {
            total += batch.length
            for row in 0..<batch.length where rows.count < show {
                rows.append(batch.columns.enumerated().map { index, column in
                    let value = column.value(at: row)
                    guard index < table.columns.count, ResultTable.hasTypedText(value) else { return ResultTable.text(value) }
                    return ValueDisplayText.text(value, as: table.columns[index].type, zone: zone)
                })
            }
        }
        print("\n\(table.name) (\(total) rows\(total > rows.count ? ", first \(rows.count) shown" : ""))")
        print(TextTable.render(header: table.columns.map(\.name), rows: rows))
    }
}

/// Text tables for the terminal.
enum ResultTable {
    static func text(_ value: ArrowValue) -> String {
        switch value {
        case .null: return "NULL"
        case .string(let s): return s
        case .int(let v): return String(v)
        case .bool(let v): return v ? "TRUE" : "FALSE"
        default: return "\(value)"
        }
    }

    /// Whether `value` reads better in its SQL type's text form (dates, times, timestamps, decimals, bytes, and
    /// FLOAT/DOUBLE in Java's form with all their digits, as Flink's tables show them) than in ``text(_:)``'s.
    static func hasTypedText(_ value: ArrowValue) -> Bool {
        switch value {
        case .date, .time, .timestamp, .decimal, .binary, .float: return true
        default: return false
        }
    }

}

extension Logger.Level: @retroactive ExpressibleByArgument {}
