// The one place that says how the runner's gRPC traffic is reached and secured: where the Fn API server listens,
// the address workers are told, TLS material, and the worker pools' token. The server, the process and external
// environments all read it from here; nothing else decides plaintext or TLS.
import Foundation
import GRPCNIOTransportHTTP2Posix

/// PEM files for TLS.
public struct TLSFiles: Sendable, Equatable {
    /// This side's certificate chain (the Fn API server's; also offered to pools that ask for a client certificate).
    public var certificate: String
    /// The private key of ``certificate``.
    public var privateKey: String
    /// The CA that vouches for the peers this side dials (worker pools) and that workers use to check this
    /// runner; nil means the system's roots for pools and ``certificate`` itself for the runner's own workers.
    public var trustRoots: String?
    /// When set, every client of the Fn API server must present a certificate signed by this CA (mutual TLS).
    public var clientCA: String?

    /// TLS material from PEM files.
    public init(certificate: String, privateKey: String, trustRoots: String? = nil, clientCA: String? = nil) {
        self.certificate = certificate
        self.privateKey = privateKey
        self.trustRoots = trustRoots
        self.clientCA = clientCA
    }
}

/// How the runner's Fn API server listens and how its gRPC traffic is secured (the settings `python.fn-api.*` and
/// `python.worker-pool.token-file`).
public struct FnAPITransport: Sendable {
    /// The IPv4 address the server listens on (`python.fn-api.host`); loopback unless told otherwise.
    public var host = "127.0.0.1"
    /// The port (`python.fn-api.port`); 0 picks a free one.
    public var port = 0
    /// The address workers are told to dial (`python.fn-api.advertised-host`); nil means ``host``.
    public var advertisedHost: String?
    /// TLS for the Fn API server and for calls to worker pools; nil is plaintext (fine on loopback only).
    public var tls: TLSFiles?
    /// The token worker pools require on StartWorker/StopWorker; nil when no pool is used.
    public var poolToken: String?

    /// The header that carries ``poolToken`` to a worker pool.
    public static let poolTokenHeader = "pyfn-pool-token"
    /// The environment variable the pool token is read from when `python.worker-pool.token-file` is not set.
    public static let poolTokenVariable = "PYFN_POOL_TOKEN"

    /// Plaintext on 127.0.0.1, a free port, no pool token.
    public init() {}

