// The one list of the `python.*`, `pipeline.*` and `table.*` settings PyFn knows: a job that sets any other key
// under those prefixes (SET, --set, a Python program's configuration) fails with a "did you mean". Adding a
// setting is adding one line below.

/// Every `python.*`, `pipeline.*` and `table.*` setting PyFn accepts, and the check that rejects the others.
public enum KnownSettings {
    /// The prefixes whose keys must be known; keys under other prefixes (`parallelism.default`, `job.param.*`,
    /// `pyfn.*`, …) are not checked here.
    public static let checkedPrefixes = ["python.", "pipeline.", "table."]

    /// The known keys. A key ending in `.*` admits every key under it.
    public static let keys: Set<String> = [
        // Read by PyFn (Flink's names).
        "python.executable",
        "python.client.executable",
        "python.files",
        "python.archives",
        "python.requirements",
        "python.execution-mode",
        "python.metric.enabled",
        "python.profile.enabled",
        "python.log.level",
        "python.fn-execution.bundle.size",
        "python.fn-execution.bundle.time",
        "python.fn-execution.arrow.batch.size",
        "python.operator-chaining.enabled",
        "pipeline.global-job-parameters",
        "table.local-time-zone",
        "table.exec.resource.default-parallelism",
        // PyFn's own.
        "python.harness",
        "python.worker.max-restarts",
        "python.worker.fork-server",
        "python.worker.fork-server.idle-timeout",
        "python.fn-execution.bundle.timeout",
        "python.fn-execution.memory.limit",
        "table.exec.async-scalar.max-concurrent-operations",
        "table.exec.async-scalar.timeout",
        "table.exec.async-scalar.retry-strategy",
        "table.exec.async-scalar.retry-delay",
        "table.exec.async-scalar.max-attempts",
        "python.worker-pool",
        "python.worker-pool.token-file",
        "python.fn-api.host",
        "python.fn-api.port",
        "python.fn-api.advertised-host",
        "python.fn-api.tls.cert",
        "python.fn-api.tls.key",
        "python.fn-api.tls.ca",
        "python.fn-api.tls.client-ca",
        // Flink's, accepted and without effect here (they tune what PyFn does another way, or name the job).
        "python.fn-execution.memory.managed",
        "python.state.cache-size",
        "python.map-state.read-cache-size",
        "python.map-state.write-cache-size",
        "python.map-state.iterate-response-batch-size",
        "python.systemenv.enabled",
        "python.pythonpath",
        "pipeline.name",
        "pipeline.jars",
        "pipeline.classpaths",
        "pipeline.object-reuse",
        "pipeline.max-parallelism",
        "pipeline.auto-watermark-interval",
        "pipeline.operator-chaining.enabled",
        "table.dml-sync",
        "table.sql-dialect",
        "table.exec.state.ttl",
        "table.exec.mini-batch.enabled",
        "table.exec.mini-batch.allow-latency",
        "table.exec.mini-batch.size",
        // Async scalar functions (Operators/AsyncScalarOperation.swift).
        "table.exec.async-scalar.max-concurrent-operations",
        "table.exec.async-scalar.timeout",
        "table.exec.async-scalar.retry-strategy",
        "table.exec.async-scalar.retry-delay",
        "table.exec.async-scalar.max-attempts",
        "table.optimizer.*",
    ]

    /// Whether `key` must be a known key (it is under a ``checkedPrefixes`` prefix).
    public static func isChecked(_ key: String) -> Bool {
        checkedPrefixes.contains { key.hasPrefix($0) }
    }

    /// Whether `key` is known (or not checked at all).
    public static func accepts(_ key: String) -> Bool {
        guard isChecked(key) else { return true }
        if keys.contains(key) { return true }
        return keys.contains { $0.hasSuffix(".*") && key.hasPrefix($0.dropLast()) }
    }

    /// nil when `key` is accepted, else the error text: `unknown setting 'k'; did you mean 'known'?` (or, with
    /// nothing close, the prefixes that are checked).
    public static func problem(with key: String) -> String? {
        guard !accepts(key) else { return nil }
        if let suggestion = closestKey(to: key) {
            return "unknown setting '\(key)'; did you mean '\(suggestion)'?"
        }
        return "unknown setting '\(key)': PyFn knows no such python.*, pipeline.* or table.* setting"
    }

    /// Throws ``UnknownSettingError`` for the first unknown key of `settings` (in key order).
    public static func check(_ settings: [String: String]) throws(UnknownSettingError) {
        for key in settings.keys.sorted() {
            if let problem = problem(with: key) { throw UnknownSettingError(description: problem) }
        }
    }

    /// The known key nearest `key` by edit distance (adjacent swaps count once), if near enough to be a
    /// misspelling: at most 2 edits, or one in six characters for long keys. Failing that, the one known key that
    /// ends with `key`'s last two dotted parts (`python.bundle.size` → `python.fn-execution.bundle.size`).
    static func closestKey(to key: String) -> String? {
        let candidates = keys.filter { !$0.hasSuffix(".*") }.sorted()
        let lowered = key.lowercased()
        let limit = max(2, key.count / 6)
        let scored = candidates.map { ($0, EditDistance.between(lowered, $0)) }.filter { $0.1 <= limit }
        if let best = scored.min(by: { $0.1 < $1.1 }) { return best.0 }
        let parts = lowered.split(separator: ".")
        guard parts.count >= 2 else { return nil }
        let tail = "." + parts.suffix(2).joined(separator: ".")
        let matches = candidates.filter { $0.hasSuffix(tail) }
        return matches.count == 1 ? matches[0] : nil
    }
}

/// A setting PyFn does not know; the description says which and what was probably meant.
public struct UnknownSettingError: Error, Sendable, CustomStringConvertible {
    /// `unknown setting 'k'; did you mean 'known'?`
    public let description: String
}
