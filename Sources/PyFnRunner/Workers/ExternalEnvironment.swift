import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import PyFnProto
import Synchronization

/// External mode: workers come from a long-running worker pool (`python -m pyfn.worker pool --port N`, on this
/// host or another) that serves Beam's BeamFnExternalWorkerPool. Each worker is started with `StartWorker`, dials
/// this runner's ``FnAPIServer`` like a process-mode worker, and is stopped with `StopWorker`.
public struct ExternalEnvironment: WorkerEnvironment {
    /// The server the workers dial; its endpoint must be reachable from the pool's host.
    public let server: FnAPIServer
    /// The pool's host.
    public let poolHost: String
    /// The pool's port.
    public let poolPort: Int
    /// What the workers are told (``PythonOptions/executable`` is the pool's business here).
    public let options: PythonOptions
    private static let counter = Atomic<Int>(0)
    /// Pool calls fail fast rather than wait for an unreachable pool.
    private static let callOptions: CallOptions = {
        var options = CallOptions.defaults
        options.timeout = .seconds(10)
        options.waitForReady = false
        return options
    }()

    /// An environment that asks the pool at `pool` (`host:port`) for workers.
    public init(server: FnAPIServer, pool: String, options: PythonOptions = PythonOptions()) throws {
        guard let colon = pool.lastIndex(of: ":"), let port = Int(pool[pool.index(after: colon)...]) else {
            throw PyFnError.workerStartFailed("the worker pool address '\(pool)' is not host:port (python.worker-pool)")
        }
        self.server = server
        self.poolHost = String(pool[..<colon])
        self.poolPort = port
        self.options = options
    }

    /// Drops the descriptor and its aggregate state from the server's registry.
    public func forget(descriptorID: String) async {
        await server.registry.forget(descriptorID: descriptorID)
    }

    /// Asks the pool to start a worker and returns once it has dialed in.
    public func startWorker() async throws -> any PythonWorker {
        let workerID = "external-\(getpid())-\(Self.counter.add(1, ordering: .relaxed).newValue)"
        let connection = await server.registry.expect(workerID: workerID, options: options.pipelineOptions,
                                                              capabilities: options.workerCapabilities,
                                                              bundleTimeout: options.bundleTimeout)
        var request = StartWorkerRequest()
        request.workerID = workerID
        request.provisionEndpoint.url = server.endpoint
        request.controlEndpoint.url = server.endpoint
        request.loggingEndpoint.url = server.endpoint
        let failure: String
        do {
            failure = try await callPool { try await $0.startWorker(request, options: Self.callOptions).error }
        } catch {
            await server.registry.forget(workerID: workerID)
            throw PyFnError.workerStartFailed("the worker pool at \(poolHost):\(poolPort) did not answer: \(error)")
        }
        guard failure.isEmpty else {
            await server.registry.forget(workerID: workerID)
            throw PyFnError.workerStartFailed("the worker pool at \(poolHost):\(poolPort) refused: \(failure)")
        }
        let pool = self
        let worker = RemoteWorker(id: workerID, connection: connection, registry: server.registry,
                                  terminate: {
                                      var stop = StopWorkerRequest()
                                      stop.workerID = workerID
                                      _ = try? await pool.callPool { try await $0.stopWorker(stop, options: Self.callOptions) }
                                  },
                                  explainLoss: { nil })
        try await worker.awaitConnection(within: options.startTimeout, starting: "a worker of the pool at \(poolHost):\(poolPort)")
        return worker
    }

    /// Calls the pool over a short-lived plaintext connection.
    private func callPool<Result: Sendable>(
        _ body: (BeamFnExternalWorkerPool.Client<HTTP2ClientTransport.Posix>) async throws -> Result
    ) async throws -> Result {
        let transport = try HTTP2ClientTransport.Posix(target: .ipv4(address: poolHost, port: poolPort), transportSecurity: .plaintext)
        return try await withGRPCClient(transport: transport) { client in
            try await body(BeamFnExternalWorkerPool.Client(wrapping: client))
        }
    }
}
