import PyFnProto

/// The workers a runner has started and the bundle descriptors they may fetch.
///
/// A worker is known from the moment its environment is asked to start it; calls carrying any other
/// `worker_id` are refused.
public actor WorkerRegistry {
    private var connections: [String: WorkerConnection] = [:]
    private var options: [String: [String: String]] = [:]
    private var descriptors: [String: ProcessBundleDescriptor] = [:]
    /// host:port of the services workers dial, once the server is bound.
    public private(set) var endpoint = ""
    /// The services each worker has called (by short name: `BeamFnControl`, `ProvisionService`, …), kept after
    /// the worker is forgotten: what a foreign harness got through before it failed.
    public private(set) var servicesCalled: [String: Set<String>] = [:]
    /// The aggregate functions' state, shared by every worker of this runner.
    public nonisolated let state = StateStore()

    /// An empty registry.
    public init() {}

    /// Records where the server listens.
    func setEndpoint(_ endpoint: String) {
        self.endpoint = endpoint
    }

    /// Announces a worker that is about to dial in, with the job options it is provisioned with, the
    /// capabilities its environment declares and how long its bundles may go silent (nil: no limit).
    public func expect(workerID: String, options workerOptions: [String: String],
                       capabilities: Set<String> = WorkerCapability.pyfnHarness,
                       bundleTimeout: Duration? = nil) -> WorkerConnection {
        let connection = WorkerConnection(workerID: workerID, state: state, capabilities: capabilities,
                                          bundleTimeout: bundleTimeout)
        connections[workerID] = connection
        options[workerID] = workerOptions
        return connection
    }

    /// Records that a known worker called `service`.
    func noteCall(from workerID: String, to service: String) {
        servicesCalled[workerID, default: []].insert(service)
    }

    /// Forgets a worker that has stopped; its later calls are refused.
    public func forget(workerID: String) {
        connections[workerID] = nil
        options[workerID] = nil
    }

    /// The connection of a known worker, or nil.
    public func connection(for workerID: String) -> WorkerConnection? {
        connections[workerID]
    }

    /// The job options a known worker is provisioned with.
    public func options(for workerID: String) -> [String: String]? {
        options[workerID]
    }

    /// Makes a descriptor available to `GetProcessBundleDescriptor`.
    public func register(_ descriptor: ProcessBundleDescriptor) {
        descriptors[descriptor.id] = descriptor
    }

    /// Forgets a descriptor whose operator has closed, and the state its bundles kept.
    public func forget(descriptorID: String) {
        descriptors[descriptorID] = nil
        state.drop(descriptor: descriptorID)
    }

    /// A registered descriptor, or nil.
    public func descriptor(id: String) -> ProcessBundleDescriptor? {
        descriptors[id]
    }
}
