import Foundation
import Logging
import PyFnArrow
import PyFnRunner
import PyFnTestSupport
import Synchronization
import Testing

/// The runner's gRPC services as a worker, or an impostor, sees them.
@Suite(.serialized) struct FnAPIServerTests {
    @Test func callsWithoutAKnownWorkerIDAreRefused() async throws {
        let server = try await FnAPIServer.start()
        let outcome = try TestPython.run("Tests/PyFnRunnerTests/python/probe_worker_id.py", [server.endpoint])
        await server.shutdown()
        #expect(outcome.status == 0, "\(outcome.output)")
        #expect(outcome.output.contains("provision-no-id UNAUTHENTICATED"), "\(outcome.output)")
        #expect(outcome.output.contains("provision-unknown-id PERMISSION_DENIED"), "\(outcome.output)")
        #expect(outcome.output.contains("descriptor-unknown-id PERMISSION_DENIED"), "\(outcome.output)")
    }

    @Test func aWarningLoggedInAFunctionReachesTheRunnerLogWithTheFunctionName() async throws {
        let records = LogRecords()
        let logger = Logger(label: "pyfn.worker") { _ in CapturingLogHandler(records: records) }
        let server = try await FnAPIServer.start(logger: logger)
        let python = Harness.pythonOptions()
        let op = try ScalarFunctionOperator(
            calls: [FunctionCall(Harness.udf("warn_and_pass", returns: .bigint), [.column(0)])],
            inputSchema: try Harness.bigints([("x", [])]).schema,
            environment: ProcessEnvironment(server: server, options: python, logger: logger), python: python)
        try await op.open()
        _ = try await op.process(try Harness.bigints([("x", [42])]))
        _ = try await op.finish()
        await op.close()
        await server.shutdown()
        let warning = records.all.first { $0.message.contains("saw 42") }
        #expect(warning?.level == .warning, "\(records.all)")
        #expect(warning?.metadata["function"].map { "\($0)" }?.contains("warn_and_pass") == true, "\(String(describing: warning))")
    }
}

/// Log records kept for a test to look at.
final class LogRecords: Sendable {
    struct Record: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: Logger.Metadata
    }
    private let records = Mutex<[Record]>([])
    func append(_ record: Record) { records.withLock { $0.append(record) } }
    var all: [Record] { records.withLock { $0 } }
}

/// A swift-log handler that keeps what it is given.
struct CapturingLogHandler: LogHandler {
    let records: LogRecords
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
        records.append(.init(level: level, message: "\(message)", metadata: self.metadata.merging(metadata ?? [:]) { $1 }))
    }
}
