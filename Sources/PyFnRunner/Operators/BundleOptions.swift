import Foundation

/// How an operator cuts its input into bundles: Flink's `python.fn-execution.*` settings.
public struct BundleOptions: Sendable {
    /// Most rows in one bundle (`python.fn-execution.bundle.size`).
    public var bundleSize = 100_000
    /// Longest time a row waits in a bundle before it is sent (`python.fn-execution.bundle.time`).
    public var bundleTime: Duration = .seconds(1)
    /// Most rows in one Arrow batch a worker sends back (`python.fn-execution.arrow.batch.size`).
    public var arrowBatchSize = 10_000
    /// How many bundles may be at the worker at once, so Swift and Python work at the same time.
    public var maxBundlesInFlight = 3

    /// Default options.
    public init() {}

    /// Options from Flink-style settings; `bundle.time` is in milliseconds. Unknown keys are ignored; a value
    /// that is not a positive number throws, naming the key.
    public init(settings: [String: String]) throws {
        func positive(_ key: String) throws -> Int? {
            guard let text = settings[key] else { return nil }
            guard let value = Int(text.trimmingCharacters(in: .whitespaces)), value > 0 else {
                throw PyFnError.invalidDescriptor("'\(key)' must be a positive whole number, not '\(text)'")
            }
            return value
        }
        if let v = try positive("python.fn-execution.bundle.size") { bundleSize = v }
        if let v = try positive("python.fn-execution.bundle.time") { bundleTime = .milliseconds(v) }
        if let v = try positive("python.fn-execution.arrow.batch.size") { arrowBatchSize = v }
        if let v = try positive("pyfn.bundles-in-flight") { maxBundlesInFlight = v }
    }
}
