import Foundation
import PyFnArrow
import PyFnRunner
import PyFnTestSupport
import Testing

/// External mode through real worker pool processes (`python -m pyfn.worker pool`): the pool starts harnesses on
/// request when the runner presents its token, they dial the runner, bundles run as in process mode, stopping the
/// operator stops the harness; several pools share the workers, and a pool that dies has its bundles replayed on
/// the others.
@Suite(.serialized) struct ExternalEnvironmentTests {
    /// A server whose transport carries `token` for the pools (and TLS when given).
    static func server(token: String, tls: TLSFiles? = nil) async throws -> FnAPIServer {
        var transport = FnAPITransport()
        transport.poolToken = token
        transport.tls = tls
        return try await FnAPIServer.start(transport: transport)
    }

    /// The parent process id of `pid`, from /proc.
    static func parent(of pid: Int) -> String {
        ((try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? "").components(separatedBy: ") ").last?
            .split(separator: " ").dropFirst().first.map(String.init) ?? "?"
    }

    @Test func aPoolWorkerRunsBundlesAndIsStoppedAfterwards() async throws {
        let pool = try WorkerPoolProcess(pythonPath: [Harness.udfFolder])
        defer { withExtendedLifetime(pool) {} }
        let input = try Harness.bigints([("a", [1, 2, 3]), ("b", [10, 20, 30])])
        let server = try await Self.server(token: pool.token)
        let python = Harness.pythonOptions { $0.files = [] }
        let op = try ScalarFunctionOperator(calls: [FunctionCall(Harness.udf("add", returns: .bigint), [.column(0), .column(1)])],
                                            inputSchema: input.schema, forwardedColumns: [],
                                            environment: try ExternalEnvironment(server: server, pool: pool.address, options: python),
                                            python: python)
        try await op.open()
        var output = try await op.process(input)
        output += try await op.finish()
        let harnesses = Harness.workerPIDs(of: server)
        await op.close()
        await server.shutdown()
        #expect(try RecordBatch.concatenate(output).column(0) == [.int(11), .int(22), .int(33)])
        #expect(harnesses.count == 1, "\(harnesses)")
        #expect(harnesses.first?.commandLine.contains("--id=external-") == true)
        try await Task.sleep(for: .milliseconds(500))
        #expect(Harness.livingWorkers(of: server) == [], "StopWorker left the harness running")
    }

    @Test func anUnreachablePoolIsNamed() async throws {
        let server = try await Self.server(token: "t")
        let environment = try ExternalEnvironment(server: server, pool: "127.0.0.1:1", options: Harness.pythonOptions())
        var message = ""
        do { _ = try await environment.startWorker() } catch { message = "\(error)" }
        await server.shutdown()
        #expect(message.contains("127.0.0.1:1"), "\(message)")
        #expect(message.contains("did not answer"), "\(message)")
    }

    @Test func aPoolRefusesAWrongTokenAndNoTokenIsAnError() async throws {
        let pool = try WorkerPoolProcess(pythonPath: [Harness.udfFolder])
        defer { withExtendedLifetime(pool) {} }
        let server = try await Self.server(token: "not-" + pool.token)
        var message = ""
        do { _ = try await ExternalEnvironment(server: server, pool: pool.address, options: Harness.pythonOptions()).startWorker() } catch {
            message = "\(error)"
        }
        #expect(message.contains("the worker pool at \(pool.address)"), "\(message)")
        #expect(message.contains("refused this runner's token (python.worker-pool.token-file or PYFN_POOL_TOKEN)"), "\(message)")
        #expect(!message.contains(pool.token), "a token never appears in a message")
        #expect(Harness.livingWorkers(of: server) == [])
        await server.shutdown()
        let tokenless = try await FnAPIServer.start()
        do { _ = try ExternalEnvironment(server: tokenless, pool: pool.address); message = "" } catch { message = "\(error)" }
        await tokenless.shutdown()
        #expect(message.contains("python.worker-pool.token-file") && message.contains("PYFN_POOL_TOKEN"), "\(message)")
    }

    @Test func workersTakeTurnsOverSeveralPoolsAndALostPoolsBundlesRunOnTheOthers() async throws {
        let token = WorkerPoolProcess.randomToken()
        let first = try WorkerPoolProcess(pythonPath: [Harness.udfFolder], token: token)
        let second = try WorkerPoolProcess(pythonPath: [Harness.udfFolder], token: token)
        defer { withExtendedLifetime((first, second)) {} }
        let server = try await Self.server(token: token)
        let python = Harness.pythonOptions { $0.files = [] }
        let environment = try ExternalEnvironment(server: server, pool: "\(first.address), \(second.address)", options: python)
        #expect(environment.pools == [first.address, second.address])
        let values = (0..<600).map { Int64($0) }
        let batch = try Harness.bigints([("a", values), ("b", values)])
        var bundle = BundleOptions()
        bundle.bundleSize = 50
        let metrics = RunnerMetrics(job: "pools")
        let ops = try (0..<2).map { _ in
            try ScalarFunctionOperator(calls: [FunctionCall(Harness.udf("add", returns: .bigint), [.column(0), .column(1)])],
                                       inputSchema: batch.schema, forwardedColumns: [], environment: environment,
                                       bundle: bundle, python: python, metrics: metrics)
        }
        for op in ops { try await op.open() }
        let workers = Harness.workerPIDs(of: server).map(\.pid)
        #expect(workers.count == 2 && workers.contains(where: first.started) && workers.contains(where: second.started),
                "one worker on each pool: \(workers)")

        var outputs: [[RecordBatch]] = [try await ops[0].process(batch), try await ops[1].process(batch)]
        let orphan = try #require(workers.first(where: first.started))
        first.kill()  // its harness notices its pool is gone and exits; its operator's bundles are replayed
        for _ in 0..<100 where FileManager.default.fileExists(atPath: "/proc/\(orphan)") {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(!FileManager.default.fileExists(atPath: "/proc/\(orphan)"), "a harness outlived its pool")
        for index in ops.indices {
            outputs[index] += try await ops[index].process(batch)
            outputs[index] += try await ops[index].finish()
        }
        let after = Harness.workerPIDs(of: server).map(\.pid)
        let onTheLivePool = after.count == 2 && after.allSatisfy(second.started)
        let parents = after.map { ($0, Self.parent(of: $0)) }
        for op in ops { await op.close() }
        await server.shutdown()
        for output in outputs {
            #expect(try RecordBatch.concatenate(output).column(0) == (values + values).map { .int($0 * 2) })
        }
        #expect(onTheLivePool, "every worker now on the live pool \(second.pid): \(parents)")
        #expect(metrics.snapshot().operators.map(\.workerRestarts).reduce(0, +) >= 1)
    }
}
