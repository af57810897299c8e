import Foundation

/// Everything the runner knows about a job's metrics at one moment: its own per-operator figures and the user
/// metrics of the Python functions, added up across bundles and workers. `--metrics-out` writes it as JSON.
public struct MetricsSnapshot: Codable, Sendable {
    /// The job's name (the `job` label).
    public var job: String
    /// Seconds since the metrics started.
    public var elapsedSeconds: Double
    /// The runner's figures, one entry per operator (all its parallel instances together).
    public var operators: [OperatorMetricsSnapshot]
    /// The functions' metrics, sorted by operator, function, group and name.
    public var userMetrics: [UserMetricSnapshot]
    /// Where the Python time went, when profiling was on; nil otherwise.
    public var profile: ProfileReport?
    /// Source lines skipped as unreadable (`'<format>.ignore-parse-errors' = 'true'`).
    public var rowsSkipped: Int? = nil
    /// Rows dropped as late by each window or OVER stage (key: `window` or `over`), named as Flink's operator
    /// metric; nil when the job has no time window.
    public var numLateRecordsDropped: [String: Int]? = nil

    /// The snapshot as pretty-printed JSON.
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }
}

/// The runner's own figures for one operator.
public struct OperatorMetricsSnapshot: Codable, Sendable {
    /// The operator's name (the `operator` label), e.g. `scalar(ip_to_province)`.
    public var operatorName: String
    /// The Python functions it runs.
    public var functions: [String]
    /// Rows fed to the Python workers (of completed bundles).
    public var rowsIn: Int
    /// Rows it handed on.
    public var rowsOut: Int
    /// Completed bundles.
    public var bundles: Int
    /// Bundle round-trip times.
    public var bundleLatency: BundleLatencyHistogram
    /// Seconds bundles spent at the workers (the sum of round trips).
    public var pythonSeconds: Double
    /// Workers started (first starts and restarts).
    public var workerStarts: Int
    /// Workers started to replace a lost one.
    public var workerRestarts: Int
    /// Rows fed in whose output has not been handed on yet.
    public var queuedRows: Int
}

/// One user metric's value.
public struct UserMetricSnapshot: Codable, Sendable {
    /// Which metric.
    public var key: UserMetricKey
    /// Counters and meters: the count; gauges: the latest value; distributions: nil.
    public var value: Int64?
    /// Meters: events per second over ``timeSpanSeconds``.
    public var ratePerSecond: Double?
    /// Meters: the rate's time span.
    public var timeSpanSeconds: Int?
    /// Distributions: count, sum, min and max.
    public var distribution: DistributionValue?

    /// The value as short text: `12`, `34.5/s (123)`, `n=3 sum=9 min=1 max=5`.
    public var text: String {
        switch key.kind {
        case .counter, .gauge: return value.map(String.init) ?? "-"
        case .meter: return String(format: "%.1f/s (%lld events)", ratePerSecond ?? 0, value ?? 0)
        case .distribution:
            guard let d = distribution else { return "-" }
            return "n=\(d.count) sum=\(d.sum) min=\(d.min) max=\(d.max)"
        }
    }
}
