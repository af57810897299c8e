import CoreMetrics
import Foundation
import PyFnProto
import Synchronization

/// A job's metrics: operators report their bundles, workers and queues here, with the functions' user metrics
/// from each bundle's final response and from progress reports of long bundles. Read it any time with
/// ``snapshot()``; ``publish()`` pushes it through swift-metrics (and so to Prometheus, see
/// ``PrometheusMetricsEndpoint``).
public final class RunnerMetrics: Sendable {
    /// The `job` label.
    public let job: String
    private let start = ContinuousClock.now
    private let state = Mutex(State())
    private let publisher: SwiftMetricsPublisher?

    private struct State {
        var operators: [String: OperatorFigures] = [:]
        var operatorOrder: [String] = []
        var userMetrics = UserMetricTable()
        var nextBundle = 0
        var nextInstance = 0
        var profiles: [ProfileReport] = []
        var rowsSkipped = 0
        var lateRecordsDropped: [String: Int] = [:]
    }

    fileprivate struct OperatorFigures {
        var functions: [String]
        var rowsIn = 0
        var rowsOut = 0
        var bundles = 0
        var latency = BundleLatencyHistogram()
        var pythonSeconds = 0.0
        var workerStarts = 0
        var workerRestarts = 0
        var queuedRows: [Int: Int] = [:]
    }

    /// Metrics of job `job`; with a `factory`, ``publish()`` and every bundle's round trip go through swift-metrics
    /// objects it makes (e.g. a `PrometheusMetricsFactory`, or `MetricsSystem.factory`).
    public init(job: String, factory: (any MetricsFactory)? = nil) {
        self.job = job
        self.publisher = factory.map { SwiftMetricsPublisher(job: job, factory: $0) }
    }

    /// A recorder for one instance of operator `operatorName` (parallel instances share the name and add up).
    public func recorder(operatorName: String, functions: [String]) -> OperatorMetricsRecorder {
        let instance = state.withLock { state in
            if state.operators[operatorName] == nil {
                state.operators[operatorName] = OperatorFigures(functions: functions)
                state.operatorOrder.append(operatorName)
            }
            state.nextInstance += 1
            return state.nextInstance
        }
        return OperatorMetricsRecorder(metrics: self, operatorName: operatorName, instance: instance)
    }

    /// Seconds since these metrics started.
    public var elapsedSeconds: Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    /// The metrics now.
    public func snapshot() -> MetricsSnapshot {
        let elapsed = elapsedSeconds
        return state.withLock { state in
            let operators = state.operatorOrder.compactMap { name -> OperatorMetricsSnapshot? in
                guard let o = state.operators[name] else { return nil }
                return OperatorMetricsSnapshot(operatorName: name, functions: o.functions, rowsIn: o.rowsIn, rowsOut: o.rowsOut,
                                               bundles: o.bundles, bundleLatency: o.latency, pythonSeconds: o.pythonSeconds,
                                               workerStarts: o.workerStarts, workerRestarts: o.workerRestarts,
                                               queuedRows: o.queuedRows.values.reduce(0, +))
            }
            let table = state.userMetrics
            let users = table.values.map { key, value -> UserMetricSnapshot in
                var metric = UserMetricSnapshot(key: key)
                switch value {
                case .sum(let count): metric.value = count
                case .latest(let latest, _): metric.value = latest
                case .distribution(let distribution): metric.distribution = distribution
                }
                if let rate = table.meterRate(key) {
                    metric.ratePerSecond = rate.perSecond
                    metric.timeSpanSeconds = rate.timeSpanSeconds
                }
                return metric
            }.sorted { ($0.key.operatorName, $0.key.function, $0.key.group, $0.key.name, $0.key.kind.rawValue)
                < ($1.key.operatorName, $1.key.function, $1.key.group, $1.key.name, $1.key.kind.rawValue) }
            return MetricsSnapshot(job: job, elapsedSeconds: elapsed, operators: operators, userMetrics: users,
                                   profile: state.profiles.isEmpty ? nil : ProfileReport.merged(state.profiles),
                                   rowsSkipped: state.rowsSkipped > 0 ? state.rowsSkipped : nil,
                                   numLateRecordsDropped: state.lateRecordsDropped.isEmpty ? nil : state.lateRecordsDropped)
        }
    }

