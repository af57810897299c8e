// Calls to one worker pool (Beam's BeamFnExternalWorkerPool): StartWorker and StopWorker with the pool token in
// their metadata, over TLS when the runner's transport has TLS material, failing fast when the pool is away.
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import PyFnProto

/// One worker pool, `host:port`, and how to call it.
struct WorkerPoolClient: Sendable {
    /// The pool's IPv4 address or host name.
    let host: String
    /// The pool's port.
    let port: Int
    /// Where the token and the TLS settings come from.
    let transport: FnAPITransport

    /// Pool calls fail fast rather than wait for an unreachable pool.
    private static let callOptions: CallOptions = {
        var options = CallOptions.defaults
        options.timeout = .seconds(10)
        options.waitForReady = false
        return options
    }()

    /// `host:port`, as the user wrote it in python.worker-pool.
    var address: String { "\(host):\(port)" }

    /// The pools of a `python.worker-pool` value: `host:port` entries separated by commas.
    static func pools(_ list: String, transport: FnAPITransport) throws -> [WorkerPoolClient] {
        let entries = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !entries.isEmpty else {
            throw PyFnError.workerStartFailed("python.worker-pool names no pool; give host:port[,host:port…]")
        }
        return try entries.map { entry in
            guard let colon = entry.lastIndex(of: ":"), let port = Int(entry[entry.index(after: colon)...]),
                  (1...65535).contains(port), colon != entry.startIndex else {
                throw PyFnError.workerStartFailed("the worker pool address '\(entry)' is not host:port (python.worker-pool)")
            }
            return WorkerPoolClient(host: String(entry[..<colon]), port: port, transport: transport)
        }
    }

    /// Asks the pool to start worker `workerID` dialing `endpoint` with `secret`; returns the pool's refusal
    /// ("" when it started one). Throws when the pool cannot be reached or refuses the token.
    func startWorker(_ workerID: String, endpoint: String, secret: WorkerSecret) async throws -> String {
        var request = StartWorkerRequest()
        request.workerID = workerID
        request.provisionEndpoint.url = endpoint
        request.controlEndpoint.url = endpoint
        request.loggingEndpoint.url = endpoint
        request.params[WorkerPoolParams.secret] = secret.value
        request.params[WorkerPoolParams.tls] = String(transport.tls != nil)
        let metadata = try tokenMetadata()
        return try await call { try await $0.startWorker(request, metadata: metadata, options: Self.callOptions).error }
    }

    /// Asks the pool to stop worker `workerID`; errors are ignored (the worker also ends with its Control stream).
    func stopWorker(_ workerID: String) async {
        var request = StopWorkerRequest()
        request.workerID = workerID
        guard let metadata = try? tokenMetadata() else { return }
        _ = try? await call { try await $0.stopWorker(request, metadata: metadata, options: Self.callOptions) }
    }

    private func tokenMetadata() throws -> Metadata {
        guard let token = transport.poolToken else {
            throw PyFnError.workerStartFailed("worker pools require a token: put it in a file named by 'python.worker-pool.token-file', or in the environment variable \(FnAPITransport.poolTokenVariable)")
        }
        var metadata = Metadata()
        metadata.addString(token, forKey: FnAPITransport.poolTokenHeader)
        return metadata
    }

    private func call<Result: Sendable>(
        _ body: (BeamFnExternalWorkerPool.Client<HTTP2ClientTransport.Posix>) async throws -> Result
    ) async throws -> Result {
        // A host name is also checked against the pool's certificate; an IP address cannot be (see
        // FnAPITransport.poolClientSecurity).
        var address = in_addr()
        let target: any ResolvableTarget = inet_pton(AF_INET, host, &address) == 1
            ? ResolvableTargets.IPv4.ipv4(address: host, port: port) : ResolvableTargets.DNS.dns(host: host, port: port)
        let transport = try HTTP2ClientTransport.Posix(target: target, transportSecurity: self.transport.poolClientSecurity)
        return try await withGRPCClient(transport: transport) { client in
            try await body(BeamFnExternalWorkerPool.Client(wrapping: client))
        }
    }
}
