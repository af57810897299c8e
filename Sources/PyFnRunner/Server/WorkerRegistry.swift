import PyFnProto

/// The workers a runner has started, their secrets, and the bundle descriptors each of them may fetch.
///
/// A worker is known from the moment its environment is asked to start it; calls that do not carry a known
/// `worker_id` together with that worker's secret are refused. A descriptor goes only to the workers it was
/// registered for.
public actor WorkerRegistry {
    private struct Worker {
        let connection: WorkerConnection
        let secret: WorkerSecret
        let options: [String: String]
        var descriptorIDs: Set<String> = []
    }

    private var workers: [String: Worker] = [:]
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
    /// capabilities its environment declares and how long its bundles may go silent (nil: no limit); returns its
    /// connection and the fresh secret it must send on every call.
    public func expect(workerID: String, options workerOptions: [String: String],
                       capabilities: Set<String> = WorkerCapability.pyfnHarness,
                       bundleTimeout: Duration? = nil) -> (connection: WorkerConnection, secret: WorkerSecret) {
        let connection = WorkerConnection(workerID: workerID, state: state, capabilities: capabilities,
                                          bundleTimeout: bundleTimeout)
        let worker = Worker(connection: connection, secret: WorkerSecret(), options: workerOptions)
        workers[workerID] = worker
        return (worker.connection, worker.secret)
    }

    /// Records that a known worker called `service`.
    func noteCall(from workerID: String, to service: String) {
        servicesCalled[workerID, default: []].insert(service)
    }

    /// Forgets a worker that has stopped; its later calls are refused.
    public func forget(workerID: String) {
        workers[workerID] = nil
    }

    /// Whether `secret` is the secret of the known worker `workerID` (compared in constant time).
    public func authenticates(workerID: String, secret: String) -> Bool {
        workers[workerID]?.secret.matches(secret) ?? false
    }

    /// The connection of a known worker, or nil.
    public func connection(for workerID: String) -> WorkerConnection? {
        workers[workerID]?.connection
    }

    /// The job options a known worker is provisioned with.
    public func options(for workerID: String) -> [String: String]? {
        workers[workerID]?.options
    }

    /// Makes a descriptor available to `GetProcessBundleDescriptor` calls of worker `workerID`.
    public func register(_ descriptor: ProcessBundleDescriptor, for workerID: String) {
        descriptors[descriptor.id] = descriptor
        workers[workerID]?.descriptorIDs.insert(descriptor.id)
    }

    /// Forgets a descriptor whose operator has closed, and the state its bundles kept.
    public func forget(descriptorID: String) {
        descriptors[descriptorID] = nil
        state.drop(descriptor: descriptorID)
    }

    /// A registered descriptor, if worker `workerID` may have it; nil otherwise.
    public func descriptor(id: String, for workerID: String) -> ProcessBundleDescriptor? {
        guard workers[workerID]?.descriptorIDs.contains(id) == true else { return nil }
        return descriptors[id]
    }
}
