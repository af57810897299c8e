import Foundation
import PyFnArrow
import PyFnProto

/// Keeps a worker running for an operator: starts it on first use, registers the operator's descriptors with it,
/// and when it is lost starts a new one and replays the bundles that were in flight, so no rows are lost.
public actor WorkerSupervisor {
    /// Where workers come from.
    public nonisolated let environment: any WorkerEnvironment
    /// How many times a lost worker is replaced before bundles fail (`python.worker.max-restarts`).
    public nonisolated let maxRestarts: Int
    /// The functions the workers run, as the final error names them (e.g. "scalar_udfs.inverse").
    public nonisolated let functions: String
    /// How many times a worker has been replaced so far.
    public private(set) var restarts = 0

    private var worker: (any PythonWorker)?
    private var starting: Task<(any PythonWorker, Int), any Error>?
    private var generation = 0
    private var descriptors: [ProcessBundleDescriptor] = []
    private var lastLoss = ""
    /// Set by ``stop()``: no worker is started or replaced after it.
    private var stopped = false
    /// Why the supervisor gave up (the restart budget is spent): bundles still in flight fail with it rather
    /// than start another worker.
    private var gaveUp: String?
    private let onWorkerStart: (@Sendable (_ restart: Bool) -> Void)?

    /// A supervisor for workers from `environment` that run `functions`; `onWorkerStart` hears of every worker
    /// started (`restart` when it replaces a lost one).
    public init(environment: any WorkerEnvironment, maxRestarts: Int = 3, functions: String = "",
                onWorkerStart: (@Sendable (_ restart: Bool) -> Void)? = nil) {
        self.environment = environment
        self.maxRestarts = maxRestarts
        self.functions = functions
        self.onWorkerStart = onWorkerStart
    }

    /// Registers a descriptor with the current worker and every later one.
    public func register(_ descriptor: ProcessBundleDescriptor) async throws {
        descriptors.append(descriptor)
        if let worker { try await worker.register(descriptor) }
    }

    /// Starts the worker now rather than on the first bundle, so start-up errors surface early.
    public func start() async throws {
        _ = try await currentWorker()
    }

    /// Runs a bundle, replaying it on a new worker if the worker is lost (it crashed, hung, or sent a broken
    /// output stream), up to ``maxRestarts`` times in all.
    /// `onProgress` gets the bundle's metrics so far while it runs long (see ``PythonWorker``).
    public nonisolated func processBundle(descriptorID: String, input: RecordBatch,
                                          onProgress: (@Sendable ([MonitoringInfo]) -> Void)? = nil) async throws -> BundleResult {
        var memoryKills = 0
        while true {
            let (worker, generation) = try await currentWorker()
            do {
                if let onProgress {
                    return try await worker.processBundle(descriptorID: descriptorID, input: input, onProgress: onProgress)
                }
                return try await worker.processBundle(descriptorID: descriptorID, input: input)
            } catch PyFnError.workerLost(let reason) {
                try await replace(generation: generation, reason: reason)
                // A bundle that passes the memory limit is replayed once on a fresh worker; twice fails the job.
                if WorkerMemoryLimit.isMemoryLoss(reason) {
                    memoryKills += 1
                    if memoryKills > 1 {
                        let running = functions.isEmpty ? "" : "while running \(functions): "
                        throw PyFnError.workerLost("\(running)\(reason) (again after a replay on a fresh worker)")
                    }
                }
            }
        }
    }

    /// The current worker's profile statistics (see ``PythonWorker/profiles()``), with its id; none without one.
    public func profiles() async -> (worker: String, data: [String: Data])? {
        guard let worker else { return nil }
        return (worker.id, await worker.profiles())
    }

    /// Stops the current worker; bundles that come later fail instead of starting another.
    public func stop() async {
        stopped = true
        starting?.cancel()
        if let worker { await worker.stop() }
        worker = nil
    }

    /// The worker to run a bundle on, with the generation it belongs to (what ``replace(generation:reason:)`` is
    /// told if it is lost). A bundle that waits for a worker being started gets the pair the start installed, not
    /// the generation current when the bundle resumes: that worker may have been lost and replaced meanwhile, and
    /// a newer generation would make its loss retire the healthy replacement and count a restart twice.
    private func currentWorker() async throws -> (any PythonWorker, Int) {
        if let worker { return (worker, generation) }
        if let gaveUp { throw PyFnError.workerLost(gaveUp) }
        if stopped { throw PyFnError.workerLost("the operator has stopped its worker") }
        if let starting { return try await starting.value }
        let task = Task { try await self.startAndInstall() }
        starting = task
        return try await task.value
    }

    /// Starts a worker and makes it the current one, returning it with its generation. Everything after the start's
    /// last await runs without a suspension point, so no bundle sees the worker before it is installed.
    private func startAndInstall() async throws -> (any PythonWorker, Int) {
        defer { starting = nil }
        let started = try await startRestartingEarlyDeaths()
        if stopped {
            // stop() came while the worker started: it is nobody's.
            await started.stop()
            throw PyFnError.workerLost("the operator has stopped its worker")
        }
        worker = started
        onWorkerStart?(generation > 0)
        return (started, generation)
    }

    /// Starts a worker with the registered descriptors. One that dies while starting (killed before or during its
    /// handshake) is replaced like one lost later, from the same ``maxRestarts`` budget; one that cannot start at
    /// all (no interpreter, no connection within the start timeout) fails at once.
    private func startRestartingEarlyDeaths() async throws -> any PythonWorker {
        while true {
            let worker: any PythonWorker
            do {
                worker = try await environment.startWorker()
            } catch PyFnError.workerLost(let reason) {
                try await replace(generation: generation, reason: reason)
                continue
            }
            do {
                // By index: a descriptor registered while this worker starts is appended meanwhile, and must
                // reach it too (the worker is not current yet, so register(_:) does not send it).
                var registered = 0
                while registered < descriptors.count {
                    try await worker.register(descriptors[registered])
                    registered += 1
                }
            } catch {
                // A worker that cannot take the descriptors is nobody's: stop it rather than leave it running.
                await worker.stop()
                throw error
            }
            return worker
        }
    }

    /// Retires the worker of `generation` (once, however many bundles saw it go) and allows a new one, unless
    /// the restart budget is spent.
    private func replace(generation lost: Int, reason: String) async throws {
        if stopped { throw PyFnError.workerLost(reason) }
        if lost == generation {
            let old = worker
            worker = nil
            generation += 1
            restarts += 1
            lastLoss = reason
            if restarts > maxRestarts && gaveUp == nil {
                // Before the await below: a bundle that comes meanwhile must not start another worker.
                let running = functions.isEmpty ? "" : "while running \(functions): "
                gaveUp = "\(running)\(lastLoss) (gave up after \(maxRestarts) restarts)"
            }
            if let old { await old.stop() }
        }
        if restarts > maxRestarts, let gaveUp { throw PyFnError.workerLost(gaveUp) }
    }
}
