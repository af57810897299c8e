import Foundation

extension MetricsSnapshot {
    /// A short addition to a progress line: bundles, their p50 round trip, Python time, restarts, queued rows,
    /// and the first few user counters and meters, e.g.
    /// `12 bundles (p50 40ms)  py 1.8s  queued 2000  rows_seen=12000  events=310.4/s`.
    public var progressText: String {
        guard !operators.isEmpty else { return "" }
        var latency = BundleLatencyHistogram()
        for o in operators { latency.add(o.bundleLatency) }
        let queued = operators.reduce(0) { $0 + $1.queuedRows }
        let restarts = operators.reduce(0) { $0 + $1.workerRestarts }
        var parts = [String(format: "%d bundles (p50 %@)  py %.1fs", latency.count, Self.milliseconds(latency.quantile(0.5)),
                            operators.reduce(0) { $0 + $1.pythonSeconds })]
        if queued > 0 { parts.append("queued \(queued)") }
        if restarts > 0 { parts.append("\(restarts) worker restarts") }
        for metric in userMetrics.filter({ $0.key.kind == .counter || $0.key.kind == .meter }).prefix(3) {
            parts.append(metric.key.kind == .meter ? String(format: "%@=%.1f/s", metric.key.name, metric.ratePerSecond ?? 0)
                                                   : "\(metric.key.name)=\(metric.value ?? 0)")
        }
        return parts.joined(separator: "  ")
    }

    /// The end-of-job tables: one row per operator, then one per user metric.
    public var summaryTable: String {
        var text = "operators\n" + TextTable.render(
            header: ["operator", "rows in", "rows out", "bundles", "p50", "p95", "max", "python s", "workers", "restarts"],
            rows: operators.map { o in
                [o.operatorName, "\(o.rowsIn)", "\(o.rowsOut)", "\(o.bundles)", Self.milliseconds(o.bundleLatency.quantile(0.5)),
                 Self.milliseconds(o.bundleLatency.quantile(0.95)), Self.milliseconds(o.bundleLatency.maxSeconds),
                 String(format: "%.2f", o.pythonSeconds), "\(o.workerStarts)", "\(o.workerRestarts)"]
            })
        if !userMetrics.isEmpty {
            text += "\n\nmetrics\n" + TextTable.render(
                header: ["operator", "function", "group", "name", "kind", "value"],
                rows: userMetrics.map { [$0.key.operatorName, $0.key.function, $0.key.group, $0.key.name, $0.key.kind.rawValue, $0.text] })
        }
        return text
    }

    private static func milliseconds(_ seconds: Double) -> String {
        seconds >= 1 ? String(format: "%.2fs", seconds) : String(format: "%.1fms", seconds * 1000)
    }
}

/// Plain text tables for terminals.
public enum TextTable {
    /// `rows` under `header`, columns padded to their widest cell, framed with `+--+` rules.
    public static func render(header: [String], rows: [[String]]) -> String {
        let widths = header.indices.map { column in ([header[column]] + rows.map { $0[column] }).map(\.count).max() ?? 0 }
        func line(_ cells: [String]) -> String {
            "| " + zip(cells, widths).map { $0 + String(repeating: " ", count: $1 - $0.count) }.joined(separator: " | ") + " |"
        }
        let rule = "+-" + widths.map { String(repeating: "-", count: $0) }.joined(separator: "-+-") + "-+"
        return ([rule, line(header), rule] + rows.map(line) + [rule]).joined(separator: "\n")
    }
}