    /// Counts `rows` source lines skipped as unreadable (`pyfn_source_rows_skipped_total`).
    public func sourceRowsSkipped(_ rows: Int) {
        state.withLock { $0.rowsSkipped += rows }
    }

    /// Counts `rows` rows a window or OVER stage (`operatorName`: `window` or `over`) dropped because the
    /// watermark had passed all their windows: Flink's operator metric `numLateRecordsDropped`
    /// (`pyfn_operator_num_late_records_dropped_total`). A call with 0 rows still shows the stage, at 0.
    public func lateRecordsDropped(_ rows: Int, operatorName: String) {
        state.withLock { $0.lateRecordsDropped[operatorName, default: 0] += rows }
    }

    /// Pushes the current figures through swift-metrics (no-op without a factory).
    public func publish() {
        publisher?.publish(snapshot())
    }

    // MARK: what recorders report

    fileprivate func update(_ operatorName: String, _ change: (inout OperatorFigures) -> Void) {
        state.withLock { state in
            if var figures = state.operators[operatorName] {
                change(&figures)
                state.operators[operatorName] = figures
            }
        }
    }

    fileprivate func newBundle() -> Int {
        state.withLock { state in
            state.nextBundle += 1
            return state.nextBundle
        }
    }

    fileprivate func userMetrics(_ change: (inout UserMetricTable, Double) -> Void) {
        let now = elapsedSeconds
        state.withLock { change(&$0.userMetrics, now) }
    }

    fileprivate func addProfile(_ report: ProfileReport) {
        state.withLock { $0.profiles.append(report) }
    }

    fileprivate func observeRoundTrip(_ operatorName: String, functions: [String], seconds: Double) {
        publisher?.observeRoundTrip(operatorName: operatorName, function: functions.joined(separator: ","), seconds: seconds)
    }
}

/// What one operator instance reports to its job's ``RunnerMetrics``.
public struct OperatorMetricsRecorder: Sendable {
    let metrics: RunnerMetrics
    /// The operator's name.
    public let operatorName: String
    let instance: Int

    /// A key for a bundle about to be sent, for its progress and final reports.
    func bundleStarted() -> Int { metrics.newBundle() }

    /// A running bundle's metrics so far (a progress report).
    func bundleProgress(_ bundle: Int, infos: [MonitoringInfo]) {
        let updates = MonitoringInfoDecoding.updates(infos, operatorName: operatorName)
        metrics.userMetrics { $0.progress(bundle: bundle, updates, at: $1) }
    }

    /// A bundle the worker completed: its input rows, its round trip and its final metrics.
    func bundleFinished(_ bundle: Int, rowsIn: Int, roundTrip: Duration, infos: [MonitoringInfo]) {
        let seconds = Double(roundTrip.components.seconds) + Double(roundTrip.components.attoseconds) / 1e18
        let updates = MonitoringInfoDecoding.updates(infos, operatorName: operatorName)
        metrics.userMetrics { $0.finish(bundle: bundle, updates, at: $1) }
        var functions: [String] = []
        metrics.update(operatorName) { figures in
            figures.rowsIn += rowsIn
            figures.bundles += 1
            figures.latency.observe(seconds: seconds)
            figures.pythonSeconds += seconds
            functions = figures.functions
        }
        metrics.observeRoundTrip(operatorName, functions: functions, seconds: seconds)
    }

    /// Output rows the operator handed on.
    func rowsHandedOn(_ rows: Int) {
        metrics.update(operatorName) { $0.rowsOut += rows }
    }

    /// A bundle that will not complete (the operator failed).
    func bundleAbandoned(_ bundle: Int) {
        metrics.userMetrics { table, _ in table.abandon(bundle: bundle) }
    }

    /// A worker started; `restart` when it replaces a lost one.
    func workerStarted(restart: Bool) {
        metrics.update(operatorName) { figures in
            figures.workerStarts += 1
            if restart { figures.workerRestarts += 1 }
        }
    }

    /// Rows this instance holds (buffered or at the worker).
    func queuedRows(_ rows: Int) {
        metrics.update(operatorName) { $0.queuedRows[instance] = rows }
    }

    /// A worker's profile statistics (`python.profile.enabled`), JSON as docs/wire-contract.md describes.
    func profile(_ json: Data, worker: String) {
        if let report = try? ProfileReport.decode(json, worker: worker, operatorName: operatorName) { metrics.addProfile(report) }
    }
}
