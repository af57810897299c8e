import Foundation
import PyFnArrow
import PyFnProto

/// A running Python worker: the seam between operators and the ways a worker can run (a child process, an
/// external pool, CPython embedded in this process).
public protocol PythonWorker: Sendable {
    /// The worker's id.
    var id: String { get }
    /// Makes a bundle descriptor available to the worker.
    func register(_ descriptor: ProcessBundleDescriptor) async throws
    /// Runs `input` through the functions of the registered descriptor `descriptorID`.
    func processBundle(descriptorID: String, input: RecordBatch) async throws -> BundleResult
    /// Runs a bundle as ``processBundle(descriptorID:input:)`` does; `onProgress` gets the metrics of the bundle
    /// so far while it runs long (progress reports), when the worker can tell.
    func processBundle(descriptorID: String, input: RecordBatch,
                       onProgress: @escaping @Sendable ([MonitoringInfo]) -> Void) async throws -> BundleResult
    /// The profile statistics of the operators the worker profiles, by `pyfn:profile:<descriptor id>`.
    func profiles() async -> [String: Data]
    /// Stops the worker and waits until it is gone.
    func stop() async
}

extension PythonWorker {
    /// Workers that cannot report progress run the bundle without it.
    public func processBundle(descriptorID: String, input: RecordBatch,
                              onProgress: @escaping @Sendable ([MonitoringInfo]) -> Void) async throws -> BundleResult {
        try await processBundle(descriptorID: descriptorID, input: input)
    }

    /// Workers that cannot profile have no statistics.
    public func profiles() async -> [String: Data] { [:] }
}

/// The outcome of one bundle.
public struct BundleResult: Sendable {
    /// The output batches, in order.
    public var batches: [RecordBatch]
    /// The bundle's metrics as Beam MonitoringInfos.
    public var monitoringInfos: [MonitoringInfo]

    /// A bundle's outcome: its output batches and metrics.
    public init(batches: [RecordBatch], monitoringInfos: [MonitoringInfo] = []) {
        self.batches = batches
        self.monitoringInfos = monitoringInfos
    }
}

/// Starts Python workers of one kind.
public protocol WorkerEnvironment: Sendable {
    /// Starts a worker and returns once it is ready for bundles.
    func startWorker() async throws -> any PythonWorker
    /// Forgets what the environment keeps for a descriptor whose operator has closed (its registration and its
    /// aggregate state in the runner).
    func forget(descriptorID: String) async
}

extension WorkerEnvironment {
    /// Environments that keep nothing per descriptor have nothing to forget.
    public func forget(descriptorID: String) async {}
}