    /// The transport `settings` describe: `python.fn-api.host`, `python.fn-api.port`, `python.fn-api.advertised-host`,
    /// `python.fn-api.tls.cert`, `.key`, `.ca`, `.client-ca`, and the pool token from the file
    /// `python.worker-pool.token-file` or else the environment variable `PYFN_POOL_TOKEN`. Throws naming the
    /// setting that is wrong; a secret's value never appears in a message.
    public init(settings: [String: String], environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        func value(_ key: String) -> String? {
            settings[key].map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
        }
        if let host = value("python.fn-api.host") { self.host = host }
        if let port = value("python.fn-api.port") {
            guard let number = Int(port), (0...65535).contains(number) else {
                throw PyFnError.invalidDescriptor("'python.fn-api.port' must be a port number, not '\(port)'")
            }
            self.port = number
        }
        advertisedHost = value("python.fn-api.advertised-host")
        let certificate = value("python.fn-api.tls.cert"), key = value("python.fn-api.tls.key")
        switch (certificate, key) {
        case let (certificate?, key?):
            tls = TLSFiles(certificate: certificate, privateKey: key, trustRoots: value("python.fn-api.tls.ca"),
                           clientCA: value("python.fn-api.tls.client-ca"))
            for (setting, path) in [("python.fn-api.tls.cert", certificate), ("python.fn-api.tls.key", key),
                                    ("python.fn-api.tls.ca", tls?.trustRoots), ("python.fn-api.tls.client-ca", tls?.clientCA)] {
                guard let path else { continue }
                guard FileManager.default.isReadableFile(atPath: path) else {
                    throw PyFnError.invalidDescriptor("'\(setting)' names '\(path)', which does not exist or cannot be read")
                }
            }
        case (nil, nil):
            if value("python.fn-api.tls.client-ca") != nil || value("python.fn-api.tls.ca") != nil {
                throw PyFnError.invalidDescriptor("'python.fn-api.tls.ca' and 'python.fn-api.tls.client-ca' need 'python.fn-api.tls.cert' and 'python.fn-api.tls.key'")
            }
        default:
            throw PyFnError.invalidDescriptor("'python.fn-api.tls.cert' and 'python.fn-api.tls.key' go together: set both or neither")
        }
        if let file = value("python.worker-pool.token-file") {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw PyFnError.invalidDescriptor("'python.worker-pool.token-file' names '\(file)', which does not exist or cannot be read")
            }
            let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard !token.isEmpty else { throw PyFnError.invalidDescriptor("the pool token file '\(file)' (python.worker-pool.token-file) is empty") }
            poolToken = token
        } else if let token = environment[Self.poolTokenVariable]?.trimmingCharacters(in: .whitespacesAndNewlines), !token.isEmpty {
            poolToken = token
        }
    }

    /// The host workers dial: ``advertisedHost``, else ``host`` unless that is the wildcard address.
    func workerHost() throws -> String {
        if let advertisedHost { return advertisedHost }
        guard host != "0.0.0.0" else {
            throw PyFnError.invalidDescriptor("the Fn API server listens on every address (python.fn-api.host = 0.0.0.0): set 'python.fn-api.advertised-host' to the address workers should dial")
        }
        return host
    }

    /// The server side's security: TLS with the given certificate (and client certificates checked against
    /// ``TLSFiles/clientCA`` when set), or plaintext.
    var serverSecurity: HTTP2ServerTransport.Posix.TransportSecurity {
        guard let tls else { return .plaintext }
        let chain: [TLSConfig.CertificateSource] = [.file(path: tls.certificate, format: .pem)]
        let key = TLSConfig.PrivateKeySource.file(path: tls.privateKey, format: .pem)
        guard let clientCA = tls.clientCA else { return .tls(.defaults(certificateChain: chain, privateKey: key)) }
        return .tls(.mTLS(certificateChain: chain, privateKey: key) {
            $0.trustRoots = .certificates([.file(path: clientCA, format: .pem)])
        })
    }

    /// The security of calls to a worker pool: with TLS configured, TLS checked against ``TLSFiles/trustRoots``
    /// (the system's roots when nil), offering this runner's certificate for pools that want a client
    /// certificate. Pools are dialled by IP address, which cannot be a TLS server name, so the pool's
    /// certificate is checked to chain to the trust roots (its name is not compared).
    var poolClientSecurity: HTTP2ClientTransport.Posix.TransportSecurity {
        guard let tls else { return .plaintext }
        return .tls(.mTLS(certificateChain: [.file(path: tls.certificate, format: .pem)],
                          privateKey: .file(path: tls.privateKey, format: .pem)) {
            if let roots = tls.trustRoots { $0.trustRoots = .certificates([.file(path: roots, format: .pem)]) }
        })
    }

    /// The environment variables that tell a worker this runner's process starts how to reach it securely:
    /// `PYFN_FN_API_TLS=1` and the CA file (`PYFN_TLS_CA`), plus this runner's certificate and key as the
    /// worker's client certificate when the server asks for one. Empty for plaintext.
    var workerTLSEnvironment: [String: String] {
        guard let tls else { return [:] }
        var environment = [WorkerTLSVariables.enabled: "1", WorkerTLSVariables.trustRoots: tls.trustRoots ?? tls.certificate]
        if tls.clientCA != nil {
            environment[WorkerTLSVariables.certificate] = tls.certificate
            environment[WorkerTLSVariables.privateKey] = tls.privateKey
        }
        return environment
    }
}

/// The environment variables `pyfn.worker.transport` reads (see worker/pyfn/worker/transport.py).
enum WorkerTLSVariables {
    /// "1" when the Fn API server speaks TLS.
    static let enabled = "PYFN_FN_API_TLS"
    /// The CA file that vouches for the runner.
    static let trustRoots = "PYFN_TLS_CA"
    /// The worker's client certificate (mutual TLS).
    static let certificate = "PYFN_TLS_CERT"
    /// The key of the worker's client certificate.
    static let privateKey = "PYFN_TLS_KEY"
    /// The worker's secret, which it sends on every call.
    static let secret = "PYFN_WORKER_SECRET"
}

/// The StartWorkerRequest `params` keys a PyFn pool reads.
enum WorkerPoolParams {
    /// The worker's secret (the pool hands it to the harness in its environment, never on its command line).
    static let secret = "pyfn.worker-secret"
    /// "true" when the runner's Fn API server speaks TLS (the pool's harnesses then check it with the pool's
    /// `--tls-ca` and offer the pool's `--tls-cert` as their client certificate).
    static let tls = "pyfn.fn-api.tls"
}
