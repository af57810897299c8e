import Foundation
import CoreMetrics
import Synchronization

/// Pushes a job's metrics through swift-metrics: runner figures and user metrics as counters (`…_total`) and
/// gauges, bundle round trips as a timer (a Prometheus histogram in seconds). Names follow Prometheus
/// conventions: `pyfn_` prefix, snake_case, base units; labels `job`, `operator`, `function` and, for user
/// metrics, `group`.
final class SwiftMetricsPublisher: Sendable {
    private let job: String
    private let factory: any MetricsFactory
    private let state = Mutex(Published())

    private struct Published {
        var counters: [String: (counter: FloatingPointCounter, total: Double)] = [:]
        var gauges: [String: Gauge] = [:]
        var timers: [String: CoreMetrics.Timer] = [:]
    }

    init(job: String, factory: any MetricsFactory) {
        self.job = job
        self.factory = factory
    }

    /// Records one bundle round trip in `pyfn_bundle_duration_seconds`.
    func observeRoundTrip(operatorName: String, function: String, seconds: Double) {
        let dimensions = [("job", job), ("operator", operatorName), ("function", function)]
        let timer = state.withLock { state in
            let key = Self.key("pyfn_bundle_duration_seconds", dimensions)
            if let timer = state.timers[key] { return timer }
            let timer = CoreMetrics.Timer(label: "pyfn_bundle_duration_seconds", dimensions: dimensions, factory: factory)
            state.timers[key] = timer
            return timer
        }
        timer.recordNanoseconds(Int64(seconds * 1e9))
    }

    /// Brings every counter and gauge up to `snapshot`.
    func publish(_ snapshot: MetricsSnapshot) {
        if let skipped = snapshot.rowsSkipped { counter("pyfn_source_rows_skipped_total", [("job", job)], Double(skipped)) }
        // Flink's `numLateRecordsDropped` in the snake_case Prometheus names use (promtool refuses camelCase).
        for (operatorName, rows) in snapshot.numLateRecordsDropped ?? [:] {
            counter("pyfn_operator_num_late_records_dropped_total", [("job", job), ("operator", operatorName)], Double(rows))
        }
        for o in snapshot.operators {
            let dimensions = [("job", job), ("operator", o.operatorName), ("function", o.functions.joined(separator: ","))]
            counter("pyfn_operator_rows_in_total", dimensions, Double(o.rowsIn))
            counter("pyfn_operator_rows_out_total", dimensions, Double(o.rowsOut))
            counter("pyfn_operator_bundles_total", dimensions, Double(o.bundles))
            counter("pyfn_operator_python_seconds_total", dimensions, o.pythonSeconds)
            counter("pyfn_operator_worker_starts_total", dimensions, Double(o.workerStarts))
            counter("pyfn_operator_worker_restarts_total", dimensions, Double(o.workerRestarts))
            gauge("pyfn_operator_queued_rows", dimensions, Double(o.queuedRows))
        }
        for metric in snapshot.userMetrics {
            let key = metric.key
            let dimensions = [("job", job), ("operator", key.operatorName), ("function", key.function), ("group", key.group)]
            let base = "pyfn_udf_" + Self.snakeCase(key.name)
            switch key.kind {
            case .counter: counter(base + "_total", dimensions, Double(metric.value ?? 0))
            case .gauge: gauge(base, dimensions, Double(metric.value ?? 0))
            case .meter:
                counter(base + "_events_total", dimensions, Double(metric.value ?? 0))
                gauge(base + "_events_per_second", dimensions, metric.ratePerSecond ?? 0)
            case .distribution:
                guard let d = metric.distribution else { continue }
                counter(base + "_observations_total", dimensions, Double(d.count))
                gauge(base + "_observations_sum_value", dimensions, Double(d.sum))
                gauge(base + "_min_value", dimensions, Double(d.min))
                gauge(base + "_max_value", dimensions, Double(d.max))
            }
        }
    }

    /// A counter brought up to `total` (counters only go up: a smaller total is left as it was).
    private func counter(_ name: String, _ dimensions: [(String, String)], _ total: Double) {
        let key = Self.key(name, dimensions)
        state.withLock { state in
            var entry = state.counters[key] ?? (FloatingPointCounter(label: name, dimensions: dimensions, factory: factory), 0)
            if total > entry.total {
                entry.counter.increment(by: total - entry.total)
                entry.total = total
            }
            state.counters[key] = entry
        }
    }

    private func gauge(_ name: String, _ dimensions: [(String, String)], _ value: Double) {
        let key = Self.key(name, dimensions)
        let gauge = state.withLock { state in
            if let gauge = state.gauges[key] { return gauge }
            let gauge = Gauge(label: name, dimensions: dimensions, factory: factory)
            state.gauges[key] = gauge
            return gauge
        }
        gauge.record(value)
    }

    /// The `# HELP` text of a metric this publisher makes.
    static func helpText(for name: String) -> String {
        let operatorHelp = [
            "pyfn_source_rows_skipped_total": "Source lines skipped as unreadable ('<format>.ignore-parse-errors' = 'true').",
            "pyfn_operator_rows_in_total": "Rows fed to the Python workers of the operator (completed bundles).",
            "pyfn_operator_rows_out_total": "Rows the operator handed on.",
            "pyfn_operator_bundles_total": "Bundles the operator's workers completed.",
            "pyfn_operator_python_seconds_total": "Seconds bundles spent at the Python workers (sum of round trips).",
            "pyfn_operator_worker_starts_total": "Python workers started for the operator.",
            "pyfn_operator_worker_restarts_total": "Python workers started to replace a lost one.",
            "pyfn_operator_queued_rows": "Rows fed to the operator whose output has not been handed on yet.",
            "pyfn_bundle_duration_seconds": "Round-trip time of a bundle through a Python worker.",
        ]
        if let help = operatorHelp[name] { return help }
        let suffixes = [("_events_total", "Events marked on the meter"), ("_events_per_second", "Rate of the meter over its time span"),
                        ("_observations_total", "Values the distribution was updated with"),
                        ("_observations_sum_value", "Sum of the distribution's values"), ("_min_value", "Smallest value of the distribution"),
                        ("_max_value", "Largest value of the distribution"), ("_total", "Count of the counter")]
        for (suffix, text) in suffixes where name.hasSuffix(suffix) {
            return "\(text) '\(name.dropFirst("pyfn_udf_".count).dropLast(suffix.count))' of a Python function."
        }
        return "Gauge '\(name.dropFirst("pyfn_udf_".count))' of a Python function (its latest value)."
    }

    private static func key(_ name: String, _ dimensions: [(String, String)]) -> String {
        ([name] + dimensions.map { "\($0)=\($1)" }).joined(separator: "\u{1}")
    }

    /// `name` as a Prometheus name part: lower-case letters, digits and single underscores (`camelCase`, spaces,
    /// dots and dashes become `_`).
    static func snakeCase(_ name: String) -> String {
        var out = ""
        var previous: Character = "_"
        for character in name {
            var piece: String
            if character.isUppercase, character.isASCII {
                piece = (previous.isLowercase || previous.isNumber ? "_" : "") + character.lowercased()
            } else if character.isASCII && (character.isLetter || character.isNumber) {
                piece = String(character)
            } else {
                piece = "_"
            }
            if piece == "_" && out.hasSuffix("_") { piece = "" }
            out += piece
            previous = character
        }
        let trimmed = out.trimmingCharacters(in: CharacterSet(charactersIn: "_"))
        return trimmed.isEmpty ? "metric" : trimmed
    }
}
