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
    /// Stops the worker and waits until it is gone.
    func stop() async
}

/// The outcome of one bundle.
public struct BundleResult: Sendable {
    /// The output batches, in order.
    public var batches: [RecordBatch]
    /// The bundle's metrics as Beam MonitoringInfos.
    public var monitoringInfos: [MonitoringInfo]
}

/// Starts Python workers of one kind.
public protocol WorkerEnvironment: Sendable {
    /// Starts a worker and returns once it is ready for bundles.
    func startWorker() async throws -> any PythonWorker
}
