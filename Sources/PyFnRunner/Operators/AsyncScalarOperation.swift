import Foundation

/// Async scalar functions (`AsyncScalarFunction`, `async def eval`): the operation's URN and Flink's
/// `table.exec.async-scalar.*` settings, which the worker receives as job parameters `pyfn.async-scalar.*`
/// (checked here, durations in milliseconds). The worker runs up to `maxConcurrentOperations` calls at once on an
/// event loop and returns the results in input order; see worker/pyfn/worker/async_operation.py.
public struct AsyncScalarOptions: Sendable, Equatable {
    /// How a failed call is retried (`table.exec.async-scalar.retry-strategy`).
    public enum RetryStrategy: String, Sendable {
        /// A failed call fails the job.
        case noRetry = "NO_RETRY"
        /// A failed call is tried again after `retryDelay`, until `maxAttempts` attempts have failed.
        case fixedDelay = "FIXED_DELAY"
    }

    /// Calls in flight at once, per worker and operator (`…max-concurrent-operations`; Flink's default 10).
    public var maxConcurrentOperations = 10
    /// How long one row's call may take, retries included (`…timeout`; Flink's default 3 min).
    public var timeout: Duration = .seconds(180)
    /// How failed calls are retried (`…retry-strategy`; Flink's default FIXED_DELAY).
    public var retryStrategy = RetryStrategy.fixedDelay
    /// The pause before a retry (`…retry-delay`; Flink's default 100 ms).
    public var retryDelay: Duration = .milliseconds(100)
    /// Failed attempts after which a call fails the job (`…max-attempts`; Flink's default 3).
    public var maxAttempts = 3

    /// Flink's defaults.
    public init() {}

    /// The options among Flink-style settings (`table.exec.async-scalar.*`); throws, naming the key, for a value
    /// that cannot be read.
    public init(settings: [String: String]) throws {
        let prefix = "table.exec.async-scalar."
        func whole(_ name: String, least: Int) throws -> Int? {
            guard let text = settings[prefix + name] else { return nil }
            guard let value = Int(text.trimmingCharacters(in: .whitespaces)), value >= least else {
                throw PyFnError.invalidDescriptor("'\(prefix)\(name)' must be a whole number of at least \(least), not '\(text)'")
            }
            return value
        }
        func duration(_ name: String, positive: Bool) throws -> Duration? {
            guard let text = settings[prefix + name] else { return nil }
            guard let value = FlinkDuration.parse(text), !positive || value > .zero else {
                throw PyFnError.invalidDescriptor("'\(prefix)\(name)' must be a duration such as '100 ms' or '3 min'\(positive ? " (above 0)" : ""), not '\(text)'")
            }
            return value
        }
        if let value = try whole("max-concurrent-operations", least: 1) { maxConcurrentOperations = value }
        if let value = try whole("max-attempts", least: 1) { maxAttempts = value }
        if let value = try duration("timeout", positive: true) { timeout = value }
        if let value = try duration("retry-delay", positive: false) { retryDelay = value }
        if let text = settings[prefix + "retry-strategy"] {
            guard let strategy = RetryStrategy(rawValue: text.trimmingCharacters(in: .whitespaces).uppercased()) else {
                throw PyFnError.invalidDescriptor("'\(prefix)retry-strategy' must be NO_RETRY or FIXED_DELAY, not '\(text)'")
            }
            retryStrategy = strategy
        }
    }

    /// The job parameters the worker's async operation reads.
    var jobParameters: [String: String] {
        func milliseconds(_ duration: Duration) -> String {
            let (seconds, attoseconds) = duration.components
            return String(seconds * 1000 + attoseconds / 1_000_000_000_000_000)
        }
        return ["pyfn.async-scalar.max-concurrent-operations": String(maxConcurrentOperations),
                "pyfn.async-scalar.timeout-ms": milliseconds(timeout),
                "pyfn.async-scalar.retry-strategy": retryStrategy.rawValue,
                "pyfn.async-scalar.retry-delay-ms": milliseconds(retryDelay),
                "pyfn.async-scalar.max-attempts": String(maxAttempts)]
    }
}

extension BundleDescriptor.Operation {
    /// Async scalar functions (`AsyncScalarFunction` / `async def` with `@udf`).
    static let asyncScalar = Self(urn: "pyfn:transform:async_scalar_function:v1", name: "async")
}
