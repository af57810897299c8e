import Foundation
import Logging
import PyFnArrow
import PyFnRunner
import PyFnTestSupport
import Synchronization
import Testing

/// The runner's gRPC services as a worker, or an impostor, sees them.
@Suite(.serialized) struct FnAPIServerTests {
    // Calls without a worker's id and secret: WorkerSecretTests.

    /// The runner's log records while `udf` runs over `values` in a real worker of kind `workers`.
    func logRecords(running udf: String, over values: [Int64?], python: PythonOptions = Harness.pythonOptions(),
                    workers: WorkerKind = .process) async throws -> [LogRecords.Record] {
        let records = LogRecords()
        let logger = Logger(label: "pyfn.worker") { _ in CapturingLogHandler(records: records) }
        let server = try await FnAPIServer.start(logger: logger)
        let op = try ScalarFunctionOperator(
            calls: [FunctionCall(Harness.udf(udf, returns: .bigint), [.column(0)])],
            inputSchema: try Harness.bigints([("x", [])]).schema,
            environment: workers.environment(server, python, logger: logger), python: python)
        try await op.open()
        _ = try await op.process(try Harness.bigints([("x", values)]))
        _ = try await op.finish()
        await op.close()
        await server.shutdown()
        return records.all
    }

    @Test(arguments: WorkerKind.allCases) func aWarningLoggedInAFunctionReachesTheRunnerLogWithTheFunctionName(workers: WorkerKind) async throws {
        let records = try await logRecords(running: "warn_and_pass", over: [42], workers: workers)
        let warning = records.first { $0.message.contains("saw 42") }
        #expect(warning?.level == .warning, "\(records)")
        #expect(warning?.metadata["function"].map { "\($0)" }?.contains("warn_and_pass") == true, "\(String(describing: warning))")
    }

    @Test(arguments: WorkerKind.allCases) func whatAFunctionPrintsReachesTheRunnerLogOnceWithTheFunctionName(workers: WorkerKind) async throws {
        let records = try await logRecords(running: "print_and_pass", over: [42, 43], workers: workers)
        let printed = records.filter { $0.message.contains("printed 42") }
        #expect(printed.count == 1, "one line, not also the process's own output: \(records)")
        #expect(printed.first?.level == .info)
        #expect(printed.first?.metadata["function"].map { "\($0)" } == "print_and_pass", "\(printed)")
        #expect(printed.first?.metadata["worker"] != nil)
        #expect(records.contains { $0.message == "printed 43" })
    }

    @Test(arguments: WorkerKind.allCases) func debugRecordsTravelOnlyWhenTheLogLevelAsksForThem(workers: WorkerKind) async throws {
        let quiet = try await logRecords(running: "debug_and_pass", over: [7], workers: workers)
        #expect(!quiet.contains { $0.message.contains("debug saw 7") }, "\(quiet)")
        let verbose = try await logRecords(running: "debug_and_pass", over: [7], python: Harness.pythonOptions { $0.logLevel = "DEBUG" },
                                           workers: workers)
        let record = verbose.first { $0.message.contains("debug saw 7") }
        #expect(record?.level == .debug, "\(verbose)")
        #expect(record?.metadata["function"].map { "\($0)" } == "debug_and_pass")
    }

    @Test func aLongBundlesCountersMoveWhileItRuns() async throws {
        let server = try await FnAPIServer.start()
        let python = Harness.pythonOptions()
        var bundle = BundleOptions()
        bundle.bundleSize = 30
        bundle.maxBundlesInFlight = 1
        let metrics = RunnerMetrics(job: "progress")
        let op = try ScalarFunctionOperator(
            calls: [FunctionCall(Harness.udf("slow_counted", returns: .bigint), [.column(0)])],
            inputSchema: try Harness.bigints([("x", [])]).schema,
            environment: ProcessEnvironment(server: server, options: python), bundle: bundle, python: python, metrics: metrics)
        try await op.open()
        // The first bundle (1.5 s) tells the worker this function is slow; the second reports progress while it runs.
        let watcher = Task {
            var seen: [Int64] = []
            for _ in 0..<40 {
                try? await Task.sleep(for: .milliseconds(100))
                seen.append(metrics.snapshot().userMetrics.first { $0.key.name == "slow_rows" }?.value ?? 0)
            }
            return seen
        }
        _ = try await op.process(try Harness.bigints([("x", (1...60).map { Int64($0) })]))
        _ = try await op.finish()
        let seen = await watcher.value
        await op.close()
        await server.shutdown()
        #expect(seen.contains { $0 > 30 && $0 < 60 }, "progress within the second bundle: \(seen)")
        #expect(metrics.snapshot().userMetrics.first { $0.key.name == "slow_rows" }?.value == 60)
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
