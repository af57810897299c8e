import Foundation
import PyFnArrow
import PyFnRunner
import PyFnTestSupport
import Testing

/// TLS on the runner's Fn API server (swift-nio-ssl) and its workers' channels (grpcio), with and without client
/// certificates, with certificates from scripts/make-test-certs.sh; and the settings that choose it.
@Suite(.serialized) struct TransportSecurityTests {
    static let certificates = Result { try TestCertificates(["runner", "worker"]) }

    /// A TLS transport with the runner's certificate; `mutual` asks clients for a certificate from the test CA.
    static func tls(mutual: Bool) throws -> FnAPITransport {
        let certs = try certificates.get()
        var transport = FnAPITransport()
        transport.tls = TLSFiles(certificate: certs.certificate("runner"), privateKey: certs.key("runner"),
                                 trustRoots: certs.ca, clientCA: mutual ? certs.ca : nil)
        return transport
    }

    @Test(arguments: [false, true]) func processWorkersRunBundlesOverTLS(mutual: Bool) async throws {
        let server = try await FnAPIServer.start(transport: try Self.tls(mutual: mutual))
        let python = Harness.pythonOptions()
        let input = try Harness.bigints([("a", [1, 2, 3]), ("b", [10, 20, 30])])
        let op = try ScalarFunctionOperator(calls: [FunctionCall(Harness.udf("add", returns: .bigint), [.column(0), .column(1)])],
                                            inputSchema: input.schema, forwardedColumns: [],
                                            environment: ProcessEnvironment(server: server, options: python), python: python)
        do {
            try await op.open()
            var output = try await op.process(input)
            output += try await op.finish()
            await op.close()
            await server.shutdown()
            #expect(try RecordBatch.concatenate(output).column(0) == [.int(11), .int(22), .int(33)])
        } catch {
            await op.close()
            await server.shutdown()
            throw error
        }
    }

    @Test func aPlaintextClientCannotCallATLSServer() async throws {
        let server = try await FnAPIServer.start(transport: try Self.tls(mutual: false))
        let (_, secret) = await server.registry.expect(workerID: "w-1", options: [:])
        let plaintext = try WorkerSecretTests.probe(server.endpoint, id: "w-1", secret: secret.value)
        let tls = try WorkerSecretTests.probe(server.endpoint, id: "w-1", secret: secret.value,
                                              environment: ["PYFN_FN_API_TLS": "1", "PYFN_TLS_CA": try Self.certificates.get().ca])
        await server.shutdown()
        #expect(plaintext.calls["provision"]?.hasPrefix("UNAVAILABLE") == true, "\(plaintext.output)")
        #expect(tls.calls["provision"] == "OK", "\(tls.output)")
    }

    @Test func aClientWithoutACertificateCannotCallAMutualTLSServer() async throws {
        let certs = try Self.certificates.get()
        let server = try await FnAPIServer.start(transport: try Self.tls(mutual: true))
        let (_, secret) = await server.registry.expect(workerID: "w-1", options: [:])
        let withoutCertificate = try WorkerSecretTests.probe(server.endpoint, id: "w-1", secret: secret.value,
                                                             environment: ["PYFN_FN_API_TLS": "1", "PYFN_TLS_CA": certs.ca])
        let withCertificate = try WorkerSecretTests.probe(server.endpoint, id: "w-1", secret: secret.value, environment: [
            "PYFN_FN_API_TLS": "1", "PYFN_TLS_CA": certs.ca, "PYFN_TLS_CERT": certs.certificate("worker"),
            "PYFN_TLS_KEY": certs.key("worker"),
        ])
        await server.shutdown()
        #expect(withoutCertificate.calls["provision"]?.hasPrefix("UNAVAILABLE") == true, "\(withoutCertificate.output)")
        #expect(withCertificate.calls["provision"] == "OK", "\(withCertificate.output)")
    }

    @Test func settingsNameWhatIsWrong() throws {
        let certs = try Self.certificates.get()
        func message(_ settings: [String: String], _ environment: [String: String] = [:]) -> String {
            do { _ = try FnAPITransport(settings: settings, environment: environment); return "" } catch { return "\(error)" }
        }
        #expect(message(["python.fn-api.tls.cert": certs.certificate("runner")]).contains("'python.fn-api.tls.cert' and 'python.fn-api.tls.key' go together"))
        #expect(message(["python.fn-api.tls.cert": "/nope.pem", "python.fn-api.tls.key": certs.key("runner")])
            .contains("'python.fn-api.tls.cert' names '/nope.pem'"))
        #expect(message(["python.fn-api.port": "http"]).contains("'python.fn-api.port' must be a port number"))
        #expect(message(["python.worker-pool.token-file": "/no/such/token"]).contains("'python.worker-pool.token-file' names '/no/such/token'"))
        let transport = try FnAPITransport(settings: ["python.fn-api.host": "0.0.0.0", "python.fn-api.advertised-host": "10.77.0.1"],
                                           environment: ["PYFN_POOL_TOKEN": "t0ken"])
        #expect(transport.host == "0.0.0.0" && transport.advertisedHost == "10.77.0.1" && transport.poolToken == "t0ken")
        #expect(transport.tls == nil)
    }

    @Test func aServerOnEveryAddressNeedsAnAdvertisedHost() async throws {
        var transport = FnAPITransport()
        transport.host = "0.0.0.0"
        var message = ""
        do { _ = try await FnAPIServer.start(transport: transport) } catch { message = "\(error)" }
        #expect(message.contains("python.fn-api.advertised-host"), "\(message)")
        transport.advertisedHost = "127.0.0.1"
        let server = try await FnAPIServer.start(transport: transport)
        #expect(server.endpoint.hasPrefix("127.0.0.1:"))
        await server.shutdown()
    }
}
