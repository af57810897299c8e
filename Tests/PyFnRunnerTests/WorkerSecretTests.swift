import Foundation
import Logging
import PyFnArrow
import PyFnProto
import PyFnRunner
import PyFnTestSupport
import Testing

/// Issue 16: worker ids are guessable (they show in `ps`), so every Fn API call must carry the worker's secret;
/// a caller without it gets nothing (provision info, descriptors), writes nothing into the runner's log, and
/// cannot disturb a running job. The stranger is a real Python process (probe_fn_api.py) calling over gRPC.
@Suite(.serialized) struct WorkerSecretTests {
    /// What probe_fn_api.py saw per call ("provision", "descriptor", "logging", "data"): "OK" or the status name
    /// and details.
    static func probe(_ endpoint: String, id: String, secret: String, descriptor: String = "none",
                      environment: [String: String] = [:]) throws -> (calls: [String: String], output: String) {
        let outcome = try TestPython.run("Tests/PyFnRunnerTests/python/probe_fn_api.py", [endpoint, id, secret, descriptor],
                                         environment: environment)
        var calls: [String: String] = [:]
        for line in outcome.output.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
            if parts.count == 2, ["provision", "descriptor", "logging", "data"].contains(parts[0]) { calls[parts[0]] = parts[1] }
        }
        return (calls, outcome.output)
    }

    @Test func aGuessedOrAnotherWorkersIDGetsNeitherProvisionNorDescriptors() async throws {
        let server = try await FnAPIServer.start()
        let (_, victimSecret) = await server.registry.expect(workerID: "worker-77-1", options: ["python.files": "/the/victims/code"])
        var descriptor = ProcessBundleDescriptor()
        descriptor.id = "victims-functions"
        await server.registry.register(descriptor, for: "worker-77-1")
        let (_, otherSecret) = await server.registry.expect(workerID: "worker-77-2", options: [:])
        defer { Task { await server.shutdown() } }

        let noID = try Self.probe(server.endpoint, id: "", secret: "", descriptor: "victims-functions")
        let noSecret = try Self.probe(server.endpoint, id: "worker-77-1", secret: "", descriptor: "victims-functions")
        let wrongSecret = try Self.probe(server.endpoint, id: "worker-77-1", secret: otherSecret.value, descriptor: "victims-functions")
        let guessed = try Self.probe(server.endpoint, id: "worker-77-3", secret: otherSecret.value, descriptor: "victims-functions")
        for call in ["provision", "descriptor", "logging", "data"] {
            #expect(noID.calls[call]?.hasPrefix("UNAUTHENTICATED") == true, "\(call): \(noID.output)")
            #expect(noSecret.calls[call]?.hasPrefix("UNAUTHENTICATED") == true, "\(call): \(noSecret.output)")
            #expect(wrongSecret.calls[call]?.hasPrefix("PERMISSION_DENIED") == true, "\(call): \(wrongSecret.output)")
            #expect(guessed.calls[call]?.hasPrefix("PERMISSION_DENIED") == true, "\(call): \(guessed.output)")
        }
        #expect(!wrongSecret.output.contains(otherSecret.value), "a refusal must not echo a secret")
        #expect(!wrongSecret.output.contains("/the/victims/code"))

        // Another real worker, with its own secret, is provisioned but cannot fetch the victim's descriptor.
        let other = try Self.probe(server.endpoint, id: "worker-77-2", secret: otherSecret.value, descriptor: "victims-functions")
        #expect(other.calls["provision"] == "OK", "\(other.output)")
        #expect(other.calls["descriptor"]?.hasPrefix("NOT_FOUND") == true, "\(other.output)")
        // The victim itself gets both: the refusals above are the secret's doing.
        let victim = try Self.probe(server.endpoint, id: "worker-77-1", secret: victimSecret.value, descriptor: "victims-functions")
        #expect(victim.calls["provision"] == "OK", "\(victim.output)")
        #expect(victim.calls["descriptor"] == "OK", "\(victim.output)")
    }

    @Test func aStrangerWithARunningWorkersIDCannotWriteItsLogOrDisturbItsJob() async throws {
        let records = LogRecords()
        let logger = Logger(label: "pyfn.worker") { _ in CapturingLogHandler(records: records) }
        let server = try await FnAPIServer.start(logger: logger)
        let python = Harness.pythonOptions()
        var bundle = BundleOptions()
        bundle.bundleSize = 100
        let op = try ScalarFunctionOperator(calls: [FunctionCall(Harness.udf("add", returns: .bigint), [.column(0), .column(1)])],
                                            inputSchema: try Harness.bigints([("a", []), ("b", [])]).schema, forwardedColumns: [],
                                            environment: ProcessEnvironment(server: server, options: python, logger: logger),
                                            bundle: bundle, python: python)
        try await op.open()
        let values = (0..<1000).map { Int64($0) }
        var output = try await op.process(try Harness.bigints([("a", values), ("b", values)]))

        let worker = try #require(Harness.workerPIDs(of: server).first)
        let workerID = try #require(worker.commandLine.split(separator: " ").first { $0.hasPrefix("--id=") }).dropFirst(5)
        let environment = try String(contentsOfFile: "/proc/\(worker.pid)/environ", encoding: .utf8).split(separator: "\0")
        let secret = try #require(environment.first { $0.hasPrefix("PYFN_WORKER_SECRET=") }).dropFirst("PYFN_WORKER_SECRET=".count)
        #expect(secret.count == 64 && secret.allSatisfy(\.isHexDigit), "256 random bits, in hex")
        #expect(!worker.commandLine.contains(secret), "the secret is not on the command line")

        let guess = String(repeating: "0", count: 64)
        let stranger = try Self.probe(server.endpoint, id: String(workerID), secret: guess)
        #expect(stranger.calls["logging"]?.hasPrefix("PERMISSION_DENIED") == true, "\(stranger.output)")
        #expect(stranger.calls["data"]?.hasPrefix("PERMISSION_DENIED") == true, "\(stranger.output)")
        output += try await op.process(try Harness.bigints([("a", values), ("b", values)]))
        output += try await op.finish()
        await op.close()
        await server.shutdown()
        #expect(try RecordBatch.concatenate(output).column(0) == (values + values).map { .int($0 * 2) })
        #expect(!records.all.contains { $0.message.contains("IMPOSTOR") }, "\(records.all.filter { $0.message.contains("IMPOSTOR") })")
    }
}
