import PyFnArrow
import PyFnProto
import PyFnRunner
import Synchronization

/// A worker environment without Python, for tests of what the runner does around its workers — pipelining,
/// losing a worker and replaying its bundles, restarts — in milliseconds and without a venv. Each bundle's output
/// is a Swift function of its input (`compute`); the environment can lose the worker at chosen bundles (as a
/// crashed process does: that bundle and every other one running on the worker fail with `PyFnError.workerLost`,
/// and the worker takes no more), hold every bundle and every start for a while (so that bundles sent together
/// overlap, and wait together for a worker), and it records what happened: workers started and lost, bundles
/// begun, the most bundles running at once.
///
/// It stands in for the other side only in tests of runner logic; end-to-end tests use real workers.
public final class FakeWorkerEnvironment: WorkerEnvironment {
    /// A bundle's output batches from its input.
    public typealias Compute = @Sendable (RecordBatch) throws -> [RecordBatch]

    /// What the environment saw.
    public struct Record: Sendable {
        /// Workers started (the first and every replacement).
        public var workersStarted = 0
        /// Workers lost (each counted once, however many of its bundles failed with it).
        public var workersLost = 0
        /// Bundles begun, counting replays.
        public var bundlesBegun = 0
        /// Bundles running at this moment.
        public var bundlesRunning = 0
        /// The most bundles that ran at one time.
        public var mostBundlesAtOnce = 0
        /// The row count of each bundle begun, in the order they began.
        public var bundleRows: [Int] = []
    }

    private let compute: Compute
    private let loseWorkerAt: Set<Int>
    private let bundleTime: Duration
    private let startTime: Duration
    private let state = Mutex(Record())

    /// An environment whose workers take `startTime` to start, answer each bundle with `compute(input)` after
    /// `bundleTime`, and are lost at the bundles numbered in `loseWorkerAt` (1 = the first begun).
    public init(bundleTime: Duration = .zero, startTime: Duration = .zero, loseWorkerAt: Set<Int> = [],
                compute: @escaping Compute) {
        self.compute = compute
        self.loseWorkerAt = loseWorkerAt
        self.bundleTime = bundleTime
        self.startTime = startTime
    }

    /// What happened so far.
    public var record: Record { state.withLock { $0 } }

    public func startWorker() async throws -> any PythonWorker {
        let number = state.withLock { record in
            record.workersStarted += 1
            return record.workersStarted
        }
        if startTime > .zero { try await Task.sleep(for: startTime) }
        return FakeWorker(id: "fake-\(number)", environment: self)
    }

    fileprivate func run(_ input: RecordBatch, on worker: FakeWorker) async throws -> BundleResult {
        let number = state.withLock { record in
            record.bundlesBegun += 1
            record.bundlesRunning += 1
            record.mostBundlesAtOnce = max(record.mostBundlesAtOnce, record.bundlesRunning)
            record.bundleRows.append(input.length)
            return record.bundlesBegun
        }
        defer { state.withLock { $0.bundlesRunning -= 1 } }
        if bundleTime > .zero { try await Task.sleep(for: bundleTime) }
        if loseWorkerAt.contains(number) {
            if worker.lose() { state.withLock { $0.workersLost += 1 } }
            throw PyFnError.workerLost("the fake worker was lost at bundle \(number)")
        }
        if worker.isLost { throw PyFnError.workerLost("the fake worker \(worker.id) was lost while running bundle \(number)") }
        return BundleResult(batches: try compute(input))
    }
}

/// A worker of a ``FakeWorkerEnvironment``: once lost or stopped its bundles fail as a dead process's would.
private final class FakeWorker: PythonWorker {
    let id: String
    private let environment: FakeWorkerEnvironment
    private let stopped = Atomic<Bool>(false)
    private let lost = Atomic<Bool>(false)

    /// Whether the worker has been lost.
    var isLost: Bool { lost.load(ordering: .relaxed) }

    /// Loses the worker; true when it was not lost before.
    func lose() -> Bool { !lost.exchange(true, ordering: .relaxed) }

    init(id: String, environment: FakeWorkerEnvironment) {
        self.id = id
        self.environment = environment
    }

    func register(_ descriptor: ProcessBundleDescriptor) async throws {}

    func processBundle(descriptorID: String, input: RecordBatch) async throws -> BundleResult {
        guard !stopped.load(ordering: .relaxed) else { throw PyFnError.workerLost("the fake worker \(id) has stopped") }
        guard !isLost else { throw PyFnError.workerLost("the fake worker \(id) was lost") }
        return try await environment.run(input, on: self)
    }

    func stop() async {
        stopped.store(true, ordering: .relaxed)
    }
}
