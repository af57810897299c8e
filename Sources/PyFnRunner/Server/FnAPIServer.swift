import GRPCCore
import GRPCNIOTransportHTTP2Posix
import Logging
import PyFnProto

/// The runner's gRPC server: Control, Data, State, Logging and Provision on one port, for every worker of a job.
///
/// Calls must carry the `worker_id` header of a worker announced to ``registry`` and that worker's secret; others
/// are refused. How it listens and whether it speaks TLS is its ``transport``'s to say.
public final class FnAPIServer: Sendable {
    /// The workers and descriptors this server knows.
    public let registry: WorkerRegistry
    /// host:port the workers dial (the advertised host and the bound port).
    public let endpoint: String
    /// How it listens and secures its traffic; the worker environments take TLS and the pool token from here.
    public let transport: FnAPITransport
    private let server: GRPCServer<HTTP2ServerTransport.Posix>
    private let serving: Task<Void, any Error>

    private init(registry: WorkerRegistry, endpoint: String, transport: FnAPITransport,
                 server: GRPCServer<HTTP2ServerTransport.Posix>, serving: Task<Void, any Error>) {
        self.registry = registry
        self.endpoint = endpoint
        self.transport = transport
        self.server = server
        self.serving = serving
    }

    /// Starts serving plaintext on `host` at `port` (0 picks a free one) and returns once the port is bound.
    /// Python log records are written to `logger`.
    public static func start(host: String = "127.0.0.1", port: Int = 0, logger: Logger = Logger(label: "pyfn.worker")) async throws -> FnAPIServer {
        var transport = FnAPITransport()
        transport.host = host
        transport.port = port
        return try await start(transport: transport, logger: logger)
    }

    /// Starts serving as `settings` says (address, TLS) and returns once the port is bound.
    /// Python log records are written to `logger`.
    public static func start(transport settings: FnAPITransport, logger: Logger = Logger(label: "pyfn.worker")) async throws -> FnAPIServer {
        let registry = WorkerRegistry()
        let advertisedHost = try settings.workerHost()
        let host = settings.host
        let transport = HTTP2ServerTransport.Posix(
            address: .ipv4(host: host, port: settings.port),
            transportSecurity: settings.serverSecurity,
            config: .defaults {
                $0.rpc.maxRequestPayloadSize = 64 * 1024 * 1024
                // Bundles are megabytes: a 64 KiB window and 16 KiB frames would make the worker wait for window
                // updates many times per bundle on its way back.
                $0.http2.targetWindowSize = 16 * 1024 * 1024
                $0.http2.maxFrameSize = 1024 * 1024
                // Coalescing holds each flush up to 100 us in case more writes come: a one-row bundle's instruction
                // would wait that long on every round trip. Bundles are big writes of their own anyway.
                $0.connection.flushCoalescing = nil
            }
        )
        let services: [any RegistrableRPCService] = [
            ControlService(registry: registry),
            DataService(registry: registry),
            StateService(registry: registry),
            LoggingService(logger: logger),
            ProvisioningService(registry: registry),
        ]
        let server = GRPCServer(transport: transport, services: services, interceptors: [WorkerIdentityInterceptor(registry: registry)])
        let serving = Task { try await server.serve() }
        let boundPort: Int?
        do {
            boundPort = try await transport.listeningAddress.ipv4?.port
        } catch {
            server.beginGracefulShutdown()
            throw PyFnError.workerStartFailed("the Fn API server cannot listen on \(host):\(settings.port) (python.fn-api.host, python.fn-api.port\(settings.tls == nil ? "" : ", python.fn-api.tls.*")): \(error)")
        }
        guard let boundPort else {
            server.beginGracefulShutdown()
            throw PyFnError.workerStartFailed("the Fn API server did not bind an IPv4 address on \(host)")
        }
        if settings.tls == nil && !(host.hasPrefix("127.") || host == "localhost") {
            logger.warning("the Fn API server listens on \(host) WITHOUT TLS: workers' secrets, functions and rows cross the network in clear text; set python.fn-api.tls.cert and python.fn-api.tls.key")
        }
        let endpoint = "\(advertisedHost):\(boundPort)"
        await registry.setEndpoint(endpoint)
        return FnAPIServer(registry: registry, endpoint: endpoint, transport: settings, server: server, serving: serving)
    }

    /// Stops accepting calls, lets running ones finish, and returns when the server has stopped.
    public func shutdown() async {
        server.beginGracefulShutdown()
        _ = await serving.result
    }
}
