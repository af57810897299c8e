import Foundation
import PyFnArrow
import PyFnRunner
import PyFnTestSupport
import Testing

/// External mode through a real worker pool process (`python -m pyfn.worker pool`): the pool starts harnesses on
/// request, they dial the runner, bundles run as in process mode, and stopping the operator stops the harness.
@Suite(.serialized) struct ExternalEnvironmentTests {
    @Test func aPoolWorkerRunsBundlesAndIsStoppedAfterwards() async throws {
        let pool = try WorkerPoolProcess(pythonPath: [Harness.udfFolder])
        defer { withExtendedLifetime(pool) {} }
        let input = try Harness.bigints([("a", [1, 2, 3]), ("b", [10, 20, 30])])
        let server = try await FnAPIServer.start()
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
        let server = try await FnAPIServer.start()
        let environment = try ExternalEnvironment(server: server, pool: "127.0.0.1:1", options: Harness.pythonOptions())
        var message = ""
        do { _ = try await environment.startWorker() } catch { message = "\(error)" }
        await server.shutdown()
        #expect(message.contains("127.0.0.1:1"), "\(message)")
        #expect(message.contains("did not answer"), "\(message)")
    }
}
