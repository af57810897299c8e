import Foundation
import GRPCCore
import PyFnProto
import Synchronization

/// External mode: workers come from long-running worker pools (`python -m pyfn.worker pool`, on this host or
/// others) that serve Beam's BeamFnExternalWorkerPool. Each worker is started with `StartWorker` (carrying the
/// pool token, and the worker's secret in its params), dials this runner's ``FnAPIServer`` like a process-mode
/// worker, and is stopped with `StopWorker`. Workers are spread over the pools in turn; a pool that cannot start
/// one is passed over for the next, so the replacement of a worker lost with its pool runs on a live one.
public struct ExternalEnvironment: WorkerEnvironment {
    /// The server the workers dial; its endpoint must be reachable from the pools' hosts.
    public let server: FnAPIServer
    /// The pools' addresses (`host:port`), in the order workers are spread over them.
    public var pools: [String] { clients.map(\.address) }
    /// What the workers are told (``PythonOptions/executable`` is the pool's business here).
    public let options: PythonOptions
    private let clients: [WorkerPoolClient]
    private let turn = PoolTurn()
    private static let counter = Atomic<Int>(0)
    /// How long a pool that failed to start a worker is tried only after the others.
    static let failedPoolBackoff: Duration = .seconds(30)

    /// An environment that asks the pools at `pool` (`host:port`, or several separated by commas) for workers.
    /// Throws when an address is not host:port, or when there is no pool token (see ``FnAPITransport``).
    public init(server: FnAPIServer, pool: String, options: PythonOptions = PythonOptions()) throws {
        self.server = server
        self.clients = try WorkerPoolClient.pools(pool, transport: server.transport)
        self.options = options
        guard server.transport.poolToken != nil else {
            throw PyFnError.workerStartFailed("worker pools require a token: put it in a file named by 'python.worker-pool.token-file', or in the environment variable \(FnAPITransport.poolTokenVariable)")
        }
    }

    /// Drops the descriptor and its aggregate state from the server's registry.
    public func forget(descriptorID: String) async {
        await server.registry.forget(descriptorID: descriptorID)
    }

    /// Asks the next pool for a worker, passing over pools that cannot start one, and returns once it has dialed
    /// in; throws with every pool's failure when none could.
    public func startWorker() async throws -> any PythonWorker {
        var failures: [String] = []
        for index in turn.order(count: clients.count) {
            do {
                let worker = try await startWorker(on: clients[index])
                turn.succeeded(index)
                return worker
            } catch PyFnError.workerStartFailed(let reason) {
                turn.failed(index, backoff: Self.failedPoolBackoff)
                failures.append(reason)
            }
        }
        throw PyFnError.workerStartFailed(failures.joined(separator: "; "))
    }

    private func startWorker(on pool: WorkerPoolClient) async throws -> any PythonWorker {
        let workerID = "external-\(getpid())-\(Self.counter.add(1, ordering: .relaxed).newValue)"
        let (connection, secret) = await server.registry.expect(workerID: workerID, options: options.pipelineOptions,
                                                                capabilities: options.workerCapabilities,
                                                                bundleTimeout: options.bundleTimeout)
        let failure: String
        do {
            failure = try await pool.startWorker(workerID, endpoint: server.endpoint, secret: secret)
        } catch let error as RPCError where error.code == .unauthenticated {
            await server.registry.forget(workerID: workerID)
            throw PyFnError.workerStartFailed("the worker pool at \(pool.address) refused this runner's token (python.worker-pool.token-file or \(FnAPITransport.poolTokenVariable)): \(error.message)")
        } catch {
            await server.registry.forget(workerID: workerID)
            let hint = server.transport.tls == nil
                ? "; a pool serving TLS needs python.fn-api.tls.* here" : "; check that the pool serves TLS with a certificate python.fn-api.tls.ca vouches for"
            throw PyFnError.workerStartFailed("the worker pool at \(pool.address) did not answer: \(error)\(hint)")
        }
        guard failure.isEmpty else {
            await server.registry.forget(workerID: workerID)
            throw PyFnError.workerStartFailed("the worker pool at \(pool.address) refused: \(failure)")
        }
        let worker = RemoteWorker(id: workerID, connection: connection, registry: server.registry,
                                  terminate: { await pool.stopWorker(workerID) },
                                  explainLoss: { nil })
        try await worker.awaitConnection(within: options.startTimeout, starting: "a worker of the pool at \(pool.address)")
        return worker
    }
}

/// Whose turn it is among an environment's pools: round robin, with pools that failed recently moved to the end.
final class PoolTurn: Sendable {
    private struct Turns {
        var next = 0
        var failedUntil: [Int: ContinuousClock.Instant] = [:]
    }
    private let turns = Mutex(Turns())

    /// The pools to try for the next worker, in order: the next in turn first, recently failed ones last.
    func order(count: Int) -> [Int] {
        turns.withLock { turns in
            let start = turns.next
            turns.next = (turns.next + 1) % max(count, 1)
            let now = ContinuousClock.now
            let rotation = (0..<count).map { (start + $0) % count }
            let healthy = rotation.filter { (turns.failedUntil[$0] ?? now) <= now }
            return healthy + rotation.filter { !healthy.contains($0) }
        }
    }

    /// Pool `index` started a worker.
    func succeeded(_ index: Int) {
        _ = turns.withLock { $0.failedUntil.removeValue(forKey: index) }
    }

    /// Pool `index` could not start a worker: try it after the others for `backoff`.
    func failed(_ index: Int, backoff: Duration) {
        turns.withLock { $0.failedUntil[index] = ContinuousClock.now + backoff }
    }
}
